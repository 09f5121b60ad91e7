"""CSV (any of the encodings the field writes) and Parquet: found header, then the rows,
each with the physical line it starts on."""

from __future__ import annotations

import csv
import dataclasses
import io

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.read.failures import reraise_interrupts, unreadable
from wudi_audit.read.grid import select_fields
from wudi_audit.read.headers import (
    check_mapping,
    find_header,
)
from wudi_audit.read.missing import missing_columns_error
from wudi_audit.read.raw import SourceFile
from wudi_audit.schema.tables import TableSchema


def decode_text(content: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOM first (UTF-8, UTF-16), then strict UTF-8, else GB18030."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace"), "gb18030"


def read_csv(content: bytes, schema: TableSchema, where: str, source: SourceFile) -> pl.DataFrame:
    text, encoding = decode_text(content)
    source.notes.append(f"CSV 编码 {encoding}")
    head_lines = text[:65536].splitlines()[:40]
    separator = (
        "\t"
        if max((ln.count("\t") for ln in head_lines), default=0)
        > max((ln.count(",") for ln in head_lines), default=0)
        else ","
    )
    reader = csv.reader(io.StringIO(text[:262144]), delimiter=separator)
    rows: list[list[str]] = []
    line_starts: list[int] = []
    try:
        while len(rows) < 30:
            line_starts.append(reader.line_num)
            rows.append(next(reader))
    except StopIteration:
        line_starts.pop()
    except csv.Error as exc:
        raise unreadable(where, exc) from exc
    if not rows:
        raise UserInputError(f"文件为空：{where}", f"file is empty: {where}")
    match, best = find_header(rows, schema, where)
    if match is None:
        raise missing_columns_error(schema, best, where, where)
    check_mapping(match, schema, where)
    header_line = line_starts[match.row]  # physical lines before the header record
    data = text.encode("utf-8")

    def parse(truncate: bool) -> pl.DataFrame:
        return pl.read_csv(
            io.BytesIO(data),
            has_header=False,
            infer_schema=False,
            separator=separator,
            skip_lines=header_line,
            truncate_ragged_lines=truncate,
            raise_if_empty=False,
        )

    try:
        try:
            grid = parse(truncate=False)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            grid = parse(truncate=True)
            source.notes.append("部分行的字段多于表头，多出的字段已忽略")
    except BaseException as exc:
        reraise_interrupts(exc)
        raise unreadable(where, exc) from exc
    # Physical line of each record: a record with line breaks inside spans several lines.
    breaks = pl.sum_horizontal(
        [pl.col(c).str.count_matches("\n").fill_null(0) for c in grid.columns]
    )
    starts = grid.select(
        (
            pl.lit(header_line + 1, dtype=pl.Int64)
            + pl.int_range(pl.len(), dtype=pl.Int64)
            + breaks.cum_sum().shift(1, fill_value=0)
        ).alias("line")
    ).to_series()
    shifted = dataclasses.replace(match, row=0)
    header_rows = [
        line_starts[r] + 1 for r in range(match.row - (1 if match.groups else 0), match.row + 1)
    ]
    return select_fields(grid, shifted, schema, source, "", None, starts, header_rows)


def read_parquet(
    content: bytes, schema: TableSchema, where: str, source: SourceFile
) -> pl.DataFrame:
    try:
        table = pl.read_parquet(io.BytesIO(content))
    except BaseException as exc:
        reraise_interrupts(exc)
        raise unreadable(where, exc) from exc
    header = [list(table.columns)]
    match, best = find_header(header, schema, where)
    if match is None:
        raise missing_columns_error(schema, best, where, where)
    check_mapping(match, schema, where)
    numeric = None
    if "id_number" in match.columns:
        dtype = table.dtypes[match.columns["id_number"]]
        numeric = pl.Series([dtype.is_numeric()] * (table.height + 1))
    as_text = []
    for name, dtype in table.schema.items():
        column = pl.col(name)
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            column = column.dt.to_string("%Y-%m-%d %H:%M:%S")
        as_text.append(column.cast(pl.String).alias(name))
    grid = pl.concat(
        [pl.DataFrame([pl.Series(c, [c]) for c in table.columns]), table.select(as_text)]
    )
    return select_fields(grid, match, schema, source, "", numeric)
