"""Phone numbers as matching keys (SPEC §2 P108): spaces, dashes, dots and brackets
removed, a leading `+86` / `86` / `0086` dropped; a key only for numbers of at least 7
digits that are not one digit repeated (`00000000`, `13333333333` … are placeholders that
never match)."""

from __future__ import annotations

import polars as pl

MIN_DIGITS = 7


def phone_key(phone: pl.Expr) -> pl.Expr:
    """The number as it is compared, or null when it can never match."""
    digits = phone.str.replace_all(r"[\s\-\.\(\)（）－—_/]", "")
    digits = digits.str.replace(r"^(\+86|0086|86)(1\d{10})$", "$2")
    digits = digits.str.replace(r"^\+86", "")
    placeholder = digits.str.strip_chars(digits.str.slice(0, 1)) == ""  # one digit repeated
    usable = digits.str.contains(r"^\d+$") & (digits.str.len_chars() >= MIN_DIGITS) & ~placeholder
    return pl.when(usable).then(digits)
