"""Benchmark: `wudi-audit check` on a 100k-claim batch against Polars alone reading the
same file, in the same run. Figures are ratios to that baseline; data is generated into
bench/out/ (never committed) and reused between runs.

    make bench            # or: python bench/bench.py --claims 100000 --runs 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

OUT = Path(__file__).parent / "out"


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_sample(claims: int) -> Path:
    from wudi_audit.sample import write_sample

    folder = OUT / f"claims{claims}"
    path = folder / "claims.xlsx"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_sample(folder, claims, with_attendance=False)
        print(f"generated {claims:,} claims in {time.perf_counter() - start:.1f} s")
    return path


def phases(path: Path) -> dict[str, float]:
    """One in-process run, split into read+normalise, rules and report+write."""
    from wudi_audit.engine import run_rules
    from wudi_audit.inputs import load_inputs
    from wudi_audit.io.writer import write_workbook
    from wudi_audit.report import build_report
    from wudi_audit.rulepack import load_rule_pack

    pack = load_rule_pack()
    t0 = time.perf_counter()
    loaded = load_inputs(path, pack)
    t1 = time.perf_counter()
    result = run_rules(loaded.inputs, pack)
    t2 = time.perf_counter()
    report = build_report(result, pack, loaded.sources)
    write_workbook(report, OUT / "phase.xlsx")
    t3 = time.perf_counter()
    return {"read+normalise": t1 - t0, "rules": t2 - t1, "report+write": t3 - t2}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = ensure_sample(args.claims)

    def polars_read() -> None:
        pl.read_excel(
            path, engine="calamine", read_options={"header_row": 1}, infer_schema_length=None
        )

    def cli_check() -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "wudi_audit",
                "check",
                str(path),
                "-o",
                str(OUT / "check.xlsx"),
                "--fail-on",
                "never",
            ],
            check=True,
            capture_output=True,
        )

    baseline = timed(polars_read, args.runs)
    check = timed(cli_check, args.runs)
    split = phases(path)
    print(f"claims: {args.claims:,} rows, median of {args.runs} runs")
    print(f"  baseline  pl.read_excel(calamine)          {baseline:7.2f} s   1.00x")
    print(f"  wudi-audit check (whole CLI, fresh process) {check:7.2f} s  {check / baseline:5.2f}x")
    for name, seconds in split.items():
        print(f"    {name:<15} {seconds:7.2f} s  {seconds / baseline:5.2f}x")


if __name__ == "__main__":
    main()
