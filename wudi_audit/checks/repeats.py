"""S303–S305: trainings counted across the ledger and the batch (notice §7).

Order and ties (SPEC §2): the batch's claims are taken by (end date, start date, source
row). Every claim counts, whatever else it breaks; a claim without a readable end date
counts towards no year and is not judged.
"""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import (
    EVIDENCE_LISTED,
    AuditInputs,
    Severity,
    flags,
    held,
    message,
    register,
    whole_claim_at_stake,
)
from wudi_audit.checks.subsidy import BATCH_ORDER
from wudi_audit.rules.pack import RulePack

CLAUSE_S7 = (
    "七、培训补贴：「原则上每人每年可享受不超过3次政府补贴性培训，同一职业同一等级一年内不可"
    "重复享受。一年内不得就同一个培训项目重复申领」"
)

# 职业技能等级 by name (five levels; 新八级工 names map onto them), so that 初级工 = 五级.
LEVEL_PATTERNS = (
    ("培训合格证", "培训合格证"),
    ("高级技师|一级", "一级"),
    ("技师|二级", "二级"),
    ("高级工|三级|^高级$", "三级"),
    ("中级|四级", "四级"),
    ("初级|五级", "五级"),
)


def level_key(level: pl.Expr) -> pl.Expr:
    """A level as one of 五级…一级 or 培训合格证, else its text without white space."""
    text = level.str.replace_all(r"\s", "")
    out = text
    for pattern, key in reversed(LEVEL_PATTERNS):
        out = pl.when(text.str.contains(pattern)).then(pl.lit(key)).otherwise(out)
    return out


def occupation_key(occupation: pl.Expr) -> pl.Expr:
    return occupation.str.replace_all(r"\s", "")


# the claims' columns the counting rules read beside their keys
COUNTED = ("row_id", "end_date", "start_date", "source_row", "class_id", "amount_fen")


def _batch(inputs: AuditInputs, keys: dict[str, pl.Expr]) -> pl.LazyFrame:
    """The batch's claims with their keys, those columns only, collected (`held`)."""
    columns = [c for c in COUNTED if c not in keys]
    claims = inputs.claims.lazy().select(*columns, **keys)
    return held(claims.drop_nulls([*keys, "end_date"]))


def _history(inputs: AuditInputs, keys: dict[str, pl.Expr]) -> pl.LazyFrame:
    return inputs.history.lazy().with_columns(**keys).drop_nulls([*keys, "end_date"])


