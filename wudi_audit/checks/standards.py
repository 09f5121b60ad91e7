"""S302: the employment-skill training standards list caps catalogue projects (notice §7)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, fmt_yuan, message, register
from wudi_audit.checks.repeats import level_key, occupation_key
from wudi_audit.rules.pack import RulePack


def standard_per_occupation(standards: pl.DataFrame) -> pl.LazyFrame:
    """Per occupation: its 五级 standard, else its 培训合格证 standard, in fen. Where the
    list gives one occupation and level twice, the lower standard holds."""
    rows = (
        standards.lazy()
        .select(
            occupation_key(pl.col("occupation")).alias("_occupation"),
            level_key(pl.col("level")).alias("_level"),
            pl.col("amount_fen"),
        )
        .drop_nulls()
    )
    by_level = rows.group_by("_occupation").agg(
        pl.col("amount_fen").filter(pl.col("_level") == "五级").min().alias("_five"),
        pl.col("amount_fen").filter(pl.col("_level") == "培训合格证").min().alias("_cert"),
    )
    return by_level.with_columns(
        pl.coalesce("_five", "_cert").alias("_standard_fen"),
        pl.when(pl.col("_five").is_not_null())
        .then(pl.lit("五级"))
        .otherwise(pl.lit("培训合格证"))
        .alias("_basis"),
    ).drop_nulls("_standard_fen")


@register(
    "S302",
    "超过就业技能培训补贴标准",
    "above the employment-skill training standard",
    Severity.REJECT,
    "七、培训补贴：「各地人社部门公布的项目制培训目录清单与本地的《就业技能培训专业（工种）"
    "补贴标准目录》重合部分，不超过就业技能培训专业（工种）补贴标准中相应的职业技能等级五级或"
    "培训合格证补贴标准」",
    needs=("claims", "standards", "column:occupation"),
    example_zh="申领 1200.00 元 > 就业技能培训补贴标准 1000.00 元（电工 五级）",
    example_en="claimed 1200.00 > employment-skill standard 1000.00 (电工, 五级)",
)
def above_skill_standard(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The claim's occupation is on the employment-skill training standards list and the
    amount is above that list's standard for the occupation at 五级, or, where the list
    has no 五级 row for it, at 培训合格证; compared in whole fen. At stake: the excess."""
    standards = standard_per_occupation(inputs.references["standards"])
    found = (
        inputs.claims.lazy()
        .with_columns(occupation_key(pl.col("occupation")).alias("_occupation"))
        .join(standards, on="_occupation")
        .filter(pl.col("amount_fen") > pl.col("_standard_fen"))
    )
    amount, standard = fmt_yuan(pl.col("amount_fen")), fmt_yuan(pl.col("_standard_fen"))
    return flags(
        found,
        *message(
            "申领 {amount} 元 > 就业技能培训补贴标准 {standard} 元（{occupation} {basis}）",
            "claimed {amount} > employment-skill standard {standard} ({occupation}, {basis})",
            amount=amount,
            standard=standard,
            occupation="occupation",
            basis="_basis",
        ),
        pl.col("amount_fen") - pl.col("_standard_fen"),
        {"standard": pl.col("_standard_fen") / 100, "level": pl.col("_basis")},
    )
