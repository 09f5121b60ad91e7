"""Every output path checked before any work, and every output renamed into place only
at the end, so a failed run writes nothing and a crash never leaves half a file."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from wudi_audit.errors import UserInputError


def validate_output_path(
    path: Path | None, inputs: Sequence[Path], what_zh: str, what_en: str
) -> None:
    """Refuse an output path before any work: missing or read-only folder, parent is a
    file, the path is a folder, or it is one of the inputs."""
    if path is None or str(path) == "-":
        return
    what = what_zh
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UserInputError(
            f"{what}路径是一个文件夹：{path}", f"{what_en} path is a folder: {path}"
        )
    if parent.exists() and not parent.is_dir():
        raise UserInputError(
            f"{what}的上级路径是文件而不是文件夹：{parent}",
            f"{what_en}: parent is a file: {parent}",
        )
    if not parent.exists():
        raise UserInputError(
            f"{what}所在的文件夹不存在：{parent}", f"{what_en}: folder does not exist: {parent}"
        )
    if not os.access(parent, os.W_OK):
        raise UserInputError(
            f"{what}所在的文件夹不可写：{parent}", f"{what_en}: folder is not writable: {parent}"
        )
    resolved = path.resolve()
    for source in inputs:
        if source.exists() and source.resolve() == resolved:
            raise UserInputError(
                f"{what}不能覆盖输入文件：{path}", f"{what_en} would overwrite an input: {path}"
            )


class AtomicOutputs:
    """Collect outputs in temporary files beside their targets; rename all at the end."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def temporary_for(self, target: Path) -> Path:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
        temp = Path(name)
        self._pending.append((temp, target))
        return temp

    def commit(self) -> None:
        for temp, target in self._pending:
            os.replace(temp, target)
        self._pending.clear()

    def discard(self) -> None:
        for temp, _ in self._pending:
            with suppress(OSError):
                temp.unlink()
        self._pending.clear()


def write_bytes_output(target: Path, data: bytes, outputs: AtomicOutputs) -> None:
    if str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    temp = outputs.temporary_for(target)
    temp.write_bytes(data)