@register(
    "S303",
    "每人每年超过 3 次补贴性培训",
    "more than 3 subsidised trainings a year",
    Severity.REJECT,
    CLAUSE_S7,
    params=("max_trainings_per_year",),
    example_zh="2026 年第 4 次补贴性培训（台账已有 2 次，本批次第 2 笔），每人每年不超过 3 次",
    example_en="4th subsidised training in 2026 (2 in the ledger, 2nd in this batch); at most 3",
)
def too_many_trainings(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """More than the yearly maximum of subsidised trainings for one person in one calendar
    year of the end date, counting the ledger and the batch: per person and year,
    allowed = maximum − ledger count, and the batch's claims past `allowed` (by end date,
    start date, source row) are flagged, with the trainings counted before them."""
    limit = int(pack["max_trainings_per_year"])
    year = {"_year": pl.col("end_date").dt.year().cast(pl.Int32)}
    group = ["id_number", "_year"]
    keys = {"id_number": pl.col("id_number"), **year}
    history = _history(inputs, keys)
    # only a person-year past the maximum, counting the ledger, is ordered and numbered
    batch = _batch(inputs, keys)
    over_limit = (
        batch.group_by(group)
        .len("_in_batch")
        .join(history.group_by(group).len("_paid"), on=group, how="left")
        .filter(pl.col("_in_batch") + pl.col("_paid").fill_null(0) > limit)
        .select(group)
    )
    # and only its ledger claims are sorted and the first ten listed (a ledger of 200,000
    # records found for a batch: 0.10 s to sort them all)
    paid = (
        history.join(over_limit, on=group, how="semi")
        .sort("end_date", "batch_id", "source_row")
        .group_by(group)
        .agg(
            pl.len().alias("_paid"),
            pl.struct(pl.col("batch_id"), pl.col("source_row"), pl.col("end_date").cast(pl.String))
            .head(EVIDENCE_LISTED)
            .alias("_ledger"),
        )
    )
    ordered = (
        batch.join(over_limit, on=group, how="semi")
        .sort(list(BATCH_ORDER), nulls_last=True)
        .with_columns((pl.int_range(pl.len()).over(group) + 1).alias("_nth"))
    )
    # the person's first rows of the year, at most ten: held once per person, not per claim
    first_rows = ordered.group_by(group, maintain_order=True).agg(
        pl.col("source_row").head(EVIDENCE_LISTED).alias("_rows")
    )
    batch = (
        ordered.join(first_rows, on=group, how="left")
        .join(paid, on=group, how="left")
        .with_columns(pl.col("_paid").fill_null(0))
        .with_columns((pl.col("_paid") + pl.col("_nth")).alias("_count"))
        .filter(pl.col("_count") > limit)
        .with_columns(
            pl.col("_rows")
            .list.head(pl.min_horizontal(pl.col("_nth") - 1, EVIDENCE_LISTED))
            .alias("_earlier")
        )
    )
    return flags(
        batch,
        *message(
            "{year} 年第 {count} 次补贴性培训（台账已有 {paid} 次，本批次第 {nth} 笔），"
            "每人每年不超过 {limit} 次",
            "subsidised training no. {count} in {year} ({paid} in the ledger, no. {nth} in "
            "this batch); at most {limit} a year",
            year="_year",
            count="_count",
            paid="_paid",
            nth="_nth",
            limit=pl.lit(limit),
        ),
        whole_claim_at_stake(),
        {
            "year": pl.col("_year"),
            "count": pl.col("_count"),
            "ledger_count": pl.col("_paid"),
            "earlier_batch_rows": pl.col("_earlier"),  # at most ten; the count is nth − 1
            "ledger_claims": pl.col("_ledger"),
        },
    )


def repeats_within(inputs: AuditInputs, keys: dict[str, pl.Expr], window_days: int) -> pl.LazyFrame:
    """Batch claims that repeat an earlier claim of the same keys within the window
    (later end date at most `window_days` after the earlier one): the previous batch claim
    of the group (batch order), else a ledger claim whose end date is within the window on
    either side. Each carries the claim it repeats."""
    group = list(keys)
    keyed = _batch(inputs, keys)
    # Only a group of two claims or more has a previous claim: the ordering and the window
    # function run on those (a small share of a batch), never on the whole batch
    previous = {"_prev_row": "source_row", "_prev_end": "end_date", "_prev_class": "class_id"}
    gap = (pl.col("end_date") - pl.col("_prev_end")).dt.total_days()
    in_batch = (
        keyed.filter(pl.struct(group).is_duplicated())
        .sort([*BATCH_ORDER, "row_id"], nulls_last=True)
        .with_columns(pl.col(c).shift(1).over(group).alias(name) for name, c in previous.items())
        .filter(gap <= window_days)
        .select("row_id", "_prev_row", gap.alias("_prev_gap"), "_prev_class")
    )
    ledger = (
        _history(inputs, keys)
        .select(
            *group,
            pl.col("end_date").alias("_l_end"),
            pl.col("start_date").alias("_l_start"),
            pl.col("batch_id").alias("_l_batch"),
            pl.col("source_row").alias("_l_row"),
            pl.col("class_id").alias("_l_class"),
        )
        .join(keyed.select("row_id", "end_date", *group), on=group)
        .with_columns((pl.col("end_date") - pl.col("_l_end")).dt.total_days().abs().alias("_l_gap"))
        .filter(pl.col("_l_gap") <= window_days)
        .sort("row_id", "_l_gap", "_l_end", "_l_batch", "_l_row")
        .group_by("row_id", maintain_order=True)
        .first()
        .drop("end_date", *group)
    )
    return (
        keyed.join(in_batch, on="row_id", how="left")
        .join(ledger, on="row_id", how="left")
        .filter(pl.col("_prev_row").is_not_null() | pl.col("_l_row").is_not_null())
        .with_columns(pl.col("_prev_row").is_not_null().alias("_in_batch"))
    )


def _repeat_flags(found: pl.LazyFrame, what_zh: str, what_en: str, window: int) -> pl.LazyFrame:
    in_batch = pl.col("_in_batch")
    message_zh = (
        pl.when(in_batch)
        .then(
            pl.format(
                "与本批次第 {} 行{}相同，结业日期相隔 {} 天（≤ {} 天）",
                "_prev_row",
                pl.lit(what_zh),
                "_prev_gap",
                pl.lit(window),
            )
        )
        .otherwise(
            pl.format(
                "与台账批次“{}”第 {} 行{}相同，结业日期相隔 {} 天（≤ {} 天）",
                "_l_batch",
                "_l_row",
                pl.lit(what_zh),
                "_l_gap",
                pl.lit(window),
            )
        )
    )
    message_en = (
        pl.when(in_batch)
        .then(
            pl.format(
                "same {} as row {} of this batch, end dates {} days apart (≤ {})",
                pl.lit(what_en),
                "_prev_row",
                "_prev_gap",
                pl.lit(window),
            )
        )
        .otherwise(
            pl.format(
                "same {} as row {} of ledger batch {}, end dates {} days apart (≤ {})",
                pl.lit(what_en),
                "_l_row",
                "_l_batch",
                "_l_gap",
                pl.lit(window),
            )
        )
    )
    batch_evidence = pl.struct(
        pl.col("_prev_row").alias("source_row"), pl.col("_prev_class").alias("class_id")
    )
    ledger_evidence = pl.struct(
        pl.col("_l_batch").alias("batch_id"),
        pl.col("_l_row").alias("source_row"),
        pl.col("_l_class").alias("class_id"),
        pl.col("_l_start").cast(pl.String).alias("start_date"),
        pl.col("_l_end").cast(pl.String).alias("end_date"),
    )
    return flags(
        found,
        message_zh,
        message_en,
        whole_claim_at_stake(),
        {
            "earlier_in_batch": pl.when(in_batch).then(batch_evidence),
            "earlier_in_ledger": pl.when(pl.col("_l_row").is_not_null()).then(ledger_evidence),
        },
    )


@register(
    "S304",
    "同一职业同一等级一年内重复享受",
    "same occupation and level again within a year",
    Severity.REJECT,
    CLAUSE_S7,
    params=("repeat_occupation_window_days",),
    needs=("claims", "column:occupation", "column:level"),
    example_zh="与台账批次“2026第1批”第 12 行职业（工种）和等级相同，"
    "结业日期相隔 200 天（≤ 365 天）",
    example_en="same occupation and level as row 12 of ledger batch 2026第1批, 200 days apart",
)
def same_occupation_level_again(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Same person, same occupation and same level (levels compared by name: 初级工 =
    五级) subsidised again when the later end date is at most the window (365 days) after
    the earlier one, counting the ledger and the batch. The batch's first claim of a group
    stands unless the ledger holds a match within the window; each later one repeating an
    earlier one within the window is flagged, with that claim as evidence."""
    window = int(pack["repeat_occupation_window_days"])
    keys = {
        "id_number": pl.col("id_number"),
        "_occupation": occupation_key(pl.col("occupation")),
        "_level": level_key(pl.col("level")),
    }
    return _repeat_flags(
        repeats_within(inputs, keys, window), "职业（工种）和等级", "occupation and level", window
    )


@register(
    "S305",
    "一年内就同一培训项目重复申领",
    "same project claimed again within a year",
    Severity.REJECT,
    CLAUSE_S7,
    params=("repeat_project_window_days",),
    example_zh="与本批次第 5 行培训项目相同，结业日期相隔 0 天（≤ 365 天）",
    example_en="same project as row 5 of this batch, end dates 0 days apart (≤ 365)",
)
def same_project_again(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Same person and same project code claimed again when the later end date is at most
    the window (365 days) after the earlier one, counting the ledger and the batch; order
    and evidence as S304."""
    window = int(pack["repeat_project_window_days"])
    keys = {"id_number": pl.col("id_number"), "project_code": pl.col("project_code")}
    return _repeat_flags(repeats_within(inputs, keys, window), "培训项目", "project", window)
