"""``assurance run --store postgresql://...`` end to end: the run folder stays files, the run
index and the evidence live in the PostgreSQL team store, and ``evidence head|verify`` read them
there. A whole run (scorers loaded) takes seconds, hence ``slow``; skips without PostgreSQL."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..register.test_team_ledger import GOLDEN, _cli, _rows, _tamper
from ..testing.cli import run_cli
from ..testing.postgres import PgCluster

pytestmark = pytest.mark.slow


RUNNABLE_GATE = (
    "{metric: refused_rate, max: 0.5, bound: upper}",
    "{metric: refused_rate, max: 0.95, bound: upper}",
)
"""The golden suite's last gate can never pass beside its first (max 0.5 on the upper bound, min
0.9 on the point), which validate refuses since the golden run was made: a run of it today
takes a reachable threshold (it still fails on these few cases)."""


def _copy_golden(folder: Path, *names: str) -> None:
    for name in names:
        shutil.copy(GOLDEN / name, folder / name)
    suite = folder / "suite.yaml"
    if suite.exists():
        text = suite.read_text(encoding="utf-8")
        assert RUNNABLE_GATE[0] in text
        suite.write_text(text.replace(*RUNNABLE_GATE), encoding="utf-8")


def test_a_run_with_a_team_store_keeps_its_index_and_evidence_there(
    pg_url: str, tmp_path: Path
) -> None:
    """``assurance run --store URL``: the run folder is files; index and evidence in PostgreSQL."""
    _copy_golden(tmp_path, "suite.yaml", "target.yaml", "golden_bot.py")
    done = _cli_in(tmp_path, "run", "suite.yaml", "--target", "target.yaml", "--store", pg_url)
    assert done.exit_code in (0, 1), done.output
    reports = tmp_path / "reports"
    assert not (reports / "runs.db").exists()
    assert not (reports / "evidence" / "ledger.jsonl").exists()
    (run_dir,) = [p.parent for p in reports.glob("*/summary.json")]
    with PostgresDatabase(pg_url).transaction() as conn:
        indexed = conn.execute("SELECT run_id FROM runs").fetchall()
    assert [r["run_id"] for r in indexed] == [run_dir.name]
    lines = _rows(pg_url)
    assert lines and all(json.loads(line)["run_id"] == run_dir.name for _, line in lines)
    listed = _cli_in(tmp_path, "--store", pg_url, "runs", "list", "-f", "json")
    assert json.loads(listed.output)["run_id"] == run_dir.name
    head = _cli_in(tmp_path, "--store", pg_url, "evidence", "head")
    assert json.loads(head.output)["seq"] == len(lines)
    verified = _cli_in(tmp_path, "--store", pg_url, "evidence", "verify")
    assert verified.exit_code == 0, verified.output
    # The run says where its records went: the store, never a ledger file it did not write.
    assert "ledger.jsonl" not in done.output, done.output
    where = PostgresDatabase(pg_url).where
    assert f"evidence: {len(lines)} records appended to {where}" in done.output, done.output


def _cli_in(cwd: Path, *args: str | Path) -> Any:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        return _cli(*args)
    finally:
        os.chdir(previous)


STOPPING_BOT = """
import json, os, subprocess, threading
from golden_bot import reply as golden

_lock, _calls = threading.Lock(), [0]


def reply(messages, **kw):
    with _lock:
        _calls[0] += 1
        if _calls[0] == 6:  # the last request: the store goes away once every answer is in
            subprocess.run(json.loads(os.environ["STOP_SERVER"]), check=True, capture_output=True)
    return golden(messages, **kw)
"""


def test_the_store_stopped_mid_run_fails_it_resumably_and_resume_completes_it(
    postgres_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    """The server stopped while the run was sending: the run exits 3 (not 2, a configuration
    fault) with one error line naming the store and the resume command, no psycopg log lines,
    no password; every response is kept, and once the server is back the printed resume
    command (with the run's ``--store``) indexes the run and attaches its evidence there."""
    _copy_golden(tmp_path, "suite.yaml", "golden_bot.py")
    (tmp_path / "stopping_bot.py").write_text(STOPPING_BOT, encoding="utf-8")
    target = (GOLDEN / "target.yaml").read_text(encoding="utf-8")
    (tmp_path / "target.yaml").write_text(target.replace("golden_bot:", "stopping_bot:"))
    env = {"STOP_SERVER": json.dumps(postgres_cluster.stop_command())}
    args = ("run", "suite.yaml", "--target", "target.yaml", "--store", pg_url)
    try:
        failed = run_cli(*args, cwd=tmp_path, env=env)
    finally:
        if not postgres_cluster.running():
            postgres_cluster.start_server()
    text = failed.stdout + failed.stderr
    assert failed.returncode == 3, text
    assert "Traceback" not in text and postgres_cluster.password not in text
    errors = [line for line in failed.stderr.splitlines() if not line.startswith("suite: ")]
    assert len(errors) == 2 and all(line.startswith("error: ") for line in errors), text
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*/responses.jsonl")]
    assert f"--resume {run_dir.name}" in errors[1] and "127.0.0.1" in errors[0]
    assert len((run_dir / "responses.jsonl").read_text().splitlines()) == 6
    # The command as printed: without the --store it was given, the run would be indexed and
    # its evidence attached in the embedded store, splitting the team's history in two.
    printed = shlex.split(errors[1].split("finish with: ", 1)[1])
    assert printed[:2] == ["assurance", "run"]
    resumed = run_cli(*printed[1:], cwd=tmp_path)
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr  # the golden gate fails
    with PostgresDatabase(pg_url).transaction() as conn:
        indexed = conn.execute("SELECT run_id FROM runs").fetchall()
    assert [r["run_id"] for r in indexed] == [run_dir.name]
    assert [json.loads(line)["run_id"] for _, line in _rows(pg_url)] == [run_dir.name] * 6
    assert not (tmp_path / "reports" / "runs.db").exists()


def test_the_repair_command_printed_after_a_failed_attach_keeps_the_store(
    pg_url: str, tmp_path: Path
) -> None:
    """Evidence that cannot be attached to the team store (a damaged last row): the run exits 3
    and prints the command that attaches it later. That command keeps the run's ``--store``:
    followed as printed, once the row is repaired, the records go to the team store, not to a
    new ``ledger.jsonl`` beside it (which would split the team's history in two)."""
    _copy_golden(tmp_path, "suite.yaml", "target.yaml", "golden_bot.py")
    PostgresDatabase(pg_url).ensure_schema()
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("INSERT INTO evidence_ledger (pos, line) VALUES (1, '{\"torn\": ')")
    failed = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--store", pg_url, cwd=tmp_path
    )
    text = failed.stdout + failed.stderr
    assert failed.returncode == 3 and "Traceback" not in text, text
    (note,) = [line for line in text.splitlines() if "evidence not attached" in line]
    printed = shlex.split(note.split("fix it, then: ", 1)[1].rstrip(")"))
    assert printed[:3] == ["assurance", "--store", pg_url], note
    _tamper(pg_url, "DELETE FROM evidence_ledger")
    attached = run_cli(*printed[1:], cwd=tmp_path)
    assert attached.returncode == 0, attached.stdout + attached.stderr
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*/summary.json")]
    assert [json.loads(line)["run_id"] for _, line in _rows(pg_url)] == [run_dir.name] * 6
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()
