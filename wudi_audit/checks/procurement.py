"""O403, O404 — what was procured (notice §5, §8): a project under a catalogue entry in
force, run by the provider that won it."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    register,
    whole_claim_at_stake,
)
from wudi_audit.checks.providers import (
    CLAUSE_CATALOG,
    CLAUSE_NO_SUBCONTRACT,
    PROVIDER,
    PROVIDER_COLUMNS,
    claims_of,
    provider_matches,
    provider_text,
    with_periods,
)
from wudi_audit.rules.pack import RulePack


@register(
    "O403",
    "培训项目不在目录清单或不在有效期内",
    "project not in the catalogue on the training dates",
    Severity.REJECT,
    CLAUSE_CATALOG,
    needs=("claims", "catalog"),
    example_zh="项目 WDGJ2026-009 不在项目目录清单中",
    example_en="project WDGJ2026-009 is not in the catalogue",
)
def project_not_in_catalog(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The project code is not in the published catalogue (项目目录清单), or some day of the
    training (start to end date) is outside every catalogue entry of the project (empty
    start = always, empty end = still in force, both ends inclusive)."""
    entries = reference.catalog_entries(inputs.references["catalog"])
    start, end = pl.col("start_date"), pl.col("end_date")
    covered = reference.covers(pl.col("_c_from"), pl.col("_c_to"), start, end)
    period_zh, period_en = reference.period_text(pl.col("_c_from"), pl.col("_c_to"))
    matched = (
        inputs.claims.lazy()
        .select("row_id", "project_code", "start_date", "end_date")
        .join(entries, left_on="project_code", right_on="_c_code", how="inner")
    )
    per_claim = matched.group_by("row_id").agg(covered.fill_null(True).any().alias("_covered"))
    claims = (
        inputs.claims.lazy()
        .filter(pl.col("project_code").is_not_null())
        .join(per_claim, on="row_id", how="left")
    )
    absent = pl.col("_covered").is_null()
    found = claims.filter(absent | ~pl.col("_covered"))
    # the catalogue periods in words, for the flagged claims only
    found = with_periods(found, matched, period_zh, period_en, "_c_row")
    code = pl.col("project_code")
    return flags(
        found,
        pl.when(absent)
        .then(pl.format("项目 {} 不在项目目录清单中", code))
        .otherwise(
            pl.format(
                "培训 {} 至 {} 不在项目 {} 的目录有效期内（{}）",
                start,
                end,
                code,
                pl.col("_periods_zh"),
            )
        ),
        pl.when(absent)
        .then(pl.format("project {} is not in the catalogue", code))
        .otherwise(
            pl.format(
                "training {} to {} is outside the catalogue entry of project {} ({})",
                start,
                end,
                code,
                pl.col("_periods_en"),
            )
        ),
        whole_claim_at_stake(),
        {"in_catalog": ~absent, "list_rows": pl.col("_list_rows")},
    )


@register(
    "O404",
    "培训机构不是该项目的中标机构",
    "provider is not the procurement winner of the project",
    Severity.REJECT,
    CLAUSE_NO_SUBCONTRACT,
    needs=("claims", "providers", PROVIDER_COLUMNS, "providers:project_codes"),
    example_zh="培训机构“苏州某培训学校”未中标项目 WDGJ2026-002（中标项目：WDGJ2026-001）",
    example_en="provider 苏州某培训学校 did not win project WDGJ2026-002 (won: WDGJ2026-001)",
)
def provider_not_winner(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The provider, found on the list, is not the procurement winner (中标机构) of the
    claim's project: the project code is not among the codes in the 中标项目 cells of any
    of its rows (split on ，,;；、 and white space) — a sign of subcontracting (转包,
    委托办班). A provider not on the list is O401's business, not this rule's."""
    # judged once per (provider, project) of the batch, then given back to its claims
    key = [*PROVIDER, "project_code"]
    asked = inputs.claims.lazy().select(key).filter(pl.col("project_code").is_not_null()).unique()
    matched = asked.join(provider_matches(inputs), on=PROVIDER, how="inner", nulls_equal=True)
    per_key = matched.group_by(key).agg(
        pl.col("_p_projects")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias("_won"),
        pl.col("_p_row").sort().alias("_list_rows"),
    )
    winners = (
        matched.select(*key, "_p_projects")
        .explode("_p_projects")
        .filter(pl.col("_p_projects") == pl.col("project_code"))
        .select(key)
        .unique()
    )
    found = claims_of(inputs, per_key.join(winners, on=key, how="anti", nulls_equal=True), key)
    who_zh, who_en = provider_text()
    won = pl.col("_won").list.join("、")
    won_zh = pl.when(pl.col("_won").list.len() > 0).then(won).otherwise(pl.lit("无"))
    won_en = pl.when(pl.col("_won").list.len() > 0).then(won).otherwise(pl.lit("none"))
    return flags(
        found,
        pl.format(
            "培训机构{}未中标项目 {}（中标项目：{}）", who_zh, pl.col("project_code"), won_zh
        ),
        pl.format(
            "provider {} did not win project {} (won: {})", who_en, pl.col("project_code"), won_en
        ),
        whole_claim_at_stake(),
        {"won_projects": pl.col("_won"), "list_rows": pl.col("_list_rows")},
    )
