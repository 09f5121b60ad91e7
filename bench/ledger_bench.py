"""Ledger benchmark: a 100k-claim check without a ledger and against a 10,000,000-claim
ledger, each in a fresh process, with peak memory, in the same run. The ledger is built
once with Polars (ten years, 1M claims a year in 200 batches, a share of the batch's own
persons among them) and cached in bench/out/, which is never committed."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from wudi_audit.ledger.layout import VERSION_KEY, file_stem
from wudi_audit.schema.ledger import LEDGER_SCHEMA, SCHEMA_VERSION

BATCHES = 200
YEARS = range(2017, 2027)


def build_ledger(folder: Path, rows: int, people: pl.DataFrame, of_the_batch: bool = True) -> None:
    """`rows` ledger claims: one in ten is one of the batch's persons (same number and
    name), one in a thousand carries a batch person's name with one digit of the number
    altered (P107's finds), the rest are strangers. `of_the_batch=False`: strangers only,
    so that a check against it pays for reading the ledger and finds nothing in it."""
    marker = folder / f".complete-v{SCHEMA_VERSION}-1{'' if of_the_batch else '-strangers'}"
    if marker.exists():
        return
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    per_batch = rows // BATCHES
    known = people.unique("id_number").sort("id_number")
    known_ids, known_names = pl.lit(known["id_number"]), pl.lit(known["name"])
    for b in range(BATCHES):
        n = pl.int_range(0, per_batch, eager=True).alias("n")
        pick = (pl.col("n") * 7919 + b) % known.height
        own = (pl.col("n") % 10 == 0) & of_the_batch  # one of the batch's persons
        altered = (pl.col("n") % 1000 == 5) & of_the_batch  # a batch name, a number altered
        seed = b * per_batch
        frame = (
            pl.DataFrame(n)
            .select(
                pl.lit(SCHEMA_VERSION, pl.Int16).alias("schema_version"),
                pl.lit(f"历史{b:04d}").alias("batch_id"),
                pl.lit(f"{b:064x}").alias("content_hash"),
                pl.lit(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).alias("added_at"),
                pl.lit(f"历史{b:04d}.xlsx").alias("source_file"),
                (pl.col("n") + 2).cast(pl.Int64).alias("source_row"),
                pl.lit("pass").alias("verdict"),
                pl.format("SL{}", pl.col("n") + seed).alias("claim_id"),
                pl.when(own)
                .then(known_ids.gather(pick))
                .when(altered)
                .then(_altered(known_ids.gather(pick)))
                .otherwise(pl.format("3205{}", (pl.col("n") + seed + 10**13).cast(pl.String)))
                .alias("id_number"),
                pl.when(own | altered)
                .then(known_names.gather(pick))
                .otherwise(pl.lit("历史学员"))
                .alias("name"),
                pl.format("WDGJ{}-{}", pl.lit(YEARS[b % len(YEARS)]), pl.col("n") % 40).alias(
                    "project_code"
                ),
                pl.format("BJ{}", pl.col("n") // 40 + seed).alias("class_id"),
                pl.lit("12320500MB0000000X").alias("provider_code"),
                pl.lit("苏州某培训学校").alias("provider_name"),
                pl.lit("电工").alias("occupation"),
                pl.lit("五级").alias("level"),
                pl.lit("吴中区").alias("district"),
                (
                    pl.lit(dt.date(YEARS[b % len(YEARS)], 1, 1))
                    + pl.duration(days=pl.col("n") % 300)
                ).alias("start_date"),
                (
                    pl.lit(dt.date(YEARS[b % len(YEARS)], 1, 20))
                    + pl.duration(days=pl.col("n") % 340)
                ).alias("end_date"),
                pl.lit(84000, pl.Int64).alias("amount_fen"),
                pl.format("ZS{}", pl.col("n") + seed).alias("certificate_no"),
                pl.lit("pass").alias("decision"),
                pl.lit("rules").alias("decided_by"),
                pl.lit(None, pl.String).alias("reviewer"),
                pl.lit(None, pl.String).alias("decision_note"),
                pl.lit("").alias("codes"),
                pl.format("139{}", (pl.col("n") + seed) % 10**8 + 10**7).alias("phone"),
                pl.lit(None, pl.String).alias("decisions_sha256"),
            )
            .select(LEDGER_SCHEMA.keys())
            .cast(LEDGER_SCHEMA)
        )
        for (year,), part in frame.group_by(pl.col("end_date").dt.year()):
            partition = folder / f"year={year}"
            partition.mkdir(exist_ok=True)
            buffer = io.BytesIO()
            part.write_parquet(buffer, metadata={VERSION_KEY: str(SCHEMA_VERSION)})
            stem = file_stem(f"历史{b:04d}", f"{b:064x}")
            (partition / f"{stem}.parquet").write_bytes(buffer.getvalue())
    marker.write_text("ok")
    print(f"generated a {rows:,}-claim ledger in {time.perf_counter() - start:.1f} s")


def _altered(number: pl.Expr) -> pl.Expr:
    """The 16th digit changed (the check character left as it was)."""
    digit = (number.str.slice(15, 1).cast(pl.Int32, strict=False).fill_null(0) + 1) % 10
    return number.str.slice(0, 15) + digit.cast(pl.String) + number.str.slice(16)


def check_with_memory(claims: Path, ledger: Path, out: Path) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) and CPU seconds of one `wudi-audit check` in a fresh
    process. CPU time is the steadier figure on a machine others are loading."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(time.perf_counter() - t, r.ru_maxrss / 1024, r.ru_utime + r.ru_stime)\n"
    )
    command = [
        sys.executable, "-m", "wudi_audit", "check", str(claims), "--ledger", str(ledger),
        "-o", str(out), "--fail-on", "never",
    ]  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    seconds, peak, cpu = result.stdout.split()
    return float(seconds), float(peak), float(cpu)


def bench_ledger(claims_path: Path, out: Path, rows: int, runs: int) -> None:
    from wudi_audit.read.reader import read_table
    from wudi_audit.schema.tables import CLAIMS

    people = read_table(claims_path, CLAIMS, cell_types=False).frame.select("id_number", "name")
    ledger = out / f"ledger{rows}"
    build_ledger(ledger, rows, people.drop_nulls())
    empty = out / "no-ledger"  # never created: an empty history
    measured = {}
    for label, folder in (("without a ledger", empty), (f"{rows:,}-claim ledger", ledger)):
        samples = [check_with_memory(claims_path, folder, out / "ledger.xlsx") for _ in range(runs)]
        measured[label] = (
            statistics.median(s for s, _, _ in samples),
            max(m for _, m, _ in samples),
            statistics.median(c for _, _, c in samples),
        )
    (base_s, base_mb, base_cpu), (with_s, with_mb, with_cpu) = measured.values()
    print(f"ledger: {claims_path.parent.name}, median of {runs} runs (fresh process each)")
    for label, (seconds, mb, cpu) in measured.items():
        print(
            f"  check {label:<26} {seconds:7.2f} s  {seconds / base_s:5.2f}x"
            f"   cpu {cpu:7.2f} s  {cpu / base_cpu:5.2f}x"
            f"   peak {mb:7.0f} MB  (+{mb - base_mb:5.0f} MB)"
        )
    print(
        f"  ledger adds {100 * (with_s / base_s - 1):+.1f} % time, "
        f"{100 * (with_cpu / base_cpu - 1):+.1f} % cpu (target ≤ 15 %), "
        f"{with_mb - base_mb:+.0f} MB (target ≤ 300 MB)"
    )
    bench_p107(claims_path, ledger, runs)


def bench_p107(claims_path: Path, ledger: Path, runs: int) -> None:
    """The rules alone (inputs in memory) against the ledger, with and without P107."""
    from wudi_audit.checks import REGISTRY
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.ledger.history import read_history
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.pipeline import attach_history
    from wudi_audit.rules.pack import load_rule_pack

    pack = load_rule_pack()
    inputs = load_inputs(claims_path, pack).inputs
    history = read_history(
        ledger, inputs.claims, batch_id="bench", content_hash="", window_days=365,
        with_totals=False,
    )  # fmt: skip
    attach_history(inputs, history)
    without = {c: r for c, r in REGISTRY.items() if c != "P107"}

    def timed(rules) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            run_rules(inputs, pack, rules)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    base, full = timed(without), timed(REGISTRY)
    found = REGISTRY["P107"].check(inputs, pack).collect().height
    print(f"P107: rules on {inputs.claims.height:,} claims against {ledger.name}, median of {runs}")
    print(f"  every rule but P107                      {base:7.2f} s   1.00x")
    print(f"  every rule with P107 ({found:,} flagged)     {full:7.2f} s  {full / base:5.2f}x")
