"""Find the header row below title rows and map its cells to schema fields (SPEC §3)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from wudi_audit.errors import UserInputError
from wudi_audit.facts.text import fold_header, header_unit
from wudi_audit.schema.tables import Kind, TableSchema

HEADER_SEARCH_ROWS = 30
# Units in an amount header (SPEC §3): the scale to yuan. Any other unit is refused.
MONEY_UNITS = {"元": 1, "人民币元": 1, "万元": 10_000}
# A column giving several fields at once, read only when those fields have no column.
RANGE_FIELDS = {"training_period": ("start_date", "end_date")}


def alias_index(schema: TableSchema) -> dict[str, str]:
    """Folded header text → field name."""
    index: dict[str, str] = {}
    for field in schema.fields:
        for alias in field.aliases:
            index.setdefault(fold_header(alias), field.name)
    return index


@dataclass(frozen=True)
class HeaderMatch:
    row: int  # 0-based row index in the grid
    columns: dict[str, int]  # field name → column position
    headers: tuple[str, ...]  # the row's cells as written
    ignored: tuple[str, ...]  # non-empty headers that match no field
    scales: tuple[tuple[str, int], ...] = ()  # (field, factor) where a unit scales values

    def missing(self, schema: TableSchema) -> list[str]:
        given = {g for f, gives in RANGE_FIELDS.items() if f in self.columns for g in gives}
        return [f.name for f in schema.required if f.name not in self.columns.keys() | given]


def match_row(cells: Sequence[object], schema: TableSchema, row: int, where: str) -> HeaderMatch:
    index = alias_index(schema)
    columns: dict[str, int] = {}
    ignored: list[str] = []
    scales: list[tuple[str, int]] = []
    headers = tuple("" if c is None else str(c) for c in cells)
    for position, cell in enumerate(headers):
        field = index.get(fold_header(cell))
        if field is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        if field in columns:
            first = headers[columns[field]].strip()
            raise UserInputError(
                f"{where}：表头第 {row + 1} 行有两列对应同一字段“{schema.field(field).label_zh}”："
                f"“{first}”和“{cell.strip()}”，请删除或改名其中一列",
                f"{where}: header row {row + 1} has two columns for the field {field}: "
                f"{first!r} and {cell.strip()!r}",
            )
        columns[field] = position
        if schema.field(field).kind is Kind.MONEY and (unit := header_unit(cell)) is not None:
            if unit not in MONEY_UNITS:
                raise UserInputError(
                    f"{where}：金额列“{cell.strip()}”的单位“{unit}”无法识别；请改为元或万元后重试",
                    f"{where}: the amount column {cell.strip()!r} has an unknown unit "
                    f"{unit!r}; use 元 (yuan) or 万元 (ten thousand yuan)",
                )
            if MONEY_UNITS[unit] != 1:
                scales.append((field, MONEY_UNITS[unit]))
    return HeaderMatch(row, columns, headers, tuple(ignored), tuple(scales))


def find_header(
    rows: Sequence[Sequence[object]], schema: TableSchema, where: str
) -> tuple[HeaderMatch | None, HeaderMatch | None]:
    """Return (match, best_partial). `match` is the first row holding every required field."""
    best: HeaderMatch | None = None
    for row_number, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidate = match_row(cells, schema, row_number, where)
        if not candidate.missing(schema):
            return candidate, candidate
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
    return None, best


def two_level_header(rows: Sequence[Sequence[object]], schema: TableSchema) -> int | None:
    """The first row r where rows r and r+1 together name every required field (a group
    row above a sub-header row, with merged cells that keep their value in one row only),
    though neither row alone does; None if there is no such pair."""
    index = alias_index(schema)
    required = {f.name for f in schema.required}
    limit = min(len(rows) - 1, HEADER_SEARCH_ROWS)
    for r in range(max(limit, 0)):
        upper, lower = rows[r], rows[r + 1]
        combined = {
            index.get(fold_header(low if low not in (None, "") else up))
            for up, low in zip(upper, lower, strict=False)
        }
        if required <= combined:
            return r
    return None


def missing_columns_error(schema: TableSchema, best: HeaderMatch | None, where: str) -> Exception:
    if best is None or len(best.columns) < max(2, len(schema.required) // 3):
        # nothing resembles a header row (a README, a chart-only workbook): say so in one
        # line, never list a data row's cells as "headers found"
        needed = "、".join(f.label_zh for f in schema.required)
        return UserInputError(
            f"{where} 的前 {HEADER_SEARCH_ROWS} 行中没有找到表头行；{schema.label_zh}需要这些列："
            f"{needed}（可用表头见 wudi-audit schema）",
            f"{where}: no header row in the first {HEADER_SEARCH_ROWS} rows; a {schema.name} "
            f"table needs: {', '.join(f.name for f in schema.required)} "
            "(accepted headers: wudi-audit schema)",
        )
    found = [h.strip() for h in (best.headers if best else ()) if h and h.strip()]
    missing = best.missing(schema) if best else [f.name for f in schema.required]
    lines_zh, lines_en = [], []
    for name in missing:
        field = schema.field(name)
        close = difflib.get_close_matches(
            field.aliases[0], found, n=1, cutoff=0.3
        ) or _closest_by_alias(field.aliases, found)
        hint_zh = f"，最接近的是“{close[0]}”" if close else ""
        hint_en = f", closest found: {close[0]!r}" if close else ""
        lines_zh.append(f"“{field.label_zh}”（可用表头：{'、'.join(field.aliases)}）{hint_zh}")
        lines_en.append(f"{name} (accepted: {', '.join(field.aliases)}){hint_en}")
    found_text = "、".join(found) if found else "（无）"
    return UserInputError(
        f"{where} 缺少必需列：" + "；".join(lines_zh) + f"。找到的表头：{found_text}",
        f"{where} is missing required columns: "
        + "; ".join(lines_en)
        + f". Headers found: {', '.join(found) or '(none)'}",
    )


def _closest_by_alias(aliases: Sequence[str], found: Sequence[str]) -> list[str]:
    best, best_score = None, 0.0
    for alias in aliases:
        for header in found:
            score = difflib.SequenceMatcher(None, alias, header).ratio()
            if score > best_score:
                best, best_score = header, score
    return [best] if best is not None and best_score >= 0.3 else []
