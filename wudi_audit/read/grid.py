"""A sheet's grid below its header made into field columns: blank and total rows dropped,
provenance added, a 培训起止时间 range split into its start and end."""

from __future__ import annotations

import polars as pl

from wudi_audit.read.headers import (
    HeaderMatch,
)
from wudi_audit.read.raw import SourceFile
from wudi_audit.schema.tables import TableSchema

TOTAL_MARKERS = ("合计", "总计", "小计")


NUMERIC_CELL = "id_number__numeric_cell"


def select_fields(
    grid: pl.DataFrame,
    match: HeaderMatch,
    schema: TableSchema,
    source: SourceFile,
    sheet: str,
    numeric: pl.Series | None,
    row_numbers: pl.Series | None = None,
    header_rows: list[int] | None = None,
) -> pl.DataFrame:
    """Keep the data rows below the header, name the columns by field, add provenance."""
    if row_numbers is None:
        row_numbers = pl.int_range(1, grid.height + 1, eager=True, dtype=pl.Int64)
    if header_rows is None:
        first = match.row - (1 if match.groups else 0)
        header_rows = [int(row_numbers[r]) for r in range(first, match.row + 1)]
    if not source.header_rows:
        source.header_rows = header_rows
        source.columns = [
            (match.label(i), next((f for f, p in match.columns.items() if p == i), None))
            for i in range(len(match.headers))
            if match.label(i)
        ]
        source.units = dict(match.units)
        source.mapped = list(match.mapped)
    stripped = [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in grid.columns]
    base = grid.with_columns(stripped).with_columns(
        row_numbers.alias("source_row"),
        (numeric if numeric is not None else pl.lit(False)).alias(NUMERIC_CELL),
    )
    base = base.slice(match.row + 1)
    first_cell = pl.coalesce([pl.col(c) for c in grid.columns])
    mapped = [grid.columns[i] for i in match.columns.values()]
    blank = pl.all_horizontal([pl.col(c).is_null() for c in mapped])
    total = first_cell.is_in(list(TOTAL_MARKERS))
    base = base.with_columns(
        blank.alias("__blank"), total.alias("__total"), pl.int_range(pl.len()).alias("__i")
    )
    data_rows = base.filter(~pl.col("__blank") & ~pl.col("__total"))["__i"]
    last = data_rows.max() if data_rows.len() else -1
    trailing_totals = base.filter((pl.col("__i") > last) & pl.col("__total")).height
    if trailing_totals:
        where = f"工作表“{sheet}”" if sheet else "文件"
        source.notes.append(f"{where}末尾的合计行已忽略（{trailing_totals} 行）")
    base = base.filter((pl.col("__i") <= last) & ~pl.col("__blank"))
    repeated = pl.all_horizontal(
        [pl.col(grid.columns[i]) == match.headers[i].strip() for i in match.columns.values()]
    )
    repeats = base.filter(repeated.fill_null(False)).height
    if repeats:  # exports broken into pages repeat the header row
        base = base.filter(~repeated.fill_null(False))
        where = f"工作表“{sheet}”" if sheet else "文件"
        source.notes.append(f"{where}数据中重复出现的表头行已忽略（{repeats} 行）")
    for name, factor in match.scales:
        source.scales[name] = factor
        source.notes.append(f"金额列以万元为单位，已乘以 {factor:,} 换算为元（{name}）")
    for header in match.ignored:
        if header not in source.ignored_columns:
            source.ignored_columns.append(header)
    source.fields.extend(f for f in match.columns if f not in source.fields)
    given = range_columns(grid, match)
    if given:
        source.notes.append("开班日期和结业日期取自培训起止时间列")
        source.fields.extend(f for f in given if f not in source.fields)
    columns = [
        pl.col(grid.columns[match.columns[f.name]]).alias(f.name)
        if f.name in match.columns
        else given[f.name].alias(f.name)
        if f.name in given
        else pl.lit(None, dtype=pl.String).alias(f.name)
        for f in schema.fields
    ]
    return base.select(
        *columns,
        pl.col(NUMERIC_CELL),
        pl.col("source_row"),
        pl.lit(source.path).alias("source_file"),
        pl.lit(sheet).alias("source_sheet"),
    )


# `2025.03.01-2025.03.20`, `2025-03-01 至 2025-03-20`, `2025/3/1~2025/3/20`,
# `2025年3月1日—3月20日` (the end may omit the year), `20250301-20250320`.
_DATE = r"[0-9]{4}(?:[年./-][0-9]{1,2}[月./-][0-9]{1,2}日?|[0-9]{4})"


_END = r"(?:[0-9]{4}[年./-])?[0-9]{1,2}[月./-][0-9]{1,2}日?|[0-9]{8}"


_RANGE = rf"^\s*({_DATE})\s*(?:至|到|~|～|—|–|－|-|——)\s*({_END})\s*$"


def range_columns(grid: pl.DataFrame, match: HeaderMatch) -> dict[str, pl.Expr]:
    """Start and end dates from one 培训起止时间 column, where they have no columns of their
    own. A value that is not a readable range, a single date included, is D002."""
    if "training_period" not in match.columns or {"start_date", "end_date"} & set(match.columns):
        return {}
    text = pl.col(grid.columns[match.columns["training_period"]]).str.normalize("NFKC")
    start = text.str.extract(_RANGE, 1)
    end = text.str.extract(_RANGE, 2)
    end = (
        pl.when(end.str.contains(r"^[0-9]{1,2}[月./-]"))
        .then(pl.concat_str(start.str.slice(0, 4), pl.lit("年"), end))
        .otherwise(end)
    )
    # not a range (a single date `2025.03.01`, words): kept whole with the reason, so that
    # no date is read from it and D002 shows what was written
    unreadable = pl.concat_str(text, pl.lit("（不是起止范围 / not a range）"))
    return {"start_date": pl.coalesce(start, unreadable), "end_date": pl.coalesce(end, unreadable)}
