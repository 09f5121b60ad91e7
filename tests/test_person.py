"""Trainee eligibility P101-P106 beyond the table cases (run by test_rules.py): the
retirement schedule, the check digit, the roster, the real reader."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, claims_inputs, flagged, id_for, raw_claims
from wudi_audit.checks import AuditInputs
from wudi_audit.facts import idnumber, retirement
from wudi_audit.normalise.inputs import prepare_claims
from wudi_audit.normalise.table import normalize
from wudi_audit.read.raw import RawTable, SourceFile
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.tables import EXCLUDED


def test_numeric_cell_is_p102_even_when_the_digits_look_fine():
    from tests.conftest import BASE_CLAIM

    raw = raw_claims([BASE_CLAIM, BASE_CLAIM], numeric_ids=[True, False])
    inputs = AuditInputs(prepare_claims(normalize(raw), TODAY), today=TODAY)
    assert flagged("P102", inputs)["source_row"].to_list() == [2]
    assert flagged("P101", inputs).height == 0


def test_p103_message_states_age_and_limit():
    rows = [{"id_number": id_for("1965-01-15"), "start_date": "2025-04-20"}]
    message = flagged("P103", claims_inputs(rows))["message_zh"].item()
    assert message == "开班时 60岁3个月，已达法定退休年龄 60岁1个月（男，1965年1月出生）"


def test_p103_women_track_is_a_parameter(default_pack):
    rows = [{"id_number": id_for("1975-03-10", male=False), "start_date": "2025-05-10"}]
    assert flagged("P103", claims_inputs(rows)).height == 0  # 55 track: far from retirement
    pack50 = RulePack("p", "p", "0", {**default_pack.params, "women_retirement_track": 50})
    result = flagged("P103", claims_inputs(rows), pack50)
    assert "50岁2个月" in result["message_zh"].item()  # born 1975-03 → 50y2m, 2025-05-10


# Worked examples of the 2025 schedule (国发〔2024〕14号 tables):
# (track, birth year, month, age in months)
SCHEDULE = [
    (retirement.MALE, 1964, 12, 60 * 12),
    (retirement.MALE, 1965, 1, 60 * 12 + 1),
    (retirement.MALE, 1965, 3, 60 * 12 + 1),
    (retirement.MALE, 1965, 5, 60 * 12 + 2),
    (retirement.MALE, 1970, 1, 61 * 12 + 4),
    (retirement.MALE, 1976, 8, 62 * 12 + 11),
    (retirement.MALE, 1976, 9, 63 * 12),
    (retirement.MALE, 1990, 1, 63 * 12),
    (retirement.FEMALE_50, 1975, 1, 50 * 12 + 1),
    (retirement.FEMALE_50, 1975, 3, 50 * 12 + 2),
    (retirement.FEMALE_50, 1980, 6, 52 * 12 + 9),
    (retirement.FEMALE_50, 1984, 10, 54 * 12 + 11),
    (retirement.FEMALE_50, 1984, 11, 55 * 12),
    (retirement.FEMALE_55, 1969, 12, 55 * 12),
    (retirement.FEMALE_55, 1970, 1, 55 * 12 + 1),
    (retirement.FEMALE_55, 1970, 5, 55 * 12 + 2),
    (retirement.FEMALE_55, 1975, 6, 56 * 12 + 5),
    (retirement.FEMALE_55, 1981, 9, 58 * 12),
]


@pytest.mark.parametrize(("track", "year", "month", "months"), SCHEDULE)
def test_retirement_schedule(track, year, month, months):
    assert retirement.retirement_age_months(track, year, month) == months
    frame = pl.DataFrame({"born": [dt.date(year, month, 1)]})
    expr = retirement.retirement_age_months_expr(track, pl.col("born"))
    assert frame.select(expr).item() == months


def test_retirement_dates_from_domain_examples():
    frame = pl.DataFrame(
        {
            "born": [dt.date(1965, 1, 15), dt.date(1965, 5, 31), dt.date(1984, 11, 30)],
            "months": [721, 722, 660],
        }
    )
    dates = frame.select(retirement.add_months(pl.col("born"), pl.col("months")))
    assert dates.to_series().to_list() == [
        dt.date(2025, 2, 15),
        dt.date(2025, 7, 31),
        dt.date(2039, 11, 30),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1, max_size=40))
def test_check_digit_matches_python_stdnum(bodies):
    from stdnum.cn import ric

    ours = pl.DataFrame({"b": bodies}).select(idnumber.check_char(pl.col("b"))).to_series()
    # stdnum's calc_check_digit takes the whole number and ignores its last character
    assert ours.to_list() == [ric.calc_check_digit(b + "?") for b in bodies]


def test_check_digit_on_thousands_of_generated_numbers():
    import random

    from stdnum.cn import ric

    rng = random.Random(11643)
    bodies = [f"{rng.randrange(10**16, 10**17):017d}" for _ in range(5000)]
    ours = pl.DataFrame({"b": bodies}).select(idnumber.check_char(pl.col("b"))).to_series()
    assert ours.to_list() == [ric.calc_check_digit(b + "?") for b in bodies]


def test_legacy_upgrade_matches_domain_example():
    frame = pl.DataFrame({"n": ["320502650101123"]})
    assert frame.select(idnumber.upgrade_legacy15(pl.col("n"))).item() == "320502196501011237"


def roster(rows: list[dict]) -> pl.DataFrame:
    data = {f.name: [r.get(f.name) for r in rows] for f in EXCLUDED.fields}
    frame = pl.DataFrame(data, schema={f.name: pl.String for f in EXCLUDED.fields})
    frame = frame.with_columns(
        pl.lit(False).alias("id_number__numeric_cell"),
        pl.int_range(2, len(rows) + 2, dtype=pl.Int64).alias("source_row"),
    )
    return normalize(RawTable(EXCLUDED, frame, [SourceFile("excluded.xlsx", "0", "xlsx")]))


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "flag"),
    [
        (None, None, True),
        ("2020-01-01", None, True),
        ("2026-03-02", None, True),  # from the start date itself: inclusive
        (None, "2026-03-02", True),  # until the start date itself: inclusive
        (None, "2026-03-01", False),  # left the roster the day before
        ("2026-03-03", None, False),  # joined the day after
    ],
)
def test_p104_roster_validity(valid_from, valid_to, flag):
    from tests.conftest import BASE_CLAIM

    listed = roster(
        [
            {"id_number": BASE_CLAIM["id_number"], "valid_from": valid_from, "valid_to": valid_to},
            {"id_number": id_for("1980-01-01")},
        ]
    )
    inputs = claims_inputs(
        [{}, {"id_number": id_for("1985-01-01")}], references={"excluded": listed}
    )
    assert flagged("P104", inputs)["source_row"].to_list() == ([2] if flag else [])


def test_p104_matches_normalised_numbers():
    from tests.conftest import BASE_CLAIM

    listed = roster([{"id_number": " " + BASE_CLAIM["id_number"].replace("3", "３") + " "}])
    inputs = claims_inputs([{}], references={"excluded": listed})
    assert flagged("P104", inputs).height == 1


def test_p105_not_run_without_a_category_column():
    from wudi_audit.checks import REGISTRY
    from wudi_audit.checks.engine import applicable

    inputs = claims_inputs([{}])
    ok, (zh, en) = applicable(REGISTRY["P105"], inputs)
    assert not ok and "人员类别" in zh and "category" in en
    ok, _ = applicable(REGISTRY["P105"], claims_inputs([{"category": "本市户籍"}]))
    assert ok


def test_p106_evidence_lists_the_other_names():
    result = flagged("P106", claims_inputs([{}, {"name": "李四", "class_id": "C2"}]))
    assert result["evidence"].to_list() == [
        '{"other_names":["李四"],"other_names_count":1,"ledger_batches":[],'
        '"ledger_batches_count":0}',
        '{"other_names":["张三"],"other_names_count":1,"ledger_batches":[],'
        '"ledger_batches_count":0}',
    ]


@pytest.mark.parametrize("numeric_ids", [False, True], ids=["ids-as-text", "ids-as-numbers"])
def test_person_rules_through_the_real_reader(tmp_path, numeric_ids):
    """An xlsx with the identity column as text, and the same file as an office would
    damage it (identity cells stored as numbers)."""
    from tests.test_reader import HEADERS, ROW, write_xlsx
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.rules.pack import load_rule_pack

    numbers = [
        id_for("1990-01-01"),  # clean
        id_for("1990-01-01")[:17] + "0" if id_for("1990-01-01")[17] != "0" else "1",  # P101
        id_for("1959-05-12"),  # P103: retired
        id_for("2010-03-03"),  # P103: not yet 16 on 2026-03-02
    ]
    rows = [["2026年第3批"], HEADERS] + [[n, *ROW[1:]] for n in numbers]
    numeric_rows = tuple(range(2, 2 + len(numbers))) if numeric_ids else ()
    path = write_xlsx(tmp_path / "c.xlsx", rows, numeric_id_rows=numeric_rows)
    pack = load_rule_pack()
    loaded = load_inputs(path, pack, today=dt.date(2026, 11, 28))
    exceptions = run_rules(loaded.inputs, pack).exceptions
    got = sorted(zip(exceptions["code"], exceptions["source_row"], strict=True))
    p_codes = [(c, r) for c, r in got if c.startswith("P")]
    as_text = {("P101", 4), ("P103", 5), ("P103", 6)}
    if numeric_ids:
        # a number ending in X survives as text; every all-digit one is damaged
        expected = {("P102", i + 3) for i, n in enumerate(numbers) if n.isdigit()}
        expected |= {(c, r) for c, r in as_text if not numbers[r - 3].isdigit()}
        assert set(p_codes) == expected and len(expected) >= 3
    else:
        assert set(p_codes) == as_text


def test_p104_to_p106_through_the_real_reader(tmp_path):
    """Roster, categories and names from real files: an xlsx batch and an xlsx roster."""
    from tests.test_reader import HEADERS, ROW, write_xlsx
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.rules.pack import load_rule_pack

    a, b, c = id_for("1990-01-01"), id_for("1991-02-02"), id_for("1992-03-03")
    headers = [*HEADERS, "人员类别", "毕业时间"]
    rows = [
        headers,
        [a, "张三", *ROW[2:], "本市户籍", None],  # clean
        [b, "李四", *ROW[2:], "在校生", None],  # P105
        [c, "王五", *ROW[2:], "离校2年内未就业高校毕业生", "2024-03-01"],  # P105: a day too early
        [a, "张 三", "P2", "C2", *ROW[4:], "户籍", None],  # same name: white space only
        [c, "王六", "P3", "C3", *ROW[4:], "居住证", None],  # P106 with row 4
    ]
    claims = write_xlsx(tmp_path / "c.xlsx", rows)
    roster = write_xlsx(
        tmp_path / "excluded.xlsx",
        [
            ["身份证号", "姓名", "生效日期", "失效日期"],
            [b, "李四", "2020-01-01", None],
            [a, "张三", "2020-01-01", "2026-03-01"],
        ],  # a left the roster the day before the start
    )
    pack = load_rule_pack()
    loaded = load_inputs(claims, pack, references={"excluded": roster}, today=TODAY)
    exceptions = run_rules(loaded.inputs, pack).exceptions
    got = {(c_, r) for c_, r in zip(exceptions["code"], exceptions["source_row"], strict=True)}
    assert got == {("P104", 3), ("P105", 3), ("P105", 4), ("P106", 4), ("P106", 6)}
