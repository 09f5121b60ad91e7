"""T — training delivery (培训实施): hours, online share, assessment (notice §4, §6)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    fmt_number,
    message,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rules.pack import RulePack

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
        *message(
            "线上 {on} + 线下 {off} = {total} 课时 < {limit} 课时",
            "online {on} + offline {off} = {total} hours < {limit}",
            on=on,
            off=off,
            total=total,
            limit=limit,
        ),
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
        *message(
            "线上 {on} / 总 {total} 课时 = {pct}% > {limit}%",
            "online {on} / total {total} hours = {pct}% > {limit}%",
            on=on,
            total=total,
            pct=pct,
            limit=limit,
        ),
        whole_claim_at_stake(),
        {
            "online_hours": pl.col("online_hours"),
            "total_hours": pl.col("claimed_hours"),
            "max_share": pl.lit(share),
        },
    )


@register(
    "T203",
    "纯线上培训项目未通过评估",
    "pure-online training not approved for the project",
    Severity.REJECT,
    "四、培训模式：「对于采取纯线上培训模式的，各地人社部门应对开展纯线上培训的专业（工种）"
    "组织专家进行可行性、必要性评估，…做到成熟一个推广一个」",
    needs=("claims", "catalog", "catalog:pure_online_approved"),
    example_zh="纯线上培训（线上 35 课时，无线下课时），项目 WDGJ2026-001 未通过纯线上评估",
    example_en="pure-online training (35 online hours, no offline hours); project "
    "WDGJ2026-001 is not approved for pure-online delivery",
)
def pure_online_not_approved(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Pure-online training (the declared mode is 纯线上/线上, or there are online hours and
    no offline hours) for a project whose catalogue entry is not approved for pure-online
    delivery (纯线上评估通过 is not 是/通过; an empty cell is not an approval). The entry is
    the one in force on the start date, else any entry of the project; with several, each
    must be approved. A project absent from the catalogue is O403's business."""
    pure = (pl.col("mode") == "online").fill_null(False) | (
        (pl.col("offline_hours") == 0) & (pl.col("online_hours") > 0)
    ).fill_null(False)
    claims = inputs.claims.lazy().filter(pure)
    entries = reference.catalog_entry_for_claims(claims, inputs.references["catalog"])
    per_claim = entries.group_by("row_id").agg(
        pl.col("_c_pure_online").all().alias("_approved"),
        pl.col("_c_row").sort().alias("_list_rows"),
    )
    found = claims.join(per_claim, on="row_id", how="inner").filter(~pl.col("_approved"))
    on, off = fmt_number(pl.col("online_hours")), fmt_number(pl.col("offline_hours"))
    declared = (pl.col("mode") == "online").fill_null(False)
    how_zh = pl.when(declared).then(pl.lit("申报为纯线上")).otherwise(pl.lit("无线下课时"))
    how_en = pl.when(declared).then(pl.lit("declared online")).otherwise(pl.lit("no offline hours"))
    return flags(
        found,
        pl.format(
            "纯线上培训（{}，线上 {} / 线下 {} 课时），项目 {} 未通过纯线上评估",
            how_zh,
            on,
            off,
            pl.col("project_code"),
        ),
        pl.format(
            "pure-online training ({}, online {} / offline {} hours); project {} is not "
            "approved for pure-online delivery",
            how_en,
            on,
            off,
            pl.col("project_code"),
        ),
        whole_claim_at_stake(),
        {"catalog_rows": pl.col("_list_rows"), "mode": pl.col("mode")},
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
        *message(
            "线上 {on} + 线下 {off} = {total} ≠ 总课时 {given}",
            "online {on} + offline {off} = {total} ≠ total {given}",
            on=on,
            off=off,
            total=total,
            given=given,
        ),
        whole_claim_at_stake(),
        {"sum_hours": pl.col("claimed_hours"), "total_hours": pl.col("total_hours")},
    )
