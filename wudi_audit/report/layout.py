"""What every sheet of the workbook shares: the cell formats, how a column of each kind
is written, and the print set-up (landscape, fitted to the page width, header repeated).

Kept apart from the sheets so that each sheet module reads as its content only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

# Column key → (kind, width in characters; a CJK character counts two). Kinds:
# `text`, `code` (text cell of digits and letters: identity numbers, codes), `int`,
# `hours`, `money` (#,##0.00), `date`, `wrap` (long text, wrapped), `centre`, `verdict`
# and `severity` (coloured by value); `int` is centred.
COLUMN_KINDS: dict[str, tuple[str, int]] = {
    "source_row": ("int", 6),
    "claim_id": ("code", 16),
    "name": ("text", 9),
    "id_number": ("code", 21),
    "project_code": ("code", 15),
    "class_id": ("code", 13),
    "provider_name": ("text", 16),
    "start_date": ("date", 11),
    "end_date": ("date", 11),
    "online_hours": ("hours", 7),
    "offline_hours": ("hours", 7),
    "amount": ("money", 12),
    "verdict": ("verdict", 7),
    "severity": ("severity", 7),
    "codes": ("code", 12),
    "code": ("code", 7),
    "rule_name": ("wrap", 18),
    "message": ("wrap", 40),
    "evidence": ("wrap", 30),
    "reason": ("wrap", 34),
    "id_note": ("wrap", 24),
    "amount_at_stake": ("money", 12),
    "source_sheet": ("text", 9),
    # the officer's columns on 申领审核
    "decision": ("decision", 9),
    "decision_note": ("decision", 24),
    "reviewer": ("decision", 9),
    # 抽查样本 sheet
    "stratum": ("text", 16),
    "probability": ("hours", 10),
    "why_drawn": ("wrap", 40),
    # 规则 sheet
    "clause": ("wrap", 44),
    "parameters": ("wrap", 30),
    "ran": ("centre", 6),
    "why_not_run": ("wrap", 40),
}
DEFAULT_KIND = ("text", 14)

# 通过 green, 复核 amber, 退回 red, 提示 blue-grey: fill and font
COLOURS = {
    "pass": ("#E2EFDA", "#375623"),
    "review": ("#FFF2CC", "#7F6000"),
    "reject": ("#F8CBAD", "#9C0006"),
    "info": ("#DDEBF7", "#1F4E78"),
}
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"
SHARE = "0.0%"
# Excel's 1900 date system counts days from 1899-12-30 (for dates after February 1900)
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class Formats:
    """The workbook's cell formats, created once."""

    header: Any
    text: Any
    code: Any
    money: Any
    money_bold: Any
    date: Any
    wrap: Any
    centre: Any
    share: Any
    share_bold: Any
    title: Any
    subtitle: Any
    section: Any
    label: Any
    total_label: Any
    total_int: Any
    note: Any
    decision: Any  # the officer's cells: unlocked, shaded as a form to fill in
    by_value: dict[str, Any]  # 通过/复核/退回/提示 → coloured format, keyed by code

    @classmethod
    def create(cls, workbook) -> Formats:
        add = workbook.add_format
        base = {"valign": "top"}
        total = {"bold": True, "top": 1, "bottom": 6, "valign": "top"}
        return cls(
            header=add(
                {
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "text_wrap": True,
                    "valign": "vcenter",
                    "align": "center",
                }
            ),
            text=add(base),
            code=add({**base, "num_format": "@"}),
            money=add({**base, "num_format": MONEY}),
            money_bold=add({**total, "num_format": MONEY}),
            date=add({**base, "num_format": DATE, "align": "left"}),
            wrap=add({**base, "text_wrap": True, "indent": 1}),
            centre=add({**base, "align": "center"}),
            share=add({**base, "num_format": SHARE}),
            share_bold=add({**total, "num_format": SHARE}),
            title=add({"bold": True, "font_size": 14}),
            subtitle=add({"font_color": "#595959"}),
            section=add({"bold": True, "font_size": 12, "font_color": "#1F4E78"}),
            label=add({"valign": "top"}),
            total_label=add(total),
            total_int=add({**total, "num_format": "#,##0"}),
            note=add({"font_color": "#595959", "italic": True}),
            decision=add(
                {**base, "locked": False, "bg_color": "#FFFBE6", "text_wrap": True, "indent": 1}
            ),
            by_value={
                code: add(
                    {
                        **base,
                        "bg_color": fill,
                        "font_color": font,
                        "bold": code != "pass",
                        "align": "center",
                    }
                )
                for code, (fill, font) in COLOURS.items()
            },
        )


def set_up_printing(sheet, header_rows: int | None = 1) -> None:
    """Landscape A4, fitted to one page wide (as many pages down as needed), the header
    row repeated on every page, page numbers in the footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    sheet.set_footer("&C&P / &N")


def excel_serial(day: pl.Expr) -> pl.Expr:
    """Dates as Excel's serial day numbers (1900 system), computed for a whole column."""
    return (day - pl.lit(EXCEL_EPOCH)).dt.total_days()


def display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
