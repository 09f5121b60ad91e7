"""Habits of real exports (SPEC §3): units, repeated headers, one date-range column,
mode spellings, masked identity numbers; read through the real reader."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import flagged
from tests.test_reader import HEADERS, ROW, write_csv
from wudi_audit.checks import AuditInputs
from wudi_audit.errors import UserInputError
from wudi_audit.normalise.inputs import prepare_claims
from wudi_audit.normalise.table import normalize
from wudi_audit.read.reader import read_table
from wudi_audit.schema.tables import CLAIMS

TODAY = dt.date(2026, 11, 28)


def read(tmp_path, headers, *rows):
    table = read_table(write_csv(tmp_path / "c.csv", [headers, *rows]), CLAIMS)
    return table, prepare_claims(normalize(table), TODAY)


def test_ten_thousand_yuan_is_scaled_and_noted(tmp_path):
    headers = [*HEADERS[:-1], "补贴金额（万元）"]
    table, claims = read(tmp_path, headers, [*ROW[:-1], "0.105"])
    assert claims["amount"].to_list() == [pytest.approx(1050.0)]
    assert claims["amount_fen"].to_list() == [105000]
    assert any("万元" in n for n in table.sources[0].notes)
    _, plain = read(tmp_path, [*HEADERS[:-1], "补贴金额(元)"], [*ROW[:-1], "0.105"])
    assert plain["amount"].to_list() == [pytest.approx(0.105)]


def test_unknown_amount_unit_is_refused_by_name(tmp_path):
    with pytest.raises(UserInputError) as caught:
        read(tmp_path, [*HEADERS[:-1], "补贴金额（美元）"], ROW)
    assert "美元" in caught.value.zh and caught.value.zh.startswith("申领明细：")


def test_repeated_header_rows_are_dropped_and_counted(tmp_path):
    table, claims = read(tmp_path, HEADERS, ROW, HEADERS, ROW, HEADERS)
    assert claims.height == 2
    assert claims["source_row"].to_list() == [2, 4]
    assert any("重复出现的表头行已忽略（2 行）" in n for n in table.sources[0].notes)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2025.03.01-2025.03.20", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
        ("2025-03-01 至 2025-03-20", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
        ("2025/3/1~2025/3/20", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
        ("2025年3月1日—3月20日", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
        ("20250301-20250320", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
    ],
)
def test_one_range_column_gives_both_dates(tmp_path, period, start, end):
    headers = [h for h in HEADERS if h not in ("开班日期", "结业日期")] + ["培训起止时间"]
    row = [v for h, v in zip(HEADERS, ROW, strict=True) if h not in ("开班日期", "结业日期")]
    _, claims = read(tmp_path, headers, [*row, period])
    assert claims["start_date"].to_list() == [start]
    assert claims["end_date"].to_list() == [end]


def test_unreadable_range_is_d002(tmp_path):
    headers = [h for h in HEADERS if h not in ("开班日期", "结业日期")] + ["培训时间"]
    row = [v for h, v in zip(HEADERS, ROW, strict=True) if h not in ("开班日期", "结业日期")]
    _, claims = read(tmp_path, headers, [*row, "三月上旬"], [*row, "2025.03.01-2025.03.20"])
    inputs = AuditInputs(claims, today=TODAY, claim_fields=frozenset(f.name for f in CLAIMS.fields))
    d002 = flagged("D002", inputs)
    assert d002["source_row"].to_list() == [2]
    assert "三月上旬" in d002["message_zh"][0]


@pytest.mark.parametrize("single", ["2025.03.01", "2025-03-01", "20250301", "2025年3月1日"])
def test_a_single_date_in_the_range_column_is_d002(tmp_path, single):
    # issue 19: `2025.03.01` in 培训起止时间 was read as a training of one day
    headers = [h for h in HEADERS if h not in ("开班日期", "结业日期")] + ["培训起止时间"]
    row = [v for h, v in zip(HEADERS, ROW, strict=True) if h not in ("开班日期", "结业日期")]
    _, claims = read(tmp_path, headers, [*row, single], [*row, "2025.03.01-2025.03.20"])
    assert claims["start_date"].to_list() == [None, dt.date(2025, 3, 1)]
    inputs = AuditInputs(claims, today=TODAY, claim_fields=frozenset(f.name for f in CLAIMS.fields))
    d002 = flagged("D002", inputs)
    assert d002["source_row"].unique().to_list() == [2]
    assert single in d002["message_zh"][0] and "不是起止范围" in d002["message_zh"][0]


@pytest.mark.parametrize(
    ("written", "mode"),
    [
        ("线下培训", "offline"),
        ("线上培训", "online"),
        ("线上线下相结合", "blended"),
        ("线上线下结合", "blended"),
        ("混合模式", "blended"),
        ("面授", None),
    ],
)
def test_mode_spellings(tmp_path, written, mode):
    _, claims = read(tmp_path, [*HEADERS, "培训形式"], [*ROW, written])
    assert claims["mode"].to_list() == [mode]


def test_masked_identity_number_is_p101_masked(tmp_path):
    _, claims = read(tmp_path, HEADERS, ["3205**********1234", *ROW[1:]], ROW)
    inputs = AuditInputs(claims, today=TODAY, claim_fields=frozenset(f.name for f in CLAIMS.fields))
    p101 = flagged("P101", inputs)
    assert p101["source_row"].to_list() == [2]
    assert "已脱敏" in p101["message_zh"][0] and "masked" in p101["message_en"][0]


def test_no_header_row_is_one_line_not_a_wall(tmp_path):
    path = write_csv(tmp_path / "readme.csv", [["本文件说明"], ["169", "3063", "75", "36", "13"]])
    with pytest.raises(UserInputError) as caught:
        read_table(path, CLAIMS)
    zh = caught.value.zh
    assert zh.startswith("申领明细：") and "没有找到表头行" in zh
    assert "\n" not in zh and "3063" not in zh and "找到的表头" not in zh
    assert "公民身份号码、姓名" in zh


def test_masked_batch_is_said_once_in_the_summary(tmp_path):
    import json

    from tests.test_cli import run

    masked = ["3205**********1234", *ROW[1:]]
    claims = write_csv(tmp_path / "c.csv", [HEADERS, masked, [*masked[:3], "C2", *masked[4:]]])
    out = tmp_path / "r.json"
    proc = run("check", str(claims), "-o", str(tmp_path / "r.xlsx"), "--json", str(out))
    assert proc.returncode == 1
    warnings = json.loads(out.read_text(encoding="utf-8"))["summary"]["warnings"]
    assert warnings == ["本批次有 2 个公民身份号码已脱敏（含*号），无法据此核验身份（P101 等）"]
    assert proc.stdout.count("已脱敏") == 1
