"""D — data quality (数据质量): empty, unparseable and impossible values."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, register, whole_claim_at_stake
from wudi_audit.normalise.table import parse_number
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.tables import CLAIMS, Kind

HOURS_EXEMPTION = ("online_hours", "offline_hours")
PARSED_KINDS = (Kind.DATE, Kind.NUMBER, Kind.MONEY, Kind.ASSESSMENT, Kind.MODE)
SIGNED_FIELDS = ("online_hours", "offline_hours", "total_hours", "amount")


Problem = tuple[pl.Expr, str | pl.Expr, str | pl.Expr]


def _as_expr(text: str | pl.Expr) -> pl.Expr:
    return text if isinstance(text, pl.Expr) else pl.lit(text)


def _problem_list(problems: list[Problem]) -> tuple[pl.Expr, pl.Expr]:
    zh = pl.concat_list([pl.when(c).then(_as_expr(t)) for c, t, _ in problems])
    en = pl.concat_list([pl.when(c).then(_as_expr(t)) for c, _, t in problems])
    return zh.list.drop_nulls(), en.list.drop_nulls()


def _flag_problems(claims: pl.DataFrame, problems: list[Problem]) -> pl.LazyFrame:
    """The problems' words are built only for the claims that have one: a filter on the
    conditions first, so that a clean batch formats no text."""
    zh, en = _problem_list(problems)
    any_problem = pl.any_horizontal([condition for condition, _, _ in problems])
    found = claims.lazy().filter(any_problem).with_columns(zh.alias("_zh"), en.alias("_en"))
    return flags(
        found,
        pl.col("_zh").list.join("；"),
        pl.col("_en").list.join("; "),
        whole_claim_at_stake(),
        {"problems": pl.col("_en")},
    )


@register(
    "D001",
    "必填项为空",
    "required field empty",
    Severity.REJECT,
    "六、培训实施：「真实、完整记录培训过程」",
    example_zh="第 12 行：开班日期为空",
    example_en="row 12: start_date is empty",
)
def required_field_empty(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A required field is empty. An empty online or offline hours cell counts as 0 when the
    other hours cell is filled; both empty is D001. An empty assessment is T204, not D001."""
    problems = []
    for field in CLAIMS.required:
        if field.name in HOURS_EXEMPTION or field.name == "assessment":
            continue
        empty = pl.col(f"{field.name}__raw").is_null()
        problems.append((empty, f"{field.label_zh}为空", f"{field.name} is empty"))
    both_hours_empty = (
        pl.col("online_hours__raw").is_null() & pl.col("offline_hours__raw").is_null()
    )
    problems.append(
        (both_hours_empty, "线上课时和线下课时均为空", "online_hours and offline_hours are empty")
    )
    return _flag_problems(inputs.claims, problems)


@register(
    "D002",
    "无法解析的值",
    "value cannot be parsed",
    Severity.REJECT,
    "六、培训实施：「真实、完整记录培训过程」",
    example_zh="结业日期“2026-02-30”无法识别为日期",
    example_en="end_date '2026-02-30' is not a date",
)
def unparseable_value(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A date, number or enumerated value (assessment, mode) cannot be parsed."""
    problems = []
    for field in CLAIMS.fields:
        if field.kind not in PARSED_KINDS:
            continue
        raw = pl.col(f"{field.name}__raw")
        bad = raw.is_not_null() & pl.col(field.name).is_null()
        what_zh = {Kind.DATE: "日期", Kind.ASSESSMENT: "考核结果", Kind.MODE: "培训模式"}.get(
            field.kind, "数值"
        )
        what_en = {Kind.DATE: "a date", Kind.ASSESSMENT: "an assessment result"}.get(
            field.kind, "a training mode" if field.kind is Kind.MODE else "a number"
        )
        problems.append(
            (
                bad,
                pl.format(f"{field.label_zh}“{{}}”无法识别为{what_zh}", raw),
                pl.format(f"{field.name} '{{}}' is not {what_en}", raw),
            )
        )
    return _flag_problems(inputs.claims, problems)


@register(
    "D003",
    "课时或金额为负数或非有限值",
    "negative or non-finite hours or amount",
    Severity.REJECT,
    "七、培训补贴：「按线上培训不超过15元/课时/人、线下培训不超过30元/课时/人的标准」",
    example_zh="线下课时 -8 为负数",
    example_en="offline_hours -8 is negative",
)
def negative_or_non_finite(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Hours or amount negative, infinite or NaN."""
    # only a cell whose prepared value is negative or missing can be either (a value that
    # is not finite is prepared as missing, a negative one kept): the rest are not parsed
    # again (100,000 claims: 0.07 s against 0.005 s)
    maybe = [
        pl.col(f"{name}__raw").is_not_null()
        & (pl.col(name).is_null() | (pl.col(name) < 0)).fill_null(True)
        for name in SIGNED_FIELDS
    ]
    # eager: a lazy filter would be merged with the one below, parsing every cell again
    candidates = inputs.claims.filter(pl.any_horizontal(maybe))
    problems = []
    for name in SIGNED_FIELDS:
        field = CLAIMS.field(name)
        value = parse_number(pl.col(f"{name}__raw"))  # as written: prepared values drop inf
        negative = value < 0
        non_finite = value.is_not_null() & ~value.is_finite()
        problems.append(
            (
                negative.fill_null(False),
                pl.format(f"{field.label_zh} {{}} 为负数", pl.col(f"{name}__raw")),
                pl.format(f"{name} {{}} is negative", pl.col(f"{name}__raw")),
            )
        )
        problems.append(
            (
                non_finite.fill_null(False),
                pl.format(f"{field.label_zh} {{}} 不是有限数值", pl.col(f"{name}__raw")),
                pl.format(f"{name} {{}} is not finite", pl.col(f"{name}__raw")),
            )
        )
    return _flag_problems(candidates, problems)
