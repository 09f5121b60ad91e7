"""Renaming outputs into place, and saying so plainly when a program holds the target open
(Excel and WPS lock an open workbook on Windows, so replacing it fails)."""

from __future__ import annotations

from wudi_audit.errors import UserInputError
from wudi_audit.report.outputs import AtomicOutputs


class OutputLockedError(UserInputError):
    """An output could not replace its target: the file is open in another program."""

    def __init__(self, target: str) -> None:
        super().__init__(
            f"无法写入 {target}：文件被占用，请关闭后重试",
            f"cannot write {target}: the file is open in another program; close it and retry",
        )


def commit_outputs(outputs: AtomicOutputs) -> None:
    """`outputs.commit()`; on a refused rename, no temporary file is left behind and the
    error names the file that is open."""
    try:
        outputs.commit()
    except PermissionError as exc:
        outputs.discard()
        target = exc.filename2 or exc.filename or ""
        raise OutputLockedError(str(target) if target else "?") from None
    except BaseException:
        outputs.discard()
        raise
