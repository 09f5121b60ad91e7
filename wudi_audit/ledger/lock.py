"""Keeping ledger writers apart on a shared drive, and finishing what a killed writer left.

The lock is `wudi_audit.ledger.filelock` (O_EXCL lock file, safe on SMB/NFS shares; a dead
holder's lock is broken at once on its own host, after `STALE_AFTER` from another).

A writer's renames are listed first in `.journal.json` (written atomically); after the
last rename the journal is deleted. A writer killed half-way leaves the journal, and the
next writer, holding the lock, completes it (every source was fully written and synced
before the journal existed). Temporary files of a killed writer are deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from wudi_audit.ledger.filelock import exclusive, is_stale
from wudi_audit.ledger.layout import ledger_error

LOCK_NAME = ".lock"
JOURNAL_NAME = ".journal.json"
STALE_AFTER = 2 * 3600.0
WAIT_SECONDS = 900.0


@contextlib.contextmanager
def ledger_lock(folder: Path, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the ledger's lock; on entry, finish or clean up what a killed writer left."""
    lock = folder / LOCK_NAME
    busy = ledger_error(
        f"台账 {folder} 正被另一个程序写入，等待 {wait_seconds:.0f} 秒后仍未释放；"
        f"若确认无人使用，可删除 {lock}",
        f"ledger {folder} is locked by another writer; if nobody is using it, delete {lock}",
    )
    with exclusive(lock, wait_seconds=wait_seconds, stale_after=STALE_AFTER, busy=busy):
        recover(folder)
        yield


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def apply_renames(folder: Path, renames: list[tuple[Path, Path]]) -> None:
    """Apply renames as one unit: journal first, then each rename, then drop the journal.
    Paths are relative to `folder`."""
    journal = folder / JOURNAL_NAME
    temp = folder / f".journal.{uuid.uuid4().hex}.tmp"
    write_synced(
        temp,
        json.dumps([[str(a), str(b)] for a, b in renames], ensure_ascii=False).encode("utf-8"),
    )
    os.replace(temp, journal)
    _replay(folder, renames)
    journal.unlink()


def _replay(folder: Path, renames: list[tuple[Path, Path]]) -> None:
    for source, target in renames:
        if (folder / source).exists():
            (folder / target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(folder / source, folder / target)


def recover(folder: Path) -> None:
    """Under the lock: complete a journal a killed writer left, delete its temporary files."""
    journal = folder / JOURNAL_NAME
    if journal.exists():
        try:
            renames = [(Path(a), Path(b)) for a, b in json.loads(journal.read_text("utf-8"))]
        except (OSError, ValueError) as exc:
            raise ledger_error(
                f"台账日志 {journal} 无法读取，请人工检查后删除",
                f"cannot read the ledger journal {journal}; check it and delete it",
            ) from exc
        _replay(folder, renames)
        journal.unlink()
    for leftover in folder.glob("**/.*.tmp"):
        if ".removed" not in leftover.relative_to(folder).parts:
            leftover.unlink(missing_ok=True)


def wait_for_commit(folder: Path, wait_seconds: float = 10.0) -> None:
    """Readers: a journal means a writer is between renames (wait for it) or was killed
    there (the ledger is half-updated until the next writer completes it: stop)."""
    journal = folder / JOURNAL_NAME
    deadline = time.monotonic() + wait_seconds
    while journal.exists():
        lock = folder / LOCK_NAME
        if not lock.exists() or is_stale(lock, STALE_AFTER):
            raise ledger_error(
                f"台账 {folder} 上次写入未完成（写入程序中断）；请先运行 "
                "wudi-audit ledger list 完成修复，再重新审核",
                f"the last write to ledger {folder} was interrupted; run "
                "`wudi-audit ledger list` to complete it, then check again",
            )
        if time.monotonic() > deadline:
            raise ledger_error(
                f"台账 {folder} 正在写入，请稍后重试", f"ledger {folder} is being written; retry"
            )
        time.sleep(0.05)
