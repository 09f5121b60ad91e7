"""The review sample (随机抽查, notice §8.5): passed claims drawn for field inspection.

Monetary-unit sampling, stratified by provider, without replacement:
- every provider with passed claims gets one draw, the rest are allocated by the
  providers' passed amounts (largest remainder); with fewer draws than providers, the
  providers themselves are drawn with probability proportional to their amounts;
- within a provider, randomised systematic PPS: claims of at least one sampling interval
  are taken for certain, the others are put in a random order and hit by a systematic
  walk over their cumulative amounts from a random start, so a claim's inclusion
  probability is exactly (draws × amount ÷ provider's remaining amount).
The seed defaults to one derived from the claims file's SHA-256, so the same batch gives
the same sample on any machine (NumPy's PCG64 generator).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

METHOD = "monetary-unit sampling, stratified by provider, randomised systematic PPS"
METHOD_ZH = "按金额概率比例抽样（货币单位抽样），按培训机构分层，随机化系统抽样，不放回"
NO_PROVIDER = "（未填机构）"


def seed_from_hash(sha256_hex: str) -> int:
    """The default seed: the first 8 bytes of the claims file's SHA-256."""
    return int(sha256_hex[:16], 16)


@dataclass
class ReviewSample:
    rows: pl.DataFrame  # row_id, stratum, probability, certain
    seed: int
    requested: int
    eligible: int
    strata: int
    notes: list[str] = field(default_factory=list)

    def manifest(self) -> dict:
        return {
            "method": METHOD,
            "method_zh": METHOD_ZH,
            "seed": self.seed,
            "requested": self.requested,
            "drawn": self.rows.height,
            "passed_claims": self.eligible,
            "providers": self.strata,
            "notes": self.notes,
        }


def allocate(weights: np.ndarray, total: int, caps: np.ndarray) -> np.ndarray:
    """`total` draws split by weight (largest remainder), none above its cap."""
    out = np.zeros(len(weights), dtype=np.int64)
    left = min(total, int(caps.sum()))
    while left > 0:
        open_ = out < caps
        quota = np.where(open_, weights, 0.0)
        quota = quota / quota.sum() * left if quota.sum() > 0 else open_ * (left / open_.sum())
        whole = np.minimum(np.floor(quota).astype(np.int64), caps - out)
        if whole.sum() == 0:
            fraction = np.where(open_, quota, -1.0)
            whole[int(np.argmax(fraction))] = 1
        out += whole
        left -= int(whole.sum())
    return out


def pps_systematic(
    amounts: np.ndarray, draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices drawn and every unit's inclusion probability."""
    size = len(amounts)
    probability = np.zeros(size)
    chosen = np.zeros(size, dtype=bool)
    if draws >= size:
        probability[:] = 1.0
        return np.arange(size), probability
    remaining, left = np.ones(size, dtype=bool), draws
    while left > 0:
        interval = amounts[remaining].sum() / left
        certain = remaining & (amounts >= interval)
        if not certain.any():
            break
        chosen |= certain
        probability[certain] = 1.0
        remaining &= ~certain
        left -= int(certain.sum())
    if left > 0:
        pool = np.flatnonzero(remaining)
        pool = pool[rng.permutation(len(pool))]
        weights = amounts[pool]
        interval = weights.sum() / left
        probability[pool] = weights / interval
        cumulative = np.cumsum(weights)
        hits = rng.uniform(0, interval) + interval * np.arange(left)
        picked = np.searchsorted(cumulative, hits, side="right")
        chosen[pool[np.minimum(picked, len(pool) - 1)]] = True
    return np.flatnonzero(chosen), probability


def draw_sample(claims: pl.DataFrame, size: int, seed: int) -> ReviewSample:
    """`size` of the passed claims (verdict pass, amount above zero), see the module."""
    passed = (
        claims.filter((pl.col("verdict") == "pass") & (pl.col("amount_fen") > 0))
        .with_columns(
            pl.coalesce(
                pl.col("provider_name"), pl.col("provider_code"), pl.lit(NO_PROVIDER)
            ).alias("stratum")
        )
        .sort("source_row")
    )
    rng = np.random.default_rng(seed)
    sample = ReviewSample(pl.DataFrame(), seed, size, passed.height, 0)
    if passed.is_empty():
        sample.rows = pl.DataFrame(
            schema={"row_id": pl.UInt32, "stratum": pl.String, "probability": pl.Float64}
        )
        sample.notes.append("没有可抽取的通过申领 / no passed claims to draw")
        return sample
    groups = passed.group_by("stratum").agg(
        pl.col("row_id"), pl.col("amount_fen"), pl.col("amount_fen").sum().alias("_total")
    )
    groups = groups.sort("stratum")
    sample.strata = groups.height
    totals = groups["_total"].to_numpy().astype(float)
    counts = groups["row_id"].list.len().to_numpy()
    stratum_probability = np.ones(groups.height)
    if size >= passed.height:
        draws = counts.copy()
        sample.notes.append(
            f"要求抽取 {size} 笔，通过的申领只有 {passed.height} 笔，已全部抽取 / "
            f"{size} requested, only {passed.height} passed claims: all drawn"
        )
    elif size >= groups.height:
        draws = 1 + allocate(totals, size - groups.height, counts - 1)
    else:
        picked, stratum_probability = pps_systematic(totals, size, rng)
        draws = np.zeros(groups.height, dtype=np.int64)
        draws[picked] = 1
        sample.notes.append(
            f"抽取数 {size} 少于培训机构数 {groups.height}：先按金额概率比例抽取机构，每家 1 笔"
            f" / fewer draws than providers: providers drawn by amount, one claim each"
        )
    parts = []
    for i, row in enumerate(groups.iter_rows(named=True)):
        if draws[i] == 0:
            continue
        amounts = np.asarray(row["amount_fen"], dtype=float)
        chosen, probability = pps_systematic(amounts, int(draws[i]), rng)
        parts.append(
            pl.DataFrame(
                {
                    "row_id": np.asarray(row["row_id"])[chosen],
                    "stratum": [row["stratum"]] * len(chosen),
                    "probability": probability[chosen] * stratum_probability[i],
                },
                schema={"row_id": pl.UInt32, "stratum": pl.String, "probability": pl.Float64},
            )
        )
    sample.rows = pl.concat(parts).sort("row_id")
    return sample
