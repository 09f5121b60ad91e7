"""P107: an identity number altered by one character to get past the caps (改号规避).

Blocking keeps it near-linear: the first 17 characters are read as one integer, and two
numbers one substitution apart share all their even digits or all their odd digits; two
numbers one adjacent swap apart share their digits with each pair of neighbours sorted,
pairs taken from position 0 (a swap inside a pair) or from position 1 (across pairs).
Candidates are joined on (name, one of those four keys), never all pairs, and then
compared exactly, digit by digit, in integer arithmetic.
"""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import AuditInputs, Severity, flags, register
from wudi_audit.checks.person import CLAUSE_TARGET
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.ledger import name_key

BODY = 17  # the check character is ignored


def digit(body: pl.Expr, i: int) -> pl.Expr:
    """Digit i (0 = leftmost) of the 17-digit body."""
    return (body // 10 ** (BODY - 1 - i)) % 10


def _pack(digits: list[pl.Expr], width: int) -> pl.Expr:
    out = pl.lit(0, dtype=pl.Int64)
    for d in digits:
        out = out * 10**width + d
    return out


def _sorted_pairs(body: pl.Expr, first: int) -> pl.Expr:
    """Neighbouring digits paired from position `first`, each pair sorted."""
    parts: list[pl.Expr] = [digit(body, i) for i in range(first)]
    for i in range(first, BODY - 1, 2):
        a, b = digit(body, i), digit(body, i + 1)
        parts.append(pl.min_horizontal(a, b) * 10 + pl.max_horizontal(a, b))
    if (BODY - first) % 2:
        parts.append(digit(body, BODY - 1))
    return _pack(parts, 2)


def blocking_keys(body: pl.Expr) -> list[pl.Expr]:
    """Four integer keys; the key's kind is in its lowest digit."""
    return [
        _pack([digit(body, i) for i in range(0, BODY, 2)], 1) * 10 + 1,
        _pack([digit(body, i) for i in range(1, BODY, 2)], 1) * 10 + 2,
        _sorted_pairs(body, 0) * 10 + 3,
        _sorted_pairs(body, 1) * 10 + 4,
    ]


def one_edit_apart(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Exactly one digit differs, or exactly two adjacent digits are swapped."""
    differ = [digit(a, i) != digit(b, i) for i in range(BODY)]
    count = pl.sum_horizontal(differ)
    swapped = pl.any_horizontal(
        differ[i]
        & differ[i + 1]
        & (digit(a, i) == digit(b, i + 1))
        & (digit(a, i + 1) == digit(b, i))
        for i in range(BODY - 1)
    )
    return (count == 1) | ((count == 2) & swapped)


def _named(frame: pl.LazyFrame) -> pl.LazyFrame:
    return frame.with_columns(name_key(pl.col("name")).alias("_name")).filter(
        pl.col("_name").is_not_null() & (pl.col("_name") != "")
    )


def _people(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Records that can take part: a name, and 17 digits (and a check character)."""
    body = pl.col("id_number").str.slice(0, BODY).cast(pl.Int64, strict=False)
    well_formed = pl.col("id_number").str.contains(r"^[0-9]{17}[0-9X]$")
    return frame.with_columns(pl.when(well_formed).then(body).alias("_body")).drop_nulls("_body")


def _keyed(frame: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    return frame.select(
        *columns, pl.concat_list(blocking_keys(pl.col("_body"))).alias("_key")
    ).explode("_key")


@register(
    "P107",
    "疑似改号规避（身份证号相差一位）",
    "near-duplicate identity number",
    Severity.REVIEW,
    CLAUSE_TARGET,
    example_zh="同名学员另有身份证号 320505********1242（本批次第 8 行），前 17 位仅差一位",
    example_en="same name with number 320505********1242 (row 8): one character apart",
)
def near_duplicate_identity(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A batch claim whose identity number is not the same as, but within one edit of,
    another number with the same name (in the batch or the ledger): the first 17
    characters differ in exactly one position or by one swap of two adjacent characters
    (so a number altered and given a fresh check character is caught). Names compared
    with white space removed. Numbers damaged by a spreadsheet (P102) take no part. Every
    batch claim involved is flagged, with the other number and where it stands."""
    batch = _people(_named(inputs.claims.lazy().filter(~pl.col("id_damaged").fill_null(False))))
    names = batch.select("_name").unique()
    # the ledger's records of the batch's names only, before any per-record work
    ledger = _named(inputs.history_named.lazy())
    ledger = _people(ledger.join(names, on="_name", how="semi"))
    everyone = pl.concat(
        [
            batch.select(
                "_name",
                "_body",
                "id_number",
                "source_row",
                pl.lit(None, pl.String).alias("batch_id"),
            ),
            ledger.select("_name", "_body", "id_number", "source_row", "batch_id"),
        ]
    )
    # pairs of numbers are found once per (name, number), however often each was claimed
    bodies = everyone.select("_name", "_body").unique()
    shared = bodies.group_by("_name").len().filter(pl.col("len") > 1).select("_name")
    bodies = bodies.join(shared, on="_name", how="semi")
    left = _keyed(
        batch.select("_name", "_body").unique().join(shared, on="_name", how="semi"),
        ["_name", "_body"],
    )
    right = _keyed(bodies, ["_name", "_body"]).rename({"_body": "_o_body"})
    near = (
        left.join(right, on=["_name", "_key"])
        .filter(pl.col("_body") != pl.col("_o_body"))
        .select("_name", "_body", "_o_body")
        .unique()
        .filter(one_edit_apart(pl.col("_body"), pl.col("_o_body")))
    )
    others = everyone.select(
        "_name",
        pl.col("_body").alias("_o_body"),
        pl.col("id_number").alias("_o_id"),
        pl.col("source_row").alias("_o_row"),
        pl.col("batch_id").alias("_o_batch"),
    )
    pairs = (
        batch.select("row_id", "_name", "_body")
        .join(near, on=["_name", "_body"])
        .join(others, on=["_name", "_o_body"])
        .sort("row_id", "_o_batch", "_o_row", nulls_last=False)
        .group_by("row_id", maintain_order=True)
        .agg(
            pl.struct(
                pl.col("_o_id").alias("id_number"),
                pl.col("_o_batch").alias("batch_id"),
                pl.col("_o_row").alias("source_row"),
            ).alias("_others"),
            pl.col("_o_batch").first().alias("_batch"),
            pl.col("_o_row").first().alias("_row"),
            pl.len().alias("_n"),
        )
    )
    in_ledger = pl.col("_batch").is_not_null()
    return flags(
        pairs,
        pl.when(in_ledger)
        .then(
            pl.format(
                "同名学员在台账批次“{}”第 {} 行的身份证号与本号前 17 位仅差一位", "_batch", "_row"
            )
        )
        .otherwise(pl.format("同名学员在本批次第 {} 行的身份证号与本号前 17 位仅差一位", "_row")),
        pl.when(in_ledger)
        .then(
            pl.format(
                "same name, number one character apart in ledger batch {} row {}", "_batch", "_row"
            )
        )
        .otherwise(pl.format("same name, number one character apart in row {}", "_row")),
        pl.lit(0, dtype=pl.Int64),
        {"other_numbers": pl.col("_others")},
    )
