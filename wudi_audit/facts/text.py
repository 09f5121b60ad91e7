"""Text folding shared by every table: white space, full-width characters, invisible marks."""

from __future__ import annotations

import polars as pl

# Zero-width characters, BOM, control characters, bidirectional overrides and isolates.
INVISIBLE_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"


def fold_text(column: pl.Expr) -> pl.Expr:
    """NFKC fold (full-width → half-width, U+3000/U+00A0 → space), drop invisible
    characters, collapse runs of white space and trim. Empty text becomes null."""
    folded = (
        column.str.normalize("NFKC")
        .str.replace_all(INVISIBLE_PATTERN, "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    return pl.when(folded == "").then(None).otherwise(folded)


# Text that folding leaves as it is: printable ASCII and CJK unified ideographs (neither
# changes under NFKC), single spaces between words, nothing at either end.
_WORD = "[!-~\u4e00-\u9fff]+"
CLEAN_TEXT = f"^{_WORD}(?: {_WORD})*$"


def fold_text_series(raw: pl.Series) -> pl.Series:
    """`fold_text` for a whole column, folding only the values that need it: an export's
    cells are nearly all clean already, and Unicode folding is the costly part."""
    clean = raw.str.contains(CLEAN_TEXT).fill_null(True)
    if clean.all():
        return raw
    positions = (~clean).arg_true()
    messy = raw.gather(positions).to_frame("v").select(fold_text(pl.col("v"))).to_series()
    return raw.clone().scatter(positions, messy)
