"""Benchmark (issue 13): the IO floor, the full job and its phases, the rules alone, the
peer's job beside pandas + openpyxl, the ledger, three sizes, peak RSS of each, as one
table of medians and ratios measured in the same run. Batches are generated with
`wudi-audit sample` into bench/out/ (never committed) and reused between runs.

    make bench                 # python bench/bench.py (about 15 minutes the first time)
    make bench-quick           # python bench/bench.py --quick (a smoke run, as in CI)
    python bench/bench.py --only ledger|ids|attendance   # the older focused benchmarks
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

BENCH = Path(__file__).parent
OUT = BENCH / "out"


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_sample(claims: int) -> Path:
    from wudi_audit.sample.generate import write_sample

    folder = OUT / f"claims{claims}"
    path = folder / "claims.xlsx"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_sample(folder, claims, with_attendance=False)
        print(f"generated {claims:,} claims in {time.perf_counter() - start:.1f} s")
    return path


def bench_identity(rows: int, runs: int) -> None:
    """P101 + P103 work on `rows` identity numbers: Polars expressions vs a per-row Python
    loop (python-stdnum's check digit, a date parse and the retirement schedule)."""
    import datetime as dt
    import random

    from stdnum.cn import ric

    from wudi_audit.facts import idnumber, retirement

    rng = random.Random(1)
    numbers = []
    for _ in range(rows):
        body = f"3205{rng.randrange(0, 100):02d}{rng.randrange(1950, 2010)}" + (
            f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(0, 1000):03d}"
        )
        numbers.append(body + ric.calc_check_digit(body + "?"))
    from wudi_audit.checks import REGISTRY, AuditInputs
    from wudi_audit.normalise.inputs import prepare_claims
    from wudi_audit.normalise.table import normalize
    from wudi_audit.read.grid import NUMERIC_CELL
    from wudi_audit.read.raw import RawTable
    from wudi_audit.rules.pack import load_rule_pack
    from wudi_audit.schema.tables import CLAIMS

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
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.rules.pack import load_rule_pack
    from wudi_audit.sample.generate import write_sample

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


# ---- the issue-13 table: every figure a fresh process, medians, ratios in one run ----


@dataclass
class Sizes:
    claims: int  # the full batch: claims + attendance + five reference lists
    scaling: tuple[int, ...]  # claims-only Parquet batches
    ledger_rows: int
    runs: int
    baseline_runs: int


FULL = Sizes(100_000, (10_000, 100_000, 1_000_000), 10_000_000, 3, 3)
QUICK = Sizes(2_000, (1_000, 10_000), 100_000, 1, 1)


