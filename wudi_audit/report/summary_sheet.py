"""The 汇总 / Summary sheet: what a manager reads first (SPEC §4).

From the top: the headline figures (通过 / 复核 / 退回 as counts and amounts, a total row
that adds up to the claims read, the amount at stake); the rules that flagged claims with
a bar chart of the amount at stake by rule; the rules not run and the option that
supplies their input; the providers ranked by amount at stake (机构风险排名) with a
total row. Every figure is a number in its own cell. The run manifest is on 运行信息.

Written top to bottom, row by row (the workbook is in constant-memory mode)."""

from __future__ import annotations

from typing import Any

from wudi_audit.report.layout import Formats, set_up_printing
from wudi_audit.report.tables import Report

# A: labels, rules and providers; B–H: figures
COLUMN_WIDTHS = (34, 11, 15, 15, 11, 11, 11, 15)
CHART_COLUMN = 4  # the chart sits to the right of the per-rule table, columns E–H


class _Rows:
    """A cursor over the sheet's rows: each call writes one row and moves down."""

    def __init__(self, sheet, formats: Formats) -> None:
        self.sheet = sheet
        self.formats = formats
        self.row = 0

    def write(self, *cells: tuple[Any, Any] | Any) -> int:
        """Cells as values or (value, format); None leaves a cell empty. Returns the row."""
        for col, cell in enumerate(cells):
            value, fmt = cell if isinstance(cell, tuple) else (cell, None)
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.sheet.write_number(self.row, col, value, fmt)
            else:
                self.sheet.write_string(self.row, col, str(value), fmt)
        self.row += 1
        return self.row - 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows


def write_summary_sheet(workbook, report: Report, formats: Formats) -> None:
    zh = report.lang == "zh"
    f = formats
    s, m = report.summary, report.manifest
    sheet = workbook.add_worksheet(report.sheet("summary"))
    for col, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(col, col, width)
    set_up_printing(sheet, header_rows=None)
    sheet.hide_gridlines(2)
    rows = _Rows(sheet, f)

    claims_file = next((i["path"] for i in m.get("inputs", []) if i["role"] == "claims"), "")
    title = "审核汇总" if zh else "Audit summary"
    if claims_file:
        title += f"：{_name(claims_file)}" if zh else f": {_name(claims_file)}"
    rows.write((title, f.title))
    packs = "、".join(p["name"] for p in m.get("rule_packs", [])) or m["rule_pack"]["name"]
    started = str(m["started_at"]).replace("T", " ")
    rows.write(
        (
            f"规则包 {packs}；开始时间 {started}；文件、参数和哈希见“运行信息”表"
            if zh
            else f"Rule pack {packs}; started {started}; files, parameters and "
            "hashes on the Run sheet",
            f.subtitle,
        )
    )
    rows.skip()

    # 1. headline figures
    rows.write(
        *[
            (h, f.header)
            for h in (
                ["审核结论", "笔数", "申领金额（元）", "涉及金额（元）"]
                if zh
                else ["Verdict", "Claims", "Claimed (yuan)", "At stake (yuan)"]
            )
        ]
    )
    for v in s["verdicts"]:
        rows.write(
            (v["label"], f.by_value[v["verdict"]]),
            (v["claims"], f.text),
            (v["amount"], f.money),
            (v["amount_at_stake"], f.money),
        )
    rows.write(
        ("合计（申领）" if zh else "Total (claims read)", f.total_label),
        (s["claims"], f.total_int),
        (s["claimed_amount"], f.money_bold),
        (s["amount_at_stake"], f.money_bold),
    )
    rows.write(
        (
            "通过 = 可拨付；复核 = 须人工复核后再定；退回 = 退回机构，本批不拨付。"
            "涉及金额：每笔申领只计一次，取其各项问题的最大值，不超过申领金额"
            if zh
            else "pass = to pay; review = a person decides; reject = returned, not paid. "
            "At stake: each claim once, at the largest of its flags, never above its amount",
            f.note,
        )
    )
    if s.get("attendance") is not None:
        a = s["attendance"]
        rows.write(
            (
                f"考勤记录 {a['records']:,} 条，其中无对应申领 {a['without_claim']:,} 条，"
                f"无法认定课时 {a['unreadable']:,} 条"
                if zh
                else f"{a['records']:,} attendance records: {a['without_claim']:,} match no "
                f"claim, {a['unreadable']:,} credit nothing",
                f.subtitle,
            )
        )
    for warning in s.get("warnings", []):
        rows.write((warning, f.section))
    rows.skip()

    # 2. per rule, with the chart
    flagged = [r for r in s["rules"] if r["claims_flagged"]]
    rows.write(("各规则发现的问题" if zh else "Findings by rule", f.section))
    header_row = rows.write(
        *[
            (h, f.header)
            for h in (
                ["规则", "严重程度", "涉及笔数", "涉及金额（元）"]
                if zh
                else ["Rule", "Severity", "Claims", "At stake (yuan)"]
            )
        ]
    )
    for r in flagged:
        rows.write(
            (f"{r['code']} {r['name']}", f.wrap),
            (r["severity_label"], f.by_value[r["severity"]]),
            (r["claims_flagged"], f.text),
            (r["amount_at_stake"], f.money),
        )
    last_rule_row = rows.row - 1
    rows.write(
        ("有问题的申领（每笔只计一次）" if zh else "Flagged claims (each once)", f.total_label),
        ("", f.total_label),
        (s["claims_flagged"], f.total_int),
        (s["amount_at_stake"], f.money_bold),
    )
    if flagged:
        _insert_chart(workbook, sheet, report, header_row, last_rule_row)
    quiet = [r["code"] for r in s["rules"] if not r["claims_flagged"]]
    if quiet:
        rows.write(
            (
                ("已运行、未发现问题的规则：" if zh else "Ran and found nothing: ")
                + ("、" if zh else ", ").join(quiet),
                f.subtitle,
            )
        )
    # leave room for the chart when there are few flagged rules
    rows.row = max(rows.row, header_row + _chart_rows(len(flagged)) + 1)
    rows.skip()

    # 3. rules not run
    if s["rules_not_run"]:
        rows.write(
            (
                "未运行的规则（缺少所需输入；括号内为提供该输入的选项）"
                if zh
                else "Rules not run (an input is missing; the option that supplies it)",
                f.section,
            )
        )
        for r in s["rules_not_run"]:
            rows.write((r["reason"], f.text))
        rows.skip()

    # 4. providers
    _write_providers(rows, report)


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _chart_rows(bars: int) -> int:
    return max(8, bars + 3)


