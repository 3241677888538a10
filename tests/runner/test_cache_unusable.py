"""The response cache is an optimisation: when its file cannot be used (another process holds
its write lock past the wait, it is not a SQLite file), the run goes on without it, says so once
at the end, and its evidence is what it would have been with the cache off (issue 12: "a locked
cache.sqlite stops the whole run, although the cache is optional").
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assurance_harness.runner.run import run_suite
from assurance_harness.store import cache as cache_module

SUITE = (
    "suite: cache-faults\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(5))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)

HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS held (x)")
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes it
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cache_target.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: cache_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT_S", 0.2)  # not the 30 s a run waits
    return tmp_path


@pytest.fixture
def locked_cache(project: Path) -> Iterator[Path]:
    """reports/cache.sqlite with its write lock held by another process."""
    path = project / "reports" / "cache.sqlite"
    path.parent.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield path
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def _verdicts(run_dir: Path) -> list[tuple[str, str]]:
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return [(gate["metric"], gate["verdict"]) for gate in summary["gates"]]


def test_a_cache_locked_by_another_process_does_not_stop_the_run(locked_cache: Path) -> None:
    outcome = run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False)
    assert outcome.exit_code == 0, outcome.notes
    assert _verdicts(outcome.run_dir) == [("r", "pass")]
    journal = (outcome.run_dir / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(journal) == 5
    notes = [note for note in outcome.notes if "cache" in note]
    assert len(notes) == 1, outcome.notes
    assert str(Path("reports") / "cache.sqlite") in notes[0]
    assert "database is locked" in notes[0]
    assert "not cached" in notes[0]


def test_a_cache_file_that_is_not_a_database_does_not_stop_the_run(project: Path) -> None:
    cache_file = project / "reports" / "cache.sqlite"
    cache_file.parent.mkdir()
    cache_file.write_bytes(b"this is not a SQLite file\n" * 100)
    outcome = run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False)
    assert outcome.exit_code == 0, outcome.notes
    assert _verdicts(outcome.run_dir) == [("r", "pass")]
    notes = [note for note in outcome.notes if "cache" in note]
    assert len(notes) == 1, outcome.notes
    assert "not a database" in notes[0] and "delete it" in notes[0]
    assert cache_file.read_bytes().startswith(b"this is not a SQLite file")  # left as it was


def test_the_same_run_with_the_cache_off_gives_the_same_evidence(locked_cache: Path) -> None:
    degraded = run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False)
    off = run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False, use_cache=False)
    assert _verdicts(degraded.run_dir) == _verdicts(off.run_dir)
    manifest = json.loads((degraded.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["cached"] == 0
