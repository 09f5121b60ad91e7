"""The peer's baseline: a plain pandas + openpyxl script doing six simple checks on the
claims and the excluded-persons roster (no attendance), writing the claims back with a
verdict column. What `wudi-audit check CLAIMS --excluded ROSTER` is compared with.

    python bench/pandas_baseline.py CLAIMS.xlsx EXCLUDED.xlsx -o OUT.xlsx
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
ONLINE_RATE, OFFLINE_RATE = 15, 30


def header_row(path: Path) -> int:
    """The row holding 公民身份号码, below any title rows."""
    head = pd.read_excel(path, engine="openpyxl", header=None, nrows=30, dtype=str)
    for i, row in head.iterrows():
        if "公民身份号码" in set(row.dropna()):
            return int(i)
    raise SystemExit(f"no header in {path}")


def id_valid(number: object) -> bool:
    text = str(number).strip().upper()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    return CHECK[sum(int(d) * w for d, w in zip(text[:17], WEIGHTS, strict=True)) % 11] == text[17]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("claims", type=Path)
    parser.add_argument("excluded", type=Path)
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    claims = pd.read_excel(
        args.claims, engine="openpyxl", header=header_row(args.claims), dtype={"公民身份号码": str}
    )
    claims = claims[claims["公民身份号码"].notna()]  # the 合计 row
    roster = pd.read_excel(args.excluded, engine="openpyxl", dtype=str)
    excluded = set(roster["公民身份号码"].str.strip().str.upper())
    ids = claims["公民身份号码"].astype(str).str.strip().str.upper()
    online = pd.to_numeric(claims["线上课时"], errors="coerce").fillna(0)
    offline = pd.to_numeric(claims["线下课时"], errors="coerce").fillna(0)
    total = pd.to_numeric(claims["总课时"], errors="coerce")
    amount = pd.to_numeric(claims["补贴金额（元）"], errors="coerce")
    starts = pd.to_datetime(claims["开班日期"], errors="coerce")
    ends = pd.to_datetime(claims["结业日期"], errors="coerce")
    findings = pd.DataFrame(
        {
            "身份证号无效": ~ids.map(id_valid),
            "同批重复": ids.duplicated(keep=False),
            "财政供养人员": ids.isin(excluded),
            "课时不符": (online + offline) != total,
            "金额超标": amount > online * ONLINE_RATE + offline * OFFLINE_RATE,
            "日期缺失或颠倒": starts.isna() | ends.isna() | (ends < starts),
        },
        index=claims.index,
    )
    claims = claims.assign(
        异常=findings.apply(lambda row: "、".join(row.index[row.to_numpy()]), axis=1)
    )
    claims.to_excel(args.out, engine="openpyxl", index=False, sheet_name="申领明细")
    flagged = int(findings.any(axis=1).sum())
    print(
        f"pandas+openpyxl: {len(claims):,} claims, {flagged:,} flagged, "
        f"{time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
