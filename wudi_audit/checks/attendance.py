"""T — attendance forensics (考勤): hours not attended, one person in two classes at once,
study outside the class dates, online 挂机, one device for many trainees (notice §6, §8)."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, fmt_number, message, register
from wudi_audit.checks.subsidy import rate_fen
from wudi_audit.rulepack import RulePack

CLAUSE_RECORDS = (
    "六、培训实施：「真实、完整记录培训过程，并做好培训签到、台帐资料收集存档、效果监测等培训管理工作，"
    "切实做到培训过程可查询、可追溯」"
)
CLAIM_KEY = ["id_number", "class_id"]
TIME_FORMAT = "%Y-%m-%d %H:%M"


def _claims(inputs: AuditInputs) -> pl.LazyFrame:
    """Claims that can be matched to attendance: identity number and class present, and
    the number not damaged by a spreadsheet (P102: it cannot identify anybody)."""
    return inputs.claims.lazy().filter(
        pl.col("id_number").is_not_null() & pl.col("class_id").is_not_null() & ~pl.col("id_damaged")
    )


def _records(inputs: AuditInputs) -> pl.LazyFrame:
    assert inputs.attendance is not None
    return inputs.attendance.lazy().filter(
        pl.col("id_number").is_not_null() & pl.col("class_id").is_not_null()
    )


def _capped(at_stake: pl.Expr) -> pl.Expr:
    """Money at stake never exceeds the claim's own (non-negative) amount."""
    return pl.min_horizontal(
        at_stake.round(0).cast(pl.Int64).clip(lower_bound=0),
        pl.col("amount_fen").clip(lower_bound=0).fill_null(0),
    )


