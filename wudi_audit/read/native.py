"""Call the native spreadsheet reader without letting its noise reach the terminal.

A panic in the native reader prints `thread '<unnamed>' panicked at …` (and a backtrace
when RUST_BACKTRACE is set) straight to file descriptor 2, before Python sees the
exception; its warnings (`'chartsheet' not a valid worksheet`) arrive as Python log
records. Around each native call, descriptor 2 goes to a temporary file, backtraces are
off, and the library's log records are collected; all of it is kept as notes on the file
(the manifest) and logged at debug level, never printed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator

LOG = logging.getLogger("wudi_audit.io")
LIBRARY_LOGGERS = ("fastexcel", "calamine")
MAX_NOTES = 5


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def quiet_native(where: str, notes: list[str]) -> Iterator[list[str]]:
    """Run the body with native stderr captured. Library warnings are appended to `notes`
    (named by file, at most a few); the captured text is yielded after the body (as a
    list of lines) so that a caller can log it beside its own message."""
    captured: list[str] = []
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    saved_state = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False  # keep Python's last-resort handler from printing them
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    backtrace = os.environ.get("RUST_BACKTRACE")
    os.environ["RUST_BACKTRACE"] = "0"
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            scratch.seek(0)
            text = scratch.read(65536).decode("utf-8", errors="replace")
            _restore(backtrace, loggers, saved_state, handler)
            _keep(where, text, handler.messages, captured, notes)


def _keep(where: str, text: str, warnings: list[str], captured: list[str], notes: list[str]):
    captured.extend(line for line in text.splitlines() if line.strip())
    if captured:
        LOG.debug("native reader output for %s: %s", where, " | ".join(captured[:20]))
    for message in dict.fromkeys(warnings):  # each distinct warning once
        LOG.info("reader warning for %s: %s", where, message)
        if len(notes) < MAX_NOTES:
            notes.append(f"读取库警告 / reader warning: {message}")


def _restore(backtrace, loggers, saved_state, handler) -> None:
    if backtrace is None:
        os.environ.pop("RUST_BACKTRACE", None)
    else:
        os.environ["RUST_BACKTRACE"] = backtrace
    for lg, (propagate, level) in zip(loggers, saved_state, strict=True):
        lg.removeHandler(handler)
        lg.propagate = propagate
        lg.setLevel(level)
