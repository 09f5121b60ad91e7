"""P — trainee eligibility (人员资格, notice §2): identity, working age, excluded persons,
eligible categories, one number with several names."""

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
from wudi_audit.facts import idnumber, retirement
from wudi_audit.rules.pack import RulePack

CLAUSE_TARGET = (
    "二、培训对象：「“吴地工匠”项目制培训对象为劳动年龄段的有劳动能力和培训意愿的城乡劳动者，"
    "主要为：本市户籍劳动者、持本市居住证的外来户籍劳动者、毕业年度高校毕业生和离校2年内未就业"
    "高校毕业生（含技师学院）等。财政供养人员除外。」"
)

LOCAL = "本市户籍"
PERMIT = "居住证"
GRADUATING = "毕业年度高校毕业生"
RECENT_GRADUATE = "离校2年内未就业高校毕业生"
CATEGORY_ALIASES = {
    LOCAL: ("本市户籍", "户籍", "本市户籍人员", "本市户籍劳动者", "苏州户籍", "苏州市户籍"),
    PERMIT: (
        "居住证",
        "持居住证",
        "持本市居住证",
        "居住证人员",
        "持本市居住证的外来户籍劳动者",
        "持苏州居住证",
    ),
    GRADUATING: ("毕业年度高校毕业生", "毕业年度", "应届高校毕业生", "毕业年度毕业生"),
    RECENT_GRADUATE: (
        "离校2年内未就业高校毕业生",
        "离校两年内未就业高校毕业生",
        "离校2年内未就业",
        "离校两年内未就业",
    ),
}
CATEGORY_EN = {
    LOCAL: "local hukou",
    PERMIT: "residence permit",
    GRADUATING: "graduating-year graduate",
    RECENT_GRADUATE: "unemployed graduate within 2 years",
}
ID_REASONS_EN = {
    "格式不符（应为17位数字加1位数字或X）": "not 17 digits followed by a digit or X",
    "前两位不是省级行政区划代码": "first two digits are not a province code",
    "出生日期不存在": "impossible birth date",
    "出生日期在未来": "birth date in the future",
    "校验码错误": "wrong check digit",
    "已脱敏（含*号）": "masked",
}


def _category(raw: pl.Expr) -> pl.Expr:
    key = raw.str.replace_all(r"\s", "").str.replace(r"\([^()]*\)$", "")
    aliases = {a: canonical for canonical, names in CATEGORY_ALIASES.items() for a in names}
    return key.replace_strict(aliases, default=None, return_dtype=pl.String)


