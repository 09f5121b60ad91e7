"""O401–O406: the provider and catalogue rules, from tests/provider_cases.py, plus the
credit-code expression against an oracle and the not-run wording."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import claims_inputs, flagged
from tests.provider_cases import CASES, CODE, NAME, Y_CODE, inputs_with_lists
from tests.test_reader import HEADERS, ROW, write_csv, write_xlsx
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.engine import applicable, run_rules
from wudi_audit.facts import uscc
from wudi_audit.read.reader import read_table
from wudi_audit.schema.tables import TABLES

PARAMS = [
    pytest.param(code, rows, lists, expected, id=f"{code}-{name}")
    for code, cases in CASES.items()
    for name, rows, lists, expected in cases
]


@pytest.mark.parametrize(("code", "rows", "lists", "expected"), PARAMS)
def test_reference_rule_case(code, rows, lists, expected):
    inputs = inputs_with_lists(rows, lists)
    assert applicable(REGISTRY[code], inputs)[0], applicable(REGISTRY[code], inputs)[1]
    result = flagged(code, inputs)
    assert sorted(result["source_row"].to_list()) == [i + 2 for i in expected]
    assert result["message_zh"].null_count() == 0
    assert result["message_en"].null_count() == 0
    assert result["row_id"].is_unique().all()


def test_every_o_rule_has_cases():
    assert {c for c in REGISTRY if c.startswith("O") and c != "O407"} <= set(CASES)


# ---- O406: the credit-code expression ---------------------------------------------------

ALPHABET = uscc.ALPHABET


def oracle_check(first17: str) -> str:
    """Plain-Python GB 32100 check character, independent of the Polars expression."""
    total = sum(ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return ALPHABET[(31 - total % 31) % 31]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17).filter(lambda s: s[:8].isdigit()))
def test_check_character_agrees_with_stdnum(first17):
    from stdnum.cn.uscc import calc_check_digit

    frame = pl.DataFrame({"c": [first17 + "0"]})
    expected = frame.select(uscc.expected_check_char(pl.col("c"))).item()
    assert expected == calc_check_digit(first17)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_any_leading_symbol_is_legal(first17):
    good = first17 + oracle_check(first17)
    wrong = first17 + next(c for c in ALPHABET if c != good[-1])
    frame = pl.DataFrame({"c": [good, wrong]})
    assert frame.select(uscc.problem(pl.col("c"))).to_series().to_list() == [None, "check"]


def test_known_codes():
    codes = [CODE, "91110000600037341L", Y_CODE, "91110000600037341M", "Z" * 18, "9" * 19]
    problems = pl.DataFrame({"c": codes}).select(uscc.problem(pl.col("c"))).to_series()
    assert problems.to_list() == [None, None, None, "check", "characters", "length"]


def test_o406_message_names_the_expected_check_character():
    result = flagged("O406", claims_inputs([{"provider_code": CODE[:-1] + "A"}]))
    assert result["message_zh"].item() == f"统一社会信用代码 {CODE[:-1]}A 校验码错误（应为 T）"


# ---- messages and evidence ----------------------------------------------------------------


def test_o401_message_gives_the_registration_period():
    inputs = inputs_with_lists([{}], {"providers": [{"valid_to": "2026-03-14"}]})
    message = flagged("O401", inputs)["message_zh"].item()
    assert message == (
        f"培训 2026-03-02 至 2026-03-15 不在培训机构“{NAME}”的备案期内（2025-01-01 至 2026-03-14）"
    )


def test_o404_message_lists_the_won_projects():
    inputs = inputs_with_lists([{"project_code": "WDGJ2026-003"}], {"providers": [{}]})
    message = flagged("O404", inputs)["message_zh"].item()
    assert "WDGJ2026-001、WDGJ2026-002" in message and "WDGJ2026-003" in message


def test_disqualification_puts_the_whole_claim_at_stake():
    inputs = inputs_with_lists([{"amount": "800"}], {"providers": [{"status": "取消资格"}]})
    assert flagged("O402", inputs)["amount_at_stake_fen"].item() == 80000


# ---- not run ------------------------------------------------------------------------------


def test_not_run_names_the_option():
    result = run_rules(
        claims_inputs([{}]), pytest.importorskip("wudi_audit.rules.pack").load_rule_pack()
    )
    reasons = result.rules_skipped
    assert (
        reasons["O401"][0]
        == "O401 未运行：未提供备案机构名单（--providers 或 --ref-dir 中的 providers.xlsx）"
    )
    assert (
        reasons["O401"][1]
        == "O401 not run: no providers list (--providers, or providers.xlsx in --ref-dir)"
    )
    assert (
        reasons["O403"][0]
        == "O403 未运行：未提供项目目录清单（--catalog 或 --ref-dir 中的 catalog.xlsx）"
    )
    assert (
        reasons["P104"][0]
        == "P104 未运行：未提供排除人员名单（--excluded 或 --ref-dir 中的 excluded.xlsx）"
    )
    # attendance missing: its columns are not listed again
    assert reasons["T209"][0] == "T209 未运行：未提供考勤记录（--attendance）"
    # the claims lack the site column and the list is missing: both named, once each
    assert reasons["O405"][0] == (
        "O405 未运行：未提供备案机构名单（--providers 或 --ref-dir 中的 providers.xlsx）、"
        "申领明细中的“培训地点”列"
    )
    # O406 needs only the claims' credit-code column
    assert reasons["O406"][0] == "O406 未运行：未提供申领明细中的“统一社会信用代码”列"


def test_not_run_without_provider_columns(default_pack):
    inputs = inputs_with_lists([{}], {"providers": [{}]})
    inputs.claim_fields = inputs.claim_fields - {"provider_name", "provider_code"}
    ok, (zh, en) = applicable(REGISTRY["O401"], inputs)
    assert not ok
    assert zh == "O401 未运行：未提供申领明细中的“统一社会信用代码”或“培训机构”列"
    assert en == "O401 not run: no provider_code or provider_name column in the claims"


def test_not_run_without_a_list_column():
    inputs = inputs_with_lists([{}], {"providers": [{}]})
    inputs.reference_fields["providers"] -= {"project_codes"}
    ok, (zh, _) = applicable(REGISTRY["O404"], inputs)
    assert not ok and zh == "O404 未运行：未提供备案机构名单中的“中标项目”列"


# ---- through the reader and the command line -------------------------------------------

REF_CASES = [
    pytest.param(schema, field.name, alias, id=f"{schema.name}-{field.name}-{alias}")
    for schema in (TABLES["catalog"], TABLES["providers"], TABLES["urban_rural"])
    for field in schema.fields
    for alias in field.aliases
]


@pytest.mark.parametrize(("schema", "field_name", "alias"), REF_CASES)
def test_every_reference_list_header_alias(tmp_path, schema, field_name, alias):
    headers = [alias if f.name == field_name else f.aliases[0] for f in schema.required]
    if field_name not in [f.name for f in schema.required]:
        headers.append(alias)
    values = [f"v{i}" for i in range(len(headers))]
    table = read_table(write_csv(tmp_path / "t.csv", [headers, values]), schema)
    assert table.frame[field_name].to_list() == [f"v{headers.index(alias)}"]


CLAIM_HEADERS = [*HEADERS, "统一社会信用代码", "培训机构", "培训地点"]


def _claims_file(tmp_path):
    rows = [
        CLAIM_HEADERS,
        [*ROW, CODE, NAME, "星湖街1号"],  # clean
        [*ROW[:2], "P2", *ROW[3:], CODE, NAME, "星湖街１号"],  # second project, full-width 1
        [*ROW[:2], "P9", *ROW[3:], CODE, NAME, "相城区3号"],  # not won, other site
        [*ROW, "", "别家培训中心", "星湖街1号"],  # unknown provider
    ]
    return write_xlsx(tmp_path / "claims.xlsx", rows)


def _providers_file(path):
    rows = [
        ["2026年备案机构名单"],
        ["序号", "机构名称", "统一社会信用代码", "中标项目", "备案地点", "状态", "有效期起"],
        [1, NAME, CODE, "P1；P2", "星湖街1号 东吴北路8号", "正常", "2026-01-01"],
    ]
    return write_xlsx(path, rows)


def test_lists_through_the_command_line(tmp_path):
    from tests.test_cli import run

    claims = _claims_file(tmp_path)
    ref = tmp_path / "ref"
    ref.mkdir()
    _providers_file(ref / "providers.xlsx")
    write_csv(ref / "catalog.csv", [["项目编号", "线下补贴标准"], ["P1", "27.7"], ["P2", ""]])
    proc = run("check", str(claims), "--ref-dir", str(ref), "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 1, proc.stderr
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    found = {(e["code"], e["source_row"]) for e in document["exceptions"] if e["code"][0] == "O"}
    assert found == {("O404", 4), ("O405", 4), ("O403", 4), ("O401", 5)}
    roles = {s["role"]: s for s in document["manifest"]["inputs"]}
    assert roles["providers"]["rows"] == 1 and roles["catalog"]["format"] == "csv"
    not_run = {r["code"] for r in document["summary"]["rules_not_run"]}
    assert "O401" not in not_run and "O407" in not_run


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04 truncated", "已损坏"),
        (b"", "为空"),
        ("名称,地址\nA,B\n".encode(), "没有找到表头行"),
    ],
    ids=["corrupt", "empty", "no-header"],
)
def test_unusable_list_exits_2_naming_it(tmp_path, content, expected):
    from tests.test_cli import run

    claims = _claims_file(tmp_path)
    bad = tmp_path / "机构.xlsx" if content.startswith(b"PK") else tmp_path / "机构.csv"
    bad.write_bytes(content)
    proc = run("check", str(claims), "--providers", str(bad), "-o", str(tmp_path / "r.xlsx"))
    assert proc.returncode == 2, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("错误：参考名单“备案机构名单”无法使用") and str(bad) in first
    assert expected in first
    assert "Error: reference list providers list (providers) is unusable" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_t203_not_run_without_the_approval_column():
    inputs = inputs_with_lists([{}], {"catalog": [{}]})
    inputs.reference_fields["catalog"] -= {"pure_online_approved"}
    ok, (zh, _) = applicable(REGISTRY["T203"], inputs)
    assert not ok and zh == "T203 未运行：未提供项目目录清单中的“纯线上评估通过”列"


def test_s301_message_shows_the_catalogue_rates():
    lists = {"catalog": [{"online_rate": "13.6", "offline_rate": "27.7"}]}
    result = flagged("S301", inputs_with_lists([{}], lists))
    assert result["message_zh"].item() == (
        "申领 840.00 元 > 上限 772.10 元（线上 14 课时×13.60 元 + 线下 21 课时×27.70 元）"
    )
    assert result["amount_at_stake_fen"].item() == 84000 - 77210
    assert '"catalog_offline_rate":27.7' in result["evidence"].item()
