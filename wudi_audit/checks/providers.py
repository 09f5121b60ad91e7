"""O — providers and catalogue (机构与目录, notice §3, §5, §8): registered procurement
winners only, at their own registered sites, under a catalogue entry in force.

A claim's provider is found on the providers list (备案机构名单) by its unified social
credit code; a claim without a code, or whose code is not on the list, is found by its
name (folded, all white space removed, otherwise exact), but never on a list row that
carries a different code. A provider may stand on several rows (renewed registrations,
one row per project): its registration is the union of them.

When the claims file has neither a 统一社会信用代码 nor a 培训机构 column, O401, O402,
O404 and O405 are not run and the report names the columns (no claim could be matched).
A claim whose provider cells are both empty is O401 (the provider is not identified).
"""

from __future__ import annotations

import polars as pl

from wudi_audit.checks import reference
from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    held,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rules.pack import RulePack

PROVIDER_COLUMNS = "column:provider_code|provider_name"

CLAUSE_REGISTERED = (
    "五、确定培训目录和培训机构 2：「公示无异议的培训机构应到申报地人社部门进行备案后，"
    "方可实施项目培训」"
)
CLAUSE_DISQUALIFIED = (
    "八、工作要求 6：「对在培训中弄虚作假，虚报冒领补贴资金的培训机构，取消项目制培训主体资格」"
)
CLAUSE_CATALOG = (
    "五、确定培训目录和培训机构 1：「评审通过的目录清单向社会公布。…"
    "培训目录清单可根据实际定期动态更新」"
)
CLAUSE_NO_SUBCONTRACT = (
    "八、工作要求 3：「培训办班主体必须为招投标确定的培训机构本身，不得以任何形式另行设点、转包"
    "或以其它形式委托他人办班」"
)
CLAUSE_CREDIT_CODE = (
    "三、培训主体：「依法合规设立、具有职业培训资质的职业培训机构、职业学校、企业等…均可申请实施"
    "“吴地工匠”项目制培训」"
)


def provider_entries(providers: pl.DataFrame) -> pl.LazyFrame:
    """The providers list's rows with their matching keys and split multi-valued cells."""
    return providers.lazy().select(
        pl.col("source_row").alias("_p_row"),
        pl.col("provider_code").alias("_p_code"),
        reference.fold_key(pl.col("provider_name")).alias("_p_name"),
        pl.col("valid_from").alias("_p_from"),
        pl.col("valid_to").alias("_p_to"),
        reference.fold_key(pl.col("status")).str.contains("取消").fill_null(False).alias("_p_out"),
        pl.col("disqualified_from").alias("_p_disq"),
        reference.project_code_keys(pl.col("project_codes")).alias("_p_projects"),
        reference.site_keys(pl.col("sites")).alias("_p_sites"),
    )


PROVIDER = ["provider_code", "provider_name"]  # what a claim's provider is found by
LIST_FIELDS = ["_p_row", "_p_from", "_p_to", "_p_out", "_p_disq", "_p_projects", "_p_sites"]


def provider_matches(inputs: AuditInputs) -> pl.LazyFrame:
    """Each distinct (code, name) of the batch's claims with every list row of that
    provider: the list is searched once per provider, not once per claim."""
    entries = provider_entries(inputs.references["providers"])
    providers = (
        inputs.claims.lazy()
        .select(PROVIDER)
        .unique()
        .with_columns(reference.fold_key(pl.col("provider_name")).alias("_name_key"))
    )
    by_code = providers.filter(pl.col("provider_code").is_not_null()).join(
        entries.filter(pl.col("_p_code").is_not_null()),
        left_on="provider_code",
        right_on="_p_code",
        how="inner",
    )
    codes_on_list = entries.select(pl.col("_p_code").alias("provider_code")).drop_nulls().unique()
    by_name = (
        providers.filter(pl.col("_name_key").is_not_null())
        .join(codes_on_list, on="provider_code", how="anti", nulls_equal=False)
        .join(entries, left_on="_name_key", right_on="_p_name", how="inner")
        .filter(pl.col("provider_code").is_null() | pl.col("_p_code").is_null())
    )
    keep = [*PROVIDER, *LIST_FIELDS]
    return pl.concat([by_code.select(keep), by_name.select(keep)], how="vertical")


def matched_entries(inputs: AuditInputs) -> pl.LazyFrame:
    """Each claim (row_id, with its fields) joined to every list row of its provider."""
    claim_fields = [
        "row_id",
        "start_date",
        "end_date",
        "project_code",
        "training_site",
        *PROVIDER,
        "amount_fen",
    ]
    return (
        inputs.claims.lazy()
        .select(claim_fields)
        .join(provider_matches(inputs), on=PROVIDER, how="inner", nulls_equal=True)
    )


