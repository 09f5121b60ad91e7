"""The IO floor of one batch: what no audit of it can go below on this machine.

Every input sheet read with calamine (fastexcel), one thread per sheet (the native load
releases the GIL), and the claims written back as sheet XML built by Polars string
expressions and deflated into a zip entry. Prints its own wall time; `bench.py` times
the whole process, as it times `wudi-audit check`.

    python bench/floor.py CLAIMS.xlsx ATTENDANCE.xlsx REF.xlsx ... -o OUT.zip
"""

from __future__ import annotations

import argparse
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fastexcel
import polars as pl


def read_sheet(path: Path, sheet: str) -> pl.DataFrame:
    reader = fastexcel.read_excel(path.read_bytes())
    return pl.DataFrame(reader.load_sheet(sheet, header_row=None, dtypes="string"))


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(frame: pl.DataFrame) -> bytes:
    """Rows as `<row r=".."><c r="A1" t="inlineStr"><is><t>…</t></is></c>…</row>`."""
    row = pl.int_range(1, pl.len() + 1).cast(pl.String)
    cells = []
    for i, name in enumerate(frame.columns):
        text = (
            pl.col(name)
            .str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
        cell = pl.concat_str(
            pl.lit(f'<c r="{column_letters(i)}'),
            row,
            pl.lit('" t="inlineStr"><is><t xml:space="preserve">'),
            text,
            pl.lit("</t></is></c>"),
        )
        cells.append(pl.when(pl.col(name).is_not_null()).then(cell).otherwise(pl.lit("")))
    rows = frame.select(
        pl.concat_str(pl.lit('<row r="'), row, pl.lit('">'), *cells, pl.lit("</row>")).alias("x")
    )
    body = "".join(rows["x"].to_list()) if rows.height else ""
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
    )
    return (head + body + "</sheetData></worksheet>").encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", type=Path, nargs="+", help="the claims first, then the rest")
    parser.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    jobs = [(path, name) for path in args.files for name in fastexcel.read_excel(path).sheet_names]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        frames = list(pool.map(lambda job: read_sheet(*job), jobs))
    claims = frames[0]
    xml = sheet_xml(claims)
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("xl/worksheets/sheet1.xml", xml)
    rows = sum(f.height for f in frames)
    print(
        f"floor: {len(jobs)} sheets, {rows:,} rows read, {claims.height:,} rows written, "
        f"{len(xml) / 1e6:.0f} MB of XML, {time.perf_counter() - start:.2f} s"
    )


if __name__ == "__main__":
    main()
