"""T206, T210 — one trainee in two places, one device for many trainees (attendance
records shared or made up, DOMAIN's 代签 / 假学员 patterns): the records of different
classes that overlap in time, and the devices that signed in more trainees than a person
could."""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.attendance import (
    CLAIM_KEY,
    CLAUSE_RECORDS,
    TIME_FORMAT,
    attendance_claims,
    attendance_records,
)
from wudi_audit.checks.attendance_keys import CLASS, KEYS, PERSON, keyed, keyed_records
from wudi_audit.checks.base import AuditInputs, Severity, flags, message, register
from wudi_audit.rules.pack import RulePack


def _blocks(records: pl.LazyFrame, person: str, klass: str) -> pl.LazyFrame:
    """Merge each person's records in one class into blocks of overlapping time, so that
    blocks of one class never overlap each other (touching records stay separate)."""
    key = [person, klass]
    timed = records.filter(
        pl.col("sign_in").is_not_null()
        & pl.col("sign_out").is_not_null()
        & (pl.col("sign_out") > pl.col("sign_in"))
    ).sort([*key, "sign_in"])
    earlier_end = pl.col("sign_out").cum_max().shift(1).over(key)
    starts_block = earlier_end.is_null() | (pl.col("sign_in") >= earlier_end)
    label = [] if klass == "class_id" else [pl.col("class_id").first()]
    return (
        timed.with_columns(starts_block.cast(pl.UInt32).cum_sum().over(key).alias("_block"))
        .group_by([*key, "_block"])
        .agg(pl.col("sign_in").min(), pl.col("sign_out").max(), *label)
    )


def overlapping_classes(
    records: pl.LazyFrame, person: str = "id_number", klass: str = "class_id"
) -> pl.LazyFrame:
    """Pairs (person, class, other class, both time ranges) of overlapping attendance, by
    sort-and-sweep per person over class blocks: a block overlaps an earlier one iff it
    starts before the largest earlier end. Near-linear: no cross join. Only persons with
    records in two classes or more can overlap another class, so only theirs are swept
    (in an export, a small share of the records: the sort is the costly part). `person`
    and `klass` name the columns that tell persons and classes apart (the numbers and
    classes as written, or their keys: checks/attendance_keys.py); the other class is
    named by its `class_id`."""
    several = (
        records.select(person, klass)
        .unique()
        .group_by(person)
        .len()
        .filter(pl.col("len") > 1)
        .select(person)
    )
    records = records.join(several, on=person, how="semi")
    blocks = _blocks(records, person, klass).sort([person, "sign_in"])
    sets_max = pl.col("sign_out") == pl.col("sign_out").cum_max().over(person)
    carried = {
        c: pl.when(sets_max).then(pl.col(c)).forward_fill().over(person).shift(1).over(person)
        for c in dict.fromkeys((klass, "class_id", "sign_in", "sign_out"))
    }
    swept = blocks.with_columns(
        carried[klass].alias("_other_key"),
        carried["class_id"].alias("_other_class"),
        carried["sign_in"].alias("_other_in"),
        carried["sign_out"].alias("_other_out"),
    ).filter(pl.col("_other_out").is_not_null() & (pl.col("sign_in") < pl.col("_other_out")))
    own = [] if klass == "class_id" else [klass]
    forward = swept.select(
        person,
        *own,
        "class_id",
        "sign_in",
        "sign_out",
        pl.col("_other_class"),
        pl.col("_other_in"),
        pl.col("_other_out"),
    )
    backward = swept.select(
        person,
        *([pl.col("_other_key").alias(klass)] if own else []),
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
    keys = keyed(inputs)
    pairs = (
        overlapping_classes(keyed_records(keys), PERSON, CLASS)
        .drop("class_id")
        .sort([*KEYS, "sign_in"])
        .group_by(KEYS)
        .agg(pl.all().first(), pl.len().alias("_overlaps"))
    )
    found = attendance_claims(keys.claims).join(pairs, on=KEYS, how="inner")

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
        attendance_records(inputs)
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
    found = attendance_claims(inputs.claims).join(involved, on=CLAIM_KEY, how="inner")
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
