"""Write the exceptions workbook with XlsxWriter (atomic replacement: `outputs`).

Sheets: 汇总 (`summary_sheet`), 申领审核, 异常明细, 规则, 抽查样本 (with a sample) and
运行信息 (`run_sheet`). Text from inputs is written with `write_string`, so a name like
`=HYPERLINK(...)` stays text; identity numbers and codes are text cells, with Excel's
"number stored as text" check switched off on their columns. Rows stream in
constant-memory mode; each column's writer is chosen once from its kind, not per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
import xlsxwriter

from wudi_audit.report import fast_sheet
from wudi_audit.report.layout import (
    COLUMN_KINDS,
    DEFAULT_KIND,
    Formats,
    column_letter,
    display_width,
    excel_serial,
    set_up_printing,
)
from wudi_audit.report.run_sheet import write_run_sheet
from wudi_audit.report.summary_sheet import write_summary_sheet
from wudi_audit.report.tables import SAMPLE_COLUMNS, VOCABULARY, Report

MAX_DATA_ROWS = 1_048_575  # Excel's 1,048,576 rows less the header
MAX_WIDTH = 60
LINE_HEIGHT = 15  # points, one line of 11-point text
MAX_LINES = 8


class TableWriter:
    """One table on as many sheets as Excel's row limit needs: a frozen, filtered header
    row, widths for Chinese text, formats by column kind, printing set up."""

    def __init__(self, workbook, formats: Formats, lang: str) -> None:
        self.workbook = workbook
        self.formats = formats
        # 通过/复核/退回/提示 label → its coloured format
        self.coloured = {
            label: formats.by_value[code] for code, pair in VOCABULARY.items() for label in pair
        }
        self.lang = lang
        self.pending: list[fast_sheet.PendingRows] = []  # big tables' rows, placed at close

    def _column_writers(self, frame: pl.DataFrame) -> list[tuple[str, object]]:
        f = self.formats
        writers = []
        for name, dtype in frame.schema.items():
            kind = COLUMN_KINDS.get(name, DEFAULT_KIND)[0]
            if kind == "money":
                writers.append(("number", f.money))
            elif kind == "date":
                writers.append(("number", f.date))
            elif kind == "int":
                writers.append(("number", f.centre))
            elif kind == "centre":
                writers.append(("string", f.centre))
            elif kind == "hours" or dtype.is_numeric():
                writers.append(("number", f.text))
            elif kind == "code":
                writers.append(("string", f.code))
            elif kind == "wrap":
                writers.append(("string", f.wrap))
            elif kind == "decision":
                writers.append(("string", f.decision))
            elif kind in ("verdict", "severity"):
                writers.append(("coloured", f.text))
            else:
                writers.append(("string", f.text))
        return writers

    def _widths(self, headers: Sequence[str], frame: pl.DataFrame) -> list[int]:
        sample = frame.head(200).rows()
        widths = []
        for i, (name, header) in enumerate(zip(frame.columns, headers, strict=True)):
            kind, width = COLUMN_KINDS.get(name, DEFAULT_KIND)
            if kind in ("text", "code") or name not in COLUMN_KINDS:
                seen = max([display_width(r[i]) for r in sample], default=0)
                width = max(width, min(MAX_WIDTH, seen + 1))
            # a header wraps onto two lines rather than widening the column
            width = max(width, min(display_width(header), 2 * width) // 2 + 1)
            widths.append(width)
        return widths

    def _pending_rows(self, sheet, frame: pl.DataFrame, writers, lines: list[int]) -> None:
        """A big table's rows as sheet XML (`fast_sheet`), placed after the workbook closes:
        the same formats, coloured verdicts and row heights as cell by cell."""
        styles = [None if f is None else f._get_xf_index() for _, f in writers]
        numeric = [kind == "number" for kind, _ in writers]
        by_value = {label: fmt._get_xf_index() for label, fmt in self.coloured.items()}
        value_styles = {i: by_value for i, (kind, _) in enumerate(writers) if kind == "coloured"}
        heights = [LINE_HEIGHT * n if n > 1 else 0 for n in lines]
        self.pending.append(
            fast_sheet.PendingRows(sheet, frame, styles, numeric, value_styles, heights)
        )

    def _rows_cell_by_cell(self, sheet, frame: pl.DataFrame, writers, heights, offset) -> None:
        coloured = self.coloured
        rows = frame.iter_rows()
        write_number, write_string = sheet.write_number, sheet.write_string
        for r in range(1, frame.height + 1):
            lines = heights[offset + r]
            if lines > 1:
                sheet.set_row(r, LINE_HEIGHT * lines)
            for col, value in enumerate(next(rows)):
                if value is None:
                    continue
                kind, fmt = writers[col]
                if kind == "number":
                    write_number(r, col, value, fmt)
                elif kind == "string":
                    write_string(r, col, value, fmt)
                else:
                    write_string(r, col, value, coloured.get(value, fmt))

    def _decision_columns(self, sheet, col: int, last: int) -> None:
        """复核结论 as a drop-down of 通过 / 退回 (its header's comment explains it)."""
        sheet.data_validation(
            1,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": ["通过", "退回"],
                "input_title": "复核结论",
                "input_message": "通过 或 退回 / pass or return",
                "error_title": "复核结论",
                "error_message": "请选择 通过 或 退回 / choose 通过 or 退回",
            },
        )

    def table(self, base_name: str, headers: Sequence[str], frame: pl.DataFrame) -> None:
        writers = self._column_writers(frame)
        widths = self._widths(headers, frame)
        text_columns = [i for i, (_, fmt) in enumerate(writers) if fmt is self.formats.code]
        date_columns = [c for c in frame.columns if COLUMN_KINDS.get(c, DEFAULT_KIND)[0] == "date"]
        texts = [
            c
            for c, d in frame.schema.items()
            if not d.is_numeric() and d != pl.Date and c not in date_columns
        ]
        frame = frame.with_columns(pl.col(c).cast(pl.String) for c in texts)
        # an empty text is no cell at all (and no cell costs no time); only the columns
        # that hold one are rewritten, so a million rows' text is not copied for nothing
        has_empty = (
            frame.select((pl.col(c) == "").any().alias(c) for c in texts).row(0) if texts else ()
        )
        frame = frame.with_columns(
            *[excel_serial(pl.col(c)) for c in date_columns],
            *[
                pl.col(c).replace("", None)
                for c, empty in zip(texts, has_empty, strict=True)
                if empty
            ],
        )
        heights = _row_heights(frame, widths)
        chunks = max(1, -(-frame.height // MAX_DATA_ROWS))
        for part in range(chunks):
            name = base_name if part == 0 else f"{base_name}({part + 1})"
            sheet = self.workbook.add_worksheet(name)
            for col, (width, (_, fmt)) in enumerate(zip(widths, writers, strict=True)):
                # the officer's columns carry their format on empty cells too
                sheet.set_column(col, col, width, fmt if fmt is self.formats.decision else None)
            sheet.freeze_panes(1, 0)
            sheet.set_row(0, 30)
            for col, header in enumerate(headers):
                sheet.write_string(0, col, header, self.formats.header)
            if "decision" in frame.columns:  # a comment only on the row being written
                sheet.write_comment(
                    0,
                    frame.columns.index("decision"),
                    DECISION_HELP[self.lang],
                    {"x_scale": 3, "y_scale": 2.5},
                )
            in_part = min(MAX_DATA_ROWS, frame.height - part * MAX_DATA_ROWS)
            rows_frame = frame.slice(part * MAX_DATA_ROWS, in_part)
            offset = part * MAX_DATA_ROWS - 1
            if fast_sheet.usable(rows_frame):  # rows as XML built by Polars (fast_sheet.py)
                self._pending_rows(sheet, rows_frame, writers, heights[offset + 1 :][:in_part])
            else:
                self._rows_cell_by_cell(sheet, rows_frame, writers, heights, offset)
            last = max(in_part, 1)
            if "decision" in frame.columns:
                self._decision_columns(sheet, frame.columns.index("decision"), last)
            sheet.autofilter(0, 0, last, len(headers) - 1)
            if text_columns:
                ranges = " ".join(
                    f"{column_letter(c)}1:{column_letter(c)}{last + 1}" for c in text_columns
                )
                sheet.ignore_errors({"number_stored_as_text": ranges})
            set_up_printing(sheet)
            if "evidence" in frame.columns and PRINTED_THROUGH in frame.columns:
                # 异常明细 prints who, which rule, why, the evidence, the money and the row
                # (its first eleven columns, fitted to the page width); the claim's other
                # fields stay on screen
                sheet.print_area(0, 0, last, frame.columns.index(PRINTED_THROUGH))


PRINTED_THROUGH = "source_row"  # the exceptions sheet's last printed column

DECISION_HELP = {
    "zh": (
        "复核结论：对“复核”的申领请选择 通过 或 退回；“通过”“退回”的申领留空即按审核结论，"
        "也可改判（退回改为通过须在“复核说明”写明理由）。复核人填姓名。完成后运行 "
        "wudi-audit ledger add 申领文件 --decisions 本工作簿，记入历史台账。"
    ),
    "en": (
        "Decision: for each claim under review choose 通过 (pass) or 退回 (return); left "
        "empty, a pass or return keeps the verdict; a return turned to pass needs a review "
        "note. Then run wudi-audit ledger add CLAIMS --decisions THIS.xlsx."
    ),
}


def text_width(text: pl.Expr) -> pl.Expr:
    """Width of text in Excel's column units (a digit is one), for a whole column: a CJK
    character (three UTF-8 bytes) 1.9, a space 0.5, other ASCII 1; the wrapped format's
    indent takes two."""
    chars, cjk = text.str.len_chars(), (text.str.len_bytes() - text.str.len_chars()) / 2
    spaces = text.str.count_matches(" ")
    return 1.9 * cjk + (chars - cjk - spaces) + 0.5 * spaces


def _row_heights(frame: pl.DataFrame, widths: Sequence[int]) -> list[int]:
    """Lines each row needs for its wrapped columns (Excel and LibreOffice do not grow a
    row for wrapped text written by a program), estimated for the whole column at once."""
    wrapped = [
        (name, width)
        for name, width in zip(frame.columns, widths, strict=True)
        if COLUMN_KINDS.get(name, DEFAULT_KIND)[0] == "wrap" and frame.schema[name] == pl.String
    ]
    if not wrapped or not frame.height:
        return [1] * frame.height
    lines = [
        (
            (text_width(pl.col(name)) / max(width - 2, 4)).ceil().fill_null(1)
            + pl.col(name).str.count_matches("\n").fill_null(0)
        )
        for name, width in wrapped
    ]
    heights = frame.select(
        pl.min_horizontal(pl.max_horizontal(*lines), pl.lit(MAX_LINES)).clip(lower_bound=1)
    )
    return heights.to_series().cast(pl.Int32).to_list()


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
    formats = Formats.create(workbook)
    writer = TableWriter(workbook, formats, report.lang)
    write_summary_sheet(workbook, report, formats)
    for key, frame in (("claims", report.claims), ("exceptions", report.exceptions)):
        columns = report.columns(key)
        writer.table(report.sheet(key), [report.header(c) for c in columns], frame.select(columns))
    _write_rules(writer, report)
    if report.sample is not None:
        _write_sample(writer, report, report.sample)
    write_run_sheet(workbook, report, formats)
    workbook.close()
    fast_sheet.place(path, workbook, writer.pending)


def _write_rules(writer: TableWriter, report: Report) -> None:
    zh = report.lang == "zh"
    headers = (
        ["规则代码", "规则名称", "严重程度", "通知条款", "参数", "是否运行", "未运行原因"]
        if zh
        else ["Code", "Rule", "Severity", "Clause", "Parameters", "Ran", "Why not run"]
    )
    rules = pl.DataFrame(
        {
            "code": [r["code"] for r in report.rules],
            "rule_name": [r["name"] for r in report.rules],
            "severity": [r["severity_label"] for r in report.rules],
            "clause": [r["clause"] for r in report.rules],
            "parameters": [
                "\n".join(f"{k} = {v}" for k, v in r["parameters"].items()) for r in report.rules
            ],
            "ran": [
                ("是" if r["ran"] else "否") if zh else ("yes" if r["ran"] else "no")
                for r in report.rules
            ],
            "why_not_run": [r["why_not_run"] for r in report.rules],
        },
        schema={
            k: pl.String
            for k in ("code", "rule_name", "severity", "clause", "parameters", "ran", "why_not_run")
        },
    )
    writer.table(report.sheet("rules"), headers, rules)


def _write_sample(writer: TableWriter, report: Report, sample: pl.DataFrame) -> None:
    """The review sample (抽查样本): the drawn claims, stratum and inclusion probability."""
    headers = [report.header(c) for c in SAMPLE_COLUMNS]
    writer.table(report.sheet("sample"), headers, sample.select(SAMPLE_COLUMNS))