def generate(folder: Path, claims: int, *options: str) -> Path:
    """`wudi-audit sample` into `folder` once (a marker says it finished)."""
    marker = folder / ".complete"
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        command = [*WUDI, "sample", "--out", str(folder), "--claims", str(claims), *options]
        subprocess.run(command, check=True, capture_output=True)
        marker.write_text("ok")
        print(f"generated {folder.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return folder


WUDI = [sys.executable, "-m", "wudi_audit"]


@dataclass
class Sample:
    seconds: float
    peak_mb: float
    stderr: str


def measure(command: list[str]) -> Sample:
    """Wall time and peak RSS of one fresh process (the child's own rusage, by wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}\n{stderr[-2000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, stderr)


@dataclass
class Row:
    label: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


PHASE_RE = re.compile(r"([a-z]+) ([0-9.]+) s")


def phases(row: Row) -> dict[str, float]:
    """Median of each phase from the `--timings` lines."""
    found: dict[str, list[float]] = {}
    for sample in row.samples:
        line = next(ln for ln in sample.stderr.splitlines() if ln.startswith("timings:"))
        for name, seconds in PHASE_RE.findall(line):
            found.setdefault(name, []).append(float(seconds))
    return {name: statistics.median(v) for name, v in found.items() if name != "total"}


def rules_alone(folder: Path, runs: int) -> float:
    """The rules with every input already in memory (no ledger), median of `runs`."""
    from wudi_audit.checks.engine import run_rules
    from wudi_audit.normalise.inputs import load_inputs
    from wudi_audit.read.files import reference_files
    from wudi_audit.rules.pack import load_rule_pack

    pack = load_rule_pack()
    loaded = load_inputs(
        folder / "claims.xlsx",
        pack,
        attendance=[folder / "attendance.xlsx"],
        references=reference_files(folder / "ref"),
    )
    return timed(lambda: run_rules(loaded.inputs, pack), runs)


def issue_table(sizes: Sizes) -> None:
    load_before = os.getloadavg()
    started = time.perf_counter()
    full = generate(
        OUT / f"full{sizes.claims}",
        sizes.claims,
        "--title-rows", "3", "--serial-column", "--attendance-sheets", "2", "--all-references",
    )  # fmt: skip
    claims, attendance, ref = full / "claims.xlsx", full / "attendance.xlsx", full / "ref"
    scaling = {
        n: generate(OUT / f"parquet{n}", n, "--format", "parquet", "--no-attendance")
        for n in sizes.scaling
    }
    from ledger_bench import build_ledger

    from wudi_audit.read.reader import read_table
    from wudi_audit.schema.tables import CLAIMS

    ledger = OUT / f"ledger{sizes.ledger_rows}"
    people = read_table(claims, CLAIMS, cell_types=False).frame.select("id_number", "name")
    build_ledger(ledger, sizes.ledger_rows, people.drop_nulls())
    # the same size, none of the batch's persons or names: what reading it costs alone
    others = OUT / f"ledger{sizes.ledger_rows}-others"
    build_ledger(others, sizes.ledger_rows, people.drop_nulls(), of_the_batch=False)
    empty = OUT / "no-ledger"  # never created: an empty history
    out = OUT / "run"
    out.mkdir(exist_ok=True)
    check = [*WUDI, "check", "--fail-on", "never", "--timings"]
    lists = sorted(ref.glob("*.xlsx"))
    floor = [sys.executable, str(BENCH / "floor.py"), str(claims), str(attendance)]
    floor += [*map(str, lists), "-o", str(out / "floor.zip")]
    commands = {
        "floor": floor,
        "full": [*check, str(claims), "-a", str(attendance), "--ref-dir", str(ref),
                 "--ledger", str(empty), "-o", str(out / "full.xlsx"),
                 "--json", str(out / "full.json")],
        "peer": [*check, str(claims), "--excluded", str(ref / "excluded.xlsx"),
                 "--ledger", str(empty), "-o", str(out / "peer.xlsx")],
        "ledger0": [*check, str(claims), "--ledger", str(empty), "-o", str(out / "l0.xlsx")],
        "ledger": [*check, str(claims), "--ledger", str(ledger), "-o", str(out / "l1.xlsx")],
        "others": [*check, str(claims), "--ledger", str(others), "-o", str(out / "l2.xlsx")],
        **{
            f"n{n}": [*check, str(folder / "claims.parquet"), "--ledger", str(empty),
                      "-o", str(out / f"n{n}.xlsx")]
            for n, folder in scaling.items()
        },
    }  # fmt: skip
    rows = {key: Row(key) for key in commands}
    for round_no in range(sizes.runs):  # interleaved, so that load drifts hit all alike
        for key, command in commands.items():
            rows[key].samples.append(measure(command))
        print(f"round {round_no + 1} of {sizes.runs} done", flush=True)
    baseline = Row("pandas")
    pandas = [sys.executable, str(BENCH / "pandas_baseline.py"), str(claims)]
    pandas += [str(ref / "excluded.xlsx"), "-o", str(out / "pandas.xlsx")]
    for _ in range(sizes.baseline_runs):
        baseline.samples.append(measure(pandas))
    rules = rules_alone(full, sizes.runs)
    print_table(sizes, rows, baseline, rules, load_before, time.perf_counter() - started)


def print_table(
    sizes: Sizes,
    rows: dict[str, Row],
    baseline: Row,
    rules: float,
    load_before: tuple[float, float, float],
    elapsed: float,
) -> None:
    floor, full, peer = rows["floor"].seconds, rows["full"].seconds, rows["peer"].seconds
    n = f"{sizes.claims:,}"
    records = "~1.35M" if sizes.claims == 100_000 else "its"
    lines = [
        f"| measured ({n} claims × 25 columns, {records} attendance records on two sheets, "
        "five reference lists) | median s | ratio | peak RSS MB | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]

    def add(label, seconds, ratio, mb, target="", met=None):
        mark = "" if met is None else ("yes" if met else "**no**")
        mb_text = f"{mb:,.0f}" if mb is not None else ""
        ratio_text = f"{ratio:.2f}×" if ratio is not None else ""
        lines.append(f"| {label} | {seconds:.2f} | {ratio_text} | {mb_text} | {target} | {mark} |")

    add("IO floor: every sheet read (calamine, a thread per sheet) + claims as XML, deflated",
        floor, 1.0, rows["floor"].peak_mb)  # fmt: skip
    add("full job: `check` claims + attendance + 5 lists, workbook + JSON", full, full / floor,
        rows["full"].peak_mb, "≤ 1.3 × floor; RSS ≤ 1.5 GB",
        full <= 1.3 * floor and rows["full"].peak_mb <= 1536)  # fmt: skip
    for name, seconds in phases(rows["full"]).items():
        add(f"  phase: {name} (the tool's `--timings`)", seconds, seconds / floor, None)
    add("rules alone (inputs in memory)", rules, rules / floor, None, "< 1 s", rules < 1.0)
    add("peer's job: `check` claims + `--excluded`", peer, 1.0, rows["peer"].peak_mb)
    add("pandas + openpyxl, six checks, same inputs", baseline.seconds, baseline.seconds / peer,
        baseline.peak_mb, "≥ 12 × the peer's job", baseline.seconds >= 12 * peer)  # fmt: skip
    base, led = rows["ledger0"].seconds, rows["ledger"].seconds
    add("claims only, no ledger", base, 1.0, rows["ledger0"].peak_mb)
    add(f"claims only, {sizes.ledger_rows:,}-claim ledger", led, led / base,
        rows["ledger"].peak_mb, "≤ 1.15 ×", led <= 1.15 * base)  # fmt: skip
    with_ledger, without = phases(rows["ledger"]), phases(rows["ledger0"])
    for name in ("ledger", "rules", "report", "write"):
        add(f"  phase: {name}, with that ledger (without: {without[name]:.2f} s)",
            with_ledger[name], None, None)  # fmt: skip
    other = rows["others"].seconds
    add(f"claims only, {sizes.ledger_rows:,}-claim ledger of other persons (nothing found in it)",
        other, other / base, rows["others"].peak_mb)  # fmt: skip
    previous = None
    for count in sizes.scaling:
        row = rows[f"n{count}"]
        ratio = row.seconds / previous[1] if previous else None
        met = ratio <= 11 * count / previous[0] / 10 if previous else None
        target = (
            f"≤ {1.1 * count / previous[0]:.0f} × (×{count // previous[0]} claims)"
            if previous
            else ""
        )
        add(f"claims only, {count:,} claims (Parquet)", row.seconds, ratio, row.peak_mb,
            target, met)  # fmt: skip
        previous = (count, row.seconds)
    load_after = os.getloadavg()
    print()
    print("\n".join(lines))
    print()
    print(
        f"{os.cpu_count()} cores; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after (1 min); medians of {sizes.runs} rounds "
        f"(pandas: {sizes.baseline_runs}), each a fresh process; {elapsed:.0f} s in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a small smoke run (CI)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--id-rows", type=int, default=1_000_000)
    parser.add_argument("--ledger-rows", type=int, default=10_000_000)
    parser.add_argument("--only", choices=["ids", "attendance", "ledger"], default=None)
    args = parser.parse_args()
    runs = args.runs or 3
    if args.only == "ids":
        return bench_identity(args.id_rows, runs)
    if args.only == "attendance":
        return bench_attendance(args.claims, runs)
    if args.only == "ledger":
        from ledger_bench import bench_ledger

        return bench_ledger(ensure_sample(args.claims), OUT, args.ledger_rows, runs)
    sizes = QUICK if args.quick else FULL
    if args.runs:
        sizes = Sizes(sizes.claims, sizes.scaling, sizes.ledger_rows, args.runs, args.runs)
    issue_table(sizes)


if __name__ == "__main__":
    main()
