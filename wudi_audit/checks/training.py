"""T — training delivery (培训实施): hours, online share, assessment (notice §4, §6)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    fmt_number,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rulepack import RulePack

# Hours are compared with this slack so that 14 / 35 is exactly 40 %, not 40.0000001 %.
EPSILON = 1e-9


@register(
    "T201",
    "总课时不足",
    "total hours below the minimum",
    Severity.REJECT,
    "六、培训实施：「项目制培训总课时应不低于35课时」",
    params=("min_total_hours",),
    example_zh="线上 10 + 线下 20 = 30 课时 < 35 课时",
    example_en="online 10 + offline 20 = 30 hours < 35",
)
def total_hours_below_minimum(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Total hours (online + offline) below the programme minimum."""
    minimum = float(pack["min_total_hours"])
    found = inputs.claims.lazy().filter(pl.col("claimed_hours") < minimum - EPSILON)
    on, off, total = (
        fmt_number(pl.col(c)) for c in ("online_hours", "offline_hours", "claimed_hours")
    )
    limit = fmt_number(pl.lit(minimum))
    return flags(
        found,
        pl.format("线上 {} + 线下 {} = {} 课时 < {} 课时", on, off, total, limit),
        pl.format("online {} + offline {} = {} hours < {}", on, off, total, limit),
        whole_claim_at_stake(),
        {"total_hours": pl.col("claimed_hours"), "minimum": pl.lit(minimum)},
    )


@register(
    "T202",
    "线上课时占比超限",
    "online share above the maximum",
    Severity.REJECT,
    "四、培训模式：「线上培训课时原则上不得高于培训总课时的40%」",
    params=("max_online_share",),
    example_zh="线上 20 / 总 40 课时 = 50% > 40%",
    example_en="online 20 / total 40 hours = 50% > 40%",
)
def online_share_above_maximum(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Blended training (线上线下融合) whose online hours exceed the maximum share of the total.
    Pure-online training is judged by T203 instead."""
    share = float(pack["max_online_share"])
    found = inputs.claims.lazy().filter(
        (pl.col("training_mode") != "online")
        & (pl.col("claimed_hours") > 0)
        & (pl.col("online_hours") - share * pl.col("claimed_hours") > EPSILON)
    )
    on, total = fmt_number(pl.col("online_hours")), fmt_number(pl.col("claimed_hours"))
    pct = fmt_number(pl.col("online_hours") / pl.col("claimed_hours") * 100)
    limit = fmt_number(pl.lit(share * 100))
    return flags(
        found,
        pl.format("线上 {} / 总 {} 课时 = {}% > {}%", on, total, pct, limit),
        pl.format("online {} / total {} hours = {}% > {}%", on, total, pct, limit),
        whole_claim_at_stake(),
        {
            "online_hours": pl.col("online_hours"),
            "total_hours": pl.col("claimed_hours"),
            "max_share": pl.lit(share),
        },
    )


@register(
    "T204",
    "考核未通过或无考核结果",
    "assessment not passed",
    Severity.REJECT,
    "七、培训补贴：「按照规定完成项目制培训并考核合格的，…享受培训补贴」",
    example_zh="考核结果：不合格",
    example_en="assessment: failed",
)
def assessment_not_passed(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Assessment failed, or no assessment result (an empty assessment cell is T204, not
    D001). An unrecognised value is D002 and not judged here."""
    found = inputs.claims.lazy().filter(
        (pl.col("assessment") == "failed") | pl.col("assessment__raw").is_null()
    )
    empty = pl.col("assessment__raw").is_null()
    return flags(
        found,
        pl.when(empty)
        .then(pl.lit("无考核结果"))
        .otherwise(pl.format("考核结果：{}", pl.col("assessment__raw"))),
        pl.when(empty)
        .then(pl.lit("no assessment result"))
        .otherwise(pl.format("assessment: {}", pl.col("assessment__raw"))),
        whole_claim_at_stake(),
        {"assessment": pl.col("assessment__raw")},
    )


@register(
    "T208",
    "课时合计不一致",
    "hours fields disagree",
    Severity.REJECT,
    "六、培训实施：「真实、完整记录培训过程」",
    example_zh="线上 10 + 线下 30 = 40 ≠ 总课时 48",
    example_en="online 10 + offline 30 = 40 ≠ total 48",
)
def hours_fields_disagree(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Online + offline differs from the total hours column, where a total is given."""
    found = inputs.claims.lazy().filter(
        (pl.col("claimed_hours") - pl.col("total_hours")).abs() > EPSILON
    )
    on, off = fmt_number(pl.col("online_hours")), fmt_number(pl.col("offline_hours"))
    total, given = fmt_number(pl.col("claimed_hours")), fmt_number(pl.col("total_hours"))
    return flags(
        found,
        pl.format("线上 {} + 线下 {} = {} ≠ 总课时 {}", on, off, total, given),
        pl.format("online {} + offline {} = {} ≠ total {}", on, off, total, given),
        whole_claim_at_stake(),
        {"sum_hours": pl.col("claimed_hours"), "total_hours": pl.col("total_hours")},
    )
