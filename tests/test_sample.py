"""`wudi-audit sample` plants exactly what it says: on a generated 5,000-claim batch, as
on the committed demo, `check` finds exactly the planted (row, code) pairs."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import run
from wudi_audit.checks import REGISTRY
from wudi_audit.rules.pack import load_rule_pack
from wudi_audit.sample.generate import generate_claims, write_sample


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample5000")
    planted = write_sample(out, 5000, seed=11)
    proc = run(
        "check",
        str(out / "claims.xlsx"),
        "--attendance",
        str(out / "attendance.xlsx"),
        "--ref-dir",
        str(out / "ref"),
        "--ledger",
        str(out / "no-ledger"),
        "-o",
        str(out / "r.xlsx"),
        "--json",
        str(out / "r.json"),
    )
    assert proc.returncode == 1, proc.stderr
    return planted, json.loads((out / "r.json").read_text(encoding="utf-8"))


def test_check_finds_exactly_the_planted_pairs_on_5000_claims(big_sample):
    planted, document = big_sample
    found = {(e["source_row"], e["code"]) for e in document["exceptions"]}
    expected = {(row, code) for code, rows in planted.items() for row in rows}
    assert all(code in REGISTRY for code in planted)
    assert found == expected


def test_t210_is_planted_above_the_threshold():
    _, planted = generate_claims(5000, seed=11)
    threshold = int(load_rule_pack().params["device_max_trainees"])
    assert len(planted["T210"]) > threshold


@pytest.mark.parametrize("count", [120, 5000, 20000])
def test_identity_numbers_are_unique_unless_the_plant_is_a_collision(count):
    claims, planted = generate_claims(count)
    numbers = [c["公民身份号码"] for c in claims]
    repeated = {n for n in numbers if numbers.count(n) > 1} if count <= 5000 else None
    seen: dict[str, list[int]] = {}
    for row, number in enumerate(numbers, start=3):
        seen.setdefault(str(number), []).append(row)
    shared = {tuple(rows) for rows in seen.values() if len(rows) > 1}
    # the two collisions planted: P106 (one number, two names) and S306 (a duplicate row)
    assert shared == {tuple(planted["P106"]), (6 + 2, planted["S306"][0])}
    assert repeated is None or len(repeated) == 2


def test_sample_prints_its_plan_as_a_table(tmp_path):
    proc = run("sample", "--claims", "60", "--out", str(tmp_path), env={"COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    assert "埋设的问题 / planted problems" in proc.stdout and "│ T201" in proc.stdout
    assert "{" not in proc.stdout  # no raw Python dict
