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
    planted = write_sample(out, 5000, seed=11, all_references=True)
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
    # every code `wudi-audit rules` lists is planted, but those that need a ledger's
    # decided history (S309, O408: tests/test_decisions.py) and O407 (below)
    assert set(REGISTRY) - set(planted) == {"S309", "O408", "O407"}
    assert document["summary"]["rules_not_run"] == [
        r for r in document["summary"]["rules_not_run"] if r["code"] == "O407"
    ]


def test_catalog_check_finds_the_planted_overlap(tmp_path):
    write_sample(tmp_path, 200, all_references=True)
    ref = tmp_path / "ref"
    lists = [str(ref / "catalog.xlsx"), "--urban-rural", str(ref / "urban_rural.xlsx")]
    out = ["-o", str(tmp_path / "o.xlsx"), "--json", str(tmp_path / "o.json")]
    proc = run("catalog", "check", *lists, *out)
    assert proc.returncode == 1, proc.stderr
    overlaps = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    text = json.dumps(overlaps, ensure_ascii=False)
    assert "智慧养老护理" in text and "农村电商实操" not in text


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
    # the collisions planted: P106 (one number, two names), S306 (a duplicate row) and
    # S303 (one trainee's four trainings: the second claim and three more at the end)
    fourth = planted["S303"][0]
    assert shared == {
        tuple(planted["P106"]),
        (6 + 2, planted["S306"][0]),
        (1 + 3, fourth - 2, fourth - 1, fourth),
    }
    assert repeated is None or len(repeated) == 3


def test_sample_prints_its_plan_as_a_table(tmp_path):
    proc = run("sample", "--claims", "60", "--out", str(tmp_path), env={"COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    assert "埋设的问题 / planted problems" in proc.stdout and "│ T201" in proc.stdout
    assert "{" not in proc.stdout  # no raw Python dict
