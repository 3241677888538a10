"""'runs purge' leaves alone a run another process holds (``evidence attach`` hashing its files
into the ledger, ``review adjudicate`` recording a verdict on it, a ``--resume`` finishing it):
deleting its files under that process left evidence recorded for a run already purged, or a
resume rewriting files the purge record says are gone. It says which run it skipped, exit 3,
and the same purge deletes it once the other process has finished."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_project

LONG_AGO = "2020-01-10T09:00:00+00:00"
PURGE = ("runs", "purge", "--older-than", "90d", "--reports", "r")


def _old_run(root: Path) -> Path:
    """A finished run of the echo project, dated as a run from 2020 is; its folder."""
    echo_project(root, suite="purge-busy")
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", "--no-evidence",
        cwd=root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (root / "r").iterdir() if p.is_dir()]
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state["started_at"] = state["finished_at"] = LONG_AGO
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")
    return run_dir


def test_purge_skips_a_run_another_process_holds_and_says_so(tmp_path: Path) -> None:
    run_dir = _old_run(tmp_path)
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
