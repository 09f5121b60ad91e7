"""The 运行信息 / Run sheet: the run manifest, one fact per row (SPEC §4): tool version,
rule packs with their hashes, every input with its SHA-256, rows read and notes, the
ledger, the parameters one per row, start time and duration. Manifest entries this
module does not know (added by later features) are still listed, as JSON text."""

from __future__ import annotations

import json
from typing import Any

from wudi_audit.checks import REGISTRY
from wudi_audit.report.layout import Formats, set_up_printing
from wudi_audit.report.tables import Report
from wudi_audit.schema.inputs import INPUT_LABELS

COLUMN_WIDTHS = (26, 50, 16, 14, 70)
TITLES = {"sample": ("抽查样本", "Review sample"), "settings_file": ("设置文件", "Settings file")}
KNOWN = {
    "tool",
    "version",
    "rule_pack",
    "rule_packs",
    "inputs",
    "ledger",
    "parameters",
    "district_overrides",
    "started_at",
    "duration_seconds",
    "language",
    "ids_masked",
    "column_names",
}


def write_run_sheet(workbook, report: Report, formats: Formats) -> None:
    zh = report.lang == "zh"
    f = formats
    m = report.manifest
    sheet = workbook.add_worksheet(report.sheet("run"))
    for col, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(col, col, width)
    set_up_printing(sheet, header_rows=None)
    row = 0

    def line(*cells: Any, fmt=None) -> None:
        nonlocal row
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, col, value, fmt or f.text)
            else:
                sheet.write_string(row, col, str(value), fmt or (f.code if col else f.label))
        row += 1

    def section(title_zh: str, title_en: str, *headers: str) -> None:
        nonlocal row
        row += 1
        line(title_zh if zh else title_en, fmt=f.section)
        if headers:
            line(*headers, fmt=f.header)

    yes, no = ("是", "否") if zh else ("yes", "no")
    line("运行信息" if zh else "Run", fmt=f.title)
    line("工具版本" if zh else "Tool version", f"{m['tool']} {m['version']}")
    line("开始时间" if zh else "Started", m["started_at"])
    line("用时（秒）" if zh else "Duration (s)", m["duration_seconds"])
    line("输出语言" if zh else "Language", m["language"])
    line("遮蔽身份证号和姓名" if zh else "Identity numbers masked", yes if m["ids_masked"] else no)

    section(
        "规则包",
        "Rule packs",
        *(
            ["名称", "文件", "有效期", "判定笔数", "SHA-256"]
            if zh
            else ["Name", "File", "In force", "Claims judged", "SHA-256"]
        ),
    )
    for pack in m["rule_packs"]:
        period = f"{pack.get('effective_from') or '…'} – {pack.get('effective_to') or '…'}"
        line(pack["name"], pack.get("path", ""), period, pack.get("claims"), pack["sha256"])

    section(
        "输入文件",
        "Inputs",
        *(
            ["类别", "文件", "格式", "读取行数", "SHA-256"]
            if zh
            else ["Role", "File", "Format", "Rows read", "SHA-256"]
        ),
    )
    for source in m["inputs"]:
        role = INPUT_LABELS.get(source["role"], (source["role"], source["role"]))
        line(
            role[0 if zh else 1],
            source.get("path"),
            source.get("format"),
            source.get("rows"),
            source.get("sha256"),
        )
        for note in source.get("notes") or []:
            line("", note)
        if source.get("header_rows"):
            rows = "、".join(str(r) for r in source["header_rows"])
            line("", f"表头行：第 {rows} 行" if zh else f"Header row(s): {rows}")
        if source.get("ignored_columns"):
            line(
                "",
                ("未使用的列：" if zh else "Ignored columns: ")
                + ("、" if zh else ", ").join(source["ignored_columns"]),
            )

    names = m.get("column_names") or []
    if names:
        section(
            "指定的列名",
            "Column names given",
            *(["表", "字段", "表头", "来自"] if zh else ["Table", "Field", "Header", "From"]),
        )
        for name in names:
            line(name["table"], name["field"], name["header"], name["from"])

    ledger = m.get("ledger")
    if ledger:
        section("历史台账", "Ledger")
        line("文件夹" if zh else "Folder", ledger.get("folder"))
        line("存在" if zh else "Exists", yes if ledger.get("exists") else no)
        line("读取批次数" if zh else "Batches read", ledger.get("batches_read"))
        line("读取文件数" if zh else "Files read", ledger.get("files_read"))
        line("读取记录数" if zh else "Records read", ledger.get("records_read"))
        for note in ledger.get("notes") or []:
            line("", note)

    section(
        "参数",
        "Parameters",
        *(["参数", "取值", "所用规则"] if zh else ["Parameter", "Value", "Used by"]),
    )
    used_by: dict[str, list[str]] = {}
    for code in sorted(REGISTRY):
        for param in REGISTRY[code].params:
            used_by.setdefault(param, []).append(code)
    for name, value in m["parameters"].items():
        line(name, _value(value), ", ".join(used_by.get(name, [])))
    overrides = m.get("district_overrides") or {}
    if overrides:
        section("板块参数（各板块实施细则）", "District overrides")
        for district, params in overrides.items():
            for name, value in params.items():
                line(district, name, _value(value))

    others = {k: v for k, v in m.items() if k not in KNOWN}
    # e.g. the review sample (a table of its own) and the settings file
    for key, value in others.items():
        if isinstance(value, dict):
            section(*TITLES.get(key, (key, key)))
            for name, item in value.items():
                line(name, _value(item))
    plain = {k: v for k, v in others.items() if not isinstance(v, dict)}
    if plain:
        section("其他", "Other")
        for key, value in plain.items():
            line(TITLES.get(key, (key, key))[0 if zh else 1], _value(value))


def _value(value: Any) -> Any:
    """Numbers stay numbers; lists and tables become JSON text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)  # a seed: a spreadsheet number would lose its last digits
    if isinstance(value, int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
