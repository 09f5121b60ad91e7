"""P108: one phone number given for several trainees (假学员: the organiser's or the
provider's phone written in for people who never trained, DOMAIN's fraud patterns).

Numbers are compared as `facts/phone.py` keys them; a trainee is an identity number, so
the same trainee twice is one. Counted per number once (trainees and the first claims
listed), never pairwise, so a number shared by thousands stays cheap."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import (
    EVIDENCE_LISTED,
    AuditInputs,
    Severity,
    flags,
    held,
    register,
    where_claims,
)
from wudi_audit.facts.phone import phone_key
from wudi_audit.rules.pack import RulePack

CLAUSE = (
    "二、培训对象：「劳动年龄段的有劳动能力和培训意愿的城乡劳动者」；八、工作要求 6：「对在培训中"
    "弄虚作假，虚报冒领补贴资金的培训机构，取消项目制培训主体资格」"
)


@register(
    "P108",
    "同一联系电话对应多名学员",
    "one phone number for several trainees",
    Severity.REVIEW,
    CLAUSE,
    params=("phone_min_trainees",),
    needs=("claims", "column:phone"),
    example_zh="联系电话 13812345678 对应 4 名不同学员"
    "（本批次第 5、9、12 行；台账批次“2026第1批”第 3 行）",
    example_en="phone 13812345678 given for 4 different trainees (rows 5, 9, 12; ledger "
    "batch 2026第1批 row 3)",
)
def one_phone_many_trainees(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The same phone number (spaces, dashes and brackets removed, a leading +86 dropped)
    on claims of at least `phone_min_trainees` different identity numbers, in the batch or
    the ledger's paid claims. Empty cells, numbers of fewer than 7 digits and numbers of
    one repeated digit never match. Every batch claim involved is flagged, with the other
    claims (at most ten) and the count."""
    least = int(pack["phone_min_trainees"])
    batch = held(
        inputs.claims.lazy()
        .select("row_id", "id_number", "source_row", phone_key(pl.col("phone")).alias("_phone"))
        .filter(pl.col("_phone").is_not_null())
    )
    ledger = (
        inputs.history.lazy()
        .with_columns(phone_key(pl.col("phone")).alias("_phone"))
        .join(batch.select("_phone").unique(), on="_phone", how="semi")
    )
    occurrences = pl.concat(
        [
            batch.select(
                "_phone",
                "id_number",
                "source_row",
                pl.lit(None, pl.String).alias("batch_id"),
                pl.col("row_id").cast(pl.Int64).alias("_self"),
            ),
            ledger.select(
                "_phone",
                "id_number",
                "source_row",
                "batch_id",
                pl.lit(None, pl.Int64).alias("_self"),
            ),
        ]
    )
    if least >= 2:  # a number given once has one trainee: only the others are gathered
        occurrences = occurrences.filter(pl.col("_phone").is_duplicated())
    per_number = (
        occurrences.sort("_phone", "batch_id", "source_row", nulls_last=False)
        .group_by("_phone", maintain_order=True)
        .agg(
            pl.col("id_number").drop_nulls().n_unique().alias("_trainees"),
            pl.len().alias("_claims"),
            pl.struct(
                pl.col("batch_id").alias("_o_batch"),
                pl.col("source_row").alias("_o_row"),
                pl.col("id_number").alias("_o_id"),
                pl.col("_self").alias("_o_self"),
            )
            .head(EVIDENCE_LISTED + 1)
            .alias("_first"),
        )
        .filter(pl.col("_trainees") >= least)
    )
    found = batch.select("row_id", "_phone").join(per_number, on="_phone")
    listed = (
        found.select("row_id", "_first")
        .explode("_first")
        .unnest("_first")
        .filter((pl.col("_o_self") != pl.col("row_id").cast(pl.Int64)).fill_null(True))
        .group_by("row_id", maintain_order=True)
        .agg(
            pl.struct(
                pl.col("_o_batch").alias("batch_id"),
                pl.col("_o_row").alias("source_row"),
                pl.col("_o_id").alias("id_number"),
            )
            .head(EVIDENCE_LISTED)
            .alias("_others")
        )
    )
    found = found.drop("_first").join(listed, on="row_id", how="left")
    where, where_en = where_claims(pl.col("_others"))
    return flags(
        found,
        pl.format(
            "联系电话 {} 对应 {} 名不同学员（另见{}）", "_phone", "_trainees", where.list.join("；")
        ),
        pl.format(
            "phone {} given for {} different trainees (also {})",
            "_phone",
            "_trainees",
            where_en.list.join("; "),
        ),
        pl.lit(0, dtype=pl.Int64),
        {
            "phone": pl.col("_phone"),
            "trainees": pl.col("_trainees"),
            "other_claims": pl.col("_others"),
            "other_claims_count": pl.col("_claims") - 1,
        },
    )
