"""Keeping ledger writers apart on a shared drive, and finishing what a killed writer left.

The lock is a file created with O_CREAT | O_EXCL, which is atomic on local disks and on
SMB and NFS shares alike (advisory fcntl/msvcrt locks are not reliable across a network
share). It names its holder (host, process, time). A lock left by a process that died is
broken: at once when the holder ran on this host and is gone, otherwise after
`STALE_AFTER` seconds. Breaking is itself atomic (a rename), so two waiters never both win.

A writer's renames are listed first in `.journal.json` (written atomically); after the
last rename the journal is deleted. A writer killed half-way leaves the journal, and the
next writer, holding the lock, completes it (every source was fully written and synced
before the journal existed). Temporary files of a killed writer are deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from wudi_audit.ledger.layout import ledger_error

LOCK_NAME = ".lock"
JOURNAL_NAME = ".journal.json"
STALE_AFTER = 2 * 3600.0
WAIT_SECONDS = 900.0


def _holder() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _is_stale(lock: Path) -> bool:
    try:
        holder = json.loads(lock.read_text("utf-8"))
        age = time.time() - float(holder["since"])
        if holder.get("host") == socket.gethostname():
            return not _alive(int(holder["pid"]))
        return age > STALE_AFTER
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        # unreadable: a writer may be between creating and filling it; judge by its age
        try:
            return time.time() - lock.stat().st_mtime > 60
        except FileNotFoundError:
            return False


@contextlib.contextmanager
def ledger_lock(folder: Path, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the ledger's lock; on entry, finish or clean up what a killed writer left."""
    lock = folder / LOCK_NAME
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _is_stale(lock):
                with contextlib.suppress(FileNotFoundError):
                    broken = folder / f".lock.stale.{uuid.uuid4().hex}"
                    os.replace(lock, broken)
                    broken.unlink()
                continue
            if time.monotonic() > deadline:
                raise ledger_error(
                    f"台账 {folder} 正被另一个程序写入，等待 {wait_seconds:.0f} 秒后仍未释放；"
                    f"若确认无人使用，可删除 {lock}",
                    f"ledger {folder} is locked by another writer; if nobody is using it, "
                    f"delete {lock}",
                ) from None
            time.sleep(0.05)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(_holder(), handle)
        break
    try:
        recover(folder)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()


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
        if not lock.exists() or _is_stale(lock):
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
