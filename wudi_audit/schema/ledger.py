"""The ledger's records (SPEC §3.4), and the part of them the rules read as history: a
paid claim's person, training, dates and amount."""

from __future__ import annotations

import polars as pl

# The columns of every ledger file, in order. `year` is not stored: it is the partition.
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "schema_version": pl.Int16(),
    "batch_id": pl.String(),
    "content_hash": pl.String(),  # SHA-256 of the claims file, hex
    "added_at": pl.Datetime("us", "UTC"),
    "source_file": pl.String(),  # the claims file's name
    "source_row": pl.Int64(),
    "verdict": pl.String(),  # pass, or review when added with --include-review
    "claim_id": pl.String(),
    "id_number": pl.String(),
    "name": pl.String(),
    "project_code": pl.String(),
    "class_id": pl.String(),
    "provider_code": pl.String(),
    "provider_name": pl.String(),
    "occupation": pl.String(),
    "level": pl.String(),
    "district": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "amount_fen": pl.Int64(),  # the amount in whole fen (money is never a float)
    "certificate_no": pl.String(),
}


# The columns the rules read (a check never decodes the hashes and times of the history).
RULE_COLUMNS = (
    "batch_id",
    "source_row",
    "id_number",
    "name",
    "project_code",
    "class_id",
    "occupation",
    "level",
    "district",
    "start_date",
    "end_date",
    "amount_fen",
    "certificate_no",
)


HISTORY_SCHEMA = {**{c: LEDGER_SCHEMA[c] for c in RULE_COLUMNS}, "year": pl.Int32()}


NAMED_COLUMNS = ("name", "id_number", "source_row", "batch_id")


TOTALS_SCHEMA = {"dimension": pl.String, "key": pl.String, "year": pl.Int32, "amount_fen": pl.Int64}


def name_key(name: pl.Expr) -> pl.Expr:
    """Names compared with white space removed (`王　伟` = `王伟`); text is already folded,
    so every white space is one ASCII space."""
    return name.str.replace_all(" ", "", literal=True)


def empty_history() -> pl.DataFrame:
    return pl.DataFrame(schema=HISTORY_SCHEMA)


def empty_named() -> pl.DataFrame:
    return empty_history().select(NAMED_COLUMNS)


def empty_totals() -> pl.DataFrame:
    return pl.DataFrame(schema=TOTALS_SCHEMA)


SCHEMA_VERSION = 1
