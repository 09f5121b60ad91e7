"""What reading returns: the raw table of one input, the files it came from, the limits a
reader keeps to."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from wudi_audit.schema.tables import TableSchema


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
    # how the header was understood (`inspect`, the manifest): its rows as a spreadsheet
    # program numbers them, every column (header, field or None), the money units
    header_rows: list[int] = field(default_factory=list)
    columns: list[tuple[str, str | None]] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)  # fields named by the user's own names


@dataclass
class RawTable:
    schema: TableSchema
    frame: pl.DataFrame  # field columns (String) + source_row, source_file, source_sheet
    sources: list[SourceFile]
    present_fields: frozenset[str] = frozenset()  # fields with a column in the file
    scales: dict[str, int] = field(default_factory=dict)  # 万元 amounts: field → factor
