"""`make demo`'s officer: fill the 复核结论, 复核说明 and 复核人 of the demo workbook from a
small CSV (来源行, 复核结论, 复核说明, 复核人), as an officer does in Excel or WPS, and save
the reviewed copy for `wudi-audit ledger add … --decisions`.

    python scripts/fill_decisions.py CHECKED.xlsx DECISIONS.csv REVIEWED.xlsx
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import openpyxl


def fill(checked: Path, decisions: Path, reviewed: Path) -> int:
    with decisions.open(encoding="utf-8-sig", newline="") as handle:
        wanted = {int(row["来源行"]): row for row in csv.DictReader(handle)}
    book = openpyxl.load_workbook(checked)
    sheet = book["申领审核"]
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) for name in ("来源行", "复核结论", "复核说明", "复核人")}
    filled = 0
    for row in sheet.iter_rows(min_row=2):
        decision = wanted.get(row[at["来源行"]].value)
        if decision is None:
            continue
        for name in ("复核结论", "复核说明", "复核人"):
            row[at[name]].value = decision[name] or None
        filled += 1
    book.save(reviewed)
    return filled


if __name__ == "__main__":
    count = fill(*(Path(a) for a in sys.argv[1:4]))
    print(f"fill_decisions: {count} 笔复核结论已填入 / decisions filled in → {sys.argv[3]}")
