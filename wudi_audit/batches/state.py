"""The state file of an output folder: what was audited there, with which inputs, so that
a nightly run does only new work.

`wudi-audit-state.json` holds, per batch (by its output name), the fingerprint it was
judged with — the SHA-256 of the claims file, of every attendance and reference file, of
every rule pack, the tool version and the options that shape the outputs — and the row
the index shows for it. A batch whose fingerprint is unchanged (and whose outputs are
still there) is skipped.

Several runs may share one output folder (a cron job and an officer, two desktops on one
share). Each update is read–modify–write under a lock file created with O_CREAT | O_EXCL
(atomic on local disks and on SMB/NFS shares, like the ledger's lock), and the new state is
written to a temporary file, synced and renamed over the old one, so a reader sees either
the old or the new file, never half of one, and no update is lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from wudi_audit import __version__
from wudi_audit.errors import UserInputError
from wudi_audit.ledger.filelock import exclusive
from wudi_audit.read.files import is_temporary

STATE_NAME = "wudi-audit-state.json"
LOCK_NAME = ".wudi-audit-state.lock"
STALE_AFTER = 600.0  # an update takes milliseconds; a lock this old was left by a crash
WAIT_SECONDS = 120.0
FORMAT = 1


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def inputs_sha256(paths: list[Path]) -> list[str]:
    """SHA-256 of every file, a folder standing for the tables in it (sorted)."""
    digests: list[str] = []
    for path in paths:
        if path.is_dir():
            digests.extend(
                file_sha256(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and not is_temporary(p)
            )
        elif path.is_file():
            digests.append(file_sha256(path))
        else:
            digests.append(f"missing:{path.name}")
    return digests


def fingerprint(
    claims_sha256: str,
    attendance: list[Path],
    references: dict[str, Path],
    pack_sha256: list[str],
    options: dict[str, Any],
) -> dict[str, Any]:
    return {
        "claims": claims_sha256,
        "attendance": inputs_sha256(attendance),
        "references": {role: inputs_sha256([p])[0] for role, p in sorted(references.items())},
        "rule_packs": sorted(pack_sha256),
        "version": __version__,
        "options": options,
    }


def folder_lock(folder: Path, wait_seconds: float = WAIT_SECONDS):
    lock = folder / LOCK_NAME
    busy = UserInputError(
        f"输出文件夹 {folder} 的状态文件被另一个运行锁定；若确认无人使用，可删除 {lock}",
        f"the state file in {folder} is locked by another run; if none is running, delete {lock}",
    )
    return exclusive(lock, wait_seconds=wait_seconds, stale_after=STALE_AFTER, busy=busy)


def _replace(temp: Path, target: Path) -> None:
    """os.replace, retried briefly: on Windows a reader holding the file open makes it fail."""
    for attempt in range(50):
        try:
            os.replace(temp, target)
            return
        except PermissionError:
            if attempt == 49:
                raise
            time.sleep(0.05)


class StateFile:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / STATE_NAME
        self.warning: str | None = None

    def read(self) -> dict[str, dict[str, Any]]:
        """The batches recorded so far; an unreadable state file counts as empty (every
        batch is then audited again) and sets `warning`."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            batches = data["batches"]
            if not isinstance(batches, dict):
                raise TypeError("batches")
            return batches
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError):
            self.warning = (
                f"状态文件 {self.path} 无法读取，全部批次重新审核 / cannot read the state file "
                f"{self.path}: every batch is audited again"
            )
            return {}

    def record(self, name: str, fingerprint: dict[str, Any], row: dict[str, Any]) -> None:
        """Add or replace one batch's entry, under the lock, atomically."""
        with folder_lock(self.folder):
            batches = self.read()
            batches[name] = {
                "fingerprint": fingerprint,
                "row": row,
                "recorded_at": dt.datetime.now().isoformat(timespec="seconds"),
            }
            document = {"tool": "wudi-audit", "format": FORMAT, "batches": batches}
            temp = self.folder / f".{STATE_NAME}.{uuid.uuid4().hex}.tmp"
            try:
                with open(temp, "wb") as handle:
                    handle.write(json.dumps(document, ensure_ascii=False, indent=1).encode())
                    handle.flush()
                    os.fsync(handle.fileno())
                _replace(temp, self.path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