@register(
    "P101",
    "公民身份号码无效",
    "identity number invalid",
    Severity.REJECT,
    CLAUSE_TARGET,
    example_zh="公民身份号码无效：校验码错误",
    example_en="identity number invalid: wrong check digit",
)
def identity_number_invalid(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Not 18 characters of GB 11643 form (17 digits then a digit or X), first two digits
    not a province code, impossible or future birth date, or a wrong ISO 7064 MOD 11-2 check
    digit. A 15-digit legacy number is upgraded (19 inserted, check digit added) and
    accepted. The 6-digit region code is not checked against a list. A number damaged by a
    spreadsheet is P102 instead."""
    found = (
        inputs.claims.lazy()
        .filter(pl.col("id_invalid").is_not_null())
        .with_columns(pl.col("id_invalid").alias("_reason"))
    )
    reason_en = pl.col("_reason").replace_strict(ID_REASONS_EN, default=pl.col("_reason"))
    return flags(
        found,
        pl.format("公民身份号码无效：{}", pl.col("_reason")),
        pl.format("identity number invalid: {}", reason_en),
        whole_claim_at_stake(),
        {"reason": reason_en, "length": pl.col("id_number").str.len_chars()},
    )


@register(
    "P102",
    "公民身份号码被表格软件损坏",
    "identity number damaged by a spreadsheet",
    Severity.REJECT,
    CLAUSE_TARGET,
    example_zh="公民身份号码以数值形式存储（末几位已丢失，无法恢复），请以文本格式重新导出",
    example_en="identity number stored as a number (last digits lost); re-export it as text",
)
def identity_number_damaged(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The identity cell was stored as a number, is in scientific notation, or its last
    three digits are zeros with a failing check digit: Excel keeps 15 significant digits,
    so the number cannot be repaired, only re-exported as text."""
    number = pl.col("id_number")
    scientific = number.str.contains(idnumber.SCIENTIFIC).fill_null(False)
    kind = (
        pl.when(scientific)
        .then(pl.lit("scientific"))
        .when(idnumber.trailing_zeros_damaged(number))
        .then(pl.lit("trailing_zeros"))
        .otherwise(pl.lit("number"))
    )
    found = inputs.claims.lazy().filter(pl.col("id_damaged")).with_columns(kind.alias("_kind"))
    zh = pl.col("_kind").replace_strict(
        {
            "scientific": "公民身份号码为科学计数法（如 3.2E+17），末几位已丢失",
            "number": "公民身份号码单元格为数值格式，末几位已丢失",
            "trailing_zeros": "公民身份号码末三位为 0 且校验失败，疑为数值格式导致精度丢失",
        }
    )
    en = pl.col("_kind").replace_strict(
        {
            "scientific": "identity number in scientific notation; its last digits are lost",
            "number": "identity number stored as a number; its last digits are lost",
            "trailing_zeros": "identity number ends in 000 and fails its check: precision lost",
        }
    )
    return flags(
        found,
        zh + pl.lit("，无法恢复，请将该列设为文本后重新导出"),
        en + pl.lit("; it cannot be repaired, re-export the column as text"),
        whole_claim_at_stake(),
        {"stored_as": pl.col("_kind")},
    )


@register(
    "P103",
    "不在劳动年龄段",
    "outside working age",
    Severity.REJECT,
    CLAUSE_TARGET,
    params=("min_working_age", "women_retirement_track"),
    example_zh="开班时 60岁3个月，已达法定退休年龄 60岁1个月（男，1965年1月出生）",
    example_en="aged 60y3m at the start, at/over the retirement age 60y1m (male, born 1965-01)",
)
def outside_working_age(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Younger than the minimum age, or at/over the statutory retirement age for the birth
    month and sex (17th digit), with the gradual increase from 2025-01-01, on the training
    start date. Too young: start before the 16th birthday. Too old: start on or after
    birth date + retirement age in years and months (same day, clamped to month end).
    Which women's track (55 or 50) applies is a rule-pack parameter."""
    min_age = int(pack["min_working_age"])
    track = int(pack["women_retirement_track"])
    born, male = pl.col("birth_date"), pl.col("male")  # null unless the number is valid
    limit = retirement.statutory_age_months(born, male, track)
    start = pl.col("start_date")
    frame = inputs.claims.lazy().with_columns(
        born.alias("_born"),
        male.alias("_male"),
        limit.alias("_limit"),
        retirement.age_in_months(born, start).alias("_age"),
        (start < born.dt.offset_by(f"{min_age}y")).alias("_young"),
        (start >= retirement.add_months(born, limit)).alias("_old"),
    )
    found = frame.filter(
        born.is_not_null() & start.is_not_null() & (pl.col("_young") | pl.col("_old"))
    )
    age_zh = retirement.years_months_zh(pl.col("_age"))
    age_en = retirement.years_months_en(pl.col("_age"))
    limit_zh = retirement.years_months_zh(pl.col("_limit"))
    limit_en = retirement.years_months_en(pl.col("_limit"))
    sex_zh = pl.when(pl.col("_male")).then(pl.lit("男")).otherwise(pl.lit(f"女，{track}岁轨道"))
    sex_en = (
        pl.when(pl.col("_male")).then(pl.lit("male")).otherwise(pl.lit(f"female, {track} track"))
    )
    born_month = pl.col("_born").dt.strftime("%Y年%-m月")
    return flags(
        found,
        pl.when(pl.col("_young"))
        .then(pl.format(f"开班时 {{}}，未满 {min_age} 周岁", age_zh))
        .otherwise(
            pl.format(
                "开班时 {}，已达法定退休年龄 {}（{}，{}出生）", age_zh, limit_zh, sex_zh, born_month
            )
        ),
        pl.when(pl.col("_young"))
        .then(pl.format(f"aged {{}} at the start, under {min_age}", age_en))
        .otherwise(
            pl.format(
                "aged {} at the start, at/over the retirement age {} ({}, born {})",
                age_en,
                limit_en,
                sex_en,
                pl.col("_born").dt.strftime("%Y-%m"),
            )
        ),
        whole_claim_at_stake(),
        {
            "age_months": pl.col("_age"),
            "retirement_age_months": pl.col("_limit"),
            "too_young": pl.col("_young"),
        },
    )


DEFAULT_KIND = "财政供养人员"  # SPEC §3.3: a list without 名单类别


@register(
    "P104",
    "财政供养、死亡、服刑等名单人员",
    "on an excluded-persons list",
    Severity.REJECT,
    CLAUSE_TARGET,
    needs=("claims", "excluded"),
    example_zh="开班日期在死亡人员名单有效期内（2025-06-01 起）",
    example_en="on the excluded-persons list (死亡人员) on the start date (from 2025-06-01)",
)
def on_excluded_roster(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The identity number is on an excluded-persons list on the training start date: the
    财政供养人员名单, or another list of persons not to be paid (死亡人员, 服刑人员, 在校学生
    …, its 名单类别; empty means 财政供养人员). An empty valid_from means always, an empty
    valid_to still in force (a date of death or the start of a sentence excludes from that
    date on); both ends inclusive. The message and the evidence name the kind."""
    lists = inputs.references["excluded"]
    kind = pl.col("kind") if "kind" in lists.columns else pl.lit(None, pl.String)
    file = (
        pl.col("source_file").str.extract(r"([^/\\\\]+)$")
        if "source_file" in lists.columns
        else pl.lit(None, pl.String)
    )
    roster = (
        lists.lazy()
        .select(
            pl.col("id_number").alias("_roster_id"),
            pl.col("valid_from").alias("_from"),
            pl.col("valid_to").alias("_to"),
            pl.col("source_row").alias("_roster_row"),
            file.alias("_roster_file"),
            kind.fill_null(DEFAULT_KIND).alias("_kind"),
        )
        .drop_nulls("_roster_id")
    )
    start = pl.col("start_date")
    joined = (
        inputs.claims.lazy()
        .filter(start.is_not_null() & pl.col("id_number").is_not_null())
        .join(roster, left_on="id_number", right_on="_roster_id", how="inner")
        .filter(reference.in_range(pl.col("_from"), pl.col("_to"), start))
        .unique("row_id", keep="first", maintain_order=True)
    )
    period, period_en = reference.period_text(pl.col("_from"), pl.col("_to"))
    return flags(
        joined,
        pl.format("开班日期 {} 在{}名单有效期内（{}）", start, "_kind", period),
        pl.format(
            "on the excluded-persons list ({}) on the start date {} ({})", "_kind", start, period_en
        ),
        whole_claim_at_stake(),
        {
            "kind": pl.col("_kind"),
            "roster_file": pl.col("_roster_file"),
            "roster_row": pl.col("_roster_row"),
            "valid_from": pl.col("_from"),
            "valid_to": pl.col("_to"),
        },
    )


@register(
    "P105",
    "人员类别不符合条件",
    "trainee category not eligible",
    Severity.REJECT,
    CLAUSE_TARGET,
    needs=("claims", "column:category"),
    example_zh="离校2年内未就业高校毕业生：毕业日期 2023-06-30 早于开班日期前 2 年（2024-03-02）",
    example_en="graduate: left school 2023-06-30, before the start date minus 2 years",
)
def category_not_eligible(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Category missing or not one of 本市户籍 / 居住证 / 毕业年度高校毕业生 /
    离校2年内未就业高校毕业生; or a graduate whose graduation date is missing or outside the
    window: graduating-year graduates graduate in the calendar year of the training start;
    the 2-year group left school on or after the start date minus 2 years (exactly 2 years
    is eligible)."""
    category = _category(pl.col("category"))
    start, graduated = pl.col("start_date"), pl.col("graduation_date")
    graduate = pl.col("_category").is_in([GRADUATING, RECENT_GRADUATE])
    unreadable_graduation = pl.col("graduation_date__raw").is_not_null() & graduated.is_null()
    window_start = start.dt.offset_by("-2y")
    problem = (
        pl.when(pl.col("category").is_null())
        .then(pl.lit("missing"))
        .when(pl.col("_category").is_null())
        .then(pl.lit("not_eligible"))
        .when(graduate & pl.col("graduation_date__raw").is_null())
        .then(pl.lit("no_graduation_date"))
        .when(graduate & (unreadable_graduation | start.is_null()))
        .then(None)  # D001/D002: cannot be judged
        .when((pl.col("_category") == GRADUATING) & (graduated.dt.year() != start.dt.year()))
        .then(pl.lit("not_graduating_year"))
        .when((pl.col("_category") == RECENT_GRADUATE) & (graduated < window_start))
        .then(pl.lit("left_too_early"))
    )
    found = (
        inputs.claims.lazy()
        .with_columns(category.alias("_category"))
        .with_columns(problem.alias("_problem"), window_start.alias("_window"))
        .filter(pl.col("_problem").is_not_null())
    )
    p = pl.col("_problem")
    zh = (
        pl.when(p == "missing")
        .then(pl.lit("人员类别为空"))
        .when(p == "not_eligible")
        .then(pl.format("人员类别“{}”不属于培训对象", pl.col("category")))
        .when(p == "no_graduation_date")
        .then(pl.format("{}缺少毕业时间", pl.col("_category")))
        .when(p == "not_graduating_year")
        .then(
            pl.format("毕业年度高校毕业生：毕业时间 {} 与开班日期 {} 不在同一年", graduated, start)
        )
        .otherwise(
            pl.format(
                "离校2年内未就业高校毕业生：毕业时间 {} 早于开班日期前 2 年（{}）",
                graduated,
                pl.col("_window"),
            )
        )
    )
    en = (
        pl.when(p == "missing")
        .then(pl.lit("trainee category is empty"))
        .when(p == "not_eligible")
        .then(pl.format("category '{}' is not an eligible group", pl.col("category")))
        .when(p == "no_graduation_date")
        .then(pl.lit("graduate without a graduation date"))
        .when(p == "not_graduating_year")
        .then(
            pl.format(
                "graduating-year graduate: graduated {}, training started {}", graduated, start
            )
        )
        .otherwise(
            pl.format(
                "graduate within 2 years: left school {}, before {} (start minus 2 years)",
                graduated,
                pl.col("_window"),
            )
        )
    )
    return flags(
        found,
        zh,
        en,
        whole_claim_at_stake(),
        {"problem": p, "category": pl.col("category"), "graduation_date": graduated},
    )


@register(
    "P106",
    "同一身份证号对应不同姓名",
    "one identity number, different names",
    Severity.REVIEW,
    CLAUSE_TARGET,
    example_zh="同一公民身份号码在本批次中另有姓名（见证据）",
    example_en="the same identity number appears with another name (see evidence)",
)
def one_number_several_names(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The same identity number appears with different names, in the batch or against the
    ledger: every batch claim of that number is flagged, with the other names (and the
    ledger batches that hold them) as evidence. Names are compared with all white space
    removed (`王　伟` = `王伟`); no other folding."""
    name_key = pl.col("name").str.replace_all(r"\s", "")
    claims = (
        inputs.claims.lazy()
        .filter(pl.col("id_number").is_not_null() & pl.col("name").is_not_null())
        .with_columns(name_key.alias("_name_key"))
    )
    ledger = (
        inputs.history.lazy()
        .filter(pl.col("id_number").is_not_null() & pl.col("name").is_not_null())
        .select("id_number", name_key.alias("_name_key"), "batch_id")
    )
    batch_names = claims.select("id_number", "_name_key", pl.lit(None, pl.String).alias("batch_id"))
    every_name = pl.concat([batch_names, ledger])
    # only a number seen with two names or more is gathered (the others are most numbers)
    several = (
        every_name.select("id_number", "_name_key")
        .unique()
        .filter(pl.col("id_number").is_duplicated())
        .select("id_number")
        .unique()
    )
    names = (
        every_name.join(several, on="id_number", how="semi")
        .group_by("id_number")
        .agg(
            pl.col("_name_key").unique().sort().alias("_names"),
            pl.col("batch_id").drop_nulls().unique().sort().alias("_ledger_batches"),
        )
    )
    found = (
        claims.join(names, on="id_number")
        .filter(pl.col("_names").list.len() > 1)
        .with_columns(
            pl.col("_names")
            .list.set_difference(pl.concat_list(pl.col("_name_key")))
            .alias("_others")
        )
    )
    count = pl.col("_names").list.len()
    in_ledger = pl.col("_ledger_batches").list.len() > 0
    return flags(
        found,
        pl.format(
            "同一公民身份号码在{}中对应 {} 个不同姓名",
            pl.when(in_ledger).then(pl.lit("本批次及台账")).otherwise(pl.lit("本批次")),
            count,
        ),
        pl.format(
            "the same identity number appears with {} different names{}",
            count,
            pl.when(in_ledger).then(pl.lit(" (batch and ledger)")).otherwise(pl.lit("")),
        ),
        pl.lit(0, dtype=pl.Int64),
        {
            "other_names": pl.col("_others").list.head(EVIDENCE_LISTED),
            "other_names_count": pl.col("_others").list.len(),
            "ledger_batches": pl.col("_ledger_batches").list.head(EVIDENCE_LISTED),
            "ledger_batches_count": pl.col("_ledger_batches").list.len(),
        },
    )
