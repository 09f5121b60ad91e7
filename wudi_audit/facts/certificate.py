"""Certificate numbers as matching keys (SPEC §2 S308): upper case, white space removed
(full-width characters are folded on reading)."""

from __future__ import annotations

import polars as pl


def certificate_key(column: pl.Expr) -> pl.Expr:
    return column.str.replace_all(r"\s", "").str.to_uppercase()


def may_differ_from_key(certificate: pl.Expr) -> pl.Expr:
    """Whether the key may differ from the cell as written: anything but ASCII capitals,
    digits, dashes and slashes (none of which the key changes). For every other cell the
    key is the cell, so a ledger looks it up as written and computes the key for these
    few only."""
    plain = certificate.str.contains(r"^[0-9A-Z/\-]*$")
    return certificate.is_not_null() & ~plain
