"""S308: one certificate number on more than one claim (证书编号复用)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, register
from wudi_audit.rules.pack import RulePack


def certificate_key(column: pl.Expr) -> pl.Expr:
    """Upper case, white space removed (full-width characters are folded on reading)."""
    return column.str.replace_all(r"\s", "").str.to_uppercase()


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
    other claims as evidence. Empty cells never match."""
    batch = (
        inputs.claims.lazy()
        .with_columns(certificate_key(pl.col("certificate_no")).alias("_cert"))
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
            ),
            inputs.history_scan.with_columns(
                certificate_key(pl.col("certificate_no")).alias("_cert")
            )
            .join(batch.select("_cert").unique(), on="_cert", how="semi")
            .select("_cert", "id_number", "class_id", "source_row", "batch_id"),
        ]
    )
    same_claim = (pl.col("id_number") == pl.col("_o_id")).fill_null(False) & (
        pl.col("class_id") == pl.col("_o_class")
    ).fill_null(False)
    others = (
        batch.select("row_id", "_cert", "id_number", "class_id", "source_row")
        .join(
            occurrences.rename(
                {
                    "id_number": "_o_id",
                    "class_id": "_o_class",
                    "source_row": "_o_row",
                    "batch_id": "_o_batch",
                }
            ),
            on="_cert",
        )
        .filter(~same_claim)
        .sort("row_id", "_o_batch", "_o_row", nulls_last=False)
        .group_by("row_id", "_cert", maintain_order=True)
        .agg(
            pl.struct(
                pl.col("_o_batch").alias("batch_id"),
                pl.col("_o_row").alias("source_row"),
                pl.col("_o_id").alias("id_number"),
            ).alias("_others"),
            pl.len().alias("_n"),
        )
    )
    where = pl.col("_others").list.eval(
        pl.when(pl.element().struct.field("batch_id").is_null())
        .then(pl.format("本批次第 {} 行", pl.element().struct.field("source_row")))
        .otherwise(
            pl.format(
                "台账批次“{}”第 {} 行",
                pl.element().struct.field("batch_id"),
                pl.element().struct.field("source_row"),
            )
        )
    )
    where_en = pl.col("_others").list.eval(
        pl.when(pl.element().struct.field("batch_id").is_null())
        .then(pl.format("row {}", pl.element().struct.field("source_row")))
        .otherwise(
            pl.format(
                "ledger batch {} row {}",
                pl.element().struct.field("batch_id"),
                pl.element().struct.field("source_row"),
            )
        )
    )
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
        {"certificate_no": pl.col("_cert"), "other_claims": pl.col("_others")},
    )
