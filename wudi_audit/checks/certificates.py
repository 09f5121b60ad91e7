"""S308: one certificate number on more than one claim (证书编号复用)."""

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
from wudi_audit.facts.certificate import certificate_key
from wudi_audit.rules.pack import RulePack


@register(
    "S308",
    "证书编号重复使用",
    "certificate number reused",
    Severity.REVIEW,
    "六、培训实施：「培训结束后对参训人员组织考核，考核工作按照《关于做好职业技能培训合格证书"
    "发放管理服务工作的通知》（苏人保职〔2021〕26号）执行」；八、工作要求 6：「对在培训中弄虚作假，"
    "虚报冒领补贴资金的培训机构，取消项目制培训主体资格」",
    needs=("claims", "column:certificate_no"),
    example_zh="证书编号 ZS2026000123 另见于 2 笔申领"
    "（本批次第 17 行；台账批次“2026第1批”第 5 行）",
    example_en="certificate ZS2026000123 also on 2 claims (row 17; ledger batch 2026第1批 row 5)",
)
def certificate_reused(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The same certificate number (upper-cased, white space removed) on more than one
    claim, in the batch or the ledger, other than the same claim recorded again (same
    identity number and class). Every batch claim that carries it is flagged, with the
    other claims as evidence (at most ten and the count). Empty cells never match; a claim
    is never its own evidence, also when its identity number or class is empty. Bounded
    however many claims share one number: each number's occurrences are counted and the
    first few listed once, never joined pairwise."""
    key = certificate_key(pl.col("certificate_no")).alias("_cert")
    batch = held(
        inputs.claims.lazy()
        .select("row_id", "id_number", "class_id", "source_row", key)
        .filter(pl.col("_cert").is_not_null() & (pl.col("_cert") != ""))
    )
    occurrences = pl.concat(
        [
            batch.select(
                "_cert",
                "id_number",
                "class_id",
                pl.col("source_row"),
                pl.lit(None, pl.String).alias("batch_id"),
                pl.col("row_id").cast(pl.Int64).alias("_self"),
            ),
            inputs.history.lazy()
            .with_columns(certificate_key(pl.col("certificate_no")).alias("_cert"))
            .join(batch.select("_cert").unique(), on="_cert", how="semi")
            .select(
                "_cert",
                "id_number",
                "class_id",
                "source_row",
                "batch_id",
                pl.lit(None, pl.Int64).alias("_self"),
            ),
        ]
    )
    # a number found once (the claim itself) is never reused: only the others are counted
    occurrences = occurrences.filter(pl.col("_cert").is_duplicated())
    listed = EVIDENCE_LISTED * 2  # enough to list ten after a claim's own are taken out
    per_number = (
        occurrences.sort("_cert", "batch_id", "source_row", nulls_last=False)
        .group_by("_cert", maintain_order=True)
        .agg(
            pl.len().alias("_total"),
            pl.struct(
                pl.col("batch_id").alias("_o_batch"),
                pl.col("source_row").alias("_o_row"),
                pl.col("id_number").alias("_o_id"),
                pl.col("class_id").alias("_o_class"),
                pl.col("_self").alias("_o_self"),
            )
            .head(listed)
            .alias("_first"),
        )
    )
    # how often each claim (identity number and class, both given) carries the number
    same = (
        occurrences.filter(pl.col("id_number").is_not_null() & pl.col("class_id").is_not_null())
        .group_by("_cert", "id_number", "class_id")
        .len("_same")
    )
    found = (
        batch.select("row_id", "_cert", "id_number", "class_id", "source_row")
        .join(per_number, on="_cert")
        .join(same, on=["_cert", "id_number", "class_id"], how="left")
        .with_columns((pl.col("_total") - pl.col("_same").fill_null(1)).alias("_n"))
        .filter(pl.col("_n") > 0)
    )
    # the listed others: the number's first occurrences but the claim itself and the same
    # claim recorded again (at most `listed` a claim: bounded)
    mine = (pl.col("_o_self") == pl.col("row_id").cast(pl.Int64)).fill_null(False) | (
        (pl.col("_o_id") == pl.col("id_number")) & (pl.col("_o_class") == pl.col("class_id"))
    ).fill_null(False)
    listed_others = (
        found.select("row_id", "id_number", "class_id", "_first")
        .explode("_first")
        .unnest("_first")
        .filter(~mine)
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
    others = found.drop("_first").join(listed_others, on="row_id", how="left")
    where, where_en = where_claims(pl.col("_others"))
    return flags(
        others,
        pl.format(
            "证书编号 {} 另见于 {} 笔申领（{}）", "_cert", "_n", where.list.head(5).list.join("；")
        ),
        pl.format(
            "certificate {} also on {} claims ({})",
            "_cert",
            "_n",
            where_en.list.head(5).list.join("; "),
        ),
        pl.lit(0, dtype=pl.Int64),
        {
            "certificate_no": pl.col("_cert"),
            "other_claims": pl.col("_others"),
            "other_claims_count": pl.col("_n"),
        },
    )
