"""Unified social credit codes (统一社会信用代码, GB 32100-2015) as Polars expressions.

18 characters from the 31-symbol alphabet `0-9A-HJ-NPQRTUWXY` (no I, O, Z, S, V); each
symbol's value is its index. The check character is
`ALPHABET[(31 - Σ value_i × 3^i mod 31) mod 31]` over the first 17. Any of the 31
symbols may stand in any position, so codes that start with a letter (`Y…` 其他, `A…`,
`N…`) are legal; python-stdnum's `validate()` wrongly rejects them.
"""

from __future__ import annotations

import polars as pl

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
LENGTH = 18
VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}


def well_formed(code: pl.Expr) -> pl.Expr:
    """18 characters, every one from the alphabet."""
    return code.str.contains(f"^[{ALPHABET}]{{{LENGTH}}}$")


def expected_check_char(code: pl.Expr) -> pl.Expr:
    """The check character the first 17 characters call for; null unless well formed."""
    values = [
        code.str.slice(i, 1).replace_strict(VALUES, default=None, return_dtype=pl.Int64) * weight
        for i, weight in enumerate(WEIGHTS)
    ]
    check = (31 - pl.sum_horizontal(values) % 31) % 31
    symbol = check.replace_strict(dict(enumerate(ALPHABET)), default=None, return_dtype=pl.String)
    return pl.when(well_formed(code)).then(symbol)


def problem(code: pl.Expr) -> pl.Expr:
    """Why a code is invalid: `length`, `characters` or `check`; null when valid or empty.
    The code is expected normalised (white space removed, upper-cased)."""
    return (
        pl.when(code.is_null())
        .then(None)
        .when(code.str.len_chars() != LENGTH)
        .then(pl.lit("length"))
        .when(~well_formed(code))
        .then(pl.lit("characters"))
        .when(code.str.slice(LENGTH - 1, 1) != expected_check_char(code))
        .then(pl.lit("check"))
    )


def is_valid(code: pl.Expr) -> pl.Expr:
    return code.is_not_null() & problem(code).is_null()
