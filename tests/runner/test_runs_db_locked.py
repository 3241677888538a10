"""A run index (``runs.db``) whose write lock another process holds past the busy wait refuses
the run before anything is sent: met only when the finished run was indexed, every answer had
been paid for by then and the run ended in a --resume. A lock held briefly (a concurrent run
indexing) is waited for, as before. The locks are real SQLite locks on a real file, held by
another process or thread."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance_harness.store import database
from assurance_harness.store.faults import check_index_path
from assurance_harness.store.index import RunIndex
from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target, echo_project

RUN = ["run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence"]

WRITE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes it
"""

EXCLUSIVE_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode=EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
db.execute("SELECT COUNT(*) FROM runs").fetchall()
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The echo project, its target counting the requests it was sent (one line each in
    ``sent``), and an existing run index ``r/runs.db``."""
    root = echo_project(tmp_path, suite=f"lock-{tmp_path.name[-12:]}")
    callable_target(
        root,
        f"counting_{tmp_path.name[-12:].replace('-', '_')}",
        "def reply(messages):\n    with open('sent', 'a') as f:\n        f.write('x\\n')\n"
        "    return 'echo ' + messages[-1]['content']\n",
    )
    RunIndex(root / "r" / "runs.db")
    monkeypatch.chdir(root)
    return root


@pytest.fixture(params=[WRITE_LOCK, EXCLUSIVE_LOCK], ids=["begin-immediate", "exclusive"])
def held(project: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """``r/runs.db`` locked by another process until the test ends."""
    db = project / "r" / "runs.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", request.param, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield db
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_run_is_refused_before_sending_while_another_process_holds_runs_db(
    project: Path, held: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)  # not the 30 s a run waits
    result = invoke_in_process(RUN)
    assert result.exit_code == 3, result.output  # nothing given was wrong: a failed step
    assert "Traceback" not in result.output and "--resume" not in result.output, result.output
    (line,) = [x for x in result.output.splitlines() if not x.startswith("waiting:")]
    assert str(Path("r") / "runs.db") in line, line
    assert "another process" in line and "locked" in line and "try again" in line, line
    assert not (project / "sent").exists(), "a request was sent before the refusal"
    assert [p.name for p in (project / "r").iterdir() if p.is_dir()] == []


def test_a_brief_lock_of_another_run_indexing_is_waited_for(project: Path) -> None:
    db = project / "r" / "runs.db"
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # as a concurrent run indexing does, for longer

    def let_go() -> None:
        time.sleep(0.3)
        holder.execute("COMMIT")
        holder.close()

    releaser = threading.Thread(target=let_go)
    releaser.start()
    try:
        result = invoke_in_process(RUN)
    finally:
        releaser.join()
    assert result.exit_code == 0, result.output
    assert (project / "sent").read_text().count("x") == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)


def test_the_check_leaves_runs_db_unlocked_and_costs_little(project: Path) -> None:
    db = project / "r" / "runs.db"
    check_index_path(db)  # warm: the first open reads the schema
    took = []
    for _ in range(5):
        start = time.perf_counter()
        check_index_path(db)
        took.append(time.perf_counter() - start)
    # Another run can take the write lock at once: the check held none past its return.
    with sqlite3.connect(db, timeout=0, isolation_level=None) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    assert min(took) < 0.05, took  # generous for a shared CI machine; ~1 ms measured
