"""Find the header row below title rows and map its cells to schema fields (SPEC §3): the
user's own names first, then the documented spellings, then the header's words
(`schema/words.py`); a header over two rows read as one."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from wudi_audit.errors import UserInputError
from wudi_audit.schema.tables import Kind, TableSchema
from wudi_audit.schema.words import (
    CleanHeader,
    clean_header,
    field_by_words,
    money_unit,
    something_else,
)

HEADER_SEARCH_ROWS = 30
# A column giving several fields at once, read only when those fields have no column.
RANGE_FIELDS = {"training_period": ("start_date", "end_date")}


@functools.cache
def alias_index(schema: TableSchema) -> dict[str, str]:
    """Cleaned documented spelling → field name."""
    index: dict[str, str] = {}
    for field in schema.fields:
        for alias in field.aliases:
            index.setdefault(clean_header(alias).text, field.name)
    return index


def recognise(header: CleanHeader, schema: TableSchema) -> str | None:
    """The field a header names by its spelling, else by its words; None when it names
    none, or when words that make it something else win (a share, a rate)."""
    if not header.text:
        return None
    field = alias_index(schema).get(header.text) or field_by_words(
        header, schema.name, schema.kinds
    )
    if field is None or something_else(field, schema.name, header):
        return None
    return field


@dataclass(frozen=True)
class HeaderMatch:
    row: int  # 0-based row index in the grid (the lower row of a two-level header)
    columns: dict[str, int]  # field name → column position
    headers: tuple[str, ...]  # the row's cells as written
    ignored: tuple[str, ...]  # non-empty headers that match no field
    scales: tuple[tuple[str, int], ...] = ()  # (field, factor) where a unit scales values
    groups: tuple[str, ...] = ()  # a two-level header's group above each column ("" none)
    units: tuple[tuple[str, str], ...] = ()  # (field, unit as written) for money columns
    mapped: tuple[str, ...] = ()  # fields named by the user's own names
    # what stops the run if this row is the header: two columns for one field, a unit
    # that cannot be read (a row that is not the header may say anything)
    problem: UserInputError | None = None

    def missing(self, schema: TableSchema) -> list[str]:
        given = {g for f, gives in RANGE_FIELDS.items() if f in self.columns for g in gives}
        return [f.name for f in schema.required if f.name not in self.columns.keys() | given]

    def label(self, position: int) -> str:
        """A column's header as the user sees it: `培训课时-线上` under a group."""
        own = self.headers[position].strip()
        group = self.groups[position].strip() if self.groups else ""
        return f"{group}-{own}" if group and own and group != own else own or group


def _mapped_headers(schema: TableSchema) -> dict[str, str]:
    """Cleaned header text → field, for the user's own names."""
    return {clean_header(header).text: field for field, header in schema.mapping}


def match_row(
    cells: Sequence[object],
    schema: TableSchema,
    row: int,
    where: str,
    groups: Sequence[object] | None = None,
) -> HeaderMatch:
    mapped = _mapped_headers(schema)
    mapped_fields = set(mapped.values())
    columns: dict[str, int] = {}
    ignored: list[str] = []
    scales: list[tuple[str, int]] = []
    units: list[tuple[str, str]] = []
    headers = tuple("" if c is None else str(c) for c in cells)
    group_texts = tuple("" if g is None else str(g) for g in groups) if groups else ()
    used_mapping: list[str] = []
    problem: UserInputError | None = None
    for position, cell in enumerate(headers):
        group = group_texts[position] if group_texts else ""
        clean, field = _understand(cell, group, schema, mapped, mapped_fields)
        label = f"{group}-{cell.strip()}" if group and cell.strip() else cell.strip() or group
        if field is None:
            if label:
                ignored.append(label)
            continue
        if field in mapped_fields:
            used_mapping.append(field)
        if field in columns:
            if problem is not None:
                continue
            first = headers[columns[field]].strip() or group_texts[columns[field]]
            problem = UserInputError(
                f"{where}：表头第 {row + 1} 行有两列对应同一字段“{schema.field(field).label_zh}”："
                f"“{first}”和“{label}”，请删除或改名其中一列，或用 --column 指明",
                f"{where}: header row {row + 1} has two columns for the field {field}: "
                f"{first!r} and {label!r}; remove or rename one, or name it with --column",
            )
            continue
        columns[field] = position
        if schema.field(field).kind is Kind.MONEY:
            unit = money_unit(clean.groups)
            if isinstance(unit, str):
                problem = problem or _unit_error(where, label, unit, schema)
            elif unit is not None:
                units.append((field, unit.text))
                if unit.factor != 1:
                    scales.append((field, unit.factor))
    return HeaderMatch(
        row,
        columns,
        headers,
        tuple(ignored),
        tuple(scales),
        group_texts,
        tuple(units),
        tuple(used_mapping),
        problem,
    )


