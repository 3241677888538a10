"""The response cache kept waiting by another process's lock says so, as runs.db and the
ledger do: a run whose cache file another process held stalled for the busy timeout (30 s)
with no line at all, its progress line frozen, and only at the end said the cache was not
used."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from assurance_harness.store.cache import ResponseCache

HOLD = """\
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def test_a_cache_held_by_another_process_is_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cache.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "2.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        began = time.monotonic()
        cache = ResponseCache(path)
        waited = time.monotonic() - began
        cache.close()
    finally:
        holder.wait(timeout=30)
    assert cache.fault is None  # it waited, then was used
    assert waited > 1.0
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"waiting: the response cache {path} is locked by another process")
