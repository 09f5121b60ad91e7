"""O405, O406 — where and who (notice §3, §8): training at the provider's own registered
sites, a provider identified by a valid unified social credit code."""

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
    CLAUSE_CREDIT_CODE,
    CLAUSE_NO_SUBCONTRACT,
    PROVIDER,
    PROVIDER_COLUMNS,
    claims_of,
    provider_matches,
    provider_text,
)
from wudi_audit.facts import uscc
from wudi_audit.rules.pack import RulePack


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
    # judged once per (provider, site) of the batch, then given back to its claims
    key = [*PROVIDER, "training_site"]
    asked = inputs.claims.lazy().select(key).filter(pl.col("training_site").is_not_null()).unique()
    matched = asked.join(provider_matches(inputs), on=PROVIDER, how="inner", nulls_equal=True)
    site = reference.fold_key(pl.col("training_site"))
    per_key = matched.group_by(key).agg(
        pl.col("_p_sites")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique()
        .len()
        .alias("_site_count"),
        pl.col("_p_row").sort().alias("_list_rows"),
    )
    registered = (
        matched.select(*key, site.alias("_site"), "_p_sites")
        .explode("_p_sites")
        .filter(pl.col("_p_sites") == pl.col("_site"))
        .select(key)
        .unique()
    )
    found = claims_of(inputs, per_key.join(registered, on=key, how="anti", nulls_equal=True), key)
    who_zh, who_en = provider_text()
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
    # judged once per distinct code (a batch has thousands of claims per provider), at
    # once and in memory: a few hundred codes (the streaming engine took 10× as long)
    invalid = (
        inputs.claims.select(code.drop_nulls().unique())
        .with_columns(uscc.problem(code).alias("_problem"))
        .filter(pl.col("_problem").is_not_null())
        .with_columns(uscc.expected_check_char(code).alias("_expected"))
    )
    found = inputs.claims.lazy().join(invalid.lazy(), on="provider_code", how="inner")
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
