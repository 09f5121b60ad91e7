"""Read a table (xlsx, xls, csv, parquet) into raw text columns named by schema field.

Every value is kept as text here, so that nothing is lost to type inference; the cell
type of the identity column (numeric or not) is kept beside it for P102. Parsing into
dates and numbers happens in `normalize`.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from wudi_audit.errors import UserInputError
from wudi_audit.read.delimited import read_csv, read_parquet
from wudi_audit.read.failures import reraise_interrupts, unreadable
from wudi_audit.read.grid import select_fields
from wudi_audit.read.headers import HeaderMatch, check_mapping, find_header
from wudi_audit.read.missing import MissingFieldsError, missing_columns_error
from wudi_audit.read.native import quiet_native
from wudi_audit.read.raw import RawTable, ReadLimits, SourceFile
from wudi_audit.read.sniff import check_zip_limits, sniff_format
from wudi_audit.schema.tables import TableSchema


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
    except MissingFieldsError as exc:  # `inspect` reads what was found
        raise MissingFieldsError(f"{role_zh}：{exc.zh}", f"{role_en}: {exc.en}", exc.best) from None
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
        frames = [read_csv(content, schema, where, source)]
    elif sniffed.format == "parquet":
        frames = [read_parquet(content, schema, where, source)]
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
        reraise_interrupts(exc)
        raise unreadable(where, exc, source.format, noise) from exc
    if not names:  # a workbook.xml with an empty <sheets/>
        raise UserInputError(
            f"工作簿中没有工作表，文件已损坏或不是有效的表格文件：{where}",
            f"the workbook has no sheet; the file is damaged or not a spreadsheet: {where}",
        )
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
        if match is None:
            if partial is not None and (best is None or len(partial.columns) > len(best.columns)):
                best = partial
            continue
        check_mapping(match, schema, f"{where}［{name}］")
        numeric = None
        if types is not None and "id_number" in match.columns:
            column = grid.columns[match.columns["id_number"]]
            if name == names[0]:
                numeric, notes = types.result()
                source.notes.extend(notes)
                numeric = numeric[column].is_not_null()
            else:
                numeric = _numeric_cells(reader, name, column, where, source)
        frames.append(select_fields(grid, match, schema, source, name, numeric))
        source.sheets.append(name)
        if not all_sheets:
            break
    if not frames:
        if best is None:
            raise UserInputError(f"工作表为空：{where}", f"the sheet is empty: {where}")
        raise missing_columns_error(schema, best, where, where)
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
        reraise_interrupts(exc)
        raise unreadable(where, exc, fmt, noise) from exc


def _load_grid(reader, name: str, where: str, source: SourceFile) -> pl.DataFrame | None:
    try:
        with quiet_native(where, source.notes) as noise:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            grid = pl.DataFrame(sheet)
    except BaseException as exc:
        reraise_interrupts(exc)
        if type(exc).__name__ == "NoDataError" or "no data" in str(exc).lower():
            return None
        raise unreadable(where, exc, source.format, noise) from exc
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
        reraise_interrupts(exc)
        raise unreadable(where, exc, source.format, noise) from exc
