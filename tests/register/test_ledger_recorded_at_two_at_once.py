"""Two writers appending at once: ``recorded_at`` must follow the chain's order.

The time was taken before the ledger's lock, so a writer that read its clock and then waited
for the lock while another appended wrote the earlier time after the later one: times ran
backwards along the chain, read as a clock going back (``register.clock_order``) where none
did. Held here deterministically at the seam: the second writer appends while the first is
between reading the clock and taking the lock."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register import ledger_store, ledger_team
from assurance_harness.register.ledger import append_bodies, read_ledger, verify_ledger


def _body(run_id: str) -> dict[str, Any]:
    return {
        "risk_id": "R-001", "run_id": run_id, "verdict": "pass", "suite": {"name": "s"},
        "target": {"name": "t"}, "gate": {"id": "g"}, "metric": None, "run": {},
    }  # fmt: skip


def _ticking_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock one second later at every reading: whichever writer reads it later gets the
    later time, as two real writers do."""
    seconds = itertools.count()
    monkeypatch.setattr(
        ledger_store, "_utc_now", lambda: f"2026-12-01T00:00:{next(seconds):02d}+00:00"
    )


def _second_writer_first(ledger: Path) -> Callable[[], None]:
    """Once: the second writer's whole append, run where the first waits for the lock."""
    pending = [lambda: append_bodies(ledger, [_body("second")])]
    return lambda: pending.pop()() if pending else None


def _times(ledger: Path) -> list[tuple[str, str]]:
    return [(r.run_id, r.recorded_at) for r in read_ledger(ledger)]


def test_a_writer_that_waited_for_the_lock_is_not_dated_before_the_one_that_held_it(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ticking_clock(monkeypatch)
    locked, meanwhile = ledger_store._locked, _second_writer_first(ledger)

    @contextlib.contextmanager
    def waited(path: Path) -> Iterator[None]:
        meanwhile()
        with locked(path):
            yield

    monkeypatch.setattr(ledger_store, "_locked", waited)
    append_bodies(ledger, [_body("first")])
    times = _times(ledger)
    assert [run for run, _ in times] == ["second", "first"]
    assert [t for _, t in times] == sorted(t for _, t in times), times
    assert verify_ledger(ledger, check_files=False).ok


def test_the_team_store_dates_a_writer_that_waited_for_its_lock_after_the_one_that_held_it(
    pg_url: str, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    _ticking_clock(monkeypatch)
    append, meanwhile = ledger_team.TeamLedger.append, _second_writer_first(ledger)

    def waited(self: ledger_team.TeamLedger, *args: Any) -> Any:
        meanwhile()
        return append(self, *args)

    monkeypatch.setattr(ledger_team.TeamLedger, "append", waited)
    append_bodies(ledger, [_body("first")])
    times = _times(ledger)
    assert [run for run, _ in times] == ["second", "first"]
    assert [t for _, t in times] == sorted(t for _, t in times), times
    assert verify_ledger(ledger, check_files=False).ok


def test_verify_warns_where_recorded_at_goes_back_along_the_chain(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ledgers written before the time was read under the lock may hold it, and a clock set
    back still writes it: no tampering (the chain verifies), but a reader of the ledger as a
    timeline is told that the order of appending is the chain's, not the times'."""
    for run_id, at in [("a", "05"), ("b", "09"), ("c", "07"), ("d", "08"), ("e", "06")]:
        monkeypatch.setattr(ledger_store, "_utc_now", lambda at=at: f"2026-12-01T00:00:{at}+00:00")
        append_bodies(ledger, [_body(run_id)])
    report = verify_ledger(ledger, check_files=False)
    assert report.ok, report.issues
    (warning,) = [w for w in report.warnings if "recorded_at" in w]
    assert "EV-000003" in warning and "EV-000002" in warning, warning
    assert "2026-12-01T00:00:07+00:00" in warning and "2026-12-01T00:00:09+00:00" in warning
    assert "2 places" in warning and "order" in warning, warning


def test_verify_says_nothing_of_times_that_never_go_back(ledger: Path) -> None:
    for run_id in ["a", "b"]:
        append_bodies(ledger, [_body(run_id)])
    assert not [w for w in verify_ledger(ledger, check_files=False).warnings if "recorded_at" in w]
