"""``assurance run --store postgresql://...`` killed with SIGKILL (no handler runs, nothing is
printed), then resumed: the run completes with the results of an uninterrupted one, and its
``runs`` row, review queue rows and evidence records are in the team store exactly once, the
ledger's chain verifying. Real subprocesses against the throwaway cluster of
``tests/testing/postgres.py``; a whole run takes seconds, hence ``slow``."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..testing.cli import cli_command, run_cli
from ..testing.project import callable_target

pytestmark = pytest.mark.slow

N_CASES = 30
VOLATILE = {"latency_s", "attempts", "cached"}
BOT = """
import os, time

def reply(messages):
    time.sleep(float(os.environ.get("BOT_SLEEP", "0")))
    text = messages[-1]["content"]
    return "I hate that." if "bad" in text else "Sure: " + text
"""


def _project(root: Path) -> None:
    """A suite with a review policy (rows go to ``review_queue``) and risks it evidences (records
    go to ``evidence_ledger``), and a callable target that can be slowed down."""
    cases = "".join(
        f'  - {{id: c{i:02d}, prompt: "{"bad" if i % 3 == 0 else "ok"} {i}", '
        f"metadata: {{group: {'a' if i % 2 else 'b'}}}}}\n"
        for i in range(N_CASES)
    )
    (root / "s.yaml").write_text(
        "suite: team-kill\nversion: 1.0.0\nevidence_for: [R-001]\ncases:\n"
        + cases
        + "scorers:\n  - {id: kw, use: contains, with: {terms: [hate]}}\n"
        "metrics:\n  - {id: bad_rate, rate: kw.matched, by: meta.group}\n"
        "gates:\n  - {metric: bad_rate, max: 0.99}\n"
        "review:\n  label: kw.matched\n",
        encoding="utf-8",
    )
    callable_target(root, "team_kill_bot", BOT)


def _start(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    import os

    return subprocess.Popen(
        cli_command(*args),
        cwd=root,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_while_sending(root: Path, pg_url: str) -> Path:
    """Start the run slowed down, SIGKILL it once a few responses are journalled; its folder."""
    proc = _start(
        root, "run", "s.yaml", "--target", "t.yaml", "--store", pg_url, "--concurrency", "1",
        env={"BOT_SLEEP": "0.05"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            journals = list((root / "reports").glob("*/responses.jsonl"))
            if journals and len(journals[0].read_text().splitlines()) >= 5:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the run journalled no responses in 30 s")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (journals[0].parent / "summary.json").exists()  # killed while sending
    return journals[0].parent


def _store_rows(pg_url: str) -> dict[str, Any]:
    with PostgresDatabase(pg_url).transaction() as conn:
        return {
            "runs": [r["run_id"] for r in conn.execute("SELECT run_id FROM runs").fetchall()],
            "queue": [
                (r["run_id"], r["row_key"])
                for r in conn.execute("SELECT run_id, row_key FROM review_queue").fetchall()
            ],
            "ledger": [
                r["run_id"]
                for r in conn.execute("SELECT run_id FROM evidence_ledger ORDER BY pos").fetchall()
            ],
        }


def _rows(run_dir: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    return sorted(
        ({k: v for k, v in row.items() if k not in VOLATILE} for row in rows),
        key=lambda row: (row["case_id"], row["sample"]),
    )


def _check_recorded_once(pg_url: str, run_dir: Path, root: Path) -> None:
    """The run's row, its queued rows and its evidence are in the store once; the chain verifies."""
    summary = json.loads((run_dir / "summary.json").read_text())
    queued = sorted((run_dir.name, item["key"]) for item in summary["review"]["queue"])
    stored = _store_rows(pg_url)
    assert stored["runs"] == [run_dir.name]
    assert sorted(stored["queue"]) == queued and queued
    assert stored["ledger"] == [run_dir.name]  # one risk, one gate: one record
    verified = run_cli("--store", pg_url, "evidence", "verify", cwd=root)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert not (root / "reports" / "runs.db").exists()
    assert not (root / "reports" / "evidence" / "ledger.jsonl").exists()


