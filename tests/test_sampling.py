"""The review sample: reproducible, stratified by provider, proportional to amount."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tests.test_cli import run
from tests.test_ledger import batch, claim
from wudi_audit.report.sampling import allocate, draw_sample, pps_systematic, seed_from_hash


def passed_claims(amounts: list[int], providers: list[str | None], verdicts=None) -> pl.DataFrame:
    n = len(amounts)
    return pl.DataFrame(
        {
            "row_id": pl.Series(range(n), dtype=pl.UInt32),
            "source_row": list(range(2, n + 2)),
            "verdict": verdicts or ["pass"] * n,
            "amount_fen": amounts,
            "provider_name": providers,
            "provider_code": [None] * n,
        }
    )


BATCH = passed_claims(
    [100_00 * (1 + i % 7) for i in range(40)],
    ["甲"] * 20 + ["乙"] * 12 + ["丙"] * 6 + [None] * 2,
    ["pass"] * 36 + ["reject", "review", "pass", "pass"],
)


def test_same_seed_same_sample_other_seed_other_sample():
    first = draw_sample(BATCH, 8, 42).rows
    assert first.equals(draw_sample(BATCH, 8, 42).rows)
    others = {tuple(draw_sample(BATCH, 8, s).rows["row_id"]) for s in range(43, 53)}
    assert len(others | {tuple(first["row_id"])}) > 5


def test_every_provider_with_passed_claims_is_represented_and_only_passed_claims():
    for seed in range(50):
        sample = draw_sample(BATCH, 5, seed)
        assert sample.rows.height == 5
        assert set(sample.rows["stratum"]) == {"甲", "乙", "丙", "（未填机构）"}
        drawn = BATCH.filter(pl.col("row_id").is_in(sample.rows["row_id"].implode()))
        assert set(drawn["verdict"]) == {"pass"}


def test_inclusion_frequency_tracks_the_amount():
    """4,000 fixed seeds: each claim's frequency within 4.5 binomial standard errors of
    n × amount / total (a wrong design, e.g. equal probabilities, is off by > 20 σ)."""
    amounts = np.arange(1, 11) * 100.0
    expected = 3 * amounts / amounts.sum()
    counts = np.zeros(10)
    for seed in range(4000):
        chosen, probability = pps_systematic(amounts, 3, np.random.default_rng(seed))
        assert len(chosen) == 3
        counts[chosen] += 1
    np.testing.assert_allclose(probability, expected)
    sigma = np.sqrt(expected * (1 - expected) / 4000)
    assert np.all(np.abs(counts / 4000 - expected) < 4.5 * sigma)


def test_a_claim_above_the_interval_is_taken_for_certain():
    chosen, probability = pps_systematic(
        np.array([10_000.0, 1, 1, 1, 1]), 2, np.random.default_rng(1)
    )
    assert 0 in chosen and probability[0] == 1.0 and probability[1:].sum() == pytest.approx(1.0)


def test_allocation_by_amount_respects_the_stratum_sizes():
    assert allocate(np.array([900.0, 100.0]), 5, np.array([2, 10])).tolist() == [2, 3]
    assert allocate(np.array([1.0, 1.0, 1.0]), 7, np.array([9, 9, 9])).sum() == 7


def test_more_than_the_passed_claims_takes_them_all_and_says_so():
    sample = draw_sample(BATCH, 100, 1)
    assert sample.rows.height == 38 and "全部抽取" in sample.notes[0]
    assert sample.rows["probability"].to_list() == [1.0] * 38


def test_fewer_draws_than_providers_draws_providers_by_amount():
    sample = draw_sample(BATCH, 2, 3)
    assert sample.rows.height == 2 and sample.rows["stratum"].n_unique() == 2


def test_check_sample_through_the_command_line(tmp_path):
    rows = [claim(n, 申领金额=str(100 + n)) for n in range(1, 30)]
    claims = batch(tmp_path / "b.csv", rows)
    out = tmp_path / "r.json"
    args = ["check", str(claims), "-o", str(tmp_path / "r.xlsx"), "--json", str(out)]
    assert run(*args, "--sample", "5").returncode == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    digest = next(i["sha256"] for i in document["manifest"]["inputs"] if i["role"] == "claims")
    assert document["manifest"]["sample"]["seed"] == seed_from_hash(digest)
    assert document["manifest"]["sample"]["method"].startswith("monetary-unit sampling")
    first = [s["source_row"] for s in document["sample"]]
    assert len(first) == 5 and all(0 < s["probability"] <= 1 for s in document["sample"])
    assert run(*args, "--sample", "5").returncode == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    assert [s["source_row"] for s in again["sample"]] == first
    assert run(*args, "--sample", "5", "--seed", "7", "--mask-ids").returncode == 0
    masked = json.loads(out.read_text(encoding="utf-8"))
    assert all("*" in s["id_number"] for s in masked["sample"])
    import fastexcel

    assert "抽查样本" in fastexcel.read_excel(tmp_path / "r.xlsx").sheet_names