def claims_of(inputs: AuditInputs, found: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """The claims whose `key` values (nulls equal) are among `found`'s, with its columns,
    in row order: a rule judged once per distinct key gives back every claim of it."""
    return inputs.claims.lazy().join(found, on=key, how="inner", nulls_equal=True).sort("row_id")


def provider_text() -> tuple[pl.Expr, pl.Expr]:
    name = pl.col("provider_name").fill_null("")
    code = pl.col("provider_code")
    zh = (
        pl.when(code.is_null())
        .then(pl.format("“{}”", name))
        .otherwise(pl.format("“{}”（{}）", name, code))
    )
    en = (
        pl.when(code.is_null())
        .then(pl.format("{}", name))
        .otherwise(pl.format("{} ({})", name, code))
    )
    return zh, en


def with_periods(
    found: pl.LazyFrame,
    matched: pl.LazyFrame,
    period_zh: pl.Expr,
    period_en: pl.Expr,
    list_row: str,
) -> pl.LazyFrame:
    """The flagged claims with the list entries' validity periods in words and rows."""
    periods = (
        matched.join(found.select("row_id"), on="row_id", how="semi")
        .group_by("row_id")
        .agg(
            period_zh.sort().str.join("；").alias("_periods_zh"),
            period_en.sort().str.join("; ").alias("_periods_en"),
            pl.col(list_row).sort().alias("_list_rows"),
        )
    )
    return found.join(periods, on="row_id", how="left")


@register(
    "O401",
    "培训机构未备案或不在备案期内",
    "provider not registered on the training dates",
    Severity.REJECT,
    CLAUSE_REGISTERED,
    needs=("claims", "providers", PROVIDER_COLUMNS),
    example_zh="培训机构“苏州某培训学校”（91320594780268314T）不在备案机构名单中",
    example_en="provider 苏州某培训学校 (91320594780268314T) is not on the providers list",
)
def provider_not_registered(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The provider is not on the registered-provider list (备案机构名单), matched by its
    unified social credit code, else by its normalised name; or some day of the training
    (start to end date) is outside every one of its registration periods (empty start =
    always, empty end = still registered, both ends inclusive). A claim with neither a
    code nor a name is flagged too: its provider is not identified."""
    matched = held(matched_entries(inputs))  # read twice: the verdict, then the periods
    start, end = pl.col("start_date"), pl.col("end_date")
    covered = reference.covers(pl.col("_p_from"), pl.col("_p_to"), start, end)
    period_zh, period_en = reference.period_text(pl.col("_p_from"), pl.col("_p_to"))
    per_claim = matched.group_by("row_id").agg((covered.fill_null(True)).any().alias("_covered"))
    claims = inputs.claims.lazy().join(per_claim, on="row_id", how="left")
    unknown = pl.col("_covered").is_null()
    found = claims.filter(unknown | ~pl.col("_covered"))
    # the registration periods in words, for the flagged claims only
    found = with_periods(found, matched, period_zh, period_en, "_p_row")
    who_zh, who_en = provider_text()
    anonymous = pl.col("provider_code").is_null() & pl.col("provider_name").is_null()
    message_zh = (
        pl.when(anonymous)
        .then(pl.lit("未填写培训机构（名称和统一社会信用代码均为空）"))
        .when(unknown)
        .then(pl.format("培训机构{}不在备案机构名单中", who_zh))
        .otherwise(
            pl.format(
                "培训 {} 至 {} 不在培训机构{}的备案期内（{}）",
                start,
                end,
                who_zh,
                pl.col("_periods_zh"),
            )
        )
    )
    message_en = (
        pl.when(anonymous)
        .then(pl.lit("no provider given (name and credit code both empty)"))
        .when(unknown)
        .then(pl.format("provider {} is not on the providers list", who_en))
        .otherwise(
            pl.format(
                "training {} to {} is outside the registration of {} ({})",
                start,
                end,
                who_en,
                pl.col("_periods_en"),
            )
        )
    )
    return flags(
        found,
        message_zh,
        message_en,
        whole_claim_at_stake(),
        {
            "on_list": ~unknown,
            "list_rows": pl.col("_list_rows"),
            "registration": pl.col("_periods_en"),
        },
    )


@register(
    "O402",
    "培训机构已取消资格",
    "provider disqualified",
    Severity.REJECT,
    CLAUSE_DISQUALIFIED,
    needs=("claims", "providers", PROVIDER_COLUMNS),
    example_zh="培训机构“苏州某培训学校”自 2026-03-10 起取消资格，结业日期 2026-03-15",
    example_en="provider 苏州某培训学校 disqualified from 2026-03-10, training ended 2026-03-15",
)
def provider_disqualified(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The provider (found on the list) is disqualified (取消资格): a row of it has a
    disqualification date on or before the training end date, or the status 取消资格 with
    no date. A claim without a readable end date is judged by the dateless status only."""
    matched = matched_entries(inputs)
    dated = pl.col("_p_disq").is_not_null() & (pl.col("_p_disq") <= pl.col("end_date"))
    undated = pl.col("_p_out") & pl.col("_p_disq").is_null()
    found = (
        matched.filter(dated.fill_null(False) | undated)
        .sort("row_id", pl.col("_p_disq"), nulls_last=False)
        .unique("row_id", keep="first", maintain_order=True)
    )
    who_zh, who_en = provider_text()
    with_date = pl.col("_p_disq").is_not_null()
    return flags(
        found,
        pl.when(with_date)
        .then(
            pl.format(
                "培训机构{}自 {} 起取消资格，结业日期 {}",
                who_zh,
                pl.col("_p_disq"),
                pl.col("end_date"),
            )
        )
        .otherwise(pl.format("培训机构{}状态为取消资格", who_zh)),
        pl.when(with_date)
        .then(
            pl.format(
                "provider {} disqualified from {}, training ended {}",
                who_en,
                pl.col("_p_disq"),
                pl.col("end_date"),
            )
        )
        .otherwise(pl.format("provider {} has the status 取消资格 (disqualified)", who_en)),
        whole_claim_at_stake(),
        {"list_row": pl.col("_p_row"), "disqualified_from": pl.col("_p_disq")},
    )
