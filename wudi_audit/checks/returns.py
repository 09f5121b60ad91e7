"""What the ledger remembers of returned claims (SPEC §3.4 decisions): S309, a returned
claim sent again; O408, a provider's second strike. Both read only the final decisions
recorded in the ledger (`ledger add`, with the officer's 复核结论 or the rules'), never this
batch's own results, and a batch recorded before (same id or content) is left out of its
own history."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import (
    EVIDENCE_LISTED,
    AuditInputs,
    Severity,
    flags,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.ledger import TRAINING_CODES

CLAUSE_RETURNED = (
    "七、培训补贴：「一年内不得就同一个培训项目重复申领」；八、工作要求 6：「对在培训中弄虚作假，"
    "虚报冒领补贴资金的培训机构，取消项目制培训主体资格」"
)
CLAUSE_STRIKES = (
    "八、工作要求 6：「对2次未按规定实施培训且无正当理由说明原因的培训机构，"
    "取消项目制培训主体资格」"
)
SAME_CLAIM = ["id_number", "project_code", "class_id"]


@register(
    "S309",
    "退回的申领再次申报",
    "a returned claim sent again",
    Severity.REVIEW,
    CLAUSE_RETURNED,
    example_zh="同一学员、项目和班级的申领已被退回（台账批次“2026第1批”第 12 行，T202；"
    "复核人 王科长：考勤不足）",
    example_en="this claim was returned before (ledger batch 2026第1批 row 12, T202; "
    "reviewer 王科长: attendance short)",
)
def returned_claim_sent_again(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The batch claim has the same identity number, project and class as a ledger record
    whose final decision is 退回. Evidence: the ledger batch and row, the codes it was
    returned for, the reviewer and the note. The same person in another class is not the
    same claim."""
    returned = inputs.history_returned.lazy().filter(
        pl.all_horizontal([pl.col(c).is_not_null() for c in SAME_CLAIM])
    )
    found = (
        inputs.claims.lazy()
        .select("row_id", "amount_fen", *SAME_CLAIM)
        .join(
            returned.select(
                *SAME_CLAIM,
                pl.col("batch_id").alias("_batch"),
                pl.col("source_row").alias("_row"),
                pl.col("codes").fill_null("").alias("_codes"),
                pl.col("reviewer").alias("_reviewer"),
                pl.col("decision_note").alias("_note"),
            ),
            on=SAME_CLAIM,
        )
        .sort("row_id", "_batch", "_row")
        .group_by("row_id", "amount_fen", maintain_order=True)
        .agg(pl.all().exclude(*SAME_CLAIM).head(EVIDENCE_LISTED), pl.len().alias("_n"))
        .with_columns(pl.col(c).list.first().alias(f"{c}_1") for c in ("_batch", "_row", "_codes"))
    )
    who = pl.col("_reviewer").list.first()
    note = pl.col("_note").list.first()
    said_zh = pl.when(who.is_not_null() | note.is_not_null()).then(
        pl.format("；复核人 {}：{}", who.fill_null("—"), note.fill_null("—"))
    )
    said_en = pl.when(who.is_not_null() | note.is_not_null()).then(
        pl.format("; reviewer {}: {}", who.fill_null("—"), note.fill_null("—"))
    )
    return flags(
        found,
        pl.format(
            "同一学员、项目和班级的申领已被退回（台账批次“{}”第 {} 行，{}{}）",
            "_batch_1",
            "_row_1",
            pl.col("_codes_1").replace("", "—"),
            said_zh.fill_null(""),
        ),
        pl.format(
            "this claim was returned before (ledger batch {} row {}, {}{})",
            "_batch_1",
            "_row_1",
            pl.col("_codes_1").replace("", "—"),
            said_en.fill_null(""),
        ),
        whole_claim_at_stake(),
        {
            "returned_claims": pl.col("_n"),
            "batches": pl.col("_batch"),
            "source_rows": pl.col("_row"),
            "codes": pl.col("_codes"),
            "reviewers": pl.col("_reviewer"),
            "notes": pl.col("_note"),
        },
    )


def _provider_keys(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(
        pl.col("provider_code").str.to_uppercase().alias("_code"),
        reference.fold_key(pl.col("provider_name")).alias("_name"),
    )


@register(
    "O408",
    "培训机构两次未按规定实施培训",
    "a provider's second strike",
    Severity.REVIEW,
    CLAUSE_STRIKES,
    params=("strikes",),
    needs=("claims", "column:provider_code|provider_name"),
    example_zh="培训机构已有 2 个台账批次因未按规定实施培训被退回"
    "（2026第1批 2026-03-15：T202；2026第2批 2026-05-20：T201、T204）",
    example_en="the provider was returned for training delivery in 2 ledger batches "
    "(2026第1批 2026-03-15: T202; 2026第2批 2026-05-20: T201, T204)",
)
def provider_struck_twice(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The claim's provider already has at least `strikes` ledger batches in each of which
    one of its claims was finally 退回 with a training-delivery code (T201–T210) among its
    codes. A batch whose T returns were all overturned to 通过 is no strike; a return for
    another code is none. Providers match by credit code, or by name where either side
    has no code. Every batch claim of that provider is flagged."""
    strikes = (
        _provider_keys(inputs.history_strikes.lazy())
        .with_columns(pl.col("codes").str.extract_all(TRAINING_CODES).alias("_t"))
        .filter(pl.col("_t").list.len() > 0)
        .group_by("_code", "_name", "batch_id")
        .agg(
            pl.col("_t").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
            pl.col("end_date").max().alias("_date"),
        )
    )
    claims = _provider_keys(
        inputs.claims.lazy().select("row_id", "amount_fen", "provider_code", "provider_name")
    )
    by_code = claims.filter(pl.col("_code").is_not_null()).join(
        strikes.filter(pl.col("_code").is_not_null()).drop("_name"), on="_code"
    )
    # by name where either side has no credit code
    by_name = (
        claims.join(strikes.rename({"_code": "_s_code"}), on="_name")
        .filter(pl.col("_code").is_null() | pl.col("_s_code").is_null())
        .drop("_s_code")
    )
    columns = ["row_id", "amount_fen", "batch_id", "_t", "_date"]
    struck = (
        pl.concat([by_code.select(columns), by_name.select(columns)])
        .unique(["row_id", "batch_id"])
        .sort("row_id", "_date", "batch_id")
        .group_by("row_id", "amount_fen", maintain_order=True)
        .agg(
            pl.col("batch_id"),
            pl.col("_date"),
            pl.format("{}：{}", "batch_id", pl.col("_t").list.join("、")).alias("_zh"),
            pl.format("{}: {}", "batch_id", pl.col("_t").list.join(", ")).alias("_en"),
            pl.col("_t"),
        )
        .filter(pl.col("batch_id").list.len() >= int(pack["strikes"]))
    )
    count = pl.col("batch_id").list.len()
    return flags(
        struck,
        pl.format(
            "培训机构已有 {} 个台账批次因未按规定实施培训被退回（{}）",
            count,
            pl.col("_zh").list.head(EVIDENCE_LISTED).list.join("；"),
        ),
        pl.format(
            "the provider was returned for training delivery in {} ledger batches ({})",
            count,
            pl.col("_en").list.head(EVIDENCE_LISTED).list.join("; "),
        ),
        whole_claim_at_stake(),
        {
            "strike_batches": pl.col("batch_id").list.head(EVIDENCE_LISTED),
            "dates": pl.col("_date").list.head(EVIDENCE_LISTED),
            "codes": pl.col("_t").list.head(EVIDENCE_LISTED),
            "count": count,
        },
    )
