"""Dense groups (issue 21): the pairwise rules stay bounded in memory when one name has
thousands of numbers or one certificate many claims, and their results stay exactly the
SPEC's. The memory test runs the rule in a child process and reads its peak RSS: a
blocking that materialised the name's pairs (10,000² / 2) would need gigabytes."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import polars as pl

from tests.conftest import claims_inputs
from wudi_audit.checks.near_duplicates import BODY, near_pairs, one_edit_apart
from wudi_audit.facts.idnumber import CHECK_CHARS, WEIGHTS

BASE = "32050519900101"  # 14 digits; the last three body digits and the check vary


def full(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=False))
    return body17 + CHECK_CHARS[total % 11]


def dense_bodies(count: int) -> list[str]:
    """`count` different numbers that agree on every even position: the worst case for a
    blocking on the even digits (the previous P107), all in one block."""
    bodies = []
    for n in range(count):
        digits = list("32050519900101000")
        for place, position in enumerate((9, 11, 13, 15)):  # odd positions only
            digits[position] = str((n // 10**place) % 10)
        bodies.append("".join(digits))
    return bodies


def brute_force(bodies: list[int]) -> set[tuple[int, int]]:
    frame = pl.DataFrame({"a": bodies}).join(pl.DataFrame({"b": bodies}), how="cross")
    frame = frame.filter((pl.col("a") != pl.col("b")) & one_edit_apart(pl.col("a"), pl.col("b")))
    return set(frame.iter_rows())


def test_the_blocking_finds_exactly_the_pairs_one_edit_apart():
    rng = random.Random(21)
    base = [int(b) for b in dense_bodies(300)]
    # plus numbers one random edit (a substitution or a swap) from them, and strangers
    edited = []
    for body in rng.sample(base, 60):
        digits = list(str(body).zfill(BODY))
        i = rng.randrange(BODY - 1)
        if rng.random() < 0.5:
            digits[i] = str((int(digits[i]) + rng.randrange(1, 10)) % 10)
        else:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        edited.append(int("".join(digits)))
    strangers = [rng.randrange(10**16, 10**17) for _ in range(40)]
    bodies = sorted(set(base + edited + strangers))
    frame = pl.LazyFrame({"_name": ["王伟"] * len(bodies), "_body": bodies})
    found = near_pairs(frame, frame).collect()
    assert set(zip(found["_body"], found["_o_body"], strict=True)) == brute_force(bodies)


CHILD = """
import json, resource, sys
sys.path.insert(0, {root!r})
from tests.conftest import claims_inputs
from tests.test_dense_groups import dense_bodies, full
from wudi_audit.checks import REGISTRY
from wudi_audit.checks.base import with_final_evidence
from wudi_audit.rules.pack import load_rule_pack
bodies = dense_bodies({count})
rows = [dict(id_number=full(b), name="王伟", class_id=f"C{{i}}") for i, b in enumerate(bodies)]
inputs = claims_inputs(rows)
flags = REGISTRY["P107"].check(inputs, load_rule_pack()).collect()
flags = with_final_evidence(REGISTRY["P107"], inputs, flags)
evidence = [json.loads(e) for e in flags["evidence"].head(50)]
print(json.dumps({{
    "flagged": flags.height,
    "listed": max(len(e["other_numbers"]) for e in evidence),
    "counts": sorted({{e["other_claims"] for e in evidence}}),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}}))
