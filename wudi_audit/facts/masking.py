"""`--mask-ids`: identity numbers and names hidden in every output (SPEC §6)."""

from __future__ import annotations

import polars as pl

_STARS = "*" * 256


def _stars(count: pl.Expr) -> pl.Expr:
    return pl.lit(_STARS).str.slice(0, count.clip(0, len(_STARS)).cast(pl.UInt32))


def mask_id_number(column: pl.Expr) -> pl.Expr:
    """Keep the first 6 and last 4 characters when there are at least 12, else the first
    and the last; every other character becomes `*`."""
    length = column.str.len_chars().cast(pl.Int64)
    long_form = column.str.slice(0, 6) + _stars(length - 10) + column.str.slice(-4)
    short_form = (
        column.str.slice(0, 1)
        + _stars(length - 2)
        + pl.when(length > 1).then(column.str.slice(-1)).otherwise(pl.lit(""))
    )
    return pl.when(length >= 12).then(long_form).otherwise(short_form)


def mask_name(column: pl.Expr) -> pl.Expr:
    """Keep the first character: 张三 → 张*, 欧阳娜娜 → 欧***."""
    length = column.str.len_chars().cast(pl.Int64)
    return column.str.slice(0, 1) + _stars(length - 1)


def mask_value(value: str | None, kind: str) -> str | None:
    """Python-side counterpart for single values found inside evidence."""
    if value is None:
        return None
    if kind == "id":
        if len(value) >= 12:
            return value[:6] + "*" * (len(value) - 10) + value[-4:]
        return value[:1] + "*" * max(len(value) - 2, 0) + (value[-1] if len(value) > 1 else "")
    return value[:1] + "*" * max(len(value) - 1, 0)
