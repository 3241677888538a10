"""'runs purge' deletes the purged runs' answers from the response cache too (found by an
adversarial pass, issue 12): reports/cache.sqlite kept every response of a purged run, and a
later run could serve them again as answers. The cache records which run received each answer
(its run_id column), so exactly those go."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.privacy.purgedkit import age_run
from tests.testing.cli import run_cli

SUITE = (
    "suite: cached\ncases:\n  - {id: a, prompt: 'My name is Amelia Hart'}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


def _run(project: Path) -> Path:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", "--cache", cwd=project)
    assert done.returncode == 0, done.stderr
    runs = [p for p in (project / "reports").iterdir() if (p / "run.json").is_file()]
    return max(runs, key=lambda p: p.name)


def _cached_runs(project: Path) -> list[str | None]:
    with sqlite3.connect(project / "reports" / "cache.sqlite") as conn:
        return [row[0] for row in conn.execute("SELECT run_id FROM responses")]


def test_purge_deletes_the_purged_runs_cached_answers(tmp_path: Path) -> None:
    (tmp_path / "cache_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: cache_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    old = _run(tmp_path)
    assert _cached_runs(tmp_path) == [old.name]
    age_run(old)

    purged = run_cli("runs", "purge", "--older-than", "90d", cwd=tmp_path)
    assert purged.returncode == 0, purged.stderr
    assert _cached_runs(tmp_path) == []
    for path in (tmp_path / "reports").glob("cache.sqlite*"):
        assert b"Amelia" not in path.read_bytes(), path  # not in a freed page or the WAL either

    fresh = _run(tmp_path)  # asked again, not served the purged run's answer
    manifest = json.loads((fresh / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["cached"] == 0


def test_purge_deletes_the_answers_an_older_version_cached_without_their_run(
    tmp_path: Path,
) -> None:
    """A cache file written before answers noted their run (``run_id`` NULL: the column added
    by a later version) kept the purged run's answers, which a later run then served again:
    no run can be shown to own them, so a purge deletes them."""
    (tmp_path / "cache_bot.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: cache_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    old = _run(tmp_path)
    with sqlite3.connect(tmp_path / "reports" / "cache.sqlite") as conn:
        conn.execute("UPDATE responses SET run_id = NULL")  # as the older version stored it
    age_run(old)

    purged = run_cli("runs", "purge", "--older-than", "90d", cwd=tmp_path)
    assert purged.returncode == 0, purged.stderr
    for path in (tmp_path / "reports").glob("cache.sqlite*"):
        assert b"Amelia" not in path.read_bytes(), path
    assert "deleted 1 cached answer(s) of the purged runs from reports/cache.sqlite" in (
        purged.stdout
    )

    fresh = _run(tmp_path)
    manifest = json.loads((fresh / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["cached"] == 0


def test_a_cache_kept_busy_by_a_reader_is_no_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process reading the cache while the purge deletes keeps the WAL from being
    emptied into the file, whose pages then still hold the deleted answers: that is a failed
    purge (nothing recorded, run it again), not a success that left them on disk."""
    from assurance_harness.datatypes import GenerationResponse
    from assurance_harness.store import cache
    from assurance_harness.store.postgres import StoreError

    path = tmp_path / "cache.sqlite"
    with cache.ResponseCache(path, run_id="old") as stored:
        stored.put("k", GenerationResponse(text="echo Amelia Hart"))
    monkeypatch.setattr(cache, "BUSY_TIMEOUT_S", 0.2)
    with sqlite3.connect(path, isolation_level=None) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM responses").fetchone()  # holds a read snapshot
        with pytest.raises(StoreError, match="run the same purge again"):
            cache.forget_runs(path, ["old"])
        reader.execute("COMMIT")
    assert cache.forget_runs(path, ["old"]) == 0  # the rerun, once the reader is gone
    for file in tmp_path.glob("cache.sqlite*"):
        assert b"Amelia" not in file.read_bytes(), file


def test_a_scorer_cache_file_kept_busy_by_a_reader_is_no_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a judge's or guard's cache file in WAL mode (a file a user's tooling
    switched to it): its checkpoint's failure was not looked at, and the purge said it deleted
    answers whose old pages were still in the log."""
    from assurance_harness.scorers._model_cache import ModelCache
    from assurance_harness.store import cache, scorercache
    from assurance_harness.store.postgres import StoreError

    path = tmp_path / "judge.sqlite"
    ModelCache(path, run_id="old").put("k", "the judge quotes Amelia Hart")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode = WAL")
    monkeypatch.setattr(cache, "BUSY_TIMEOUT_S", 0.2)
    with sqlite3.connect(path, isolation_level=None) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM answers").fetchone()  # holds a read snapshot
        with pytest.raises(StoreError, match="run the same purge again"):
            scorercache.forget_runs(path, ["old"])
        reader.execute("COMMIT")
    assert scorercache.forget_runs(path, ["old"]) == 0  # the rerun, once the reader is gone
    for file in tmp_path.glob("judge.sqlite*"):
        assert b"Amelia" not in file.read_bytes(), file