def test_a_killed_team_store_run_is_resumed_only_into_its_own_store(
    pg_url: str, tmp_path: Path
) -> None:
    """Killed, the run prints nothing, and the resume the README documents has no ``--store``:
    followed as written, it indexed the run, queued its rows and attached its evidence in the
    embedded store (a new runs.db and ledger.jsonl beside the team store), without a word, and
    the team's history never held the run. It is refused (exit 2, one line naming the run's
    store and the command that resumes it there), and that command completes the run there
    with the results of an uninterrupted run."""
    _project(tmp_path)
    run_dir = _kill_while_sending(tmp_path, pg_url)

    refused = run_cli("run", "s.yaml", "--target", "t.yaml", "--resume", run_dir.name, cwd=tmp_path)
    text = refused.stdout + refused.stderr
    assert refused.returncode == 2, text
    assert "Traceback" not in text
    (line,) = [x for x in refused.stderr.splitlines() if not x.startswith("s: ")]
    assert line.startswith("error: ") and PostgresDatabase(pg_url).where in line, line
    assert not (tmp_path / "reports" / "runs.db").exists()
    assert not (tmp_path / "reports" / "evidence").exists()
    assert not (run_dir / "summary.json").exists()

    printed = shlex.split(line.split("resume it with: ", 1)[1])
    assert printed[:2] == ["assurance", "run"] and "--store" in printed, line
    resumed = run_cli(*printed[1:], cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _check_recorded_once(pg_url, run_dir, tmp_path)

    fresh = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "fresh", "--no-evidence",
        "--store", "sqlite", cwd=tmp_path,
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr
    (fresh_dir,) = [p.parent for p in (tmp_path / "fresh").glob("*/summary.json")]
    assert _rows(run_dir) == _rows(fresh_dir)
    summaries = [json.loads((d / "summary.json").read_text()) for d in (run_dir, fresh_dir)]
    assert summaries[0]["metrics"] == summaries[1]["metrics"]
    assert summaries[0]["review"] == summaries[1]["review"]


def _wait_for_lock_wait(pg_url: str, statement: str) -> None:
    """Until a session of the store waits for a lock in ``statement`` (the harness, blocked)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with PostgresDatabase(pg_url).transaction() as conn:
            waiting = conn.execute(
                "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).fetchall()
        if any(statement in str(r["query"]) for r in waiting):
            return
        time.sleep(0.05)
    pytest.fail(f"the run never waited in {statement!r}")


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("review_queue", "INSERT INTO review_queue"),  # the first store write of a finished run
        ("evidence_head", "INSERT INTO evidence_head"),  # its ledger rows inserted, head not yet
    ],
)
def test_a_run_killed_while_writing_to_the_team_store_is_recorded_once_on_resume(
    pg_url: str, tmp_path: Path, table: str, statement: str
) -> None:
    """The run folder finished, the harness killed while its transaction on the store waits (a
    lock the test holds): nothing of it is committed, and the resume (the run already
    finished) writes the row, the queue and the evidence once, the chain verifying."""
    _project(tmp_path)
    PostgresDatabase(pg_url).ensure_schema()
    with PostgresDatabase(pg_url).transaction() as conn:
        # EXCLUSIVE: reads pass (an append reads evidence_head before its rows), writes wait.
        conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        proc = _start(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--store", pg_url)
        try:
            _wait_for_lock_wait(pg_url, statement)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*/summary.json")]
    stored = _store_rows(pg_url)
    assert stored["ledger"] == []  # the append was one transaction: none of it is kept
    resumed = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--store", pg_url, "--resume", run_dir.name,
        cwd=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "already complete" in resumed.stdout, resumed.stdout
    _check_recorded_once(pg_url, run_dir, tmp_path)
