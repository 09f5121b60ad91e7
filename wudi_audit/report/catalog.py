"""The report of `wudi-audit catalog check` (O407): the overlaps as a small workbook and
a JSON document of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xlsxwriter

from wudi_audit import __version__
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.catalogue import CatalogCheck

COLUMNS = {
    "source_row": ("目录行", "catalogue row"),
    "project_code": ("项目编号", "project code"),
    "project_name": ("项目名称", "project name"),
    "occupation": ("职业（工种）", "occupation"),
    "message": ("说明", "message"),
    "urban_rural_rows": ("城乡项目名单行", "urban-rural list rows"),
}


def to_document(result: CatalogCheck, lang: str, started: str) -> dict[str, Any]:
    message = "message_zh" if lang == "zh" else "message_en"
    rule = REGISTRY["O407"]
    return {
        "manifest": {
            "tool": "wudi-audit",
            "version": __version__,
            "command": "catalog check",
            "rule": rule.code,
            "started_at": started,
            "inputs": [
                {"role": role, **vars(s)} for role, items in result.sources.items() for s in items
            ],
        },
        "summary": {"catalog_entries": result.entries, "overlaps": result.overlaps.height},
        "overlaps": [
            {
                "code": rule.code,
                "severity": rule.severity.value,
                "source_row": r["source_row"],
                "project_code": r["project_code"],
                "project_name": r["project_name"],
                "occupation": r["occupation"],
                "message": r[message],
                "evidence": json.loads(r["evidence"]),
            }
            for r in result.overlaps.iter_rows(named=True)
        ],
    }


def write_catalog_workbook(document: dict[str, Any], path: Path, lang: str) -> None:
    """Two sheets: the overlaps (one row per catalogue entry), then the run manifest."""
    zh = lang == "zh"
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("目录重合" if zh else "Overlaps")
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    widths = (8, 16, 28, 22, 60, 14)
    for col, (key, labels) in enumerate(COLUMNS.items()):
        sheet.set_column(col, col, widths[col])
        sheet.write_string(0, col, labels[0 if zh else 1], header)
        for row, overlap in enumerate(document["overlaps"], start=1):
            value = (
                "、".join(str(r) for r in overlap["evidence"]["urban_rural_rows"])
                if key == "urban_rural_rows"
                else overlap[key]
            )
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value), text if key == "project_code" else None)
    sheet.autofilter(0, 0, max(len(document["overlaps"]), 1), len(COLUMNS) - 1)
    run = book.add_worksheet("运行信息" if zh else "Run")
    run.set_column(0, 0, 18)
    run.set_column(1, 1, 60)
    manifest, summary = document["manifest"], document["summary"]
    lines = [
        ("工具版本" if zh else "Tool version", f"wudi-audit {manifest['version']}"),
        ("开始时间" if zh else "Started", manifest["started_at"]),
        ("目录项目数" if zh else "Catalogue entries", summary["catalog_entries"]),
        ("重合项目数" if zh else "Overlapping entries", summary["overlaps"]),
    ]
    for source in manifest["inputs"]:
        lines.append((source["role"], f"{source['path']}  SHA-256 {source['sha256']}"))
    for row, (label, value) in enumerate(lines):
        run.write_string(row, 0, label)
        if isinstance(value, int):
            run.write_number(row, 1, value)
        else:
            run.write_string(row, 1, str(value))
    book.close()
