"""Give the memory the native reader freed back to the system.

The spreadsheet reader is native code that allocates with the C library's malloc; Polars
allocates with its own (jemalloc). When the reader has finished a big sheet, the cells it
parsed are freed, but glibc keeps the freed pages in its arenas (one per reading thread)
for the next malloc, and the next allocations (the rules, the report) are Polars', which
never reuse them: they stay in the process's resident memory until it ends. `malloc_trim`
returns them. Elsewhere (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache


@cache
def _trim():  # -> the C function, or None where there is none
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back_freed_memory() -> bool:
    """Return the C library's free pages to the system; True if any was returned."""
    trim = _trim()
    return bool(trim(0)) if trim is not None else False
