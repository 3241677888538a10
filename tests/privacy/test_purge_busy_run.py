"""'runs purge' leaves alone a run another process holds (``evidence attach`` hashing its files
into the ledger, ``review adjudicate`` recording a verdict on it, a ``--resume`` finishing it):
deleting its files under that process left evidence recorded for a run already purged, or a
resume rewriting files the purge record says are gone. It says which run it skipped, exit 3,
and the same purge deletes it once the other process has finished."""

from __future__ import annotations

import fcntl
import os
import resource
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.privacy.purgedkit import old_echo_run
from tests.testing.cli import cli_command, run_cli

PURGE = ("runs", "purge", "--older-than", "90d", "--reports", "r")
LEDGER = "r/evidence/ledger.jsonl"


def test_purge_skips_a_run_another_process_holds_and_says_so(tmp_path: Path) -> None:
    run_dir = old_echo_run(tmp_path, "purge-busy")
    before = sorted(p.name for p in run_dir.iterdir())
    holder = os.open(run_dir, os.O_RDONLY)  # as 'evidence attach' holds it while it reads
    try:
        fcntl.flock(holder, fcntl.LOCK_SH)
        skipped = run_cli(*PURGE, cwd=tmp_path)
    finally:
        os.close(holder)
    assert skipped.returncode == 3, skipped.stdout + skipped.stderr
    assert run_dir.name in skipped.stderr and "another process" in skipped.stderr
    assert "Traceback" not in skipped.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert not (tmp_path / "r" / "evidence" / "ledger.jsonl").exists()  # nothing recorded

    again = run_cli(*PURGE, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "manifest.json",
        "run.json",
        "summary.json",
    ]


def test_evidence_verify_while_a_purge_deletes_a_run_reports_no_tampering(tmp_path: Path) -> None:
    # A purge moves the run's files aside, forgets their copies (runs.db, the cache), records
    # the purge, then deletes them. A verify in between saw the files gone and no purge record
    # yet: "missing", exit 1, tampering that never was. runs.db held here keeps the purge there.
    run_dir = old_echo_run(tmp_path, "purge-busy", evidence=True)
    with sqlite3.connect(tmp_path / "r" / "runs.db", isolation_level=None) as held:
        held.execute("BEGIN IMMEDIATE")
        purge = subprocess.Popen(
            cli_command(*PURGE), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while (run_dir / "responses.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not (run_dir / "responses.jsonl").exists(), "the purge never began"
        verify = run_cli("evidence", "verify", "--ledger", LEDGER, cwd=tmp_path)
        held.execute("COMMIT")
    assert purge.wait(timeout=60) == 0, purge.communicate()
    assert verify.returncode == 0, verify.stdout + verify.stderr
    after = run_cli("evidence", "verify", "--ledger", LEDGER, cwd=tmp_path)
    assert after.returncode == 0 and "purged" in after.stdout, after.stdout + after.stderr


def test_purge_of_more_old_runs_than_open_files_allowed_purges_them_all(tmp_path: Path) -> None:
    # Each run folder the purge holds is an open descriptor: holding every old run at once, a
    # first purge of years of runs ran out of them (the usual limit is 1024).
    run_dir = old_echo_run(tmp_path, "purge-busy")
    for i in range(600):  # copies of one old run, each under its own id
        copy = run_dir.with_name(f"{run_dir.name}-{i:03d}")
        copy.mkdir()
        for path in run_dir.iterdir():
            (copy / path.name).write_bytes(path.read_bytes())
    purged = subprocess.run(
        cli_command(*PURGE),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512)),
    )
    assert purged.returncode == 0, purged.stderr[-2000:]
    assert "purged 601 run(s)" in purged.stdout
    assert not list((tmp_path / "r").glob("*/responses.jsonl"))
