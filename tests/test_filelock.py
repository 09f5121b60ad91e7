"""The shared-drive lock file: one holder at a time, a dead holder's lock broken."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from wudi_audit.errors import UserInputError
from wudi_audit.ledger.filelock import exclusive, process_alive


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_process_alive():
    assert process_alive(os.getpid())
    assert not process_alive(dead_pid())


def hold(lock, **holder):
    lock.write_text(json.dumps({"host": socket.gethostname(), "since": time.time(), **holder}))


def test_a_live_holder_keeps_the_lock_and_a_dead_one_loses_it(tmp_path):
    lock = tmp_path / ".lock"
    busy = UserInputError("忙", "busy")
    hold(lock, pid=os.getpid())
    with (
        pytest.raises(UserInputError),
        exclusive(lock, wait_seconds=0.2, stale_after=3600, busy=busy),
    ):
        pass
    hold(lock, pid=dead_pid())
    with exclusive(lock, wait_seconds=0.2, stale_after=3600, busy=busy):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_a_lock_from_another_host_is_broken_only_when_old(tmp_path):
    lock = tmp_path / ".lock"
    busy = UserInputError("忙", "busy")
    lock.write_text(json.dumps({"host": "elsewhere", "pid": 1, "since": time.time()}))
    with (
        pytest.raises(UserInputError),
        exclusive(lock, wait_seconds=0.1, stale_after=3600, busy=busy),
    ):
        pass
    lock.write_text(json.dumps({"host": "elsewhere", "pid": 1, "since": time.time() - 7200}))
    with exclusive(lock, wait_seconds=0.1, stale_after=3600, busy=busy):
        pass
