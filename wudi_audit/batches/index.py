"""The index of a folder run: `index.xlsx` and `index.json`, one row per batch (checked,
skipped as already audited, or not checkable with the reason)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xlsxwriter

from wudi_audit.report.outputs import AtomicOutputs
from wudi_audit.report.save import commit_outputs

# row key → (zh header, en header, kind)
COLUMNS: dict[str, tuple[str, str, str]] = {
    "batch": ("批次", "Batch", "text"),
    "file": ("申领文件", "Claims file", "text"),
    "status": ("状态", "Status", "status"),
    "exit_code": ("退出码", "Exit status", "int"),
    "claims": ("申领笔数", "Claims", "int"),
    "claimed_amount": ("申领金额（元）", "Claimed (yuan)", "money"),
    "claims_pass": ("通过", "Pass", "int"),
    "claims_review": ("复核", "Review", "int"),
    "claims_reject": ("退回", "Reject", "int"),
    "passing_amount": ("通过金额（元）", "Passing (yuan)", "money"),
    "amount_at_stake": ("涉及金额（元）", "At stake (yuan)", "money"),
    "workbook": ("异常工作簿", "Workbook", "text"),
    "json": ("JSON", "JSON", "text"),
    "audited_at": ("审核时间", "Audited at", "text"),
    "error": ("无法审核的原因", "Why it could not be checked", "text"),
}
STATUS_LABELS = {
    "checked": ("已审核", "checked"),
    "skipped": ("跳过（已审核，输入未变）", "skipped (already audited, inputs unchanged)"),
    "error": ("无法审核", "could not be checked"),
}
WIDTHS = {"text": 28, "status": 16, "int": 10, "money": 16}


def index_document(rows: list[dict[str, Any]], manifest: dict[str, Any]) -> dict[str, Any]:
    totals = {
        key: round(sum(r[key] or 0 for r in rows), 2)
        for key in ("claimed_amount", "passing_amount", "amount_at_stake")
    }
    return {
        "manifest": manifest,
        "summary": {
            "batches": len(rows),
            **{
                status: sum(r["status"] == status for r in rows)
                for status in ("checked", "skipped", "error")
            },
            "claims": sum(r["claims"] or 0 for r in rows),
            **totals,
        },
        "batches": rows,
    }


def write_index(
    out_dir: Path, rows: list[dict[str, Any]], manifest: dict[str, Any], lang: str
) -> Path:
    """Both index files, renamed into place together at the end."""
    document = index_document(rows, manifest)
    workbook = out_dir / "index.xlsx"
    outputs = AtomicOutputs()
    try:
        _write_workbook(outputs.temporary_for(workbook), document, lang)
        temp = outputs.temporary_for(out_dir / "index.json")
        temp.write_text(
            json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    except BaseException:
        outputs.discard()
        raise
    commit_outputs(outputs)
    return workbook


def _write_workbook(path: Path, document: dict[str, Any], lang: str) -> None:
    zh = lang == "zh"
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        bold_money = book.add_format({"num_format": "#,##0.00", "bold": True})
        bold = book.add_format({"bold": True})
        red = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        sheet = book.add_worksheet("批次" if zh else "Batches")
        sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        keys = list(COLUMNS)
        for col, key in enumerate(keys):
            zh_header, en_header, kind = COLUMNS[key]
            sheet.write_string(0, col, zh_header if zh else en_header, header)
            sheet.set_column(col, col, WIDTHS[kind])
        rows = document["batches"]
        for r, row in enumerate(rows, start=1):
            for col, key in enumerate(keys):
                value, kind = row.get(key), COLUMNS[key][2]
                if value is None or value == "":
                    continue
                if kind == "status":
                    label = STATUS_LABELS[value][0 if zh else 1]
                    sheet.write_string(r, col, label, red if value == "error" else None)
                elif kind in ("int", "money"):
                    sheet.write_number(r, col, value, money if kind == "money" else None)
                else:
                    sheet.write_string(r, col, str(value))
        total_row = len(rows) + 1
        sheet.write_string(total_row, 0, "合计" if zh else "Total", bold)
        s = document["summary"]
        sheet.write_number(total_row, keys.index("claims"), s["claims"], bold)
        for key in ("claimed_amount", "passing_amount", "amount_at_stake"):
            sheet.write_number(total_row, keys.index(key), s[key], bold_money)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, max(len(rows), 1), len(keys) - 1)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        m = document["manifest"]
        info = book.add_worksheet("运行信息" if zh else "Run")
        info.set_column(0, 0, 20)
        info.set_column(1, 1, 80)
        for r, (key, value) in enumerate(m.items()):
            info.write_string(r, 0, key, bold)
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            info.write_string(r, 1, "" if value is None else text)
