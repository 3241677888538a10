"""'runs purge' where the response cache cannot be changed (the file made immutable, or on a
read-only bind mount: EPERM and EROFS, for root too) while the run folders can. Observed: the
purge's check that it could delete the run's cached answers opened the cache read-only, so it
passed; the purge record was appended to the ledger; only then did the deletion fail, the
run's files were put back, and the command exited 2 saying "nothing was purged", while the
ledger said the run was purged ('evidence verify': "their payloads were deleted as recorded")
beside the files it said were deleted.

Now the check fails where the deletion would: exit 3, one line naming the cache file,
nothing recorded, nothing deleted; once the cause is gone the same purge completes, recorded
once."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.privacy.purgedkit import old_echo_run
from tests.testing.cli import invoke_in_process, run_cli
from tests.testing.tmpfs import immutable, read_only

PURGE = ("runs", "purge", "--older-than", "90d", "--reports", "r")


def _purge_records(ledger: Path) -> int:
    if not ledger.is_file():
        return 0
    lines = ledger.read_text(encoding="utf-8").splitlines()
    return sum(json.loads(line).get("risk_id") == "RETENTION" for line in lines)


@pytest.mark.parametrize("name", ["cache.sqlite", "runs.db"])
@pytest.mark.parametrize("fault", [immutable, read_only], ids=["immutable", "read-only"])
def test_a_cache_the_purge_cannot_change_fails_it_before_anything_is_recorded(
    tmp_path: Path, fault: Callable[[Path], AbstractContextManager[Path]], name: str
) -> None:
    """The response cache, and runs.db (the review queue's copies of the texts) alike."""
    run_dir = old_echo_run(tmp_path, "purge-cache-fault")
    faulty = tmp_path / "r" / name
    ledger = tmp_path / "r" / "evidence" / "ledger.jsonl"
    assert faulty.is_file()
    before = sorted(p.name for p in run_dir.iterdir())
    with fault(faulty):
        done = run_cli(*PURGE, cwd=tmp_path)
    assert _purge_records(ledger) == 0, done.stderr  # the ledger does not say it was purged
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, done.stdout + done.stderr
    assert len(errors) == 1 and errors[0].startswith(f"error: r/{name}: "), errors
    assert "nothing was purged" in errors[0] and "Traceback" not in done.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == before

    again = run_cli(*PURGE, cwd=tmp_path)  # the cause gone: the same purge completes
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"purged {run_dir.name}" in again.stdout
    assert "responses.jsonl" not in {p.name for p in run_dir.iterdir()}
    assert _purge_records(ledger) == 1


def test_a_cache_deletion_failing_after_the_record_says_the_purge_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure no check can foresee (another process reading the cache keeps its WAL from
    being emptied) comes after the purge record is appended. Observed: exit 2 with "nothing
    was purged", the ledger holding the record of a purge whose files were put back. Now exit
    3 and the line says what is so: recorded, files put back, the same purge finishes it."""
    from assurance_harness.store import cache as cache_module

    run_dir = old_echo_run(tmp_path, "purge-cache-busy")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)
    ledger = tmp_path / "r" / "evidence" / "ledger.jsonl"
    before = sorted(p.name for p in run_dir.iterdir())
    with sqlite3.connect(tmp_path / "r" / "cache.sqlite", isolation_level=None) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM responses").fetchone()  # holds a read snapshot
        done = invoke_in_process(list(PURGE))
        reader.execute("COMMIT")
    errors = [line for line in done.output.splitlines() if line.startswith("error:")]
    assert done.exit_code == 3, done.output
    assert len(errors) == 1 and errors[0].startswith("error: r/cache.sqlite: "), errors
    assert "nothing was purged" not in errors[0], errors[0]
    assert f"recorded in {Path('r/evidence/ledger.jsonl')}" in errors[0], errors[0]
    assert _purge_records(ledger) == 1
    assert sorted(p.name for p in run_dir.iterdir()) == before  # put back, as it says

    again = invoke_in_process(list(PURGE))
    assert again.exit_code == 0, again.output
    assert "responses.jsonl" not in {p.name for p in run_dir.iterdir()}
    assert _purge_records(ledger) == 1  # finished, not recorded twice
