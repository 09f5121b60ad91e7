"""A batch's workbook and JSON written atomically: renamed into place together at the end,
and said plainly when a program holds the target open (Excel and WPS lock an open
workbook on Windows, so replacing it fails)."""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from wudi_audit.errors import UserInputError
from wudi_audit.report.json_doc import write_json
from wudi_audit.report.outputs import AtomicOutputs, write_bytes_output
from wudi_audit.report.tables import Report
from wudi_audit.report.workbook import write_workbook


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


def write_report(report: Report, workbook: Path, json_path: Path | None) -> None:
    """The workbook, then the JSON, each into a temporary file beside its target, renamed
    into place together at the end; `-` for either writes it to standard output. On any
    failure nothing is left behind and the targets are as they were."""
    outputs = AtomicOutputs()
    try:
        if str(workbook) == "-":
            with tempfile.TemporaryDirectory() as scratch:
                temp = Path(scratch) / "out.xlsx"
                write_workbook(report, temp)
                write_bytes_output(workbook, temp.read_bytes(), outputs)
        else:
            write_workbook(report, outputs.temporary_for(workbook))
        if json_path is not None:
            if str(json_path) == "-":
                stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
                write_json(report, stream)
                stream.flush()
                stream.detach()
            else:
                with outputs.temporary_for(json_path).open("w", encoding="utf-8", newline="") as f:
                    write_json(report, f)
        commit_outputs(outputs)
    except BaseException:
        outputs.discard()
        raise
