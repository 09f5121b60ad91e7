"""The JSON document (`--json`): manifest, summary and one object per exception.

Written as it goes (`write_json`): the exceptions a slice at a time, so a batch of a
million flagged claims never holds its whole document in memory. The text is the same as
`json.dumps(document, indent=1)` would give, byte for byte."""

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


SLICE = 20_000  # exceptions turned into Python objects at a time


def _dumps(value: object, depth: int) -> str:
    """`value` as it stands `depth` levels down in an `indent=1` document."""
    text = json.dumps(value, ensure_ascii=False, indent=1, default=str)
    return text.replace("\n", "\n" + " " * depth)


def _exceptions(report: Report, out: TextIO) -> None:
    rows = report.exceptions.select(
        pl.col(column).alias(key) for key, column in EXCEPTION_KEYS.items()
    ).with_columns(pl.col("evidence_text").fill_null(""))
    if rows.height == 0:
        out.write("[]")
        return
    out.write("[")
    first = True
    for start in range(0, rows.height, SLICE):
        for exception in rows.slice(start, SLICE).to_dicts():
            evidence = exception["evidence"]  # the structured evidence, parsed back
            exception["evidence"] = json.loads(evidence) if evidence else {}
            out.write("\n  " if first else ",\n  ")
            out.write(_dumps(exception, 2))
            first = False
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
