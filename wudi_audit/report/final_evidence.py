"""Evidence as SPEC §4 gives it, made a slice of exceptions at a time (issue 21).

A rule whose evidence lists many other records (P107: ten near numbers a claim) gives
their places, not the records; here they are put into records, and names and numbers
masked when asked, for the slice being written. A million flagged claims thus hold small
integers until then, not 800 MB of evidence text, and each writer makes the evidence of
the slice it writes (the words for the workbook, the JSON for `--json`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from wudi_audit.checks.base import EvidenceExpander
from wudi_audit.facts.masking import mask_value

MASKED_EVIDENCE_KEYS = ("name", "names", "other_names")
# a text holds something to mask when one of these keys is in it
_MASKED_KEYS_QUOTED = [f'"{key}"' for key in (*MASKED_EVIDENCE_KEYS, "id_number")]


@dataclass(frozen=True)
class FinalEvidence:
    """What makes the `evidence_json` of a slice of the report's exceptions final: the
    expanders of the rules that gave places (`AuditResult.evidence_expanders`), and
    whether the records they give are masked (the other rules' evidence is masked once,
    when the report is built)."""

    expanders: Mapping[str, EvidenceExpander] = field(default_factory=dict)
    mask_ids: bool = False

    def of(self, frame: pl.DataFrame) -> pl.Series:
        """`frame["evidence_json"]` (a slice with `code`), every rule's evidence final."""
        evidence = frame["evidence_json"]
        for code, expand in self.expanders.items():
            where = (frame["code"] == code).arg_true()
            if where.len() == 0:
                continue
            texts = expand(evidence.gather(where), self.mask_ids)
            # a copy: the report's own column keeps the places
            evidence = evidence.clone().scatter(where, texts)
        return evidence


def mask_evidence(texts: pl.Series) -> pl.Series:
    """Names and identity numbers inside evidence texts masked, each distinct text that
    holds one once (the others, P107's places among them, kept as they are)."""
    holds = texts.str.contains_any(_MASKED_KEYS_QUOTED).fill_null(False)
    distinct = texts.filter(holds).unique().to_list()
    masked = texts.replace_strict(
        {t: _mask_text(t) for t in distinct}, default=None, return_dtype=pl.String
    )
    return masked.zip_with(holds, texts)


def _mask_text(text: str | None) -> str | None:
    if not text or not any(key in text for key in _MASKED_KEYS_QUOTED):
        return text
    return json.dumps(_masked(json.loads(text)), ensure_ascii=False)


def _masked(value: Any, kind: str | None = None) -> Any:
    """Names and identity numbers anywhere inside evidence (nested lists and objects)."""
    if isinstance(value, dict):
        return {
            k: _masked(
                v, "name" if k in MASKED_EVIDENCE_KEYS else "id" if k == "id_number" else kind
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v, kind) for v in value]
    if isinstance(value, str) and kind is not None:
        return mask_value(value, kind)
    return value
