"""Cases for the rules that read reference lists, as data: each case is a batch (rows
override the clean base claim), the lists (rows override the clean base list row; a list
left out is absent) and the 0-based claim rows expected to be flagged."""

from __future__ import annotations

import polars as pl

from tests.conftest import claims_inputs
from wudi_audit.checks import AuditInputs
from wudi_audit.normalise.table import normalize
from wudi_audit.read.grid import NUMERIC_CELL
from wudi_audit.read.raw import RawTable, SourceFile
from wudi_audit.schema.tables import TABLES

CODE = "91320594780268314T"  # a real Suzhou Industrial Park company code
Y_CODE = "Y1320500MA1XXXXX0W"  # authority code Y (其他): legal, check character W
NAME = "苏州工业园区技能培训学校"  # BASE_CLAIM's provider

BASE_ROWS = {
    "providers": {
        "provider_code": CODE,
        "provider_name": NAME,
        "project_codes": "WDGJ2026-001、WDGJ2026-002",
        "sites": "工业园区星湖街1号；吴中区东吴北路8号",
        "valid_from": "2025-01-01",
        "valid_to": "2026-12-31",
        "status": "正常",
    },
    "catalog": {
        "project_code": "WDGJ2026-001",
        "project_name": "工业机器人系统运维",
        "occupation": "工业机器人系统运维员",
        "level": "四级",
        "online_rate": "15",
        "offline_rate": "30",
        "pure_online_approved": "否",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    },
    "urban_rural": {"project_name": "家政服务", "occupation": "家政服务员"},
}

Lists = dict[str, list[dict]]


def reference_table(name: str, rows: list[dict]) -> tuple[pl.DataFrame, frozenset[str]]:
    """A reference list as the reader hands it over, normalised; and the fields present
    (the keys used in any row, each row overriding the clean base row)."""
    schema = TABLES[name]
    merged = [{**BASE_ROWS.get(name, {}), **row} for row in rows]
    data = {
        f.name: [None if r.get(f.name) is None else str(r[f.name]) for r in merged]
        for f in schema.fields
    }
    frame = pl.DataFrame(data, schema={f.name: pl.String for f in schema.fields}).with_columns(
        pl.lit(False).alias(NUMERIC_CELL),
        pl.int_range(2, len(merged) + 2, dtype=pl.Int64).alias("source_row"),
        pl.lit(f"{name}.xlsx").alias("source_file"),
        pl.lit("Sheet1").alias("source_sheet"),
    )
    raw = RawTable(schema, frame, [SourceFile(f"{name}.xlsx", "0" * 64, "xlsx")])
    present = frozenset(k for row in merged for k in row if k in {f.name for f in schema.fields})
    return normalize(raw), present


def inputs_with_lists(claims: list[dict], lists: Lists) -> AuditInputs:
    inputs = claims_inputs(claims)
    for name, rows in lists.items():
        frame, present = reference_table(name, rows)
        inputs.references[name] = frame
        inputs.reference_fields[name] = present
    return inputs


P = {"providers": [{}]}
C = {"catalog": [{}]}
SITE = {"training_site": "工业园区星湖街1号"}
ONLINE = {"online_hours": "35", "offline_hours": "0", "mode": "纯线上", "amount": "525"}
# 14 × 13.60 + 21 × 27.70 = 190.40 + 581.70 = 772.10 yuan, exactly, in fen
AT_LOW_CAP = {"amount": "772.10"}
LOW_RATES = {"catalog": [{"online_rate": "13.6", "offline_rate": "27.7"}]}

