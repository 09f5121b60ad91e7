"""Reference lists (SPEC §3.3) made ready for joins: multi-valued cells split, matching
keys folded, validity ranges. Every list was read and normalised like the claims (§3);
these are the extra steps the O rules, T203 and S301 share."""

from __future__ import annotations

import polars as pl

from wudi_audit.schema.tables import MULTI_VALUE_SEPARATORS

# One value: a run of characters that are neither a separator nor white space.
_VALUE = rf"[^{MULTI_VALUE_SEPARATORS}\s]+"
# The same, keeping white space inside the value (a site written `工业园区 星湖街1号`).
_VALUE_WITH_SPACES = rf"[^{MULTI_VALUE_SEPARATORS}]+"


def split_values(text: pl.Expr) -> pl.Expr:
    """A multi-valued cell → list of values, split on `，,;；、` and white space."""
    return text.str.extract_all(_VALUE)


def fold_key(text: pl.Expr) -> pl.Expr:
    """A name or site as a matching key: the §3 folding (already applied: full-width →
    half-width, invisible characters dropped) with all white space removed."""
    return text.str.replace_all(r"\s", "")


def site_keys(text: pl.Expr) -> pl.Expr:
    """Registered sites as matching keys: the cell split on the separators and white
    space, plus the values between separators with their white space removed, so that a
    site written with spaces inside still matches the same site written without them."""
    split = split_values(text)
    whole = text.str.extract_all(_VALUE_WITH_SPACES).list.eval(fold_key(pl.element()))
    return split.list.concat(whole).list.eval(pl.element().filter(pl.element() != "")).list.unique()


def project_code_keys(text: pl.Expr) -> pl.Expr:
    """Project codes in a multi-valued cell, upper-cased like the claims' codes."""
    return split_values(text).list.eval(pl.element().str.to_uppercase())


def in_range(valid_from: pl.Expr, valid_to: pl.Expr, day: pl.Expr) -> pl.Expr:
    """`day` inside [valid_from, valid_to]: an empty start is always, an empty end is still
    in force, both ends inclusive."""
    return (valid_from.is_null() | (valid_from <= day)) & (valid_to.is_null() | (valid_to >= day))


def covers(valid_from: pl.Expr, valid_to: pl.Expr, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Every day of the training [start, end] inside the validity range."""
    return (valid_from.is_null() | (valid_from <= start)) & (valid_to.is_null() | (valid_to >= end))


def period_text(valid_from: pl.Expr, valid_to: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A validity range in words, Chinese and English: `2026-01-01 至 今`."""
    start = valid_from.cast(pl.String)
    end = valid_to.cast(pl.String)
    return (
        pl.format("{} 至 {}", start.fill_null("不限"), end.fill_null("今")),
        pl.format("{} to {}", start.fill_null("always"), end.fill_null("now")),
    )


APPROVED_VALUES = ("是", "通过", "已通过", "评估通过", "Y", "YES", "TRUE", "1", "√")


def is_approved(text: pl.Expr) -> pl.Expr:
    """纯线上评估通过: 是/通过/Y/…; anything else, an empty cell included, is not approved
    (the notice approves pure-online delivery one project at a time)."""
    return fold_key(text).str.to_uppercase().is_in(list(APPROVED_VALUES)).fill_null(False)


def catalog_entries(catalog: pl.DataFrame) -> pl.LazyFrame:
    """Catalogue entries keyed by project code, with the list's row for evidence."""
    return (
        catalog.lazy()
        .filter(pl.col("project_code").is_not_null())
        .select(
            pl.col("project_code").alias("_c_code"),
            pl.col("source_row").alias("_c_row"),
            pl.col("valid_from").alias("_c_from"),
            pl.col("valid_to").alias("_c_to"),
            pl.col("online_rate_fen").alias("_c_online_fen"),
            pl.col("offline_rate_fen").alias("_c_offline_fen"),
            is_approved(pl.col("pure_online_approved")).alias("_c_pure_online"),
        )
    )


def catalog_entry_for_claims(claims: pl.LazyFrame, catalog: pl.DataFrame) -> pl.LazyFrame:
    """Each claim (row_id) with the catalogue entries of its project that apply to it: the
    entries in force on its start date, or, when none is (or the date is unreadable),
    every entry of the project. Claims of a project absent from the catalogue are not
    in the result."""
    entries = claims.select("row_id", "project_code", "start_date").join(
        catalog_entries(catalog), left_on="project_code", right_on="_c_code", how="inner"
    )
    entries = entries.with_columns(
        in_range(pl.col("_c_from"), pl.col("_c_to"), pl.col("start_date"))
        .fill_null(False)
        .alias("_c_in_force")
    )
    any_in_force = pl.col("_c_in_force").any().over("row_id")
    return entries.filter(pl.col("_c_in_force") | ~any_in_force)
