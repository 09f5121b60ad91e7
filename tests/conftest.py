"""Shared fixtures: claims built from raw text as a reader would hand them over."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from wudi_audit.checks import REGISTRY, AuditInputs
from wudi_audit.checks.base import with_final_evidence
from wudi_audit.normalise.inputs import prepare_claims
from wudi_audit.normalise.table import normalize
from wudi_audit.read.grid import NUMERIC_CELL
from wudi_audit.read.raw import RawTable, SourceFile
from wudi_audit.rules.pack import RulePack, load_rule_pack
from wudi_audit.schema.tables import CLAIMS

TODAY = dt.date(2026, 11, 28)

# A clean claim: 14 online + 21 offline = 35 hours (the minimum), 14/35 = 40 % online
# (the maximum), amount 14 × 15 + 21 × 30 = 840 yuan (exactly the cap).
BASE_CLAIM = {
    "id_number": "320505199001011233",
    "name": "张三",
    "project_code": "WDGJ2026-001",
    "class_id": "BJ202600001",
    "start_date": "2026-03-02",
    "end_date": "2026-03-15",
    "online_hours": "14",
    "offline_hours": "21",
    "assessment": "合格",
    "amount": "840",
    "provider_name": "苏州工业园区技能培训学校",
    "district": "吴中区",
}


def raw_claims(rows: list[dict], numeric_ids: list[bool] | None = None) -> RawTable:
    data = {
        f.name: [None if r.get(f.name) is None else str(r[f.name]) for r in rows]
        for f in CLAIMS.fields
    }
    frame = pl.DataFrame(data, schema={f.name: pl.String for f in CLAIMS.fields}).with_columns(
        pl.Series(NUMERIC_CELL, numeric_ids or [False] * len(rows), dtype=pl.Boolean),
        pl.Series("source_row", list(range(2, len(rows) + 2)), dtype=pl.Int64),
        pl.lit("claims.xlsx").alias("source_file"),
        pl.lit("Sheet1").alias("source_sheet"),
    )
    return RawTable(CLAIMS, frame, [SourceFile("claims.xlsx", "0" * 64, "xlsx")])


def claims_inputs(rows: list[dict], **extra) -> AuditInputs:
    """Each row overrides BASE_CLAIM; a key set to None empties that cell."""
    merged = [{**BASE_CLAIM, **row} for row in rows]
    claims = prepare_claims(normalize(raw_claims(merged)), TODAY)
    present = frozenset(k for row in merged for k in row)
    return AuditInputs(claims, today=TODAY, claim_fields=present, **extra)


def flagged(code: str, inputs: AuditInputs, pack: RulePack | None = None) -> pl.DataFrame:
    """The flags one rule raises, with the claim's source row."""
    pack = pack or load_rule_pack()
    rule = REGISTRY[code]
    result = with_final_evidence(rule, inputs, rule.check(inputs, pack).collect())
    rows = inputs.claims.select("row_id", "source_row")
    return result.join(rows, on="row_id", how="left").sort("source_row")


@pytest.fixture(scope="session")
def default_pack() -> RulePack:
    return load_rule_pack()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    from wudi_audit.sample.generate import write_sample

    out = tmp_path_factory.mktemp("sample")
    planted = write_sample(out, 200)
    (out / "planted.txt").write_text(repr(planted))
    return out


def id_for(born: str, male: bool = True, region: str = "320506", serial: int = 12) -> str:
    """A valid 18-digit identity number for a birth date `YYYY-MM-DD`."""
    from wudi_audit.sample.people import id_check_char

    sex_digit = serial % 5 * 2 + (1 if male else 0)
    first17 = f"{region}{born.replace('-', '')}{serial // 5 % 10}{serial % 10}{sex_digit}"
    return first17 + id_check_char(first17)


def attendance_frame(records: list[dict], pack: RulePack | None = None) -> pl.DataFrame:
    """Attendance records as the reader hands them over, normalised and prepared."""
    from wudi_audit.normalise.inputs import prepare_attendance
    from wudi_audit.schema.tables import ATTENDANCE

    data = {
        f.name: [None if r.get(f.name) is None else str(r[f.name]) for r in records]
        for f in ATTENDANCE.fields
    }
    frame = pl.DataFrame(data, schema={f.name: pl.String for f in ATTENDANCE.fields})
    frame = frame.with_columns(
        pl.lit(False).alias(NUMERIC_CELL),
        pl.int_range(2, len(records) + 2, dtype=pl.Int64).alias("source_row"),
        pl.lit("attendance.xlsx").alias("source_file"),
        pl.lit("考勤").alias("source_sheet"),
    )
    table = RawTable(ATTENDANCE, frame, [SourceFile("attendance.xlsx", "0", "xlsx")])
    return prepare_attendance(normalize(table), pack or load_rule_pack())


def attendance_inputs(
    claims: list[dict], records: list[dict], fields: tuple[str, ...] = ("mode",)
) -> AuditInputs:
    inputs = claims_inputs(claims)
    inputs.attendance = attendance_frame(records)
    inputs.attendance_fields = frozenset(fields)
    return inputs
