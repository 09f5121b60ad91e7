"""Read a table (xlsx, xls, csv, parquet) into raw text columns named by schema field.

Every value is kept as text here, so that nothing is lost to type inference; the cell
type of the identity column (numeric or not) is kept beside it for P102. Parsing into
dates and numbers happens in `normalize`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.read.headers import (
    HeaderMatch,
    find_header,
    missing_columns_error,
    two_level_header,
)
from wudi_audit.read.native import quiet_native
from wudi_audit.read.sniff import check_zip_limits, sniff_format
from wudi_audit.schema import TableSchema

TOTAL_MARKERS = ("合计", "总计", "小计")
NUMERIC_CELL = "id_number__numeric_cell"


@dataclass(frozen=True)
class ReadLimits:
    max_uncompressed_bytes: int = 1 << 30
    max_compression_ratio: float = 100.0

    @classmethod
    def from_pack(cls, limits: dict[str, float]) -> ReadLimits:
        """The rule pack's `[limits]`, each falling back to the default above."""
        return cls(
            int(limits.get("max_uncompressed_bytes", cls.max_uncompressed_bytes)),
            float(limits.get("max_compression_ratio", cls.max_compression_ratio)),
        )


@dataclass
class SourceFile:
    path: str
    sha256: str
    format: str
    rows: int = 0
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # schema fields found in the headers
    scales: dict[str, int] = field(default_factory=dict)


@dataclass
class RawTable:
    schema: TableSchema
    frame: pl.DataFrame  # field columns (String) + source_row, source_file, source_sheet
    sources: list[SourceFile]
    present_fields: frozenset[str] = frozenset()  # fields with a column in the file
    scales: dict[str, int] = field(default_factory=dict)  # 万元 amounts: field → factor


def read_table(
    path: Path,
    schema: TableSchema,
    *,
    sheet: str | None = None,
    all_sheets: bool = False,
    limits: ReadLimits | None = None,
    cell_types: bool = True,
    role: tuple[str, str] | None = None,
) -> RawTable:
    """Read one file. `all_sheets` reads every sheet whose header matches (attendance).
    `cell_types` re-reads the identity column by cell type so that numbers stored as
    numbers are known (P102); it costs a second parse of the sheet, so it is kept for the
    claims, where P102 is judged. `role` (Chinese, English) names the input first in any
    error message, e.g. ("考勤记录", "attendance records"); the schema's label by default."""
    role_zh, role_en = role or (schema.label_zh, ROLE_EN.get(schema.name, schema.name))
    try:
        return _read_table(path, schema, sheet, all_sheets, limits, cell_types)
    except UserInputError as exc:
        raise UserInputError(f"{role_zh}：{exc.zh}", f"{role_en}: {exc.en}") from exc.__cause__


ROLE_EN = {
    "claims": "claims",
    "attendance": "attendance records",
    "excluded": "excluded-persons roster",
}