"""


def test_ten_thousand_numbers_for_one_name_in_bounded_memory():
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=root, count=10_000)],
        capture_output=True, text=True, timeout=600, cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["flagged"] == 10_000  # every number has neighbours one digit away
    assert result["listed"] == 10  # evidence: at most ten other claims …
    assert max(result["counts"]) == 36  # … and the count (4 odd positions × 9 other digits)
    # 10,000 numbers in one block are 5·10⁷ pairs: gigabytes if they were materialised
    assert result["peak_mb"] < 900, result


def test_claims_inputs_helper_takes_dense_rows():
    inputs = claims_inputs([{"id_number": full(b)} for b in dense_bodies(3)])
    assert inputs.claims.height == 3


def test_no_block_is_larger_than_the_ten_digits_of_a_position():
    # what bounds the work: a substitution block holds at most 10 numbers, a swap block 2,
    # however many numbers the name has (the previous blocking put all 10,000 in one)
    from wudi_audit.checks.near_duplicates import position_keys

    bodies = pl.LazyFrame(
        {"_name": ["王伟"] * 10_000, "_body": [int(b) for b in dense_bodies(10_000)]}
    )
    largest = [
        bodies.group_by("_name", key.alias("_key"))
        .len()
        .select(pl.col("len").max())
        .collect()
        .item()
        for key in position_keys()
    ]
    assert max(largest[:BODY]) == 10 and max(largest[BODY:]) <= 2


def test_p107_sought_a_slice_at_a_time_finds_what_one_pass_finds(monkeypatch):
    # issue 21: the batch's numbers are searched BODIES_AT_A_TIME at a time, each slice
    # against its own names' records; names cut by a slice boundary, numbers claimed
    # twice, records in the ledger: the flags and the evidence are those of one pass
    from tests.test_history_rules import with_history
    from wudi_audit.checks import near_duplicates
    from wudi_audit.checks.base import REGISTRY, with_final_evidence
    from wudi_audit.rules.pack import load_rule_pack

    rng = random.Random(21)
    names = ["王伟", "李娜", "张敏", "刘洋"]
    bodies = [f"3205051990010{rng.randrange(10_000):04d}" for _ in range(300)]
    rows = [
        {"id_number": full(b), "name": rng.choice(names), "class_id": f"C{i % 7}"}
        for i, b in enumerate(bodies + bodies[:40])
    ]
    history = [
        {"id_number": full(b), "name": rng.choice(names), "class_id": "L1"}
        for b in rng.sample(bodies, 60)
    ]
    inputs = with_history(rows, history)

    def run(at_a_time: int) -> pl.DataFrame:
        monkeypatch.setattr(near_duplicates, "BODIES_AT_A_TIME", at_a_time)
        found = REGISTRY["P107"].check(inputs, load_rule_pack()).collect()
        return found.sort("row_id")

    whole = run(10**9)
    assert whole.height > 50  # the case has something to find
    final = with_final_evidence(REGISTRY["P107"], inputs, whole)
    assert json.loads(final["evidence"][0])["other_numbers"]
    for at_a_time in (7, 64):  # 7: most slices cut a name between two of them
        assert run(at_a_time).equals(whole)


def test_the_window_filter_keeps_every_number_one_edit_from_another():
    # P107's cheap filter before the joins (issue 21, rules phase): a necessary condition,
    # so it may keep strangers but must never drop a number that has a near one
    from wudi_audit.checks.near_duplicates import could_be_near

    rng = random.Random(7)
    bodies = [rng.randrange(10**16, 10**17) for _ in range(400)]
    for body in rng.sample(bodies, 150):
        digits = list(str(body))
        i = rng.randrange(BODY - 1)
        if rng.random() < 0.5:
            digits[i] = str((int(digits[i]) + rng.randrange(1, 10)) % 10)
        else:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        bodies.append(int("".join(digits)))
    bodies = sorted(set(bodies))
    frame = pl.LazyFrame({"_name": ["王伟"] * len(bodies), "_body": bodies})
    kept = set(could_be_near(frame).collect()["_body"])
    near = {a for a, _ in brute_force(bodies)}
    assert near and near <= kept
    assert len(kept) < len(bodies)  # the random strangers are let go


def test_the_window_filter_keeps_numbers_apart_within_one_name_only():
    from wudi_audit.checks.near_duplicates import could_be_near

    a, b = 32050519900101123, 32050519900101124  # one digit apart
    frame = pl.LazyFrame({"_name": [1, 2, 3, 3], "_body": [a, b, a, b]})
    assert could_be_near(frame).collect().rows() == [(3, a), (3, b)]
