"""'runs purge' deletes every copy of an old run's prompts and responses that the tool keeps:
the run's payload files, the traceback a crash saved in its folder (an exception may quote
them), and the prompts and responses its review queue keeps in runs.db (shown by 'review queue'
and the web app). The run's verdicts, hashes and review verdicts stay."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.privacy.purgedkit import age_run
from tests.privacy.test_crash_redaction import _project
from tests.testing.cli import run_cli


@pytest.mark.slow
def test_purge_deletes_the_crash_traceback_and_the_review_queue_texts(tmp_path: Path) -> None:
    env = _project(tmp_path)
    (tmp_path / "assurance.yaml").unlink()  # no redaction: the stored copies are the originals
    suite = tmp_path / "s.yaml"
    suite.write_text(
        suite.read_text(encoding="utf-8") + "review: {label: q.ok, sample: 1.0}\n",
        encoding="utf-8",
    )
    args = ("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report")
    args += ("--no-cache",)  # the response cache has its own test
    crashed = run_cli(*args, cwd=tmp_path, env={**env, "QUOTING_BUG": "1"})
    assert crashed.returncode == 3, crashed.stderr
    run_id = re.search(r"--resume (\S+)", crashed.stderr).group(1)  # type: ignore[union-attr]
    finished = run_cli(*args, "--resume", run_id, cwd=tmp_path, env=env)
    assert finished.returncode == 0, finished.stderr
    run_dir = tmp_path / "reports" / run_id
    assert "Amelia Hart" in (run_dir / "traceback.txt").read_text(encoding="utf-8")
    age_run(run_dir)

    purged = run_cli("runs", "purge", "--older-than", "90d", "--reports", "reports", cwd=tmp_path)
    assert purged.returncode == 0, purged.stderr
    kept = sorted(p.name for p in run_dir.iterdir())
    assert kept == ["manifest.json", "run.json", "summary.json"]
    with sqlite3.connect(tmp_path / "reports" / "runs.db") as conn:
        queued = conn.execute(
            "SELECT row_key, prompt, response FROM review_queue WHERE run_id = ?", (run_id,)
        ).fetchall()
    assert queued == [("a#0", None, None)]  # still queued (its verdicts count), texts gone
    for path in (tmp_path / "reports").rglob("*"):
        if path.is_file():
            assert b"Amelia" not in path.read_bytes(), path  # not even in a freed page
