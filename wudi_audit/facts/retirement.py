"""Statutory retirement age under the 2024 decision (in force 2025-01-01), by birth month.

国务院关于渐进式延迟法定退休年龄的办法 第一条: men and women on the 55 track are delayed one
month per four birth months, up to 63 and 58; women on the 50 track one month per two
birth months, up to 55. tests/test_person.py holds the worked examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class RetirementTrack:
    original_age: int  # years
    first_year: int  # first birth month affected
    first_month: int
    step_months: int  # birth months per month of delay
    cap_months: int  # largest delay


MALE = RetirementTrack(60, 1965, 1, 4, 36)
FEMALE_55 = RetirementTrack(55, 1970, 1, 4, 36)
FEMALE_50 = RetirementTrack(50, 1975, 1, 2, 60)
FEMALE_TRACKS = {55: FEMALE_55, 50: FEMALE_50}


def retirement_age_months(track: RetirementTrack, birth_year: int, birth_month: int) -> int:
    """Scalar form, for tests and explanations."""
    k = (birth_year - track.first_year) * 12 + (birth_month - track.first_month)
    delay = 0 if k < 0 else min(k // track.step_months + 1, track.cap_months)
    return track.original_age * 12 + delay


def retirement_age_months_expr(track: RetirementTrack, birth: pl.Expr) -> pl.Expr:
    k = (birth.dt.year().cast(pl.Int32) - track.first_year) * 12 + (
        birth.dt.month().cast(pl.Int32) - track.first_month
    )
    delay = (
        pl.when(k < 0)
        .then(0)
        .otherwise(pl.min_horizontal(k // track.step_months + 1, pl.lit(track.cap_months)))
    )
    return (track.original_age * 12 + delay).cast(pl.Int32)


def statutory_age_months(birth: pl.Expr, male: pl.Expr, women_track: int) -> pl.Expr:
    return (
        pl.when(male)
        .then(retirement_age_months_expr(MALE, birth))
        .otherwise(retirement_age_months_expr(FEMALE_TRACKS[women_track], birth))
    )


def add_months(date: pl.Expr, months: pl.Expr) -> pl.Expr:
    """Same day of month, clamped to the month's end (Polars saturates offsets)."""
    return date.dt.offset_by(pl.format("{}mo", months))


def age_in_months(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Completed months of age on a date (a month completes on the same day of month,
    or on the last day when the month is shorter)."""
    months = (on.dt.year().cast(pl.Int32) - birth.dt.year().cast(pl.Int32)) * 12 + (
        on.dt.month().cast(pl.Int32) - birth.dt.month().cast(pl.Int32)
    )
    return pl.when(add_months(birth, months) > on).then(months - 1).otherwise(months)


def years_months_zh(months: pl.Expr) -> pl.Expr:
    """`60岁1个月`, `63岁`."""
    years, rest = months // 12, months % 12
    return (
        pl.when(rest == 0)
        .then(pl.format("{}岁", years))
        .otherwise(pl.format("{}岁{}个月", years, rest))
    )


def years_months_en(months: pl.Expr) -> pl.Expr:
    years, rest = months // 12, months % 12
    return (
        pl.when(rest == 0).then(pl.format("{}y", years)).otherwise(pl.format("{}y{}m", years, rest))
    )
