"""The user's own names (SPEC §3): `--column FIELD=HEADER` for the claims and, in
`wudi-audit.toml`, `[columns.<table>]` with `field = "header text"`, naming the header of
a field when the words cannot. A mapping wins over the words; `--column` wins over the
settings file for the same field."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wudi_audit.errors import UserInputError
from wudi_audit.schema.tables import TABLES, TableSchema
from wudi_audit.schema.words import clean_header


@dataclass(frozen=True)
class ColumnName:
    table: str
    field: str
    header: str
    origin: str  # `--column`, or the settings file's path

    def describe(self) -> dict[str, str]:
        return {
            "table": self.table,
            "field": self.field,
            "header": self.header,
            "from": self.origin,
        }


def _fields_text(schema: TableSchema) -> str:
    return "、".join(f"{f.name}（{f.label_zh}）" for f in schema.fields)


def column_name(table: str, field: str, header: Any, origin: str) -> ColumnName:
    """One mapping, checked: a known table, a known field, a header as text."""
    if table not in TABLES:
        raise UserInputError(
            f"{origin}：没有名为“{table}”的表；可用：{'、'.join(TABLES)}",
            f"{origin}: no table {table!r}; known: {', '.join(TABLES)}",
        )
    schema = TABLES[table]
    if field not in {f.name for f in schema.fields}:
        raise UserInputError(
            f"{origin}：{schema.label_zh}没有字段“{field}”；可用字段：{_fields_text(schema)}",
            f"{origin}: the {table} table has no field {field!r}; fields: "
            + ", ".join(f.name for f in schema.fields),
        )
    if not isinstance(header, str) or not clean_header(header).text:
        raise UserInputError(
            f"{origin}：字段“{field}”的表头为空或不是文字",
            f"{origin}: the header for {field} is empty or not text",
        )
    return ColumnName(table, field, header.strip(), origin)


def from_options(values: Iterable[str]) -> list[ColumnName]:
    """`--column amount=本次申请补贴` (claims), each given once or more."""
    names = []
    for value in values:
        field, equals, header = value.partition("=")
        if not equals:
            raise UserInputError(
                f"--column 的格式应为 字段=表头，例如 --column amount=本次申请补贴；收到“{value}”",
                f"--column takes FIELD=HEADER, e.g. --column amount=本次申请补贴; got {value!r}",
            )
        names.append(column_name("claims", field.strip(), header, "--column"))
    return names


def from_settings(tables: Mapping[str, Any], origin: str) -> list[ColumnName]:
    """The settings file's `[columns.<table>]` tables."""
    names = []
    for table, fields in tables.items():
        if not isinstance(fields, Mapping):
            raise UserInputError(
                f"{origin}：[columns.{table}] 应为“字段 = 表头”的表",
                f"{origin}: [columns.{table}] must be a table of field = header",
            )
        names.extend(column_name(table, field, header, origin) for field, header in fields.items())
    return names


def combine(given: list[ColumnName], settings: list[ColumnName]) -> list[ColumnName]:
    """`--column` over the settings file for the same field; then two fields named to one
    header of a table stops the run, naming both."""
    chosen = {(n.table, n.field): n for n in settings}
    chosen.update({(n.table, n.field): n for n in given})
    names = list(chosen.values())
    seen: dict[tuple[str, str], ColumnName] = {}
    for name in names:
        key = (name.table, clean_header(name.header).text)
        if key in seen:
            other = seen[key]
            raise UserInputError(
                f"两个字段指定了同一表头“{name.header}”：{other.field}（{other.origin}）和 "
                f"{name.field}（{name.origin}）",
                f"two fields are named to one header {name.header!r}: {other.field} "
                f"({other.origin}) and {name.field} ({name.origin})",
            )
        seen[key] = name
    return names


def with_names(schema: TableSchema, names: Iterable[ColumnName]) -> TableSchema:
    """The table's schema carrying the mappings that name its fields."""
    mapping = tuple((n.field, n.header) for n in names if n.table == schema.name)
    return dataclasses.replace(schema, mapping=mapping) if mapping else schema
