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

from wudi_audit import reference, uscc
from wudi_audit.checks.base import (
    AuditInputs,
    Severity,
    flags,
    register,
    whole_claim_at_stake,
)
from wudi_audit.rulepack import RulePack

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


def matched_entries(inputs: AuditInputs) -> pl.LazyFrame:
    """Each claim (row_id, with its fields) joined to every list row of its provider."""
    entries = provider_entries(inputs.references["providers"])
    claims = inputs.claims.lazy().with_columns(
        reference.fold_key(pl.col("provider_name")).alias("_name_key")
    )
    by_code = claims.filter(pl.col("provider_code").is_not_null()).join(
        entries.filter(pl.col("_p_code").is_not_null()),
        left_on="provider_code",
        right_on="_p_code",
        how="inner",
    )
    codes_on_list = entries.select(pl.col("_p_code").alias("provider_code")).drop_nulls().unique()
    by_name = (
        claims.filter(pl.col("_name_key").is_not_null())
        .join(codes_on_list, on="provider_code", how="anti", nulls_equal=False)
        .join(entries, left_on="_name_key", right_on="_p_name", how="inner")
        .filter(pl.col("provider_code").is_null() | pl.col("_p_code").is_null())
    )
    keep = [
        "row_id",
        "start_date",
        "end_date",
        "project_code",
        "training_site",
        "provider_code",
        "provider_name",
        "amount_fen",
        "_p_row",
        "_p_from",
        "_p_to",
        "_p_out",
        "_p_disq",
        "_p_projects",
        "_p_sites",
    ]
    return pl.concat([by_code.select(keep), by_name.select(keep)], how="vertical")


def _provider_text() -> tuple[pl.Expr, pl.Expr]:
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


def _with_periods(
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
    matched = matched_entries(inputs)
    start, end = pl.col("start_date"), pl.col("end_date")
    covered = reference.covers(pl.col("_p_from"), pl.col("_p_to"), start, end)
    period_zh, period_en = reference.period_text(pl.col("_p_from"), pl.col("_p_to"))
    per_claim = matched.group_by("row_id").agg((covered.fill_null(True)).any().alias("_covered"))
    claims = inputs.claims.lazy().join(per_claim, on="row_id", how="left")
    unknown = pl.col("_covered").is_null()
    found = claims.filter(unknown | ~pl.col("_covered"))
    # the registration periods in words, for the flagged claims only
    found = _with_periods(found, matched, period_zh, period_en, "_p_row")
    who_zh, who_en = _provider_text()
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
    who_zh, who_en = _provider_text()
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
    found = _with_periods(found, matched, period_zh, period_en, "_c_row")
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
    matched = matched_entries(inputs).filter(pl.col("project_code").is_not_null())
    per_claim = matched.group_by("row_id").agg(
        pl.col("_p_projects")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .sort()
        .alias("_won"),
        pl.col("_p_row").sort().alias("_list_rows"),
    )
    winners = (
        matched.select("row_id", "project_code", "_p_projects")
        .explode("_p_projects")
        .filter(pl.col("_p_projects") == pl.col("project_code"))
        .select("row_id")
        .unique()
    )
    found = (
        inputs.claims.lazy()
        .join(per_claim, on="row_id", how="inner")
        .join(winners, on="row_id", how="anti")
    )
    who_zh, who_en = _provider_text()
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


@register(
    "O405",
    "培训地点不是备案地点",
    "training site not registered",
    Severity.REVIEW,
    CLAUSE_NO_SUBCONTRACT,
    needs=(
        "claims",
        "providers",
        PROVIDER_COLUMNS,
        "column:training_site",
        "providers:sites",
    ),
    example_zh="培训地点“吴中区某路8号”不在培训机构“苏州某培训学校”的备案地点中",
    example_en="site 吴中区某路8号 is not a registered site of 苏州某培训学校",
)
def site_not_registered(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The training site is not among the registered sites (备案地点) of the provider
    (found on the list), compared after full-width folding with all white space removed
    (另行设点 sign). The list's cells hold several sites separated by ，,;；、 or white
    space. A claim with an empty site cell is not judged."""
    matched = matched_entries(inputs).filter(pl.col("training_site").is_not_null())
    site = reference.fold_key(pl.col("training_site"))
    per_claim = matched.group_by("row_id").agg(
        pl.col("_p_sites")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .len()
        .alias("_site_count"),
        pl.col("_p_row").sort().alias("_list_rows"),
    )
    registered = (
        matched.select("row_id", site.alias("_site"), "_p_sites")
        .explode("_p_sites")
        .filter(pl.col("_p_sites") == pl.col("_site"))
        .select("row_id")
        .unique()
    )
    found = (
        inputs.claims.lazy()
        .join(per_claim, on="row_id", how="inner")
        .join(registered, on="row_id", how="anti")
    )
    who_zh, who_en = _provider_text()
    return flags(
        found,
        pl.format("培训地点“{}”不在培训机构{}的备案地点中", pl.col("training_site"), who_zh),
        pl.format(
            "site {} is not a registered site of provider {}", pl.col("training_site"), who_en
        ),
        whole_claim_at_stake(),
        {
            "training_site": pl.col("training_site"),
            "registered_sites": pl.col("_site_count"),
            "list_rows": pl.col("_list_rows"),
        },
    )


@register(
    "O406",
    "统一社会信用代码无效",
    "invalid unified social credit code",
    Severity.REJECT,
    CLAUSE_CREDIT_CODE,
    needs=("claims", "column:provider_code"),
    example_zh="统一社会信用代码 91320594780268314A 校验码错误（应为 T）",
    example_en="credit code 91320594780268314A: wrong check character (expected T)",
)
def credit_code_invalid(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The provider's unified social credit code (GB 32100-2015) is invalid: not 18
    characters, a character outside `0-9A-HJ-NPQRTUWXY` (no I, O, Z, S, V), or a wrong
    check character (weights 3^i mod 31). Codes that start with a letter (Y 其他, A, N)
    are legal. An empty code is not judged."""
    code = pl.col("provider_code")
    found = (
        inputs.claims.lazy()
        .with_columns(uscc.problem(code).alias("_problem"))
        .filter(pl.col("_problem").is_not_null())
        .with_columns(uscc.expected_check_char(code).alias("_expected"))
    )
    problem = pl.col("_problem")
    return flags(
        found,
        pl.when(problem == "length")
        .then(pl.format("统一社会信用代码 {} 长度为 {} 位，应为 18 位", code, code.str.len_chars()))
        .when(problem == "characters")
        .then(pl.format("统一社会信用代码 {} 含不允许的字符（不用 I、O、Z、S、V）", code))
        .otherwise(
            pl.format("统一社会信用代码 {} 校验码错误（应为 {}）", code, pl.col("_expected"))
        ),
        pl.when(problem == "length")
        .then(pl.format("credit code {} has {} characters, not 18", code, code.str.len_chars()))
        .when(problem == "characters")
        .then(pl.format("credit code {} has characters outside 0-9A-HJ-NPQRTUWXY", code))
        .otherwise(
            pl.format(
                "credit code {}: wrong check character (expected {})", code, pl.col("_expected")
            )
        ),
        whole_claim_at_stake(),
        {"credit_code": code, "problem": problem, "expected_check": pl.col("_expected")},
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
