"""O407 — the catalogue itself (notice §5): no catalogue project that duplicates an
urban-rural labourer training project. Judged by `wudi-audit catalog check` before any
claim is paid under the catalogue: both lists are read like every other list and judged by
this registered rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import REGISTRY, Severity, flags, register
from wudi_audit.normalise.inputs import AuditInputs, read_reference
from wudi_audit.normalise.table import normalize
from wudi_audit.read.raw import ReadLimits, SourceFile
from wudi_audit.rules.pack import RulePack


@dataclass
class CatalogCheck:
    entries: int
    overlaps: pl.DataFrame  # one row per overlapping catalogue entry, COLUMNS
    sources: dict[str, list[SourceFile]]


def check_catalog(catalog: Path, urban_rural: Path, pack: RulePack) -> CatalogCheck:
    limits = ReadLimits.from_pack(pack.limits)
    raw = {
        "catalog": read_reference("catalog", catalog, limits),
        "urban_rural": read_reference("urban_rural", urban_rural, limits),
    }
    tables = {name: normalize(table) for name, table in raw.items()}
    inputs = AuditInputs(
        pl.DataFrame(),
        references=tables,
        reference_fields={name: table.present_fields for name, table in raw.items()},
    )
    flags = REGISTRY["O407"].check(inputs, pack).collect()
    evidence = pl.col("evidence").str.json_decode(
        pl.Struct({"matched_by": pl.List(pl.String), "urban_rural_rows": pl.List(pl.Int64)})
    )
    overlaps = (
        flags.join(tables["catalog"], on="row_id", how="left")
        .with_columns(evidence.struct.field("urban_rural_rows").alias("urban_rural_rows"))
        .sort("source_row")
    )
    return CatalogCheck(
        tables["catalog"].height, overlaps, {name: t.sources for name, t in raw.items()}
    )


def project_name_key(text: pl.Expr) -> pl.Expr:
    """A project name or occupation for comparing lists: folded, without white space or
    quotation marks (`“吴地工匠” 家政 服务` = `吴地工匠家政服务`)."""
    return reference.fold_key(text).str.replace_all(r"[\"'“”‘’「」『』《》〈〉]", "")


@register(
    "O407",
    "目录项目与城乡劳动者职业技能培训项目重合",
    "catalogue project overlaps the urban-rural training projects",
    Severity.REVIEW,
    "五、确定培训目录和培训机构 1：「原则上，各地人社部门公布的项目制培训目录清单不得与各地公布的"
    "城乡劳动者职业技能培训项目重合」",
    needs=("catalog", "urban_rural"),
    example_zh="目录项目 WDGJ2026-004 的职业（工种）“家政服务员”"
    "与城乡劳动者职业技能培训项目第 3 行重合",
    example_en="catalogue project WDGJ2026-004: occupation 家政服务员 is on the urban-rural "
    "list, row 3",
    scope="catalog",
)
def catalog_overlaps_urban_rural(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A catalogue entry (项目目录清单) whose occupation, or whose project name, is also on
    the urban-rural labourer training projects list (城乡劳动者职业技能培训项目), both
    compared folded, without white space or quotation marks. Run by `wudi-audit catalog
    check`; `row_id` is the catalogue's row. Nothing is at stake: no claim is judged."""
    catalog = (
        inputs.references["catalog"]
        .lazy()
        .with_columns(
            project_name_key(pl.col("project_name")).alias("_name"),
            project_name_key(pl.col("occupation")).alias("_occupation"),
        )
    )
    listed = inputs.references["urban_rural"].lazy()
    pairs = []
    for kind, column, key in (
        ("project_name", "project_name", "_name"),
        ("occupation", "occupation", "_occupation"),
    ):
        keys = listed.select(
            project_name_key(pl.col(column)).alias(key), pl.col("source_row").alias("_ur_row")
        ).drop_nulls(key)
        pairs.append(
            catalog.filter(pl.col(key).is_not_null())
            .join(keys, on=key, how="inner")
            .select(
                "row_id", pl.lit(kind).alias("_kind"), pl.col(column).alias("_value"), "_ur_row"
            )
        )
    found = (
        pl.concat(pairs)
        .group_by("row_id")
        .agg(
            pl.col("_kind").unique().sort().alias("_kinds"),
            pl.col("_value").first().alias("_value"),
            pl.col("_kind").first().alias("_first_kind"),
            pl.col("_ur_row").unique().sort().alias("_ur_rows"),
        )
        .join(catalog, on="row_id", how="left")
    )
    rows = pl.col("_ur_rows").cast(pl.List(pl.String)).list.join("、")
    what_zh = (
        pl.when(pl.col("_first_kind") == "occupation")
        .then(pl.lit("职业（工种）"))
        .otherwise(pl.lit("项目名称"))
    )
    what_en = (
        pl.when(pl.col("_first_kind") == "occupation")
        .then(pl.lit("occupation"))
        .otherwise(pl.lit("project name"))
    )
    code = pl.col("project_code")
    return flags(
        found,
        pl.format(
            "目录项目 {} 的{}“{}”与城乡劳动者职业技能培训项目第 {} 行重合",
            code,
            what_zh,
            pl.col("_value"),
            rows,
        ),
        pl.format(
            "catalogue project {}: {} {} is on the urban-rural list, row {}",
            code,
            what_en,
            pl.col("_value"),
            rows,
        ),
        pl.lit(0, dtype=pl.Int64),
        {"matched_by": pl.col("_kinds"), "urban_rural_rows": pl.col("_ur_rows")},
    )
