"""`wudi-audit inspect` (SPEC §3): how a file is understood, without checking anything —
the sheet and header row found, every column with the field it is read as (or ignored),
units and scales, the required fields missing with the closest headers, and the
`--column` line that would fix each."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wudi_audit.read.missing import MissingFieldsError, closest_header, fix_line
from wudi_audit.read.raw import ReadLimits
from wudi_audit.read.reader import read_table
from wudi_audit.schema.tables import TableSchema


@dataclass
class Missing:
    field: str
    label: str
    closest: str | None
    fix: str


@dataclass
class Inspection:
    path: str
    table: str
    format: str = ""
    sheet: str = ""
    header_rows: list[int] = field(default_factory=list)
    columns: list[tuple[str, str | None]] = field(default_factory=list)  # header, field
    units: dict[str, str] = field(default_factory=dict)
    scales: dict[str, int] = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    rows: int = 0

    @property
    def complete(self) -> bool:
        return not self.missing

    def document(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "table": self.table,
            "format": self.format,
            "sheet": self.sheet,
            "header_rows": self.header_rows,
            "columns": [
                {"header": h, "field": f, "named_by_user": f in self.mapped}
                for h, f in self.columns
            ],
            "units": self.units,
            "scales": self.scales,
            "rows": self.rows,
            "missing": [vars(m) for m in self.missing],
            "complete": self.complete,
        }


def inspect_file(path: Path, schema: TableSchema, limits: ReadLimits | None = None) -> Inspection:
    """Read the file as `check` would; a file that cannot be read at all raises the same
    `UserInputError` as `check`, one that lacks fields is described, not refused."""
    found = Inspection(str(path), schema.name)
    try:
        table = read_table(path, schema, limits=limits, cell_types=False)
    except MissingFieldsError as exc:
        best = exc.best
        if best is None:
            found.missing = [
                Missing(f.name, f.label_zh, None, fix_line(schema, f.name, "表头"))
                for f in schema.required
            ]
            return found
        # as a spreadsheet program numbers rows (a CSV: records); two rows for two levels
        found.header_rows = [best.row, best.row + 1] if best.groups else [best.row + 1]
        by_position = {p: f for f, p in best.columns.items()}
        found.columns = [
            (best.label(i), by_position.get(i)) for i in range(len(best.headers)) if best.label(i)
        ]
        found.units = dict(best.units)
        found.scales = dict(best.scales)
        found.mapped = list(best.mapped)
        unread = [h for h, f in found.columns if f is None]
        for name in best.missing(schema):
            close = closest_header(schema, name, unread)
            found.missing.append(
                Missing(
                    name,
                    schema.field(name).label_zh,
                    close,
                    fix_line(schema, name, close or "表头"),
                )
            )
        return found
    source = table.sources[0]
    found.format = source.format
    found.sheet = "、".join(source.sheets)
    found.header_rows = source.header_rows
    found.columns = source.columns
    found.units = source.units
    found.scales = dict(source.scales)
    found.mapped = source.mapped
    found.rows = table.frame.height
    return found
