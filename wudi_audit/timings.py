"""Wall time of each phase of one run (`check --timings`): read, normalise, ledger,
rules, report, write. Process-wide; phases are recorded from the main thread."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

PHASES: dict[str, float] = {}
_last = [time.perf_counter()]


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the body's wall time to `name`."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _last[0] = time.perf_counter()
        PHASES[name] = PHASES.get(name, 0.0) + _last[0] - start


def lap(name: str) -> None:
    """Add the time since the end of the previous phase (or lap) to `name`."""
    now = time.perf_counter()
    PHASES[name] = PHASES.get(name, 0.0) + now - _last[0]
    _last[0] = now


def reset() -> None:
    PHASES.clear()
    _last[0] = time.perf_counter()


def summary() -> str:
    """One line: `timings: read 1.23 s, normalise 0.45 s, … total 3.21 s`."""
    parts = [f"{name} {seconds:.2f} s" for name, seconds in PHASES.items()]
    return "timings: " + ", ".join([*parts, f"total {sum(PHASES.values()):.2f} s"])
