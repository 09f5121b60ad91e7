"""The ledger's records (SPEC §3.4), and the part of them the rules read as history: a
claim's person, training, dates, amount and final decision. Only `pass` records are paid
history; `reject` records are remembered for S309 and O408.

Version 2 (issue 20) added the decision columns. A file of version 1 is still read, its
records as decided by the rules: each was recorded because it passed, so `pass`."""

from __future__ import annotations

import polars as pl

# The columns of a version-1 file (before decisions), in order.
LEDGER_SCHEMA_V1: dict[str, pl.DataType] = {
    "schema_version": pl.Int16(),
    "batch_id": pl.String(),
    "content_hash": pl.String(),  # SHA-256 of the claims file, hex
    "added_at": pl.Datetime("us", "UTC"),
    "source_file": pl.String(),  # the claims file's name
    "source_row": pl.Int64(),
    "verdict": pl.String(),  # the rules' verdict: pass, review (or, since version 2, reject)
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
# The columns of every ledger file written now, in order. `year` is not stored: it is the
# partition.
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    **LEDGER_SCHEMA_V1,
    "decision": pl.String(),  # pass (paid) or reject (returned): the final decision
    "decided_by": pl.String(),  # rules, or officer (复核结论 in the reviewed workbook)
    "reviewer": pl.String(),  # 复核人
    "decision_note": pl.String(),  # 复核说明
    "codes": pl.String(),  # the codes the rules flagged, comma-separated
    "phone": pl.String(),
    "decisions_sha256": pl.String(),  # of the reviewed workbook read (none: the rules')
}
# The codes of training delivery (培训实施, T201–T210): a return for one is a strike (O408).
TRAINING_CODES = r"T2\d\d"
# What a version-1 record reads as (SPEC §3.4: recorded as passed, decided by the rules).
V1_DEFAULTS = {"decision": "pass", "decided_by": "rules"}


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
    "provider_code",
    "provider_name",
    "phone",
    "decision",
    "codes",
    "reviewer",
    "decision_note",
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


SCHEMA_VERSION = 2
READABLE_VERSIONS = {1: LEDGER_SCHEMA_V1, 2: LEDGER_SCHEMA}
