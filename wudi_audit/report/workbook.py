"""Write the exceptions workbook with XlsxWriter (atomic replacement: `outputs`).

Text from inputs is written with `write_string`, so a name like `=HYPERLINK(...)` stays
text; identity numbers and codes are text cells. Rows stream in constant-memory mode.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from wudi_audit.report import fast_sheet
from wudi_audit.report.tables import CLAIM_COLUMNS, EXCEPTION_COLUMNS, SAMPLE_COLUMNS, Report

MAX_DATA_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header
MONEY_COLUMNS = {"amount", "amount_at_stake"}
MAX_WIDTH = 60


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


TEXT_FORMAT_COLUMNS = {"id_number", "project_code", "class_id", "code", "codes"}


class _SheetWriter:
    def __init__(self, workbook, formats: dict[str, Any]) -> None:
        self.workbook = workbook
        self.formats = formats
        self.pending: list[fast_sheet.PendingRows] = []  # big tables' rows, placed at close

    def table(self, base_name: str, headers: Sequence[str], frame: pl.DataFrame) -> None:
        """One table on as many sheets as Excel's row limit needs, with a frozen header,
        a filter and widths that fit the (CJK-aware) text of the first rows."""
        sample = frame.head(200).rows()
        widths = [
            min(MAX_WIDTH, max([_display_width(h)] + [_display_width(r[i]) for r in sample]) + 2)
            for i, h in enumerate(headers)
        ]
        # one writer per column, chosen once from the column's type (not per cell)
        writers = []
        for name, dtype in frame.schema.items():
            if dtype.is_numeric():
                fmt = self.formats["money"] if name in MONEY_COLUMNS else None
                writers.append(("number", fmt))
            else:
                writers.append(
                    ("string", self.formats["text"] if name in TEXT_FORMAT_COLUMNS else None)
                )
        frame = frame.with_columns(
            pl.col(c).cast(pl.String) for c, d in frame.schema.items() if not d.is_numeric()
        )
        chunks = max(1, -(-frame.height // MAX_DATA_ROWS))
        for part in range(chunks):
            name = base_name if part == 0 else f"{base_name}({part + 1})"
            sheet = self.workbook.add_worksheet(name)
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width)
            sheet.freeze_panes(1, 0)
            for col, header in enumerate(headers):
                sheet.write_string(0, col, header, self.formats["header"])
            in_part = min(MAX_DATA_ROWS, frame.height - part * MAX_DATA_ROWS)
            rows_frame = frame.slice(part * MAX_DATA_ROWS, in_part)
            if fast_sheet.usable(rows_frame):  # rows as XML built by Polars (fast_sheet.py)
                styles = [None if f is None else f._get_xf_index() for _, f in writers]
                numeric = [kind == "number" for kind, _ in writers]
                xml = fast_sheet.rows_xml(rows_frame, styles, numeric)
                self.pending.append(fast_sheet.PendingRows(sheet, xml))
                sheet.autofilter(0, 0, max(in_part, 1), len(headers) - 1)
                continue
            rows = rows_frame.iter_rows()
            write_number, write_string = sheet.write_number, sheet.write_string
            for r in range(1, in_part + 1):
                for col, value in enumerate(next(rows)):
                    if value is None:
                        continue
                    kind, fmt = writers[col]
                    if kind == "number":
                        write_number(r, col, value, fmt)
                    else:
                        write_string(r, col, value, fmt)
            sheet.autofilter(0, 0, max(in_part, 1), len(headers) - 1)


def write_workbook(report: Report, path: Path) -> None:
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "text": workbook.add_format({"num_format": "@"}),
        "money": workbook.add_format({"num_format": "0.00"}),
        "title": workbook.add_format({"bold": True, "font_size": 12}),
    }
    writer = _SheetWriter(workbook, formats)
    _write_summary(workbook, report, formats)
    for key, columns, frame in (
        ("claims", CLAIM_COLUMNS, report.claims),
        ("exceptions", EXCEPTION_COLUMNS, report.exceptions),
    ):
        writer.table(report.sheet(key), [report.header(c) for c in columns], frame.select(columns))
    zh = report.lang == "zh"
    rule_headers = (
        ["规则代码", "规则名称", "严重程度", "通知条款", "参数", "是否运行", "未运行原因"]
        if zh
        else ["Code", "Rule", "Severity", "Clause", "Parameters", "Ran", "Why not run"]
    )
    rules = pl.DataFrame(
        {
            "code": [r["code"] for r in report.rules],
            "name": [r["name"] for r in report.rules],
            "severity": [r["severity"] for r in report.rules],
            "clause": [r["clause"] for r in report.rules],
            "params": [
                json.dumps(r["parameters"], ensure_ascii=False) if r["parameters"] else ""
                for r in report.rules
            ],
            "ran": [
                ("是" if r["ran"] else "否") if zh else ("yes" if r["ran"] else "no")
                for r in report.rules
            ],
            "why": [r["why_not_run"] for r in report.rules],
        },
        schema={
            k: pl.String for k in ("code", "name", "severity", "clause", "params", "ran", "why")
        },
    )
    writer.table(report.sheet("rules"), rule_headers, rules)
    if report.sample is not None:
        writer.table(
            report.sheet("sample"),
            [report.header(c) for c in SAMPLE_COLUMNS],
            report.sample.select(SAMPLE_COLUMNS),
        )
    workbook.close()
    fast_sheet.place(path, workbook, writer.pending)


def _write_summary(workbook, report: Report, formats: dict[str, Any]) -> None:
    zh = report.lang == "zh"
    sheet = workbook.add_worksheet(report.sheet("summary"))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 6, 16)
    row = 0

    def line(*values: Any, fmt=None) -> None:
        nonlocal row
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, col, value, fmt)
            else:
                sheet.write_string(row, col, str(value), fmt)
        row += 1

    m, s = report.manifest, report.summary
    line("审核汇总" if zh else "Audit summary", fmt=formats["title"])
    line("工具版本" if zh else "Tool version", f"wudi-audit {m['version']}")
    for pack in m["rule_packs"]:  # each with its period and the claims it judged
        line(
            "规则包" if zh else "Rule pack",
            pack["name"],
            f"{pack['effective_from'] or '…'} – {pack['effective_to'] or '…'}",
            f"{pack.get('claims', '')} " + ("笔" if zh else "claims"),
            "SHA-256 " + pack["sha256"],
        )
    line("开始时间" if zh else "Started", m["started_at"])
    line("用时（秒）" if zh else "Duration (s)", m["duration_seconds"])
    for source in m["inputs"]:
        line(
            ("输入文件" if zh else "Input") + f"（{source['role']}）",
            source["path"],
            f"{source['rows']} " + ("行" if zh else "rows"),
            source["format"],
            "SHA-256 " + source["sha256"],
        )
        for note in source["notes"]:
            line("", note)
        if source["ignored_columns"]:
            line(
                "",
                ("未使用的列：" if zh else "Ignored columns: ")
                + "、".join(source["ignored_columns"]),
            )
    line("参数" if zh else "Parameters", json.dumps(m["parameters"], ensure_ascii=False))
    row += 1
    line("申领笔数" if zh else "Claims", s["claims"])
    line(
        "通过 / 复核 / 退回" if zh else "Pass / review / reject",
        f"{s['claims_pass']} / {s['claims_review']} / {s['claims_reject']}",
    )
    line("申领金额（元）" if zh else "Claimed (yuan)", s["claimed_amount"], fmt=formats["money"])
    line("通过金额（元）" if zh else "Passing (yuan)", s["passing_amount"], fmt=formats["money"])
    line("涉及金额（元）" if zh else "At stake (yuan)", s["amount_at_stake"], fmt=formats["money"])
    if s["attendance"] is not None:
        a = s["attendance"]
        line("考勤记录（条）" if zh else "Attendance records", a["records"])
        line("无对应申领的考勤（条）" if zh else "Records matching no claim", a["without_claim"])
        line("无法认定课时的考勤（条）" if zh else "Records crediting nothing", a["unreadable"])
    row += 1
    line(
        *(
            ["规则代码", "规则名称", "严重程度", "涉及笔数", "涉及金额（元）"]
            if zh
            else ["Code", "Rule", "Severity", "Claims flagged", "At stake (yuan)"]
        ),
        fmt=formats["header"],
    )
    for r in s["rules"]:
        line(r["code"], r["name"], r["severity"], r["claims_flagged"], r["amount_at_stake"])
    for warning in s.get("warnings", []):
        row += 1
        line(warning)
    if s["rules_not_run"]:
        row += 1
        line("未运行的规则" if zh else "Rules not run", fmt=formats["header"])
        for r in s["rules_not_run"]:
            line(r["code"], r["reason"])
    row += 1
    line(
        *(
            ["培训机构", "申领笔数", "退回", "复核", "申领金额（元）", "涉及金额（元）"]
            if zh
            else ["Provider", "Claims", "Rejected", "Review", "Claimed (yuan)", "At stake (yuan)"]
        ),
        fmt=formats["header"],
    )
    for p in s["providers"]:
        line(
            p["provider"],
            p["claims"],
            p["rejected"],
            p["review"],
            p["claimed_amount"],
            p["amount_at_stake"],
        )
