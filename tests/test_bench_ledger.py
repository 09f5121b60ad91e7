"""The benchmark's synthetic ledger is a ledger the tool reads: CI once failed because
bench/ledger_bench.py still wrote version-1 columns after the schema gained decisions."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from wudi_audit.ledger.layout import ledger_files, validate_file
from wudi_audit.schema.ledger import LEDGER_SCHEMA, SCHEMA_VERSION

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from ledger_bench import BATCHES, build_ledger


def test_the_benchmark_ledger_has_the_current_schema(tmp_path: Path) -> None:
    people = pl.DataFrame({"id_number": ["320506199001011234"], "name": ["王伟"]})
    build_ledger(tmp_path / "ledger", BATCHES * 5, people)
    files = ledger_files(tmp_path / "ledger")
    assert len(files) >= BATCHES
    assert {validate_file(f.path) for f in files} == {SCHEMA_VERSION}
    one = pl.read_parquet(files[0].path)
    assert one.schema == pl.Schema(LEDGER_SCHEMA)
    assert set(one["decision"]) == {"pass"}