CASES: dict[str, list[tuple[str, list[dict], Lists, list[int]]]] = {
    # strikes are counted from the ledger's decisions only: the flagged and boundary cases
    # (1 versus 2 struck batches, non-T returns, overturned returns) are in
    # tests/test_decisions.py through the command line
    "O408": [
        ("no ledger: no strike", [{}], P, []),
        ("this batch's own returns are never strikes", [{"online_hours": "1"}], P, []),
    ],
    "O401": [
        ("registered, found by name", [{}], P, []),
        ("registered, found by code", [{"provider_code": CODE, "provider_name": "别名"}], P, []),
        (
            "name folded: full-width and spaces",
            [{"provider_name": "苏州工业园区 技能培训学校"}],
            P,
            [],
        ),
        ("unknown name", [{"provider_name": "苏州某某培训中心"}], P, [0]),
        (
            "registered name under another organisation's code",
            [{"provider_code": "91110000600037341L"}],
            P,
            [0],
        ),
        (
            "code not on a list that has no codes: matched by name",
            [{"provider_code": "91110000600037341L"}],
            {"providers": [{"provider_code": None}]},
            [],
        ),
        ("provider cells empty", [{"provider_name": None, "provider_code": None}], P, [0]),
        (
            "training ends on valid_to: inside",
            [{"end_date": "2026-12-31", "start_date": "2026-12-01"}],
            P,
            [],
        ),
        (
            "valid_to the day before the end date: outside",
            [{}],
            {"providers": [{"valid_to": "2026-03-14"}]},
            [0],
        ),
        (
            "starts before valid_from",
            [{}],
            {"providers": [{"valid_from": "2026-03-03"}]},
            [0],
        ),
        ("starts on valid_from", [{}], {"providers": [{"valid_from": "2026-03-02"}]}, []),
        (
            "empty range: always registered",
            [{"start_date": "1999-01-01"}],
            {"providers": [{"valid_from": None, "valid_to": None}]},
            [],
        ),
        (
            "two registration rows, one covers",
            [{}],
            {"providers": [{"valid_to": "2025-12-31"}, {"valid_from": "2026-01-01"}]},
            [],
        ),
        ("unreadable dates are not judged on dates", [{"end_date": "2026-13-45"}], P, []),
    ],
    "O402": [
        ("status 正常", [{}], P, []),
        (
            "disqualified on the end date",
            [{}],
            {"providers": [{"disqualified_from": "2026-03-15"}]},
            [0],
        ),
        (
            "disqualified the day after the end date",
            [{}],
            {"providers": [{"disqualified_from": "2026-03-16"}]},
            [],
        ),
        ("status 取消资格 with no date", [{}], {"providers": [{"status": "取消资格"}]}, [0]),
        (
            "status 取消资格 with a later date: the date decides",
            [{}],
            {"providers": [{"status": "取消资格", "disqualified_from": "2026-04-01"}]},
            [],
        ),
        (
            "unknown provider is O401's business",
            [{"provider_name": "别家"}],
            {"providers": [{"status": "取消资格"}]},
            [],
        ),
    ],
    "O403": [
        ("in the catalogue", [{}], C, []),
        ("not in the catalogue", [{"project_code": "WDGJ2026-009"}], C, [0]),
        ("code folded: lower case", [{"project_code": "wdgj2026-001"}], C, []),
        (
            "training ends on valid_to: inside",
            [{}],
            {"catalog": [{"valid_to": "2026-03-15"}]},
            [],
        ),
        (
            "valid_to the day before the end date: outside",
            [{}],
            {"catalog": [{"valid_to": "2026-03-14"}]},
            [0],
        ),
        (
            "entry starts after the start date",
            [{}],
            {"catalog": [{"valid_from": "2026-03-03"}]},
            [0],
        ),
        ("open-ended entry", [{}], {"catalog": [{"valid_from": None, "valid_to": None}]}, []),
    ],
    "O404": [
        ("winner of the project", [{}], P, []),
        ("winner of the second project", [{"project_code": "WDGJ2026-002"}], P, []),
        ("not a winner of this project", [{"project_code": "WDGJ2026-003"}], P, [0]),
        (
            "every separator and white space",
            [{"project_code": "D"}, {"project_code": "F"}, {"project_code": "Z"}],
            {"providers": [{"project_codes": "A，B,C;D；E、F G\u3000H"}]},
            [2],
        ),
        (
            "lower-case codes on the list",
            [{}],
            {"providers": [{"project_codes": "wdgj2026-001"}]},
            [],
        ),
        ("no winning projects", [{}], {"providers": [{"project_codes": None}]}, [0]),
        (
            "projects on a second row of the same provider",
            [{"project_code": "WDGJ2026-007"}],
            {"providers": [{}, {"project_codes": "WDGJ2026-007"}]},
            [],
        ),
        ("unknown provider is O401's business", [{"provider_name": "别家"}], P, []),
    ],
    "O405": [
        ("registered site", [SITE], P, []),
        ("second registered site", [{"training_site": "吴中区东吴北路8号"}], P, []),
        (
            "site differing only in full-width characters",
            [{"training_site": "工业园区星湖街１号"}],
            P,
            [],
        ),
        ("site differing only in white space", [{"training_site": "工业园区 星湖街1号 "}], P, []),
        (
            "a list site written with a space inside",
            [SITE],
            {"providers": [{"sites": "工业园区 星湖街1号、吴中区东吴北路8号"}]},
            [],
        ),
        ("another site", [{"training_site": "相城区某路3号"}], P, [0]),
        ("empty site is not judged", [{"training_site": None}], P, []),
        ("unknown provider is O401's business", [{**SITE, "provider_name": "别家"}], P, []),
    ],
    "O406": [
        ("valid code", [{"provider_code": CODE}], {}, []),
        ("valid code starting with Y", [{"provider_code": Y_CODE}], {}, []),
        ("valid 民办非企业 code", [{"provider_code": "52320500MJ54321003"}], {}, []),
        ("lower case is folded", [{"provider_code": CODE.lower()}], {}, []),
        ("wrong check character", [{"provider_code": CODE[:-1] + "A"}], {}, [0]),
        ("Y code with a wrong check", [{"provider_code": Y_CODE[:-1] + "X"}], {}, [0]),
        ("17 characters", [{"provider_code": CODE[:-1]}], {}, [0]),
        ("letter I is not in the alphabet", [{"provider_code": "9132059478026831IT"}], {}, [0]),
        ("empty code is not judged", [{"provider_code": None}], {}, []),
    ],
    "T203": [
        ("blended training", [{}], C, []),
        ("declared pure online, not approved", [ONLINE], C, [0]),
        ("declared 线上, not approved", [{**ONLINE, "mode": "线上"}], C, [0]),
        ("no offline hours, no mode", [{**ONLINE, "mode": None}], C, [0]),
        ("approved", [ONLINE], {"catalog": [{"pure_online_approved": "是"}]}, []),
        ("approval written 通过", [ONLINE], {"catalog": [{"pure_online_approved": " 通过 "}]}, []),
        (
            "empty approval is no approval",
            [ONLINE],
            {"catalog": [{"pure_online_approved": None}]},
            [0],
        ),
        ("project absent is O403's business", [{**ONLINE, "project_code": "X1"}], C, []),
        (
            "the entry in force on the start date decides",
            [ONLINE, {**ONLINE, "start_date": "2025-06-01", "end_date": "2025-06-20"}],
            {
                "catalog": [
                    {
                        "valid_from": "2025-01-01",
                        "valid_to": "2025-12-31",
                        "pure_online_approved": "是",
                    },
                    {"valid_from": "2026-01-01", "valid_to": None},
                ]
            },
            [0],
        ),
    ],
    "S301": [
        ("catalogue rates 13.6 / 27.7: at the cap", [AT_LOW_CAP], LOW_RATES, []),
        (
            "catalogue rates 13.6 / 27.7: one fen over",
            [{**AT_LOW_CAP, "amount": "772.11"}],
            LOW_RATES,
            [0],
        ),
        ("programme cap is above the catalogue's", [{}], LOW_RATES, [0]),
        (
            "catalogue above the programme maximum: the maximum",
            [{}, {"amount": "840.01"}],
            {"catalog": [{"online_rate": "20", "offline_rate": "40"}]},
            [1],
        ),
        ("project absent: the programme maximum", [{"project_code": "X1"}], LOW_RATES, []),
        (
            "empty rate cells: the programme maximum",
            [{}],
            {"catalog": [{"online_rate": None, "offline_rate": None}]},
            [],
        ),
        (
            "only the offline rate given",
            [{"amount": "781.2"}, {"amount": "781.21"}],
            {"catalog": [{"online_rate": None, "offline_rate": "27.2"}]},
            [1],
        ),
    ],
}
