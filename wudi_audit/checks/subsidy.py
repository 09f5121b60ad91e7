"""S — subsidy claims (培训补贴): caps and repeats (notice §7)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    fmt_number,
    fmt_yuan,
    held,
    message,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rules.pack import RulePack

# Order in which a group's first claim stands and later ones repeat it (SPEC §2).
BATCH_ORDER = ("end_date", "start_date", "source_row")


def rate_fen(pack: RulePack, key: str) -> pl.Expr:
    """The programme maximum per class hour in fen, with the district's override if any."""
    rate = pl.lit(round(float(pack[key]) * 100), dtype=pl.Int64)
    for district, overrides in pack.districts.items():
        if key in overrides:
            override = pl.lit(round(float(overrides[key]) * 100), dtype=pl.Int64)
            rate = pl.when(pl.col("district") == district).then(override).otherwise(rate)
    return rate


def catalog_rates_fen(inputs: AuditInputs) -> pl.LazyFrame:
    """Each claim's catalogue rates (一事一议) in fen, online and offline: the lowest of the
    project's entries that apply (those in force on the start date, else every entry of
    the project). Null where the project is absent or the rate cell is empty; without a
    catalogue, every rate is null."""
    claims = inputs.claims.lazy()
    if "catalog" not in inputs.references:
        return claims.select(
            "row_id",
            pl.lit(None, dtype=pl.Int64).alias("_catalog_online_fen"),
            pl.lit(None, dtype=pl.Int64).alias("_catalog_offline_fen"),
        )
    entries = reference.catalog_entry_for_claims(claims, inputs.references["catalog"])
    rates = entries.group_by("row_id").agg(
        pl.col("_c_online_fen").min().alias("_catalog_online_fen"),
        pl.col("_c_offline_fen").min().alias("_catalog_offline_fen"),
    )
    return claims.select("row_id").join(rates, on="row_id", how="left")


@register(
    "S301",
    "申领金额超过补贴上限",
    "amount above the cap",
    Severity.REJECT,
    "七、培训补贴：「按线上培训不超过15元/课时/人、线下培训不超过30元/课时/人的标准享受培训补贴，"
    "具体补贴标准由各地人社部门会同财政部门按照“一事一议”的原则确定」",
    params=("online_rate_max", "offline_rate_max"),
    example_zh="申领 1200.00 元 > 上限 1050.00 元（线上 10 课时×15.00 元 + 线下 30 课时×30.00 元）",
    example_en="claimed 1200.00 > cap 1050.00 (online 10 h × 15.00 + offline 30 h × 30.00)",
)
def amount_above_cap(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Amount above online hours × online rate + offline hours × offline rate, compared in
    whole fen. Each rate is the lower of the programme maximum (or the district's override
    in the rule pack) and the project's own rate in the catalogue (一事一议), when a
    catalogue is given; a project absent from the catalogue, or an empty rate cell, uses
    the programme maximum. At stake: the excess."""
    on_rate = pl.min_horizontal(rate_fen(pack, "online_rate_max"), pl.col("_catalog_online_fen"))
    off_rate = pl.min_horizontal(rate_fen(pack, "offline_rate_max"), pl.col("_catalog_offline_fen"))
    rates = held(catalog_rates_fen(inputs))
    claims = inputs.claims.lazy().join(rates, on="row_id", how="left")
    capped = claims.with_columns(
        on_rate.alias("_on_rate"),
        off_rate.alias("_off_rate"),
        (pl.col("online_hours") * on_rate + pl.col("offline_hours") * off_rate)
        .round(0)
        .cast(pl.Int64)
        .alias("_cap_fen"),
    )
    found = capped.filter(pl.col("amount_fen") > pl.col("_cap_fen"))
    amount, cap = fmt_yuan(pl.col("amount_fen")), fmt_yuan(pl.col("_cap_fen"))
    on, off = fmt_number(pl.col("online_hours")), fmt_number(pl.col("offline_hours"))
    on_r, off_r = fmt_yuan(pl.col("_on_rate")), fmt_yuan(pl.col("_off_rate"))
    return flags(
        found,
        *message(
            "申领 {amount} 元 > 上限 {cap} 元"
            "（线上 {on} 课时×{on_r} 元 + 线下 {off} 课时×{off_r} 元）",
            "claimed {amount} > cap {cap} yuan "
            "(online {on} h × {on_r} + offline {off} h × {off_r})",
            amount=amount,
            cap=cap,
            on=on,
            on_r=on_r,
            off=off,
            off_r=off_r,
        ),
        pl.col("amount_fen") - pl.col("_cap_fen"),
        {
            "cap": pl.col("_cap_fen") / 100,
            "online_rate": pl.col("_on_rate") / 100,
            "offline_rate": pl.col("_off_rate") / 100,
            "catalog_online_rate": pl.col("_catalog_online_fen") / 100,
            "catalog_offline_rate": pl.col("_catalog_offline_fen") / 100,
        },
    )


def earlier_in_group(claims: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Each claim with the first claim of its group (batch order), for repeat rules. Only
    groups of two claims or more are ordered: a claim alone is nobody's repeat."""
    ordered = (
        claims.drop_nulls(keys)
        .filter(pl.struct(keys).is_duplicated())
        .sort([*BATCH_ORDER], nulls_last=True)
    )
    return ordered.with_columns(
        pl.col("row_id").first().over(keys).alias("_first_row_id"),
        pl.col("source_row").first().over(keys).alias("_first_source_row"),
        pl.col("end_date").first().over(keys).alias("_first_end_date"),
    ).filter(pl.col("row_id") != pl.col("_first_row_id"))


@register(
    "S306",
    "同一人同一班级重复申领",
    "same person claimed twice in one class",
    Severity.REJECT,
    "七、培训补贴：「一年内不得就同一个培训项目重复申领」",
    example_zh="与第 5 行为同一人同一班级（BJ2026001）",
    example_en="same person and class (BJ2026001) as row 5",
)
def same_person_same_class(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The same identity number appears twice in one class in this batch: the first claim
    (by end date, start date, source row) stands, every later one is flagged."""
    found = earlier_in_group(inputs.claims.lazy(), ["id_number", "class_id"])
    return flags(
        found,
        *message(
            "与第 {first_source_row} 行为同一人同一班级（{class_id}）",
            "same person and class ({class_id}) as row {first_source_row}",
            first_source_row=pl.col("_first_source_row"),
            class_id=pl.col("class_id"),
        ),
        whole_claim_at_stake(),
        {"earlier_source_row": pl.col("_first_source_row"), "class_id": pl.col("class_id")},
    )