@register(
    "T205",
    "考勤课时少于申领课时",
    "attendance credits fewer hours than claimed",
    Severity.REJECT,
    CLAUSE_RECORDS,
    params=("attendance_tolerance_hours", "minutes_per_class_hour"),
    needs=("claims", "attendance"),
    example_zh="线下：申领 24 课时，考勤认定 16 课时，差 8 课时 > 容差 0.5",
    example_en="offline: claimed 24 h, attendance credits 16 h, short by 8 > tolerance 0.5",
)
def attendance_short_of_claim(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Attendance credits fewer hours than claimed, online or offline, by more than the
    tolerance per mode. A record credits its `hours`, else its minutes ÷ the minutes of one
    class hour, unrounded, summed per claim (person × class) and mode; extra hours in one
    mode never offset a shortfall in the other. Without a mode column, totals are compared.
    A claim with no attendance record at all is flagged. At stake: the missing hours at the
    claim's capped rates."""
    tolerance = float(pack["attendance_tolerance_hours"])
    by_mode = "mode" in inputs.attendance_fields
    records = _records(inputs)
    credited = records.group_by(CLAIM_KEY).agg(
        pl.col("credited_hours").filter(pl.col("mode") == "online").sum().alias("_online"),
        pl.col("credited_hours").filter(pl.col("mode") == "offline").sum().alias("_offline"),
        pl.col("credited_hours").sum().alias("_total"),
        pl.len().alias("_records"),
    )
    on_rate, off_rate = rate_fen(pack, "online_rate_max"), rate_fen(pack, "offline_rate_max")
    claims = (
        _claims(inputs)
        .join(credited, on=CLAIM_KEY, how="left")
        .with_columns(
            pl.col("_records").fill_null(0),
            pl.col("_online", "_offline", "_total").fill_null(0.0),
        )
    )
    short_on = (pl.col("online_hours") - pl.col("_online")).clip(lower_bound=0)
    short_off = (pl.col("offline_hours") - pl.col("_offline")).clip(lower_bound=0)
    short_total = (pl.col("claimed_hours") - pl.col("_total")).clip(lower_bound=0)
    if by_mode:
        flagged_when = (short_on > tolerance) | (short_off > tolerance)
        at_stake = short_on * on_rate + short_off * off_rate
    else:
        flagged_when = short_total > tolerance
        # no mode: the missing share of the claim's cap
        cap = pl.col("online_hours") * on_rate + pl.col("offline_hours") * off_rate
        share = pl.when(pl.col("claimed_hours") > 0).then(short_total / pl.col("claimed_hours"))
        at_stake = (cap * share).fill_null(0)
    none = pl.col("_records") == 0
    found = claims.filter(
        pl.col("claimed_hours").is_not_null() & (none | flagged_when)
    ).with_columns(short_on.alias("_short_on"), short_off.alias("_short_off"))
    tol = fmt_number(pl.lit(tolerance))

    def part(label_zh: str, label_en: str, claimed: str, got: str, short: pl.Expr):
        c, g, d = fmt_number(pl.col(claimed)), fmt_number(pl.col(got)), fmt_number(short)
        zh = pl.format(
            f"{label_zh}：申领 {{}} 课时，考勤认定 {{}} 课时，差 {{}} 课时 > 容差 {{}}",
            c,
            g,
            d,
            tol,
        )
        en = pl.format(
            f"{label_en}: claimed {{}} h, attendance credits {{}} h, "
            "short by {} > tolerance {}",
            c,
            g,
            d,
            tol,
        )
        return pl.when(short > tolerance).then(zh), pl.when(short > tolerance).then(en)

    if by_mode:
        on_zh, on_en = part("线上", "online", "online_hours", "_online", pl.col("_short_on"))
        off_zh, off_en = part("线下", "offline", "offline_hours", "_offline", pl.col("_short_off"))
        detail_zh = pl.concat_str([off_zh, on_zh], separator="；", ignore_nulls=True)
        detail_en = pl.concat_str([off_en, on_en], separator="; ", ignore_nulls=True)
    else:
        detail_zh, detail_en = part("合计", "total", "claimed_hours", "_total", short_total)
    return flags(
        found,
        pl.when(none).then(pl.lit("该学员在本班无任何考勤记录")).otherwise(detail_zh),
        pl.when(none)
        .then(pl.lit("no attendance record for this trainee in this class"))
        .otherwise(detail_en),
        _capped(at_stake),
        {
            "records": pl.col("_records"),
            "credited_online": pl.col("_online").round(2),
            "credited_offline": pl.col("_offline").round(2),
            "credited_total": pl.col("_total").round(2),
        },
    )


def _blocks(records: pl.LazyFrame) -> pl.LazyFrame:
    """Merge each person's records in one class into blocks of overlapping time, so that
    blocks of one class never overlap each other (touching records stay separate)."""
    timed = records.filter(
        pl.col("sign_in").is_not_null()
        & pl.col("sign_out").is_not_null()
        & (pl.col("sign_out") > pl.col("sign_in"))
    ).sort(["id_number", "class_id", "sign_in"])
    earlier_end = pl.col("sign_out").cum_max().shift(1).over(CLAIM_KEY)
    starts_block = earlier_end.is_null() | (pl.col("sign_in") >= earlier_end)
    return (
        timed.with_columns(starts_block.cast(pl.UInt32).cum_sum().over(CLAIM_KEY).alias("_block"))
        .group_by([*CLAIM_KEY, "_block"])
        .agg(pl.col("sign_in").min(), pl.col("sign_out").max())
    )


def overlapping_classes(records: pl.LazyFrame) -> pl.LazyFrame:
    """Pairs (person, class, other class, both time ranges) of overlapping attendance, by
    sort-and-sweep per person over class blocks: a block overlaps an earlier one iff it
    starts before the largest earlier end. Near-linear: no cross join. Only persons with
    records in two classes or more can overlap another class, so only theirs are swept
    (in an export, a small share of the records: the sort is the costly part)."""
    several = (
        records.select(CLAIM_KEY)
        .unique()
        .group_by("id_number")
        .len()
        .filter(pl.col("len") > 1)
        .select("id_number")
    )
    records = records.join(several, on="id_number", how="semi")
    blocks = _blocks(records).sort(["id_number", "sign_in"])
    sets_max = pl.col("sign_out") == pl.col("sign_out").cum_max().over("id_number")
    carried = [
        pl.when(sets_max)
        .then(pl.col(c))
        .forward_fill()
        .over("id_number")
        .shift(1)
        .over("id_number")
        for c in ("class_id", "sign_in", "sign_out")
    ]
    swept = blocks.with_columns(
        carried[0].alias("_other_class"),
        carried[1].alias("_other_in"),
        carried[2].alias("_other_out"),
    ).filter(pl.col("_other_out").is_not_null() & (pl.col("sign_in") < pl.col("_other_out")))
    forward = swept.select(
        "id_number",
        "class_id",
        "sign_in",
        "sign_out",
        pl.col("_other_class"),
        pl.col("_other_in"),
        pl.col("_other_out"),
    )
    backward = swept.select(
        "id_number",
        pl.col("_other_class").alias("class_id"),
        pl.col("_other_in").alias("sign_in"),
        pl.col("_other_out").alias("sign_out"),
        pl.col("class_id").alias("_other_class"),
        pl.col("sign_in").alias("_other_in"),
        pl.col("sign_out").alias("_other_out"),
    )
    return pl.concat([forward, backward])


@register(
    "T206",
    "同一时段在两个班级签到",
    "attendance overlaps another class",
    Severity.REVIEW,
    CLAUSE_RECORDS,
    needs=("claims", "attendance"),
    example_zh="与班级 BJ2026002 的考勤时间重叠：本班 2026-03-02 08:30–11:30，"
    "另班 2026-03-02 09:00–12:00",
    example_en="overlaps class BJ2026002: here 2026-03-02 08:30–11:30, there 09:00–12:00",
)
def overlapping_attendance(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """The trainee's attendance in one class overlaps in time with a record of the same
    person in another class (any class in the attendance file, claimed in this batch or
    not); every batch claim involved is flagged, with the other class and both time ranges.
    Touching intervals (one ends 10:00, the next starts 10:00) do not overlap."""
    pairs = (
        overlapping_classes(_records(inputs))
        .sort(["id_number", "class_id", "sign_in"])
        .group_by(CLAIM_KEY)
        .agg(pl.all().first(), pl.len().alias("_overlaps"))
    )
    found = _claims(inputs).join(pairs, on=CLAIM_KEY, how="inner")

    def span(start: str, end: str) -> pl.Expr:
        return pl.format(
            "{}–{}", pl.col(start).dt.strftime(TIME_FORMAT), pl.col(end).dt.strftime("%H:%M")
        )

    here, there = span("sign_in", "sign_out"), span("_other_in", "_other_out")
    return flags(
        found,
        *message(
            "与班级 {other_class} 的考勤时间重叠：本班 {here}，另班 {there}（共 {overlaps} 处）",
            "overlaps class {other_class}: here {here}, there {there} ({overlaps} overlaps)",
            other_class=pl.col("_other_class"),
            here=here,
            there=there,
            overlaps=pl.col("_overlaps"),
        ),
        pl.lit(0, dtype=pl.Int64),
        {
            "other_class": pl.col("_other_class"),
            "this_range": pl.concat_list(
                pl.col("sign_in").dt.strftime(TIME_FORMAT),
                pl.col("sign_out").dt.strftime(TIME_FORMAT),
            ),
            "other_range": pl.concat_list(
                pl.col("_other_in").dt.strftime(TIME_FORMAT),
                pl.col("_other_out").dt.strftime(TIME_FORMAT),
            ),
            "overlaps": pl.col("_overlaps"),
        },
    )


@register(
    "T207",
    "考勤日期在开班结业日期之外",
    "attendance outside the class dates",
    Severity.REVIEW,
    CLAUSE_RECORDS,
    needs=("claims", "attendance"),
    example_zh="3 条考勤在开班结业日期（2026-03-02 至 2026-03-15）之外，最早 2026-02-27 08:30",
    example_en="3 records outside the class dates (2026-03-02 to 2026-03-15), "
    "first 2026-02-27 08:30",
)
def attendance_outside_class_dates(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """An attendance record of the claim whose sign-in date or sign-out date falls outside
    the class's [start, end] dates (both inclusive). At stake: those records' credited
    hours at the claim's capped rates."""
    on_rate, off_rate = rate_fen(pack, "online_rate_max"), rate_fen(pack, "offline_rate_max")
    claims = _claims(inputs).filter(
        pl.col("start_date").is_not_null() & pl.col("end_date").is_not_null()
    )
    records = _records(inputs).select(
        *CLAIM_KEY, "sign_in", "sign_in_date", "sign_out_date", "credited_hours", "mode"
    )
    outside = (
        claims.select("row_id", *CLAIM_KEY, "start_date", "end_date")
        .join(records, on=CLAIM_KEY, how="inner")
        .filter(
            ~pl.col("sign_in_date")
            .is_between(pl.col("start_date"), pl.col("end_date"))
            .fill_null(True)
            | ~pl.col("sign_out_date")
            .is_between(pl.col("start_date"), pl.col("end_date"))
            .fill_null(True)
        )
        .group_by("row_id")
        .agg(
            pl.len().alias("_count"),
            pl.col("sign_in").min().alias("_first"),
            pl.col("credited_hours").filter(pl.col("mode") == "online").sum().alias("_on"),
            pl.col("credited_hours").filter(pl.col("mode") != "online").sum().alias("_off"),
        )
    )
    found = claims.join(outside, on="row_id", how="inner")
    first = pl.col("_first").dt.strftime(TIME_FORMAT).fill_null("—")
    return flags(
        found,
        *message(
            "{count} 条考勤在开班结业日期（{start_date} 至 {end_date}）之外，最早 {first}",
            "{count} records outside the class dates ({start_date} to {end_date}), first {first}",
            count=pl.col("_count"),
            start_date=pl.col("start_date"),
            end_date=pl.col("end_date"),
            first=first,
        ),
        _capped(pl.col("_on") * on_rate + pl.col("_off") * off_rate),
        {"records": pl.col("_count"), "first_sign_in": first},
    )


@register(
    "T209",
    "线上学习单日课时超限",
    "online hours above the daily maximum",
    Severity.REVIEW,
    "八、工作要求 5：「特别是对于采取纯线上培训模式的，要对授课方式和课程内容等情况不定期进行核查，"
    "及时掌握实际培训情况」",
    params=("max_online_hours_per_day", "minutes_per_class_hour"),
    needs=("claims", "attendance", "attendance:mode"),
    example_zh="2026-03-05 线上认定 11.5 课时 > 每日上限 8 课时",
    example_en="2026-03-05: 11.5 online hours credited > daily maximum 8",
)
def online_hours_per_day(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """Online study credited to one person on one calendar day (a record counts on its
    sign-in date, across all classes) above the daily maximum; exactly the maximum is
    allowed. Every batch claim with online records on such a day is flagged (挂机 sign).
    At stake: the claim's online hours that day above the maximum, at the online rate."""
    maximum = float(pack["max_online_hours_per_day"])
    online = _records(inputs).filter(
        (pl.col("mode") == "online") & pl.col("sign_in_date").is_not_null()
    )
    days = (
        online.group_by(["id_number", "sign_in_date"])
        .agg(pl.col("credited_hours").sum().alias("_day_hours"))
        .filter(pl.col("_day_hours") > maximum + 1e-9)
    )
    per_claim = (
        online.join(days, on=["id_number", "sign_in_date"], how="inner")
        .group_by([*CLAIM_KEY, "sign_in_date"])
        .agg(pl.col("credited_hours").sum().alias("_claim_day"), pl.col("_day_hours").first())
        .with_columns(
            (pl.col("_claim_day") - (maximum * pl.col("_claim_day") / pl.col("_day_hours"))).alias(
                "_excess"
            )
        )
        .sort("_day_hours", descending=True)
        .group_by(CLAIM_KEY)
        .agg(
            pl.col("sign_in_date").first().alias("_worst_day"),
            pl.col("_day_hours").first().alias("_worst_hours"),
            pl.len().alias("_days"),
            pl.col("_excess").sum(),
        )
    )
    found = _claims(inputs).join(per_claim, on=CLAIM_KEY, how="inner")
    limit = fmt_number(pl.lit(maximum))
    hours = fmt_number(pl.col("_worst_hours"))
    return flags(
        found,
        *message(
            "{worst_day} 线上认定 {hours} 课时 > 每日上限 {limit} 课时（超限 {days} 天）",
            "{worst_day}: {hours} online hours credited > daily maximum {limit} ({days} days over)",
            worst_day=pl.col("_worst_day"),
            hours=hours,
            limit=limit,
            days=pl.col("_days"),
        ),
        _capped(pl.col("_excess") * rate_fen(pack, "online_rate_max")),
        {
            "day": pl.col("_worst_day"),
            "online_hours": pl.col("_worst_hours").round(2),
            "days_over": pl.col("_days"),
        },
    )


@register(
    "T210",
    "同一设备短时间内多人签到",
    "one device, many trainees signing in",
    Severity.REVIEW,
    "八、工作要求 2：「可进行学员实名（身份证）注册、身份核验、学习过程监控、培训记录和考勤查询」",
    params=("device_window_minutes", "device_max_trainees"),
    needs=("claims", "attendance", "attendance:device"),
    example_zh="设备 D-017 在 10 分钟内有 6 名不同学员签到（截至 2026-03-02 08:35）",
    example_en="device D-017: 6 different trainees signed in within 10 minutes (to 08:35)",
)
def device_shared_by_many(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """More than the allowed number of different trainees sign in on one device within a
    short window (代签到 / proxy sign-in sign). Every batch claim with a sign-in in such a
    window is flagged, with the device and the number of trainees as evidence. Where the
    attendance has a mode column only online records count: a classroom's sign-in
    terminal is shared by the whole class by design."""
    window = int(pack["device_window_minutes"])
    most = int(pack["device_max_trainees"])
    online_only = pl.col("mode") == "online" if "mode" in inputs.attendance_fields else True
    signed = (
        _records(inputs)
        .filter(pl.col("device").is_not_null() & pl.col("sign_in").is_not_null() & online_only)
        .select("device", "sign_in", "id_number", "class_id")
    )
    # a window never holds more trainees than the device has in all: only devices used
    # by more than `most` trainees are rolled over (a phone is nearly always one person's)
    shared = (
        signed.group_by("device")
        .agg(pl.col("id_number").n_unique().alias("_all"))
        .filter(pl.col("_all") > most)
        .select("device")
    )
    signed = signed.join(shared, on="device", how="semi").sort(["device", "sign_in"])
    windows = (
        signed.rolling(index_column="sign_in", period=f"{window}m", group_by="device")
        .agg(
            pl.col("id_number").n_unique().alias("_people"),
            pl.struct("id_number", "class_id").alias("_who"),
        )
        .filter(pl.col("_people") > most)
    )
    involved = (
        windows.explode("_who")
        .unnest("_who")
        .sort("_people", descending=True)
        .group_by(CLAIM_KEY)
        .agg(
            pl.col("device").first(),
            pl.col("sign_in").first().alias("_until"),
            pl.col("_people").first(),
        )
    )
    found = _claims(inputs).join(involved, on=CLAIM_KEY, how="inner")
    until = pl.col("_until").dt.strftime(TIME_FORMAT)
    return flags(
        found,
        pl.format(
            f"设备 {{}} 在 {window} 分钟内有 {{}} 名不同学员签到（截至 {{}}）",
            pl.col("device"),
            pl.col("_people"),
            until,
        ),
        pl.format(
            f"device {{}}: {{}} different trainees signed in within {window} minutes (to {{}})",
            pl.col("device"),
            pl.col("_people"),
            until,
        ),
        pl.lit(0, dtype=pl.Int64),
        {"device": pl.col("device"), "trainees": pl.col("_people"), "window_end": until},
    )
