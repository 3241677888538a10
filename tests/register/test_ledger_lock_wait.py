"""An append waits for the ledger's lock a bounded time: a process that holds it and never lets
go (hung, stopped with Ctrl-Z) makes the append fail with one line naming the lock, instead of
the run waiting, silent, for ever."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from assurance_harness.register import ledger_store
from assurance_harness.register.evidence_record import EvidenceError


def test_a_lock_held_elsewhere_ends_the_append_with_a_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_store, "LOCK_WAIT_S", 0.5)
    ledger = tmp_path / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir()
    holder = os.open(ledger.with_name("ledger.jsonl.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another process's lock: flock is per open file
    try:
        started = time.monotonic()
        with (
            pytest.raises(EvidenceError, match=r"ledger\.jsonl\.lock.*held"),
            ledger_store._locked(ledger),
        ):
            pass
        assert 0.4 < time.monotonic() - started < 5
    finally:
        os.close(holder)
    with ledger_store._locked(ledger):  # let go: the next append goes ahead
        pass
