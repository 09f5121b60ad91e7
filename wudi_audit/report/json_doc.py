"""The JSON document (`--json`): manifest, summary and one object per exception."""

from __future__ import annotations

import json

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


def to_json(report: Report) -> str:
    rows = report.exceptions.select(
        pl.col(column).alias(key) for key, column in EXCEPTION_KEYS.items()
    ).with_columns(pl.col("evidence_text").fill_null(""))
    exceptions = rows.to_dicts()
    for exception in exceptions:  # the structured evidence, parsed back from its JSON text
        evidence = exception["evidence"]
        exception["evidence"] = json.loads(evidence) if evidence else {}
    document = {"manifest": report.manifest, "summary": report.summary, "exceptions": exceptions}
    if report.sample is not None:
        document["sample"] = report.sample.to_dicts()
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)
