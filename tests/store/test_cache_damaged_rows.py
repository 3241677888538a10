"""A response-cache row edited by hand or half-written (a text that is not text, usage that is
not a JSON object, a created_at that is not a time) is no cached answer: ``get`` misses, so the
request is sent again and the row replaced, where it crashed the run (an uncaught
JSONDecodeError or ValueError) or gave back what was never an answer (bytes, a list as usage)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.store.cache import ResponseCache

EDITS = {
    "usage not JSON": "UPDATE responses SET usage = '{garbage'",
    "usage a list": "UPDATE responses SET usage = '[1]'",
    "text bytes": "UPDATE responses SET text = X'00ff'",
    "created_at not a time": "UPDATE responses SET created_at = 'x'",
    "model_version bytes": "UPDATE responses SET model_version = X'ff'",
}
"""(A number written into a text column is read back as its text: SQLite's column affinity
stores 5 as '5', so that edit leaves nothing to tell.)"""


def _cached(path: Path) -> None:
    cache = ResponseCache(path)
    cache.put("k", GenerationResponse(text="hello", model_version="m1", usage={"tokens": 3}))
    cache.close()


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_damaged_row_is_a_miss_said_once(tmp_path: Path, edit: str) -> None:
    path = tmp_path / "cache.db"
    _cached(path)
    with sqlite3.connect(path) as db:
        db.execute(edit)
    cache = ResponseCache(path, max_age_s=3600)
    assert cache.get("k") is None
    assert cache.get("k") is None
    assert cache.misses == 2 and cache.hits == 0
    assert cache.damaged == 1  # the same row, read twice, is one damaged entry
    assert "could not be read" in (cache.damage_note() or "")
    assert str(path) in (cache.damage_note() or "")
    cache.put("k", GenerationResponse(text="fresh", model_version="m1"))
    cache.close()
    again = ResponseCache(path, max_age_s=3600)
    found = again.get("k")
    assert found is not None and found.text == "fresh"
    assert again.damage_note() is None


def test_an_intact_row_still_hits(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    _cached(path)
    cache = ResponseCache(path, max_age_s=3600)
    found = cache.get("k")
    assert found is not None
    assert (found.text, found.model_version, found.usage) == ("hello", "m1", {"tokens": 3})
    assert cache.damage_note() is None


def test_a_run_reading_a_damaged_cache_sends_again_and_says_so(tmp_path: Path) -> None:
    from assurance_harness.workspace import CACHE_NAME
    from tests.testing.cli import run_cli
    from tests.testing.project import echo_project

    echo_project(tmp_path, suite="damaged-cache")
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "reports" / CACHE_NAME) as db:
        db.execute("UPDATE responses SET usage = '{garbage'")
    again = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    out = again.stdout + again.stderr
    assert again.returncode == 0, out
    assert "Traceback" not in out and "internal error" not in out
    assert "2 entries of the response cache" in out and "could not be read" in out
    assert "cached 0" in out  # both sent again, none taken from the damaged rows
