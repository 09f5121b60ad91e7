"""S307: the annual budget of a district or project (总额控制, notice §7)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, fmt_yuan, register
from wudi_audit.errors import UserInputError
from wudi_audit.rules.pack import RulePack

DIMENSIONS = {"district": ("板块", "district"), "project_code": ("项目", "project")}
YEAR_TEXT = r"^([0-9]{4})(年度|年)?$"


def budget_entries(budget: pl.DataFrame) -> pl.DataFrame:
    """The list as (dimension, key, year or null for every year, budget in fen). A row
    with a project code is a project budget, otherwise a district budget. An unreadable
    year or amount, or one budget given twice, makes the list unusable."""
    project = pl.col("project_code") if "project_code" in budget.columns else pl.lit(None)
    district = pl.col("district") if "district" in budget.columns else pl.lit(None)
    year_raw = pl.col("year__raw") if "year__raw" in budget.columns else pl.lit(None)
    entries = budget.select(
        pl.when(project.is_not_null())
        .then(pl.lit("project_code"))
        .otherwise(pl.lit("district"))
        .alias("dimension"),
        pl.coalesce(project, district).cast(pl.String).alias("key"),
        year_raw.cast(pl.String).str.replace_all(r"\s", "").alias("_year_text"),
        pl.col("amount_fen").alias("budget_fen"),
        pl.col("source_row"),
    ).with_columns(pl.col("_year_text").str.extract(YEAR_TEXT, 1).cast(pl.Int32).alias("year"))
    bad = entries.filter(
        pl.col("key").is_null()
        | pl.col("budget_fen").is_null()
        | (pl.col("budget_fen") < 0)
        | (pl.col("_year_text").is_not_null() & pl.col("year").is_null())
    )
    if bad.height:
        rows = "、".join(str(r) for r in bad["source_row"].head(5))
        raise UserInputError(
            f"总额控制预算名单第 {rows} 行无法使用：须有板块或项目编号、可读的预算金额，"
            "年度写作 2025、2025年 或 2025年度（或留空表示每年）",
            f"budget list rows {rows} are unusable: each needs a district or project code, a "
            "readable amount, and a year like 2025 (or empty for every year)",
        )
    twice = entries.filter(pl.struct("dimension", "key", "year").is_duplicated())
    if twice.height:
        rows = "、".join(str(r) for r in twice["source_row"].head(5))
        raise UserInputError(
            f"总额控制预算名单第 {rows} 行重复给出同一板块/项目同一年度的预算",
            f"budget list rows {rows} give the same district/project and year twice",
        )
    return entries.drop("_year_text", "source_row")


@register(
    "S307",
    "超出年度补贴资金总额",
    "annual budget exceeded",
    Severity.REVIEW,
    "七、培训补贴：「项目制培训补贴资金由各地人社部门向当地财政部门申报经费预算，"
    "补贴资金实行总额控制」",
    needs=("claims", "budget"),
    example_zh="吴中区 2026 年度预算 100000.00 元：台账已用 99500.00 元，累计至本笔 100340.00 元",
    example_en="吴中区 budget for 2026 100000.00: 99500.00 in the ledger, 100340.00 up to here",
)
def budget_exceeded(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A claim is held to every budget entry that matches it (its district's and its
    project's); for its end-date year an entry of that year wins over one with an empty
    year. The ledger's claims of the same year and district/project count first, then the
    batch's claims in source-row order; claims whose running total passes the budget are
    flagged (compared in whole fen). Empty, unreadable or negative amounts add nothing and
    are not flagged. At stake: the part of the claim above the budget."""
    entries = budget_entries(inputs.references["budget"]).lazy()
    claims = inputs.claims.lazy().filter(pl.col("end_date").is_not_null())
    held = []
    for dimension in DIMENSIONS:
        mine = entries.filter(pl.col("dimension") == dimension)
        keyed = claims.select(
            "row_id",
            "source_row",
            "amount_fen",
            pl.col(dimension).cast(pl.String).alias("key"),
            pl.col("end_date").dt.year().cast(pl.Int32).alias("year"),
        ).drop_nulls("key")
        for_year = keyed.join(mine.drop_nulls("year"), on=["key", "year"], how="left")
        any_year = mine.filter(pl.col("year").is_null()).drop("year", "dimension")
        held.append(
            for_year.join(any_year, on="key", how="left", suffix="_any").select(
                "row_id",
                "source_row",
                "amount_fen",
                "key",
                "year",
                pl.lit(dimension).alias("dimension"),
                pl.coalesce("budget_fen", "budget_fen_any").alias("budget_fen"),
            )
        )
    spent = inputs.history_totals.lazy().rename({"amount_fen": "ledger_fen"})
    adds = pl.col("amount_fen").clip(lower_bound=0).fill_null(0)
    group = ["dimension", "key", "year"]
    running = (
        pl.concat(held)
        .drop_nulls("budget_fen")
        .join(spent, on=group, how="left")
        .with_columns(pl.col("ledger_fen").fill_null(0))
        .sort("source_row")
        .with_columns((adds.cum_sum().over(group) + pl.col("ledger_fen")).alias("_running"))
        .filter((adds > 0) & (pl.col("_running") > pl.col("budget_fen")))
        .with_columns(
            pl.min_horizontal(pl.col("_running") - pl.col("budget_fen"), adds).alias("_over"),
            pl.col("dimension")
            .replace_strict({k: v[0] for k, v in DIMENSIONS.items()})
            .alias("_dim_zh"),
        )
        # a claim over two budgets is flagged once, for the larger excess
        .sort("row_id", "_over", descending=[False, True])
        .group_by("row_id", maintain_order=True)
        .first()
    )
    budget, ledger, total = (
        fmt_yuan(pl.col("budget_fen")),
        fmt_yuan(pl.col("ledger_fen")),
        fmt_yuan(pl.col("_running")),
    )
    return flags(
        running,
        pl.format(
            "{}“{}” {} 年度预算 {} 元：台账已用 {} 元，累计至本笔 {} 元，超出预算",
            "_dim_zh",
            "key",
            "year",
            budget,
            ledger,
            total,
        ),
        pl.format(
            "{} {} budget for {}: {} yuan; {} in the ledger, {} up to this claim",
            "dimension",
            "key",
            "year",
            budget,
            ledger,
            total,
        ),
        pl.col("_over"),
        {
            "budget_of": pl.col("dimension"),
            "key": pl.col("key"),
            "year": pl.col("year"),
            "budget": pl.col("budget_fen") / 100,
            "ledger_spent": pl.col("ledger_fen") / 100,
            "running_total": pl.col("_running") / 100,
        },
    )
