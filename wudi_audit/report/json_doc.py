"""The JSON document (`--json`): manifest, summary and one object per exception."""

from __future__ import annotations

import json

from wudi_audit.report.tables import Report


def to_json(report: Report) -> str:
    exceptions = []
    for row in report.exceptions.iter_rows(named=True):
        exceptions.append(
            {
                "code": row["code"],
                "severity": row["severity_code"],
                "rule_name": row["rule_name"],
                "source_row": row["source_row"],
                "source_file": row["source_file"],
                "source_sheet": row["source_sheet"],
                "id_number": row["id_number"],
                "name": row["name"],
                "class_id": row["class_id"],
                "project_code": row["project_code"],
                "amount_at_stake": row["amount_at_stake"],
                "message": row["message"],
                "evidence": json.loads(row["evidence"]) if row["evidence"] else {},
            }
        )
    document = {"manifest": report.manifest, "summary": report.summary, "exceptions": exceptions}
    if report.sample is not None:
        document["sample"] = report.sample.to_dicts()
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)
