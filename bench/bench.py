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
    from wudi_audit.report.tables import build_report
    from wudi_audit.report.workbook import write_workbook
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


def bench_identity(rows: int, runs: int) -> None:
    """P101 + P103 work on `rows` identity numbers: Polars expressions vs a per-row Python
    loop (python-stdnum's check digit, a date parse and the retirement schedule)."""
    import datetime as dt
    import random

    from stdnum.cn import ric

    from wudi_audit import idnumber, retirement

    rng = random.Random(1)
    numbers = []
    for _ in range(rows):
        body = f"3205{rng.randrange(0, 100):02d}{rng.randrange(1950, 2010)}" + (
            f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(0, 1000):03d}"
        )
        numbers.append(body + ric.calc_check_digit(body + "?"))
    from wudi_audit.checks import REGISTRY, AuditInputs
    from wudi_audit.inputs import prepare_claims
    from wudi_audit.read.normalize import normalize
    from wudi_audit.read.reader import NUMERIC_CELL, RawTable
    from wudi_audit.rulepack import load_rule_pack
    from wudi_audit.schema import CLAIMS

    pack = load_rule_pack()
    raw = pl.DataFrame(
        {f.name: pl.Series([None] * rows, dtype=pl.String) for f in CLAIMS.fields}
    ).with_columns(
        pl.Series("id_number", numbers),
        pl.lit("2026-03-02").alias("start_date"),
        pl.lit(False).alias(NUMERIC_CELL),
        pl.int_range(2, rows + 2).alias("source_row"),
    )

    today = dt.date(2026, 11, 28)
    ids = pl.DataFrame({"id_number": numbers}).with_columns(
        pl.lit(False).alias("id_damaged"), pl.lit(dt.date(2026, 3, 2)).alias("start_date")
    )

    def vectorised() -> None:
        """The same work as the loop: fold, validate, birth date, sex, retirement age."""
        folded = ids.with_columns(idnumber.normalize_id_series(ids["id_number"]))
        born, start = pl.col("birth_date"), pl.col("start_date")
        limit = retirement.statutory_age_months(born, pl.col("male"), 55)
        folded.lazy().with_columns(idnumber.identity_columns(pl.col("id_number"), today)).select(
            pl.col("id_invalid"),
            (start >= retirement.add_months(born, limit)).alias("old"),
            (start < born.dt.offset_by("16y")).alias("young"),
        ).collect()

    def whole_rules() -> None:
        """The real path: normalise every claims field, derive, run P101-P103."""
        claims = prepare_claims(normalize(RawTable(CLAIMS, raw, [])), today)
        inputs = AuditInputs(claims, today=today)
        plans = [REGISTRY[c].check(inputs, pack) for c in ("P101", "P102", "P103")]
        pl.collect_all(plans)

    def python_loop() -> None:
        start = dt.date(2026, 3, 2)
        for number in numbers:
            number = number.strip().upper()
            ok = ric.calc_check_digit(number) == number[17]
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            track = retirement.MALE if int(number[16]) % 2 else retirement.FEMALE_55
            months = retirement.retirement_age_months(track, born.year, born.month)
            total = born.month - 1 + months
            year, month = born.year + total // 12, total % 12 + 1
            _ = ok and (start.year, start.month) >= (year, month)

    slow = timed(python_loop, runs)
    fast = timed(vectorised, runs)
    whole = timed(whole_rules, runs)
    print(f"identity numbers: {rows:,} rows (P101 parse + P103 age), median of {runs}")
    print(f"  baseline  per-row Python loop (stdnum)       {slow:7.2f} s   1.00x")
    print(f"  Polars expressions, same work                {fast:7.2f} s  {fast / slow:5.2f}x")
    print(f"  whole claims normalisation + P101-P103 rules {whole:7.2f} s  {whole / slow:5.2f}x")


def bench_attendance(claims: int, runs: int) -> None:
    """T205-T210 on ~1M attendance records for `claims` claims, beside the time Polars
    alone takes to read the attendance workbook, in the same run."""
    from wudi_audit.checks import REGISTRY
    from wudi_audit.inputs import load_inputs
    from wudi_audit.rulepack import load_rule_pack
    from wudi_audit.sample import write_sample

    folder = OUT / f"attendance{claims}"
    if not (folder / "attendance.xlsx").exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_sample(folder, claims, session_hours=(5, 4))
        print(f"generated {claims:,} claims with attendance in {time.perf_counter() - start:.1f} s")
    attendance = folder / "attendance.xlsx"
    pack = load_rule_pack()

    def polars_read() -> None:
        import fastexcel

        for sheet in fastexcel.read_excel(attendance).sheet_names:
            pl.read_excel(attendance, sheet_name=sheet, engine="calamine", infer_schema_length=None)

    loaded = None

    def load() -> None:
        nonlocal loaded
        loaded = load_inputs(folder / "claims.xlsx", pack, attendance=[attendance])

    baseline = timed(polars_read, runs)
    loading = timed(load, 1)
    inputs = loaded.inputs
    codes = ("T205", "T206", "T207", "T209", "T210")

    def rules() -> None:
        pl.collect_all([REGISTRY[c].check(inputs, pack) for c in codes])

    together = timed(rules, runs)
    records = inputs.attendance.height

    def row(label: str, seconds: float) -> None:
        print(f"  {label:<47} {seconds:7.2f} s  {seconds / baseline:5.2f}x")

    print(f"attendance: {records:,} records for {inputs.claims.height:,} claims, median of {runs}")
    row("baseline  pl.read_excel(calamine), every sheet", baseline)
    row("claims + attendance read, normalised (once)", loading)
    row("T205-T210 together (one collect_all)", together)
    for code in codes:
        row(f"  {code}", timed(lambda c=code: REGISTRY[c].check(inputs, pack).collect(), runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--id-rows", type=int, default=1_000_000)
    parser.add_argument("--ledger-rows", type=int, default=10_000_000)
    parser.add_argument("--only", choices=["claims", "ids", "attendance", "ledger"], default=None)
    args = parser.parse_args()
    if args.only in (None, "ids"):
        bench_identity(args.id_rows, args.runs)
    if args.only in (None, "attendance"):
        bench_attendance(args.claims, args.runs)
    if args.only in ("ids", "attendance"):
        return
    path = ensure_sample(args.claims)
    if args.only in (None, "ledger"):
        from ledger_bench import bench_ledger

        bench_ledger(path, OUT, args.ledger_rows, args.runs)
    if args.only == "ledger":
        return

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
