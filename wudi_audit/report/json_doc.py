"""The JSON document (`--json`): manifest, summary and one object per exception.

Written as it goes (`write_json`): the exceptions a slice at a time, so a batch of a
million flagged claims never holds its whole document in memory. Each exception is one
line, encoded by Polars in one vectorised pass (the rules' evidence is already JSON text,
spliced in as it is); the manifest and the summary are indented. The content is what
`json.dumps(document)` gives; only the white space differs."""

from __future__ import annotations

import io
import json
from typing import TextIO

import polars as pl

from wudi_audit.report.tables import Report

# JSON key → column of `Report.exceptions` (SPEC §4's keys first)
EXCEPTION_KEYS = {
    "code": "code",
    "severity": "severity_code",
    "severity_label": "severity",
    "rule_name": "rule_name",
    "source_row": "source_row",
    "source_file": "source_file",
    "source_sheet": "source_sheet",
    "claim_id": "claim_id",
    "id_number": "id_number_read",
    "id_damaged": "id_damaged",
    "name": "name",
    "class_id": "class_id",
    "project_code": "project_code",
    "amount_at_stake": "amount_at_stake",
    "message": "message",
    "evidence": "evidence_json",
    "evidence_text": "evidence",
}


SLICE = 100_000  # exceptions encoded at a time
LINES_JOINED = 20_000  # encoded exceptions made one string at a time
_BEFORE_EVIDENCE = list(EXCEPTION_KEYS)[: list(EXCEPTION_KEYS).index("evidence")]


def _dumps(value: object, depth: int) -> str:
    """`value` as it stands `depth` levels down in an `indent=1` document."""
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return text.replace("\n", "\n" + " " * depth)


def exception_lines(exceptions: pl.DataFrame) -> pl.Series:
    """One JSON object per exception, keys in SPEC order: the columns before `evidence`
    encoded as one object, the evidence text (already JSON) put in after them, then
    `evidence_text`."""
    rows = exceptions.select(pl.col(column).alias(key) for key, column in EXCEPTION_KEYS.items())
    evidence = pl.col("evidence")
    head = pl.struct(_BEFORE_EVIDENCE).struct.json_encode()
    tail = pl.struct(pl.col("evidence_text").fill_null("")).struct.json_encode()
    return rows.select(
        pl.concat_str(
            head.str.head(-1),
            pl.lit(',"evidence":'),
            pl.when(evidence.is_null() | (evidence == "")).then(pl.lit("{}")).otherwise(evidence),
            pl.lit(","),
            tail.str.tail(-1),
        )
    ).to_series()


def _exceptions(report: Report, out: TextIO) -> None:
    exceptions = report.exceptions
    if exceptions.height == 0:
        out.write("[]")
        return
    out.write("[\n  ")
    for start in range(0, exceptions.height, SLICE):
        if start:
            out.write(",\n  ")
        part = exceptions.slice(start, SLICE)
        part = part.with_columns(report.final_evidence.of(part))
        lines = exception_lines(part)
        for at in range(0, lines.len(), LINES_JOINED):  # joined by Polars, not in Python
            if at:
                out.write(",\n  ")
            out.write(lines.slice(at, LINES_JOINED).str.join(",\n  ").item())
    out.write("\n ]")


def write_json(report: Report, out: TextIO) -> None:
    """The document, written to `out` as it goes."""
    out.write('{\n "manifest": ')
    out.write(_dumps(report.manifest, 1))
    out.write(',\n "summary": ')
    out.write(_dumps(report.summary, 1))
    out.write(',\n "exceptions": ')
    _exceptions(report, out)
    if report.sample is not None:
        out.write(',\n "sample": ')
        out.write(_dumps(report.sample.to_dicts(), 1))
    out.write("\n}")


def to_json(report: Report) -> str:
    """The whole document as text (small batches, tests)."""
    buffer = io.StringIO()
    write_json(report, buffer)
    return buffer.getvalue()