def _understand(
    cell: str,
    group: str,
    schema: TableSchema,
    mapped: dict[str, str],
    mapped_fields: set[str],
) -> tuple[CleanHeader, str | None]:
    """A cell (and the group above it, if any) → its cleaned header and its field. Under
    a group, the cell's own words first, then the group's words joined with its own
    (培训课时 + 线上 → 线上课时; 培训日期 + 开始 → 开始日期)."""
    own = clean_header(cell)
    if not group:
        candidates = [own]
    elif not own.text:
        candidates = [clean_header(group)]  # a cell merged down over both rows
    else:
        upper = clean_header(group)
        bare = upper.text.removeprefix("培训") or upper.text
        candidates = [
            own,
            CleanHeader(own.text + upper.text, own.groups + upper.groups, own.raw),
            CleanHeader(upper.text + own.text, own.groups + upper.groups, own.raw),
            CleanHeader(own.text + bare, own.groups + upper.groups, own.raw),
            CleanHeader(own.text + bare[-2:], own.groups + upper.groups, own.raw),
        ]
        joined = f"{group}-{cell}"
        if clean_header(joined).text in mapped:
            return own, mapped[clean_header(joined).text]
    for candidate in candidates:
        if candidate.text in mapped:
            return candidate, mapped[candidate.text]
    for candidate in candidates:
        field = recognise(candidate, schema)
        if field is not None and field not in mapped_fields:
            return candidate, field
    return own, None


def _unit_error(where: str, header: str, unit: str, schema: TableSchema) -> UserInputError:
    if schema.name == "claims":
        zh, en = "元或万元", "元 (yuan) or 万元 (ten thousand yuan)"
    else:
        zh, en = "元、万元或元/课时", "元, 万元 or a rate such as 元/课时"
    return UserInputError(
        f"{where}：金额列“{header}”的单位“{unit}”无法识别；请改为{zh}后重试",
        f"{where}: the amount column {header!r} has an unknown unit {unit!r}; use {en}",
    )


def two_level_groups(upper: Sequence[object], lower: Sequence[object]) -> list[str]:
    """The group above each column of the lower row: a group cell stands over its own
    column and the empty cells after it whose lower cell is filled (a merged cell keeps
    its value in its first cell only; a CSV writes the group once, then empty cells)."""
    groups: list[str] = []
    current = ""
    for position in range(max(len(upper), len(lower))):
        up = upper[position] if position < len(upper) else None
        low = lower[position] if position < len(lower) else None
        up_text = "" if up is None else str(up).strip()
        low_text = "" if low is None else str(low).strip()
        if up_text:
            current = up_text if low_text else ""
            groups.append(up_text)
        elif low_text and current:
            groups.append(current)
        else:
            current = ""
            groups.append("")
    return groups


def find_header(
    rows: Sequence[Sequence[object]], schema: TableSchema, where: str
) -> tuple[HeaderMatch | None, HeaderMatch | None]:
    """Return (match, best_partial). `match` is the first row holding every required field;
    failing that, the first pair of rows that do as a two-level header (SPEC §3)."""
    best: HeaderMatch | None = None
    searched = rows[:HEADER_SEARCH_ROWS]
    for row_number, cells in enumerate(searched):
        candidate = match_row(cells, schema, row_number, where)
        if not candidate.missing(schema):
            # 培训时间 over 开班日期 | 结业日期: the group alone reads as the one range
            # column, but the row below names the two dates — the two rows are the header
            pair = _pair(searched, row_number, schema, where)
            ranged = any(f in candidate.columns for f in RANGE_FIELDS)
            if ranged and pair is not None and not pair.missing(schema):
                given = {g for f in RANGE_FIELDS if f in candidate.columns for g in RANGE_FIELDS[f]}
                if given <= pair.columns.keys():
                    return _chosen(pair), pair
            return _chosen(candidate), candidate
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
    for row_number in range(len(searched) - 1):
        candidate = _pair(searched, row_number, schema, where)
        if candidate is None:
            continue
        if not candidate.missing(schema):
            return _chosen(candidate), candidate
        if len(candidate.columns) > len(best.columns if best else {}):
            best = candidate
    return None, best


def _pair(
    rows: Sequence[Sequence[object]], row_number: int, schema: TableSchema, where: str
) -> HeaderMatch | None:
    """Rows `row_number` and the next read as a two-level header; None when they are not
    one (no group cell stands over a filled cell)."""
    if row_number + 1 >= len(rows):
        return None
    upper, lower = rows[row_number], rows[row_number + 1]
    width = max(len(upper), len(lower))
    lower = [*lower, *[None] * (width - len(lower))]
    groups = two_level_groups(upper, lower)
    if not any(g and str(lower[i] or "").strip() for i, g in enumerate(groups)):
        return None
    return match_row(lower, schema, row_number + 1, where, groups)


def _chosen(match: HeaderMatch) -> HeaderMatch:
    if match.problem is not None:
        raise match.problem
    return match


def lacking_mapped_headers(match: HeaderMatch, schema: TableSchema) -> list[tuple[str, str]]:
    """The user's own names whose header the header row does not have: (field, header)."""
    return [(field, header) for field, header in schema.mapping if field not in match.columns]


def check_mapping(match: HeaderMatch, schema: TableSchema, where: str) -> None:
    """A mapped header that the file lacks stops the run naming it (SPEC §3)."""
    lacking = lacking_mapped_headers(match, schema)
    if lacking:
        raise mapping_error(match, lacking, where)


def mapping_error(match: HeaderMatch, lacking: list[tuple[str, str]], where: str) -> UserInputError:
    found = "、".join(match.label(i) for i in range(len(match.headers)) if match.label(i))
    named = "、".join(f"{f}=“{h}”" for f, h in lacking)
    return UserInputError(
        f"{where} 的表头中没有指定的列：{named}。找到的表头：{found or '（无）'}",
        f"{where} has no column with the header named for "
        + ", ".join(f"{f}={h!r}" for f, h in lacking)
        + f". Headers found: {found or '(none)'}",
    )
