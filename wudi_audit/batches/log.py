"""One line per batch, fit for cron: plain text without a terminal, JSON with `--log-json`,
colours and a spinner only on a terminal, errors only with `--quiet`.

A line carries the time, the file, counts, money and the exit status; never an identity
number or a name. Nothing in it comes from a cell except through an error message, and
any run of digits shaped like an identity number is masked before a line is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console

from wudi_audit.facts.masking import mask_value

ID_LIKE = re.compile(r"(?<![0-9])[0-9]{6}[0-9*]{8}[0-9]{1,3}[0-9Xx]?(?![0-9A-Za-z])")
STATUS_STYLE = {0: "green", 1: "yellow", 2: "bold red"}


def scrub(text: str) -> str:
    """Mask anything shaped like an identity number; one line."""
    text = re.sub(r"[\r\n\t]+", " ", text)
    return ID_LIKE.sub(lambda m: mask_value(m.group(0), "id"), text)


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class BatchLog:
    def __init__(
        self, *, json_lines: bool, quiet: bool, lang: str, to_stderr: bool = False
    ) -> None:
        self.json_lines = json_lines
        self.to_stderr = to_stderr  # standard output carries an output file
        self.quiet = quiet
        self.zh = lang == "zh"
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        # colours and progress only for a person at a terminal, never in machine logs
        self.terminal = self.out.is_terminal and not json_lines and not to_stderr

    @contextlib.contextmanager
    def working(self, file: str) -> Iterator[None]:
        if self.terminal and not self.quiet:
            with self.out.status(f"{'审核' if self.zh else 'checking'} {scrub(file)} …"):
                yield
        else:
            yield

    def batch(self, row: dict[str, Any]) -> None:
        failed = row["exit_code"] == 2
        if self.quiet and not failed:
            return
        if self.json_lines:
            record = {"time": now(), "event": "batch", **_public(row)}
            self._write(json.dumps(record, ensure_ascii=False), err=False)
            return
        line = self.plain(row)
        if self.terminal and not failed:
            self.out.print(line, style=STATUS_STYLE.get(row["exit_code"]), markup=False)
        else:
            self._write(line, err=failed)

    def plain(self, row: dict[str, Any]) -> str:
        parts = [
            now(),
            "wudi-audit:",
            f"file={json.dumps(str(row['file']), ensure_ascii=False)}",
            f"status={row['status']}",
            f"claims={_number(row['claims'])}",
            f"flagged={_number(row['flagged'])}",
            f"at_stake={_money(row['amount_at_stake'])}",
            f"exit={row['exit_code']}",
        ]
        if row["error"]:
            parts.append(f"error={json.dumps(row['error'], ensure_ascii=False)}")
        return scrub(" ".join(parts))

    def finished(self, summary: dict[str, Any]) -> None:
        if self.json_lines:
            if not self.quiet:
                record = {"time": now(), "event": "run", **summary}
                self._write(json.dumps(record, ensure_ascii=False), err=False)
            return
        if self.quiet:
            return
        s = summary
        line = (
            f"wudi-audit: {s['batches']} 个批次：审核 {s['checked']}，跳过 {s['skipped']}"
            f"（已审核且输入未变），无法审核 {s['errors']}；退出码 {s['exit_code']}；"
            f"索引 {s['index']}"
            if self.zh
            else f"wudi-audit: {s['batches']} batches: {s['checked']} checked, "
            f"{s['skipped']} skipped (already audited, inputs unchanged), {s['errors']} "
            f"could not be checked; exit {s['exit_code']}; index {s['index']}"
        )
        self._write(scrub(line), err=False)

    def warn(self, text: str) -> None:
        if not self.quiet:
            self._write(scrub(f"wudi-audit: {text}"), err=True)

    def _write(self, line: str, *, err: bool) -> None:
        stream = sys.stderr if err or self.to_stderr else sys.stdout
        print(scrub(line) if not line.startswith("{") else line, file=stream, flush=True)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """The row as a machine log shows it: scrubbed text fields."""
    return {k: scrub(v) if isinstance(v, str) else v for k, v in row.items()}


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
