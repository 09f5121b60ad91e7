"""Millions of claims (issue 21): a 1,100,000-claim CSV and a 1,048,575-claim workbook
(Excel's maximum), each checked with `--json`, in the worst case for a pairwise rule:
400 names spread over sequential identity numbers, so that P107 flags every claim (each
number is one digit from the next). A 110,000-claim CSV of the same shape gives the
growth (10× the claims). Generated once into bench/out/, never committed.

    python bench/million.py            # part of `make bench`
    python bench/million.py --small    # 11,000 and 110,000 claims: a smoke run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

BENCH = Path(__file__).parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
from bench import WUDI, measure  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
HEADERS = {
    "id_number": "公民身份号码",
    "name": "姓名",
    "project_code": "项目编号",
    "class_id": "班级编号",
    "provider_name": "培训机构",
    "start_date": "开班日期",
    "end_date": "结业日期",
    "online_hours": "线上课时",
    "offline_hours": "线下课时",
    "assessment": "考核结果",
    "amount": "补贴金额（元）",
}


def worst_case(claims: int) -> pl.DataFrame:
    """`claims` claims: sequential identity numbers (valid check characters), 400 names
    in turn, 14 + 21 hours at the caps (840 yuan), 50 trainees a class."""
    n = pl.int_range(claims, dtype=pl.Int64)
    body = (pl.lit(32050519900101000) + n).cast(pl.String)  # 17 digits, one apart
    total = sum(body.str.slice(i, 1).cast(pl.Int64) * weight for i, weight in enumerate(WEIGHTS))
    check = pl.lit(CHECK).str.slice(total % 11, 1)
    return pl.select(
        pl.concat_str(body, check).alias(HEADERS["id_number"]),
        pl.format("学员{}", n % 400).alias(HEADERS["name"]),
        pl.format("WDGJ2026-{}", (n % 37).cast(pl.String).str.zfill(3)).alias(
            HEADERS["project_code"]
        ),
        pl.format("BJ{}", (n // 50).cast(pl.String).str.zfill(7)).alias(HEADERS["class_id"]),
        pl.format("苏州第{}职业培训学校", n % 120).alias(HEADERS["provider_name"]),
        pl.lit("2026-03-02").alias(HEADERS["start_date"]),
        pl.lit("2026-03-15").alias(HEADERS["end_date"]),
        pl.lit(14).alias(HEADERS["online_hours"]),
        pl.lit(21).alias(HEADERS["offline_hours"]),
        pl.lit("合格").alias(HEADERS["assessment"]),
        pl.lit(840).alias(HEADERS["amount"]),
    )


def csv_batch(claims: int) -> Path:
    path = OUT / f"worst{claims}.csv"
    if not path.exists():
        start = time.perf_counter()
        OUT.mkdir(parents=True, exist_ok=True)
        worst_case(claims).write_csv(path)
        print(f"generated {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


def xlsx_batch(claims: int) -> Path:
    """The same claims as a workbook, written row by row in constant memory."""
    import xlsxwriter

    path = OUT / f"worst{claims}.xlsx"
    if path.exists():
        return path
    start = time.perf_counter()
    frame = worst_case(claims)
    temp = path.with_suffix(".tmp.xlsx")
    with xlsxwriter.Workbook(str(temp), {"constant_memory": True}) as book:
        sheet = book.add_worksheet("申领明细")
        sheet.write_row(0, 0, frame.columns)
        for r, row in enumerate(frame.iter_rows(), start=1):
            sheet.write_row(r, 0, row)
    temp.rename(path)
    print(f"generated {path.name} in {time.perf_counter() - start:.1f} s", flush=True)
    return path


def run(claims: Path, label: str) -> tuple[str, float, float, str]:
    out = OUT / "run"
    out.mkdir(parents=True, exist_ok=True)
    command = [*WUDI, "check", str(claims), "--fail-on", "never", "--timings",
               "--ledger", str(OUT / "no-ledger"), "-o", str(out / f"{label}.xlsx"),
               "--json", str(out / f"{label}.json")]  # fmt: skip
    sample = measure(command)
    timings = next((ln for ln in sample.stderr.splitlines() if ln.startswith("timings:")), "")
    return label, sample.seconds, sample.peak_mb, timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="11,000 and 110,000 claims")
    args = parser.parse_args()
    big, xlsx = (110_000, 104_857) if args.small else (1_100_000, 1_048_575)
    small = big // 10
    results = [
        run(csv_batch(small), f"csv{small}"),
        run(csv_batch(big), f"csv{big}"),
        run(xlsx_batch(xlsx), f"xlsx{xlsx}"),
    ]
    print()
    print("| measured (worst case: P107 flags every claim), `check --json` | s | peak RSS MB "
          "| target | met |")  # fmt: skip
    print("|---|---:|---:|---|---|")
    for label, seconds, mb, _ in results:
        met = seconds <= 120 and mb <= 3072
        target = "≤ 120 s, ≤ 3 GB" if label != f"csv{small}" else ""
        mark = ("yes" if met else "**no**") if target else ""
        print(f"| {label} | {seconds:.1f} | {mb:,.0f} | {target} | {mark} |")
    growth = results[1][1] / results[0][1]
    print(f"| growth: {big:,} vs {small:,} claims (10×) | {growth:.2f}× | | ≤ 11× | "
          f"{'yes' if growth <= 11 else '**no**'} |")  # fmt: skip
    print()
    for label, _, _, timings in results:
        print(f"{label}: {timings}")


if __name__ == "__main__":
    main()
