"""A lock file that works on a shared drive, used by the ledger and the state file.

Created with O_CREAT | O_EXCL, which is atomic on local disks and on SMB and NFS shares
alike (advisory fcntl/msvcrt locks are not reliable across a network share). It names its
holder (host, process, time). A lock left by a process that died is broken: at once when
the holder ran on this host and is gone, otherwise once it is older than `stale_after`.
Breaking is itself atomic (a rename), so of two waiters only one breaks it.
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

from wudi_audit.errors import UserInputError


def process_alive(pid: int) -> bool:
    """Whether a process of this host still runs. On Windows `os.kill(pid, 0)` would send
    CTRL_C_EVENT to it, so the process is opened and asked for its exit code instead."""
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def is_stale(lock: Path, stale_after: float) -> bool:
    try:
        holder = json.loads(lock.read_text("utf-8"))
        old = time.time() - float(holder["since"]) > stale_after
        if holder.get("host") == socket.gethostname():
            return old or not process_alive(int(holder["pid"]))
        return old
    except FileNotFoundError:
        return False
    except (OSError, ValueError, KeyError, TypeError):
        # unreadable: a holder may be between creating and filling it; judge by its age
        try:
            return time.time() - lock.stat().st_mtime > 60
        except FileNotFoundError:
            return False


@contextlib.contextmanager
def exclusive(
    lock: Path, *, wait_seconds: float, stale_after: float, busy: UserInputError
) -> Iterator[None]:
    """Hold `lock`; raise `busy` when it is still held by a live holder after the wait."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if is_stale(lock, stale_after):
                with contextlib.suppress(FileNotFoundError, PermissionError):
                    broken = lock.with_name(f"{lock.name}.stale.{uuid.uuid4().hex}")
                    os.replace(lock, broken)
                    broken.unlink()
                continue
            if time.monotonic() > deadline:
                raise busy from None
            time.sleep(0.02)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(
                {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}, handle
            )
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
