"""Wall time of each phase of one run (`check --timings`): read, normalise, ledger,
rules, report, write, and the process's peak memory when each ended (where the platform
tells it: not on Windows). Process-wide; phases are recorded from the main thread."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

PHASES: dict[str, float] = {}
PEAK_MB: dict[str, float] = {}
_last = [time.perf_counter()]


def peak_mb() -> float | None:
    """The process's peak resident memory so far, in MB (None where unknown)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _ended(name: str) -> None:
    peak = peak_mb()
    if peak is not None:
        PEAK_MB[name] = peak


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Add the body's wall time to `name`."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _last[0] = time.perf_counter()
        PHASES[name] = PHASES.get(name, 0.0) + _last[0] - start
        _ended(name)


def lap(name: str) -> None:
    """Add the time since the end of the previous phase (or lap) to `name`."""
    now = time.perf_counter()
    PHASES[name] = PHASES.get(name, 0.0) + now - _last[0]
    _last[0] = now
    _ended(name)


def reset() -> None:
    PHASES.clear()
    PEAK_MB.clear()
    _last[0] = time.perf_counter()


def summary() -> str:
    """One line: `timings: read 1.23 s, normalise 0.45 s, … total 3.21 s`."""
    parts = [f"{name} {seconds:.2f} s" for name, seconds in PHASES.items()]
    line = "timings: " + ", ".join([*parts, f"total {sum(PHASES.values()):.2f} s"])
    if PEAK_MB:
        peaks = ", ".join(f"{name} {mb:,.0f} MB" for name, mb in PEAK_MB.items())
        line += f"\npeak memory after: {peaks}"
    return line
