"""The rows of a big sheet as sheet XML built by Polars, placed into the workbook that
XlsxWriter writes (issue 13).

XlsxWriter writes every sheet, its header, formats, widths, frozen panes and filter;
for the two big tables it writes no data row. Their rows are built here with Polars
string expressions, the same cells XlsxWriter's constant-memory mode writes: inline
strings, text truncated to 32,767 UTF-16 units, control characters and U+FFFE/U+FFFF as
Excel's `_xHHHH_` escapes (a literal `_xHHHH_` escaped in turn), `& < >` escaped,
`xml:space="preserve"` where text begins or ends with white space, numbers as `%.16G`,
never a formula. After XlsxWriter closes the file the rows go into those sheets' XML,
built and compressed a slice of rows at a time, so a sheet of a million rows is never one
string in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from xlsxwriter.utility import _utf16_truncate, xl_col_to_name

MIN_ROWS = 2_000  # smaller tables are written cell by cell, as before
SLICE = 25_000  # rows turned into XML at a time (two slices at once: one built, one written)
MAX_CHARS = 32_767  # Excel's cell limit, in UTF-16 units
CONTROL = "[\x00-\x08\x0b-\x1f\ufffe\uffff]"
CONTROL_CHARS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF)]


@dataclass
class PendingRows:
    """Data rows to place into `sheet` (an XlsxWriter worksheet), from row 2 on: the
    frame and how to write it; the XML is made when the rows are placed."""

    sheet: object
    frame: pl.DataFrame
    styles: list[int | None]
    numeric: list[bool]
    value_styles: dict[int, dict[str, int]] = field(default_factory=dict)
    heights: list[int] | None = None

    def xml_slices(self):
        """The rows' XML, as bytes, a slice of rows at a time."""
        for start in range(0, self.frame.height, SLICE):
            heights = self.heights[start : start + SLICE] if self.heights is not None else None
            yield rows_xml(
                self.frame.slice(start, SLICE),
                self.styles,
                self.numeric,
                self.value_styles,
                heights,
                first_row=start + 2,
            ).encode("utf-8")


def usable(frame: pl.DataFrame) -> bool:
    """Big enough to be worth it, and nothing XlsxWriter would refuse (NaN, infinity)."""
    if frame.height < MIN_ROWS:
        return False
    for name, dtype in frame.schema.items():
        if dtype.is_float() and not frame[name].drop_nulls().is_finite().all():
            return False
    return True


def _as_text(column: pl.Series) -> pl.Series:
    """Text as XlsxWriter keeps it: at most 32,767 UTF-16 units (its own truncation, run
    only where a value may be that long)."""
    column = column.cast(pl.String)
    if (column.str.len_chars().max() or 0) > MAX_CHARS // 2:
        column = column.map_elements(
            lambda s: _utf16_truncate(s, MAX_CHARS), return_dtype=pl.String
        )
    return column


def _escaped(column: pl.Series) -> pl.Expr:
    """The content of `<t>`, escaped as XlsxWriter escapes it (each step only where the
    column needs it)."""
    expr = pl.col(column.name)
    if column.str.contains(CONTROL).any():
        expr = expr.str.replace_all(r"(_x[0-9a-fA-F]{4}_)", "_x005F$1")
        for char in CONTROL_CHARS:
            expr = expr.str.replace_all(char, f"_x{ord(char):04X}_", literal=True)
    if column.str.contains("[&<>]").any():
        expr = (
            expr.str.replace_all("&", "&amp;", literal=True)
            .str.replace_all("<", "&lt;", literal=True)
            .str.replace_all(">", "&gt;", literal=True)
        )
    return expr


WHOLE_BELOW = 10**15  # whole numbers this small print the same as integers under `%.16G`


def number_texts(column: pl.Series) -> pl.Series:
    """XlsxWriter's own number text, `%.16G`: whole numbers below 10^15 (amounts, hours,
    rows: nearly every cell) printed as integers by Polars, the rest (fractions, very
    large numbers, -0.0) one Python format a value."""
    if not (column.dtype.is_integer() or column.dtype.is_float()):  # e.g. decimals
        values = [None if v is None else f"{v:.16G}" for v in column.to_list()]
        return pl.Series(column.name, values, dtype=pl.String)
    v = pl.col(column.name)
    whole = (v > -WHOLE_BELOW) & (v < WHOLE_BELOW)
    if column.dtype.is_float():
        negative_zero = (v == 0) & (1.0 / v < 0)
        whole = whole & (v == v.floor()) & ~negative_zero
    fast = column.to_frame().select(
        pl.when(whole).then(v.cast(pl.Int64).cast(pl.String)).alias("text"),
        (column.is_not_null() & ~whole.fill_null(False)).alias("rest"),
    )
    rest = fast["rest"].arg_true()
    text = fast["text"].alias(column.name)
    if rest.len() == 0:
        return text
    formatted = [f"{v:.16G}" for v in column.gather(rest).to_list()]
    return text.scatter(rest, pl.Series(formatted, dtype=pl.String))


