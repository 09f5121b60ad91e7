"""The memory the native reader frees goes back to the system after reading
(read/freed.py): glibc keeps freed small blocks in its heap, Polars never reuses them."""

from __future__ import annotations

import ctypes
import sys

import pytest

from wudi_audit.read import freed

LINUX = sys.platform.startswith("linux")


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not LINUX, reason="glibc's malloc_trim: Linux only")
def test_freed_blocks_below_a_live_one_are_given_back():
    assert freed._trim() is not None  # found in this C library
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    blocks = []
    for _ in range(100_000):  # 200 MB of cells, as a parsed sheet leaves them
        block = libc.malloc(2_000)
        libc.memset(block, 1, 2_000)
        blocks.append(block)
    pin = libc.malloc(64)  # a live block above them: the heap cannot simply shrink
    before = resident_mb()
    for block in blocks:
        libc.free(block)
    kept = resident_mb()
    assert kept > before - 50  # glibc kept them
    assert freed.give_back_freed_memory() is True
    assert resident_mb() < kept - 150
    libc.free(pin)


def test_nothing_to_give_back_where_there_is_no_glibc(monkeypatch):
    freed._trim.cache_clear()
    monkeypatch.setattr(freed.sys, "platform", "win32")
    try:
        assert freed.give_back_freed_memory() is False
    finally:
        freed._trim.cache_clear()
