"""The workbook as an officer opens it, read back with openpyxl (a test-only dependency):
headline figures are numbers that add up, the chart is there, the columns come in SPEC
§4's order, a damaged identity number is shown as damaged, printing is set up, digit
text carries no "number stored as text" warning, one vocabulary everywhere."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pytest

from tests.test_cli import demo, run  # noqa: F401  (fixture)
from tests.test_reader import HEADERS, ROW, write_csv

VOCABULARY = {"退回", "复核", "通过", "提示"}
CLAIM_HEADERS = [
    "来源行",
    "申领编号",
    "姓名",
    "公民身份号码",
    "项目编号",
    "班级编号",
    "培训机构",
    "开班日期",
    "结业日期",
    "线上课时",
    "线下课时",
    "申领金额（元）",
    "审核结论",
    "违反规则",
    "涉及金额（元）",
    "主要原因",
    "身份证号说明",
    "复核结论",
    "复核说明",
    "复核人",
]
EXCEPTION_HEADERS = [
    "申领编号",
    "公民身份号码",
    "姓名",
    "规则代码",
    "规则名称",
    "严重程度",
    "说明",
    "证据",
    "涉及金额（元）",
    "工作表",
    "来源行",
    "项目编号",
    "班级编号",
    "培训机构",
    "开班日期",
    "结业日期",
    "申领金额（元）",
]


@pytest.fixture(scope="module")
def book(demo):  # noqa: F811
    _, out, planted = demo
    document = json.loads((out / "r.json").read_text(encoding="utf-8"))
    return openpyxl.load_workbook(out / "r.xlsx"), document, planted, out / "r.xlsx"


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def _row_labelled(sheet, label: str) -> tuple:
    return next(r for r in _rows(sheet) if r[0] == label)


def test_headline_figures_are_numbers_that_add_up(book):
    workbook, document, _, _ = book
    summary = workbook["汇总"]
    s = document["summary"]
    total = _row_labelled(summary, "合计（申领）")
    assert total[1:4] == (s["claims"], s["claimed_amount"], s["amount_at_stake"])
    verdicts = [_row_labelled(summary, label) for label in ("通过", "复核", "退回")]
    for row in [total, *verdicts]:
        assert all(isinstance(v, int | float) for v in row[1:4]), row
    assert sum(r[1] for r in verdicts) == total[1] == s["claims"]
    assert sum(r[2] for r in verdicts) == pytest.approx(total[2])
    assert sum(r[3] for r in verdicts) == pytest.approx(total[3])
    assert [r[1] for r in verdicts] == [s["claims_pass"], s["claims_review"], s["claims_reject"]]
    # the figures a manager wants come first: the verdicts sit within the first ten rows
    labels = [r[0] for r in _rows(summary)]
    assert labels.index("合计（申领）") < 10
    money = summary.cell(labels.index("合计（申领）") + 1, 3).number_format
    assert money == "#,##0.00"


def test_provider_ranking_adds_up_and_is_sorted_by_amount_at_stake(book):
    workbook, document, _, _ = book
    rows = _rows(workbook["汇总"])
    start = next(i for i, r in enumerate(rows) if r[0] == "培训机构")
    assert list(rows[start][:8]) == [
        "培训机构",
        "申领笔数",
        "申领金额（元）",
        "可拨付金额（元）",
        "退回笔数",
        "复核笔数",
        "问题占比",
        "涉及金额（元）",
    ]
    end = next(i for i in range(start, len(rows)) if rows[i][0] == "合计")
    providers = rows[start + 1 : end]
    assert len(providers) == len(document["summary"]["providers"]) > 1
    at_stake = [p[7] for p in providers]
    assert at_stake == sorted(at_stake, reverse=True)
    total = rows[end]
    for col in (1, 2, 3, 4, 5, 7):
        assert sum(p[col] for p in providers) == pytest.approx(total[col]), col
    s = document["summary"]
    assert total[1] == s["claims"] and total[3] == pytest.approx(s["passing_amount"])


def test_summary_has_a_bar_chart_of_amount_at_stake_by_rule(book):
    _, document, _, path = book
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        charts = [n for n in names if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = archive.read(charts[0]).decode()
        rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "<c:barChart>" in chart and 'val="bar"' in chart
    assert "drawing" in rels  # the chart is on the first sheet, 汇总
    flagged = [r for r in document["summary"]["rules"] if r["claims_flagged"]]
    values = re.search(r"<c:val>.*?<c:f>(.*?)</c:f>", chart, re.S).group(1)
    first, last = (int(n) for n in re.findall(r"\$(\d+)", values))
    assert values.startswith("汇总!$D$") and last - first + 1 == len(flagged)


def test_rules_not_run_name_the_option_that_supplies_the_input(book):
    workbook, _, _, _ = book
    text = [r[0] for r in _rows(workbook["汇总"]) if r[0]]
    o401 = next(t for t in text if t.startswith("O401 未运行"))
    assert "--providers" in o401
    assert any(t.startswith("T203 未运行") and "--catalog" in t for t in text)


def test_claims_and_exceptions_columns_in_spec_order(book):
    workbook, _, _, _ = book
    assert list(_rows(workbook["申领审核"])[0]) == CLAIM_HEADERS
    assert list(_rows(workbook["异常明细"])[0]) == EXCEPTION_HEADERS
    assert workbook.sheetnames[-1] == "运行信息"


def test_claims_sheet_dates_hours_money_and_coloured_verdicts(book):
    workbook, document, _, _ = book
    sheet = workbook["申领审核"]
    rows = _rows(sheet)[1:]
    assert len(rows) == document["summary"]["claims"]
    dated = [r for r in rows if r[7] is not None]
    assert dated and all(hasattr(r[7], "year") for r in dated)  # a date, not text
    assert sheet.cell(2, 8).number_format == "yyyy-mm-dd"
    assert sheet.cell(2, 12).number_format == "#,##0.00"
    assert all(isinstance(r[9], int | float) for r in rows if r[9] is not None)
    assert {r[12] for r in rows} == {"通过", "复核", "退回"}
    fills = {r[12]: sheet.cell(i + 2, 13).fill.fgColor.rgb for i, r in enumerate(rows)}
    assert len(set(fills.values())) == 3  # each verdict its own colour
    with_reason = next(i for i, r in enumerate(rows) if r[15])
    assert sheet.cell(with_reason + 2, 16).alignment.wrap_text  # the reason wraps


def test_s306_duplicate_told_apart_by_its_claim_id(book):
    workbook, _, planted, _ = book
    row = planted["S306"][0]
    exceptions = _rows(workbook["异常明细"])[1:]
    s306 = next(r for r in exceptions if r[3] == "S306" and r[10] == row)
    assert s306[0].endswith("-2")
    assert "先前申领：本批次第" in s306[7]  # evidence in words


def test_damaged_identity_number_shown_as_damaged(book):
    workbook, document, planted, _ = book
    row = planted["P102"][0]
    claims = next(r for r in _rows(workbook["申领审核"])[1:] if r[0] == row)
    assert claims[3].startswith("已损坏：") and "e+17" in claims[3]
    assert not re.search(r"\d{18}", claims[3])
    assert "重新导出" in claims[16]
    exceptions = next(r for r in _rows(workbook["异常明细"])[1:] if r[10] == row)
    assert exceptions[1] == claims[3]
    in_json = next(e for e in document["exceptions"] if e["source_row"] == row)
    assert in_json["id_damaged"] is True


def _sheet_xml(path, index: int) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_print_settings_and_ignored_errors_in_the_sheet_xml(book):
    workbook, _, _, path = book
    with zipfile.ZipFile(path) as archive:
        defined = archive.read("xl/workbook.xml").decode()
    for index, name in enumerate(workbook.sheetnames, start=1):
        xml = _sheet_xml(path, index)
        assert 'orientation="landscape"' in xml, name
        assert '<pageSetUpPr fitToPage="1"/>' in xml, name
        assert 'fitToHeight="0"' in xml, name
    assert "_xlnm.Print_Titles" in defined and "申领审核!$1:$1" in defined
    claims = _sheet_xml(path, 2)
    ignored = re.search(r'<ignoredError sqref="([^"]+)" numberStoredAsText="1"/>', claims)
    ranges = ignored.group(1).split()
    height = workbook["申领审核"].max_row
    # 申领编号 (B) and 公民身份号码 (D) are text cells of digits, over every row
    assert f"B1:B{height}" in ranges and f"D1:D{height}" in ranges


def test_no_text_of_an_input_is_a_formula_and_ids_are_text(book):
    workbook, _, _, path = book
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml
    ids = [r[3] for r in _rows(workbook["申领审核"])[1:]]
    assert all(isinstance(i, str) for i in ids)


def test_run_sheet_lists_parameters_one_per_row_and_the_ledger(book):
    workbook, document, _, _ = book
    rows = _rows(workbook["运行信息"])
    params = document["manifest"]["parameters"]
    by_name = {r[0]: r for r in rows if r[0] in params}
    assert set(by_name) == set(params)
    assert by_name["min_total_hours"][1] == params["min_total_hours"]
    assert "T201" in by_name["min_total_hours"][2]
    labels = [r[0] for r in rows]
    assert "历史台账" in labels and "规则包" in labels and "输入文件" in labels
    sha = document["manifest"]["inputs"][0]["sha256"]
    assert any(sha in r for r in rows)
    # nothing of the manifest on 汇总 beyond a pointer: no hashes there
    assert not any(sha in r for r in _rows(workbook["汇总"]))


def test_one_vocabulary_in_workbook_json_and_terminal(book, tmp_path):
    workbook, document, _, path = book
    severities = {r[5] for r in _rows(workbook["异常明细"])[1:]}
    verdicts = {r[12] for r in _rows(workbook["申领审核"])[1:]}
    assert severities <= VOCABULARY and verdicts <= VOCABULARY
    rules_sheet = {r[2] for r in _rows(workbook["规则"])[1:]}
    assert rules_sheet <= VOCABULARY
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "不予补贴" not in xml and "需复核" not in xml
    assert {e["severity_label"] for e in document["exceptions"]} <= VOCABULARY
    assert {e["severity"] for e in document["exceptions"]} <= {"reject", "review", "info"}
    assert {r["severity_label"] for r in document["summary"]["rules"]} <= VOCABULARY
    # the terminal, as a terminal (rich's TTY_COMPATIBLE forces one)
    claims = write_csv(tmp_path / "c.csv", [HEADERS, [*ROW[:8], "不合格", ROW[9]]])
    proc = run("check", str(claims), "-o", str(tmp_path / "r.xlsx"), env={"TTY_COMPATIBLE": "1"})
    assert "退回" in proc.stderr + proc.stdout
    assert "reject" not in proc.stderr + proc.stdout
