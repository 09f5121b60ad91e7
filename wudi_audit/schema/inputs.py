"""What each input is called (Chinese, English) and which option supplies it: the words
every message, 'not run' line and manifest uses for an input."""

from __future__ import annotations

from wudi_audit.schema.tables import ATTENDANCE, CLAIMS, TABLES

INPUT_LABELS = {
    "claims": ("申领明细", "claims"),
    "attendance": ("考勤记录", "attendance records"),
    "catalog": ("项目目录清单", "catalogue"),
    "providers": ("备案机构名单", "providers list"),
    "excluded": ("排除人员名单", "excluded-persons lists"),
    "standards": ("就业技能培训补贴标准目录", "employment-skill standards list"),
    "budget": ("总额控制预算", "budget list"),
    "urban_rural": ("城乡劳动者职业技能培训项目", "urban-rural training projects list"),
}


# The option that supplies an input, and the file stem that does under --ref-dir.
INPUT_OPTIONS = {
    "attendance": ("--attendance", None),
    "catalog": ("--catalog", "catalog"),
    "providers": ("--providers", "providers"),
    "excluded": ("--excluded", "excluded"),
    "standards": ("--standards", "standards"),
    "budget": ("--budget", "budget"),
    "urban_rural": ("--urban-rural", "urban_rural"),
}


def input_label(name: str) -> tuple[str, str]:
    """What an input is called, in Chinese and English."""
    for prefix, schema, where_zh, where_en in (
        ("column:", CLAIMS, "申领明细", "claims"),
        ("attendance:", ATTENDANCE, "考勤记录", "attendance records"),
    ):
        if name.startswith(prefix):
            names = name.removeprefix(prefix).split("|")
            labels = "或".join(f"“{schema.field(n).label_zh}”" for n in names)
            return (f"{where_zh}中的{labels}列", f"{' or '.join(names)} column in the {where_en}")
    if ":" in name:
        table, column = name.split(":", 1)
        label_zh, label_en = INPUT_LABELS[table]
        return (
            f"{label_zh}中的“{TABLES[table].field(column).label_zh}”列",
            f"{column} column in the {label_en}",
        )
    return INPUT_LABELS[name]


def input_source(name: str) -> tuple[str, str]:
    """Where an input comes from, for 'not run' lines: `（--providers 或 --ref-dir 中的
    providers.xlsx）`; empty for the claims and for a column (its table is given)."""
    option, stem = INPUT_OPTIONS.get(name, (None, None))
    if option is None:
        return "", ""
    if stem is None:
        return f"（{option}）", f" ({option})"
    return (
        f"（{option} 或 --ref-dir 中的 {stem}.xlsx）",
        f" ({option}, or {stem}.xlsx in --ref-dir)",
    )