def _read_table(
    path: Path,
    schema: TableSchema,
    sheet: str | None,
    all_sheets: bool,
    limits: ReadLimits | None,
    cell_types: bool,
) -> RawTable:
    limits = limits or ReadLimits()
    where = str(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserInputError(f"找不到文件：{path}", f"file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise UserInputError(f"这是文件夹，不是文件：{path}", f"is a folder: {path}") from exc
    except OSError as exc:
        raise UserInputError(
            f"无法读取文件：{path}（{exc}）", f"cannot read {path}: {exc}"
        ) from exc
    sniffed = sniff_format(path, content)
    source = SourceFile(str(path), hashlib.sha256(content).hexdigest(), sniffed.format)
    if sniffed.extension_mismatch:
        source.notes.append(f"扩展名与内容不符，按内容读取为 {sniffed.format}")
    if sniffed.format == "csv":
        frames = [_read_csv(content, schema, where, source)]
    elif sniffed.format == "parquet":
        frames = [_read_parquet(content, schema, where, source)]
    else:
        if sniffed.format in ("xlsx", "xlsb", "ods"):
            check_zip_limits(path, content, limits)
        frames = _read_workbook(content, schema, where, source, sheet, all_sheets, cell_types)
    frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    source.rows = frame.height
    return RawTable(schema, frame, [source], frozenset(source.fields), dict(source.scales))


def _read_workbook(
    content: bytes,
    schema: TableSchema,
    where: str,
    source: SourceFile,
    sheet: str | None,
    all_sheets: bool,
    cell_types: bool,
) -> list[pl.DataFrame]:
    import fastexcel

    try:
        with quiet_native(where, source.notes) as noise:
            reader = fastexcel.read_excel(content)
            names = list(reader.sheet_names)
    except BaseException as exc:  # a native panic derives from BaseException
        _reraise_interrupts(exc)
        raise _unreadable(where, exc, source.format, noise) from exc
    if sheet is not None:
        if sheet not in names:
            raise UserInputError(
                f"{where} 中没有名为“{sheet}”的工作表；现有：{'、'.join(names)}",
                f"{where} has no sheet {sheet!r}; sheets: {', '.join(names)}",
            )
        names = [sheet]
    with ThreadPoolExecutor(max_workers=len(names) + 1) as pool:
        # The native load releases the GIL: every sheet (attendance) at once, one reader
        # each; the identity column's cell types (P102) beside the first sheet.
        ahead = names if all_sheets else names[:1]
        grids = {n: pool.submit(_load_grid_notes, content, n, where, source.format) for n in ahead}
        types = (
            pool.submit(_cell_types_notes, content, names[0], where, source.format)
            if cell_types
            else None
        )
        return _match_sheets(reader, names, grids, types, schema, where, source, all_sheets)


def _match_sheets(
    reader, names, grids, types, schema, where, source, all_sheets
) -> list[pl.DataFrame]:
    """The sheets in order, as one after the other: the first error in sheet order is the
    one raised, each sheet's notes in sheet order."""
    frames: list[pl.DataFrame] = []
    best: HeaderMatch | None = None
    for name in names:
        if name in grids:
            grid, notes = grids[name].result()
            source.notes.extend(notes)
        else:
            grid = _load_grid(reader, name, where, source)
        if grid is None:
            continue
        rows = grid.head(30).rows()
        match, partial = find_header(rows, schema, f"{where}［{name}］")
        if match is None and (pair := two_level_header(rows, schema)) is not None:
            raise UserInputError(
                f"{where}［{name}］的表头占两行（第 {pair + 1}、{pair + 2} 行，含合并单元格），"
                "无法可靠对应各列；请改为单行表头后重试",
                f"{where} [{name}]: a two-level merged header in rows {pair + 1} and "
                f"{pair + 2}; use a single header row",
            )
        if match is None:
            if partial is not None and (best is None or len(partial.columns) > len(best.columns)):
                best = partial
            continue
        numeric = None
        if types is not None and "id_number" in match.columns:
            column = grid.columns[match.columns["id_number"]]
            if name == names[0]:
                numeric, notes = types.result()
                source.notes.extend(notes)
                numeric = numeric[column].is_not_null()
            else:
                numeric = _numeric_cells(reader, name, column, where, source)
        frames.append(_select_fields(grid, match, schema, source, name, numeric))
        source.sheets.append(name)
        if not all_sheets:
            break
    if not frames:
        if best is None:
            raise UserInputError(f"工作表为空：{where}", f"the sheet is empty: {where}")
        raise missing_columns_error(schema, best, where)
    return frames


def _load_grid_notes(
    content: bytes, name: str, where: str, fmt: str
) -> tuple[pl.DataFrame | None, list[str]]:
    """`_load_grid` in a thread of its own, with a reader of its own; its notes apart."""
    import fastexcel

    own = SourceFile(where, "", fmt)
    with quiet_native(where, own.notes):
        reader = fastexcel.read_excel(content)
    return _load_grid(reader, name, where, own), own.notes


def _cell_types_notes(
    content: bytes, name: str, where: str, fmt: str
) -> tuple[pl.DataFrame, list[str]]:
    """Every column of the sheet read by cell type: non-null where the cell is a number."""
    import fastexcel

    own = SourceFile(where, "", fmt)
    try:
        with quiet_native(where, own.notes) as noise:
            reader = fastexcel.read_excel(content)
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="boolean")
            return pl.DataFrame(sheet), own.notes
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise _unreadable(where, exc, fmt, noise) from exc


def _load_grid(reader, name: str, where: str, source: SourceFile) -> pl.DataFrame | None:
    try:
        with quiet_native(where, source.notes) as noise:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            grid = pl.DataFrame(sheet)
    except BaseException as exc:
        _reraise_interrupts(exc)
        if type(exc).__name__ == "NoDataError" or "no data" in str(exc).lower():
            return None
        raise _unreadable(where, exc, source.format, noise) from exc
    if grid.height == 0 or grid.width == 0:
        return None
    return grid


def _numeric_cells(reader, name: str, column: str, where: str, source: SourceFile) -> pl.Series:
    """True where the identity cell is stored as a number (P102), read by cell type."""
    try:
        with quiet_native(where, source.notes) as noise:
            sheet = reader.load_sheet(
                name, header_row=None, skip_rows=0, use_columns=[column], dtypes="boolean"
            )
            return pl.DataFrame(sheet).to_series().is_not_null()
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise _unreadable(where, exc, source.format, noise) from exc


def _select_fields(
    grid: pl.DataFrame,
    match: HeaderMatch,
    schema: TableSchema,
    source: SourceFile,
    sheet: str,
    numeric: pl.Series | None,
    row_numbers: pl.Series | None = None,
) -> pl.DataFrame:
    """Keep the data rows below the header, name the columns by field, add provenance."""
    if row_numbers is None:
        row_numbers = pl.int_range(1, grid.height + 1, eager=True, dtype=pl.Int64)
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
    given = _range_columns(grid, match)
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


def _range_columns(grid: pl.DataFrame, match: HeaderMatch) -> dict[str, pl.Expr]:
    """Start and end dates from one 培训起止时间 column, where they have no columns of their
    own. A value that is not a readable range is kept whole in both (D002 judges it)."""
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
    return {"start_date": pl.coalesce(start, text), "end_date": pl.coalesce(end, text)}


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


def _read_csv(content: bytes, schema: TableSchema, where: str, source: SourceFile) -> pl.DataFrame:
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
        raise _unreadable(where, exc) from exc
    if not rows:
        raise UserInputError(f"文件为空：{where}", f"file is empty: {where}")
    match, best = find_header(rows, schema, where)
    if match is None:
        raise missing_columns_error(schema, best, where)
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
        _reraise_interrupts(exc)
        raise _unreadable(where, exc) from exc
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
    shifted = HeaderMatch(0, match.columns, match.headers, match.ignored, match.scales)
    return _select_fields(grid, shifted, schema, source, "", None, starts)


def _read_parquet(
    content: bytes, schema: TableSchema, where: str, source: SourceFile
) -> pl.DataFrame:
    try:
        table = pl.read_parquet(io.BytesIO(content))
    except BaseException as exc:
        _reraise_interrupts(exc)
        raise _unreadable(where, exc) from exc
    header = [list(table.columns)]
    match, best = find_header(header, schema, where)
    if match is None:
        raise missing_columns_error(schema, best, where)
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
    return _select_fields(grid, match, schema, source, "", numeric)


def _reraise_interrupts(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
        raise exc


# Known raw library messages, translated; the raw text is kept last, after 详情/detail.
KNOWN_ERRORS = (
    ("password", "文件受密码保护", "password-protected"),
    ("cannot detect file format", "内容无法识别为该格式", "the content is not of that format"),
    ("failed to fill whole buffer", "数据不完整，文件被截断", "data cut short (truncated)"),
    ("unexpected end of file", "数据不完整，文件被截断", "data cut short (truncated)"),
    ("missing the expected 'r' attribute", "单元格缺少位置信息", "a cell lacks its position"),
    ("zip", "压缩包结构损坏", "the zip structure is broken"),
    ("invalid ole", "不是有效的 OLE 复合文件", "not a valid OLE compound file"),
    ("cannot find workbook stream", "缺少 Workbook 数据流", "no Workbook stream"),
    ("xml", "XML 内容不合法", "the XML is malformed"),
    ("out of range", "内部结构引用越界", "an internal reference points outside the data"),
    ("panicked", "读取器遇到无法处理的结构", "the reader met a structure it cannot handle"),
)
FORMAT_NAMES = {"xls": ".xls", "xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods"}


def _unreadable(
    where: str, exc: BaseException, fmt: str = "", noise: list[str] | None = None
) -> UserInputError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    lowered = " ".join([detail, *(noise or [])[:2]]).lower()
    if "password" in lowered or "encrypt" in lowered:
        return UserInputError(
            f"文件受密码保护（已加密），无法读取：{where}；请另存为不加密的文件后重试",
            f"file is password-protected (encrypted): {where}; save an unencrypted copy",
        )
    reason_zh, reason_en = next(
        ((zh, en) for key, zh, en in KNOWN_ERRORS if key in lowered),
        ("无法解析", "cannot be parsed"),
    )
    kind = FORMAT_NAMES.get(fmt, "")
    kind = f"{kind} " if kind else ""
    return UserInputError(
        f"{kind}文件已损坏、被截断或不是有效的表格文件：{where}（{reason_zh}）；详情：{detail}",
        f"{kind}file is damaged, truncated or not a spreadsheet: {where} ({reason_en}); "
        f"detail: {detail}",
    )