def _insert_chart(workbook, sheet, report: Report, header_row: int, last_row: int) -> None:
    """A native bar chart of the amount at stake by rule, beside the per-rule table."""
    zh = report.lang == "zh"
    name = report.sheet("summary")
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "涉及金额（元）" if zh else "At stake (yuan)",
            "categories": [name, header_row + 1, 0, last_row, 0],
            "values": [name, header_row + 1, 3, last_row, 3],
            "fill": {"color": "#C55A11"},
            "data_labels": {"value": True, "num_format": "#,##0"},
        }
    )
    chart.set_title(
        {
            "name": "各规则涉及金额（元）" if zh else "At stake by rule (yuan)",
            "name_font": {"size": 11},
        }
    )
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_size({"width": 500, "height": 20 * _chart_rows(last_row - header_row)})
    sheet.insert_chart(header_row, CHART_COLUMN, chart, {"x_offset": 8, "object_position": 1})


def _write_providers(rows: _Rows, report: Report) -> None:
    zh = report.lang == "zh"
    f = rows.formats
    s = report.summary
    rows.write(
        (
            "机构风险排名（按涉及金额排序，供选择检查对象）"
            if zh
            else "Providers ranked by amount at stake (for choosing whom to inspect)",
            f.section,
        )
    )
    rows.write(
        *[
            (h, f.header)
            for h in (
                [
                    "培训机构",
                    "申领笔数",
                    "申领金额（元）",
                    "可拨付金额（元）",
                    "退回笔数",
                    "复核笔数",
                    "问题占比",
                    "涉及金额（元）",
                ]
                if zh
                else [
                    "Provider",
                    "Claims",
                    "Claimed (yuan)",
                    "To pay (yuan)",
                    "Returned",
                    "For review",
                    "Flagged share",
                    "At stake (yuan)",
                ]
            )
        ]
    )
    unnamed = "（未填写机构）" if zh else "(no provider)"
    for p in s["providers"]:
        rows.write(
            (p["provider"] or unnamed, f.wrap),
            (p["claims"], f.text),
            (p["claimed_amount"], f.money),
            (p["passing_amount"], f.money),
            (p["rejected"], f.text),
            (p["review"], f.text),
            (p["flagged_share"], f.share),
            (p["amount_at_stake"], f.money),
        )
    share = s["claims_flagged"] / s["claims"] if s["claims"] else 0.0
    rows.write(
        ("合计" if zh else "Total", f.total_label),
        (s["claims"], f.total_int),
        (s["claimed_amount"], f.money_bold),
        (s["passing_amount"], f.money_bold),
        (s["claims_reject"], f.total_int),
        (s["claims_review"], f.total_int),
        (share, f.share_bold),
        (s["amount_at_stake"], f.money_bold),
    )
