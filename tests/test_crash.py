"""A `check` killed while it writes the workbook leaves the previous output (or none),
never half a workbook at the output path."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import polars as pl

from tests.test_reader import HEADERS, ROW


def test_sigkill_while_writing_leaves_the_previous_workbook(tmp_path):
    rows = 30_000
    ids = [f"32050519900101{n:04d}" for n in range(rows)]  # invalid check digits: flagged
    frame = pl.DataFrame({h: [v] * rows for h, v in zip(HEADERS, ROW, strict=True)})
    frame = frame.with_columns(pl.Series(HEADERS[0], ids), pl.Series(HEADERS[3], ids))
    claims = tmp_path / "c.csv"
    frame.write_csv(claims)
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous workbook")
    proc = subprocess.Popen(
        [sys.executable, "-m", "wudi_audit", "check", str(claims), "-o", str(target)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".r.xlsx.*.tmp")) and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL  # killed while the workbook was being written
    assert target.read_bytes() == b"previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "c.csv",
        "r.xlsx",
    ]
