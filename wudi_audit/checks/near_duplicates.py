"""P107: an identity number altered by one character to get past the caps (改号规避).

Exact blocking, bounded however dense a name is: a number one substitution away from
another shares with it the 17-digit body with that one position blanked; one adjacent swap
away, the body with that pair of digits sorted. Every number is keyed once per position
(17 substitution keys, 16 swap keys) and the positions are joined one at a time, on
(name, position, key). A substitution block holds at most ten distinct numbers (the ten
digits of the blanked position) and a swap block at most two, so the candidate pairs grow
with the numbers, never with their square, and every candidate pair is a match: nothing is
compared afterwards. The evidence lists at most ten other claims and the count.
"""

from __future__ import annotations

import polars as pl

from wudi_audit.checks.base import (
    EVIDENCE_LISTED,
    AuditInputs,
    EvidenceExpander,
    Severity,
    flags,
    register,
)
from wudi_audit.checks.person import CLAUSE_TARGET
from wudi_audit.facts.masking import mask_id_number
from wudi_audit.rules.pack import RulePack
from wudi_audit.schema.ledger import name_key

BODY = 17  # the check character is ignored


def digit(body: pl.Expr, i: int) -> pl.Expr:
    """Digit i (0 = leftmost) of the 17-digit body."""
    return (body // 10 ** (BODY - 1 - i)) % 10


def substitution_key(body: pl.Expr, i: int) -> pl.Expr:
    """The body with digit i blanked (set to 0): equal for numbers that differ only there."""
    return body - digit(body, i) * 10 ** (BODY - 1 - i)


def swap_key(body: pl.Expr, i: int) -> pl.Expr:
    """The body with digits i and i+1 in ascending order: equal for a swap of the two."""
    a, b = digit(body, i), digit(body, i + 1)
    low, high = pl.min_horizontal(a, b), pl.max_horizontal(a, b)
    place = 10 ** (BODY - 2 - i)
    return body - (a * 10 + b) * place + (low * 10 + high) * place


def position_keys() -> list[pl.Expr]:
    """One key per way of being one edit apart: 17 substitutions, 16 adjacent swaps."""
    body = pl.col("_body")
    return [substitution_key(body, i) for i in range(BODY)] + [
        swap_key(body, i) for i in range(BODY - 1)
    ]


# The body cut in five runs of digits; one edit (a digit, or two adjacent digits) lies
# within two neighbouring runs, so two numbers one edit apart agree on the other three
WINDOW_RUNS = ((0, 4), (4, 7), (7, 10), (10, 13), (13, BODY))


def without_digits(body: pl.Expr, first: int, stop: int) -> pl.Expr:
    """The body with digits `first` to `stop - 1` blanked (set to 0)."""
    place = 10 ** (BODY - stop)
    return body - (body // place) % 10 ** (stop - first) * place


def window_keys() -> list[pl.Expr]:
    """One key per pair of neighbouring runs, that pair blanked: numbers one edit apart
    share at least one of these four keys (a necessary condition, cheap to test)."""
    body = pl.col("_body")
    return [
        without_digits(body, WINDOW_RUNS[j][0], WINDOW_RUNS[j + 1][1])
        for j in range(len(WINDOW_RUNS) - 1)
    ]


def could_be_near(bodies: pl.LazyFrame) -> pl.LazyFrame:
    """The (name, body) rows that share a window key with another body of the name: the
    only ones that can be one edit from another. A linear filter (four counts), so that
    the 33 joins below run on the few numbers that need them, not on every name shared
    by two people; a dense name keeps all its numbers and is bounded as before."""
    shares = [pl.len().over("_name", key) > 1 for key in window_keys()]
    return bodies.filter(pl.any_horizontal(shares))


def one_edit_apart(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Exactly one digit differs, or exactly two adjacent digits are swapped (the SPEC's
    definition, kept as the oracle the tests compare the blocking with)."""
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


def _name_ids(frame: pl.LazyFrame, names: pl.LazyFrame) -> pl.LazyFrame:
    """`_name` replaced by its number in `names`; records of other names dropped."""
    return frame.join(names, on="_name").drop("_name").rename({"_name_id": "_name"})


def near_pairs(batch_bodies: pl.LazyFrame, bodies: pl.LazyFrame) -> pl.LazyFrame:
    """(name, body, other body) one edit apart, `body` from the batch, `other` from any
    record. `bodies` holds each (name, body) once, so each pair is found once: a pair one
    digit apart matches that position's key alone, a swapped pair that swap's key alone.

    The positions are joined one after another, each collected before the next: Polars
    runs the inputs of a lazy concatenation side by side, and 33 joins at once held 1.5 GB
    above the batch for a million claims (measured; one at a time: nothing above it)."""
    mine, everyone = pl.collect_all([batch_bodies, bodies])
    found = []
    for key in position_keys():
        left = mine.lazy().select("_name", "_body", key.alias("_key"))
        right = everyone.lazy().select("_name", pl.col("_body").alias("_o_body"), key.alias("_key"))
        found.append(
            left.join(right, on=["_name", "_key"])
            .filter(pl.col("_body") != pl.col("_o_body"))
            .select("_name", "_body", "_o_body")
            .collect()
        )
    return pl.concat(found).lazy()


def _names_between(frame: pl.DataFrame, first: int, last: int) -> pl.DataFrame:
    """The rows of names `first` to `last` of a frame sorted by name (two searches)."""
    names = frame["_name"]
    low, high = names.search_sorted(first, "left"), names.search_sorted(last, "right")
    return frame.slice(low, high - low)


BODIES_AT_A_TIME = 100_000  # the batch's numbers whose near numbers are sought at once


def nearest_records(
    mine: pl.DataFrame, bodies: pl.DataFrame, first_ten: pl.DataFrame
) -> pl.DataFrame:
    """Per batch (name, body): the first ten records (`_order`) of its near numbers and
    their count of records (`_n`). Sought for a slice of the batch's numbers at a time,
    so the pairs held at once are bounded by the slice, however many a million claims
    make (25 million pairs for the worst case of the benchmark)."""
    mine, bodies, first_ten = (f.sort("_name") for f in (mine, bodies, first_ten))
    parts = []
    for start in range(0, mine.height, BODIES_AT_A_TIME):
        part = mine.slice(start, BODIES_AT_A_TIME)
        first, last = part["_name"][0], part["_name"][-1]
        near = near_pairs(part.lazy(), _names_between(bodies, first, last).lazy())
        parts.append(
            near.join(_names_between(first_ten, first, last).lazy(), on=["_name", "_o_body"])
            .group_by("_name", "_body")
            .agg(pl.col("_order").sort().head(EVIDENCE_LISTED), pl.col("_count").sum().alias("_n"))
            .collect()
        )
    schema = {"_name": pl.UInt32, "_body": pl.Int64, "_order": pl.List(pl.UInt32), "_n": pl.UInt32}
    return pl.concat([pl.DataFrame(schema=schema), *parts], how="vertical_relaxed")


def _records(inputs: AuditInputs) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The batch's records that can take part (names as integers), and every record of
    the batch's names: the batch's, then the ledger's."""
    batch = _people(_named(inputs.claims.lazy().filter(~pl.col("id_damaged").fill_null(False))))
    # each of the batch's names as a small integer (its place in name order): the joins
    # below key on it, not on text. Collected once: every step below starts from it
    name_id = (pl.col("_name").rank("dense") - 1).cast(pl.UInt32)
    batch = batch.select(
        "row_id", "_name", name_id.alias("_name_id"), "_body", "id_number", "source_row"
    ).collect()
    names = batch.select("_name", "_name_id").unique().lazy()
    batch = batch.lazy().drop("_name").rename({"_name_id": "_name"})
    # the ledger's records of the batch's names only, before any per-record work
    ledger = _people(_name_ids(_named(inputs.history_named.lazy()), names))
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
    return batch, everyone


def _listed(everyone: pl.LazyFrame) -> pl.LazyFrame:
    """Every record numbered (`_order`) in the order claims are listed: the batch's rows,
    then the ledger's by batch and row (a stable sort, so the same inputs always number
    alike: the evidence's places are put into records by this numbering)."""
    return (
        everyone.select(
            "_name",
            pl.col("_body").alias("_o_body"),
            "id_number",
            "batch_id",
            "source_row",
            pl.col("batch_id").is_not_null().alias("_in_ledger"),
        )
        .sort("_in_ledger", "batch_id", "source_row", maintain_order=True)
        .with_row_index("_order")
    )


# P107's evidence as the rule gives it: the places (`_order`) of the first ten records of
# the near numbers, and their count; `places_in_records` puts them into records
PLACES = pl.Struct({"_records": pl.List(pl.UInt32), "other_claims": pl.UInt32})


def places_in_records(inputs: AuditInputs) -> EvidenceExpander:
    """What expands P107's evidence for these inputs: each place into the number, batch
    and row of that record (`{"other_numbers": [...], "other_claims": n}`, SPEC §2). The
    records are numbered once, when first asked; a million flagged claims hold ten small
    integers each until their evidence is written, a slice at a time, not 800 MB of text."""
    held: dict[bool, pl.DataFrame] = {}

    def expand(evidence: pl.Series, masked: bool = False) -> pl.Series:
        if masked not in held:  # a report is masked or not: one of the two is held
            _, everyone = _records(inputs)
            listed = _listed(everyone).select("id_number", "batch_id", "source_row")
            if masked:  # --mask-ids: the numbers masked once, by Polars
                listed = listed.with_columns(mask_id_number(pl.col("id_number")))
            held[masked] = listed.collect()
        records = held[masked]
        places = evidence.str.json_decode(PLACES).struct.unnest().with_row_index("_i")
        each = places.select("_i", "_records").explode("_records").drop_nulls("_records")
        others = (
            records[each["_records"]]
            .with_columns(each["_i"])
            .group_by("_i", maintain_order=True)
            .agg(pl.struct("id_number", "batch_id", "source_row").alias("other_numbers"))
        )
        return (
            places.join(others, on="_i", how="left", maintain_order="left")
            .select(pl.struct("other_numbers", "other_claims").struct.json_encode())
            .to_series()
            .alias(evidence.name)
        )

    return expand


@register(
    "P107",
    "疑似改号规避（身份证号相差一位）",
    "near-duplicate identity number",
    Severity.REVIEW,
    CLAUSE_TARGET,
    example_zh="同名学员另有身份证号 320505********1242（本批次第 8 行），前 17 位仅差一位",
    example_en="same name with number 320505********1242 (row 8): one character apart",
    expand_evidence=places_in_records,
)
def near_duplicate_identity(inputs: AuditInputs, pack: RulePack) -> pl.LazyFrame:
    """A batch claim whose identity number is not the same as, but within one edit of,
    another number with the same name (in the batch or the ledger): the first 17
    characters differ in exactly one position or by one swap of two adjacent characters
    (so a number altered and given a fresh check character is caught). Names compared
    with white space removed. Numbers damaged by a spreadsheet (P102) take no part. Every
    batch claim involved is flagged, with the other number and where it stands."""
    batch, everyone = _records(inputs)
    # pairs of numbers are found once per (name, number), however often each was claimed
    bodies = could_be_near(everyone.select("_name", "_body").unique())
    mine = batch.select("_name", "_body").unique().join(bodies, on=["_name", "_body"], how="semi")
    listed = _listed(everyone)
    per_number = ["_name", "_o_body"]
    # each near candidate's first ten records, the first of them carrying its count
    candidates = bodies.select("_name", pl.col("_body").alias("_o_body"))
    first_ten = (
        listed.select(*per_number, "_order")
        .join(candidates, on=per_number, how="semi")
        .sort(*per_number, "_order")
        .with_columns(
            pl.int_range(pl.len()).over(per_number).alias("_rank"),
            pl.len().over(per_number).alias("_claims"),
        )
        .filter(pl.col("_rank") < EVIDENCE_LISTED)
        .select(
            *per_number,
            "_order",
            pl.when(pl.col("_rank") == 0).then("_claims").otherwise(0).alias("_count"),
        )
    )
    mine, bodies, first_ten, listed = pl.collect_all([mine, bodies, first_ten, listed])
    nearest = nearest_records(mine, bodies, first_ten).lazy()
    # per claim the places of those records (in listing order); the first, for the message
    pairs = (
        batch.select("row_id", "_name", "_body")
        .join(nearest, on=["_name", "_body"])
        .with_columns(pl.col("_order").list.first().alias("_first"))
        .join(
            listed.lazy().select(
                pl.col("_order").alias("_first"),
                pl.col("batch_id").alias("_batch"),
                pl.col("source_row").alias("_row"),
            ),
            on="_first",
        )
        .sort("row_id")
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
        {"_records": pl.col("_order"), "other_claims": pl.col("_n")},
    )