def rows_xml(
    frame: pl.DataFrame,
    styles: list[int | None],
    numeric: list[bool],
    value_styles: dict[int, dict[str, int]] | None = None,
    heights: list[int] | None = None,
    first_row: int = 2,
) -> str:
    """`<row>` elements for every row of `frame`, the first on sheet row `first_row`. A column in
    `value_styles` takes its style from its value (a coloured 退回), else `styles[i]`;
    `heights` gives each row's height in points, None or 0 for the default."""
    value_styles = value_styles or {}
    columns: list[pl.Series] = []
    for name, is_number in zip(frame.columns, numeric, strict=True):
        if is_number:
            columns.append(number_texts(frame[name]))
        else:
            columns.append(_as_text(frame[name]))
    texts = pl.DataFrame(columns) if columns else frame
    row = (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).cast(pl.String)
    cells: list[pl.Expr] = []
    for i, (column, is_number) in enumerate(zip(columns, numeric, strict=True)):
        value = pl.col(column.name)
        style = "" if styles[i] is None else f' s="{styles[i]}"'
        if i in value_styles:
            by_value = {k: f' s="{v}"' for k, v in value_styles[i].items()}
            chosen = value.replace_strict(by_value, default=pl.lit(style), return_dtype=pl.String)
            ref = pl.concat_str(pl.lit(f'<c r="{xl_col_to_name(i)}'), row, pl.lit('"'), chosen)
        else:
            ref = pl.concat_str(pl.lit(f'<c r="{xl_col_to_name(i)}'), row, pl.lit(f'"{style}'))
        if is_number:
            cell = pl.concat_str(ref, pl.lit("><v>"), value, pl.lit("</v></c>"))
        else:
            preserve = value.str.contains(r"^\s|\s$")
            open_t = pl.when(preserve).then(pl.lit(' xml:space="preserve">')).otherwise(pl.lit(">"))
            cell = pl.concat_str(
                ref,
                pl.lit(' t="inlineStr"><is><t'),
                open_t,
                _escaped(column),
                pl.lit("</t></is></c>"),
            )
        cells.append(pl.when(value.is_not_null()).then(cell).otherwise(pl.lit("")))
    height = pl.lit("")
    if heights is not None:
        texts = texts.with_columns(pl.Series("__height", heights, dtype=pl.Int64))
        height = (
            pl.when(pl.col("__height") > 0)
            .then(pl.format(' ht="{}" customHeight="1"', pl.col("__height")))
            .otherwise(pl.lit(""))
        )
    built = texts.select(
        pl.concat_str(
            pl.lit('<row r="'), row, pl.lit('"'), height, pl.lit(">"), *cells, pl.lit("</row>")
        ).alias("x")
    )
    return built["x"].str.join("").item() if built.height else ""


# Deflate level of the big sheets: measured on a 110,000-claim workbook's 293 MB of XML,
# level 1 takes 0.73 s and gives 32.9 MB, level 6 (zlib's default) 2.59 s and 23.7 MB
BIG_SHEET_LEVEL = 1
DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def place(path: Path, workbook, pending: list[PendingRows]) -> None:
    """Put each pending sheet's rows into the file XlsxWriter wrote, before `</sheetData>`,
    and widen its `<dimension>` to the rows written. The file is rewritten beside itself
    and renamed over it; every entry is streamed, the rows a slice at a time."""
    if not pending:
        return
    sheets = [s for s in workbook.worksheets() if not s.is_chartsheet]
    targets = {f"xl/worksheets/sheet{sheets.index(p.sheet) + 1}.xml": p for p in pending}
    temp = path.with_name(path.name + ".rows")
    try:
        with (
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, compresslevel=BIG_SHEET_LEVEL) as out,
        ):
            for info in source.infolist():
                if info.filename in targets:
                    # a big sheet may pass 2 GB uncompressed: ZIP64 for those alone; the
                    # archive's own (fast) level
                    with out.open(info.filename, "w", force_zip64=True) as sink:
                        _splice(source.read(info), targets[info.filename], sink)
                    continue
                target = zipfile.ZipInfo(info.filename, info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                target.external_attr = info.external_attr
                with out.open(target, "w") as sink, source.open(info) as entry:
                    shutil.copyfileobj(entry, sink, 1 << 20)
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


def _splice(sheet_xml: bytes, pending: PendingRows, sink) -> None:
    last_row = 1 + pending.frame.height
    last_col = xl_col_to_name(pending.sheet.dim_colmax or 0)
    sheet_xml = DIMENSION.sub(f'<dimension ref="A1:{last_col}{last_row}"/>'.encode(), sheet_xml, 1)
    head, tail = sheet_xml.rsplit(b"</sheetData>", 1)
    sink.write(head)
    # the next slice's XML is built while this one is compressed and written (zlib lets
    # go of the GIL): two slices in memory at most
    slices = pending.xml_slices()
    with ThreadPoolExecutor(max_workers=1) as builder:
        ahead = builder.submit(next, slices, None)
        while (rows := ahead.result()) is not None:
            ahead = builder.submit(next, slices, None)
            sink.write(rows)
    sink.write(b"</sheetData>" + tail)
