"""Resident identity numbers (GB 11643-1999) as vectorised Polars expressions.

No Python loop per row: the check character is a weighted sum over 17 digit slices
(ISO 7064 MOD 11-2), the birth date a strict date parse of positions 7-14.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from wudi_audit.facts.text import INVISIBLE_PATTERN

WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
CHECK_CHARS = "10X98765432"
PROVINCE_CODES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83"
).split()  # 71 台湾, 81 香港, 82 澳门, 83 港澳台居民居住证
SCIENTIFIC = r"^[0-9](\.[0-9]+)?E\+?[0-9]+$"
LOOKALIKE_X = "[ХхＸ×]$"  # Cyrillic Kha, multiplication sign, in last position only


CLEAN = r"^([0-9]{17}[0-9X]|[0-9]{15})$"


def normalize_id_series(raw: pl.Series) -> pl.Series:
    """`normalize_id` for a whole column, folding only the values that need it: an
    export's numbers are nearly all clean already, and Unicode folding is the costly part."""
    clean = raw.str.contains(CLEAN).fill_null(True)
    if clean.all():
        return raw
    positions = (~clean).arg_true()
    messy = raw.gather(positions).to_frame("v").select(normalize_id(pl.col("v"))).to_series()
    return raw.scatter(positions, messy)


def normalize_id(raw: pl.Expr) -> pl.Expr:
    """Fold an identity number as written: NFKC, no white space or quotes, upper case."""
    text = (
        raw.str.normalize("NFKC")
        .str.replace_all(INVISIBLE_PATTERN, "")
        .str.replace_all(r"\s+", "")
        .str.replace(r'^=?"(.*)"$', "$1")
        .str.strip_chars("'\"")
        .str.replace(LOOKALIKE_X, "X")
        .str.to_uppercase()
    )
    return pl.when(text == "").then(None).otherwise(text)


def check_char(first17: pl.Expr) -> pl.Expr:
    """MOD 11-2 check character of 17 digits; null where any is not a digit.

    The weights are 2^(17-i) mod 11 and 13 ≡ 2 (mod 11), so the weighted sum is
    2 × (the digits read in base 13) mod 11, one integer parse per number (the trick
    python-stdnum uses); the check c satisfies S + c ≡ 1 (mod 11)."""
    digits_ok = first17.str.contains(r"^[0-9]{17}$")
    base13 = first17.str.to_integer(base=13, strict=False)
    check = (23 - 2 * (base13 % 11)) % 11  # (1 - S) mod 11, kept non-negative
    char = pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.String))
    return pl.when(digits_ok).then(char).otherwise(None)


def is_legacy15(number: pl.Expr) -> pl.Expr:
    return number.str.contains(r"^[0-9]{15}$").fill_null(False)


def upgrade_legacy15(number: pl.Expr) -> pl.Expr:
    """15-digit legacy number → 18 digits: insert 19 after the region code, add the check."""
    first17 = number.str.slice(0, 6) + pl.lit("19") + number.str.slice(6, 9)
    return pl.when(is_legacy15(number)).then(first17 + check_char(first17)).otherwise(number)


def is_spreadsheet_damaged(number: pl.Expr, numeric_cell: pl.Expr) -> pl.Expr:
    """P102, the one definition: the cell held a number, the text is in scientific
    notation, or the last three digits are zeros and the check fails."""
    return (
        (numeric_cell.fill_null(False) & number.is_not_null())
        | number.str.contains(SCIENTIFIC).fill_null(False)
        | trailing_zeros_damaged(number)
    )


def birth_date(number: pl.Expr) -> pl.Expr:
    return number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def is_male(number: pl.Expr) -> pl.Expr:
    return number.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1


MASKED_REASON = "已脱敏（含*号）"  # published tables mask digits: `3205**********1234`


def invalid_reason(number: pl.Expr, today: pl.Expr) -> pl.Expr:
    """Why an (already upgraded) number is invalid, as a short Chinese reason; null if valid."""
    shape_ok = number.str.contains(r"^[0-9]{17}[0-9X]$")
    born = birth_date(number)
    return (
        pl.when(number.is_null())
        .then(None)
        .when(number.str.contains(r"\*"))
        .then(pl.lit(MASKED_REASON))
        .when(~shape_ok)
        .then(pl.lit("格式不符（应为17位数字加1位数字或X）"))
        .when(~number.str.slice(0, 2).is_in(PROVINCE_CODES))
        .then(pl.lit("前两位不是省级行政区划代码"))
        .when(born.is_null() | (born < pl.date(1900, 1, 1)))
        .then(pl.lit("出生日期不存在"))
        .when(born > today)
        .then(pl.lit("出生日期在未来"))
        .when(check_char(number.str.slice(0, 17)) != number.str.slice(17, 1))
        .then(pl.lit("校验码错误"))
        .otherwise(None)
    )


def trailing_zeros_damaged(number: pl.Expr) -> pl.Expr:
    """18 digits whose last three are zeros and whose check fails: float precision loss
    (Excel keeps 15 significant digits)."""
    return number.str.contains(r"^[0-9]{15}000$").fill_null(False) & (
        check_char(number.str.slice(0, 17)) != number.str.slice(17, 1)
    ).fill_null(False)


def identity_columns(number: pl.Expr, today: dt.date) -> list[pl.Expr]:
    """Columns every identity rule shares, computed once per table from the normalised
    number and its `id_damaged` flag (set by normalisation): `id_invalid` (P101 reason,
    null when valid or damaged), `birth_date` and `male` (null unless valid)."""
    damaged = pl.col("id_damaged")
    reason = invalid_reason(number, pl.lit(today))
    valid = reason.is_null() & ~damaged & number.is_not_null()
    return [
        pl.when(~damaged).then(reason).alias("id_invalid"),
        pl.when(valid).then(birth_date(number)).alias("birth_date"),
        pl.when(valid).then(is_male(number)).alias("male"),
    ]
