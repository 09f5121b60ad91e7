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
import threading
from collections.abc import Iterator

LOG = logging.getLogger("wudi_audit.io")
LIBRARY_LOGGERS = ("fastexcel", "calamine")
MAX_NOTES = 5


class _Collect(logging.Handler):
    """Warnings logged from one thread (the one that made the native call)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


class _Redirect:
    """Descriptor 2 into one scratch file while any native call runs, in any thread.
    Several files and sheets are read at once; the first call in redirects, the last out
    restores. Each call reads back what was written while it ran (with several at once
    that may include another call's text, which only ever reaches the debug log and the
    choice of an error message; errors are re-raised from a sequential re-read)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved_fd = -1
        self.scratch = None
        self.backtrace: str | None = None
        self.loggers: list[logging.Logger] = []
        self.saved_state: list[tuple[bool, int]] = []

    def enter(self, handler: logging.Handler) -> int:
        with self.lock:
            if self.depth == 0:
                self.loggers = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
                self.saved_state = [(lg.propagate, lg.level) for lg in self.loggers]
                for lg in self.loggers:
                    lg.propagate = False  # keep Python's last-resort handler from printing
                    if lg.level == logging.NOTSET or lg.level > logging.WARNING:
                        lg.setLevel(logging.WARNING)
                self.backtrace = os.environ.get("RUST_BACKTRACE")
                os.environ["RUST_BACKTRACE"] = "0"
                sys.stderr.flush()
                self.saved_fd = os.dup(2)
                self.scratch = tempfile.TemporaryFile()  # noqa: SIM115 (closed in leave)
                os.dup2(self.scratch.fileno(), 2)
            self.depth += 1
            for lg in self.loggers:
                lg.addHandler(handler)
            return os.fstat(self.scratch.fileno()).st_size

    def leave(self, handler: logging.Handler, start: int) -> str:
        with self.lock:
            for lg in self.loggers:
                lg.removeHandler(handler)
            fd = self.scratch.fileno()
            size = os.fstat(fd).st_size
            text = os.pread(fd, min(65536, size - start), start) if size > start else b""
            self.depth -= 1
            if self.depth == 0:
                os.dup2(self.saved_fd, 2)
                os.close(self.saved_fd)
                self.scratch.close()
                self.scratch = None
                _restore(self.backtrace, self.loggers, self.saved_state)
            return text.decode("utf-8", errors="replace")


_REDIRECT = _Redirect()


@contextlib.contextmanager
def quiet_native(where: str, notes: list[str]) -> Iterator[list[str]]:
    """Run the body with native stderr captured. Library warnings are appended to `notes`
    (named by file, at most a few); the captured text is yielded after the body (as a
    list of lines) so that a caller can log it beside its own message. Safe to use from
    several threads at once."""
    captured: list[str] = []
    handler = _Collect()
    start = _REDIRECT.enter(handler)
    text = ""
    try:
        yield captured
    finally:
        text = _REDIRECT.leave(handler, start)
        _keep(where, text, handler.messages, captured, notes)


def _keep(where: str, text: str, warnings: list[str], captured: list[str], notes: list[str]):
    captured.extend(line for line in text.splitlines() if line.strip())
    if captured:
        LOG.debug("native reader output for %s: %s", where, " | ".join(captured[:20]))
    for message in dict.fromkeys(warnings):  # each distinct warning once
        LOG.info("reader warning for %s: %s", where, message)
        if len(notes) < MAX_NOTES:
            notes.append(f"读取库警告 / reader warning: {message}")


def _restore(backtrace, loggers, saved_state) -> None:
    if backtrace is None:
        os.environ.pop("RUST_BACKTRACE", None)
    else:
        os.environ["RUST_BACKTRACE"] = backtrace
    for lg, (propagate, level) in zip(loggers, saved_state, strict=True):
        lg.propagate = propagate
        lg.setLevel(level)
