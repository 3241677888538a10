"""``baseline check -o FILE`` never leaves an earlier night's file in place looking current.

Observed: where the only run since the baseline had not finished (stopped part-way), the check
said no verdict (exit 3) and ``-f json`` printed that outcome as a comparison-shaped entry, but
``-o FILE`` wrote nothing: the file a CI job publishes still held the night before's
"no significant regression". The same held where there was no run newer than the baseline at
all (exit 0): the file kept the last comparison written, as if it were tonight's. Now ``-o``
writes what stdout shows, in JSON and in Markdown: the unfinished run's entry, and, with
nothing to compare, an explicit empty result (``[]``; a Markdown line saying so)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app

from ..report.runfixtures import toxicity_run

STALE = "Regression in toxic_rate. (an earlier night's)\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A baseline run ``n1`` and a run after it, ``n2``, that has not finished."""
    root = tmp_path / "reports"
    toxicity_run(root, "n1", {1, 2}, started_at="2026-11-01T03:15:00+00:00", index=True)
    assert invoke("baseline", "set", "n1", "--reports", str(root))[0] == 0
    (root / "n2").mkdir()
    state = {
        "run_id": "n2",
        "status": "running",
        "started_at": "2026-11-02T03:15:00+00:00",
        "suite": {"path": "suites/toxicity-core.yaml", "name": "toxicity-core", "sha256": "5" * 64},
        "target": {"path": "targets/staging.yaml", "name": "staging", "fingerprint": "a1b2"},
    }
    (root / "n2" / "run.json").write_text(json.dumps(state), encoding="utf-8")
    return root


@pytest.mark.parametrize("name", ["night.json", "night.md", "night.markdown"])
def test_an_unfinished_run_is_written_over_a_stale_file(
    reports: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    out.write_text(STALE, encoding="utf-8")
    code, stdout, stderr = invoke("baseline", "check", "--reports", str(reports), "-o", str(out))
    assert code == 3, stdout + stderr
    text = out.read_text(encoding="utf-8")
    assert "earlier night" not in text, text
    if name.endswith(".json"):
        entry = json.loads(text)
        assert entry["candidate_run"] == "n2" and entry["exit_code"] == 3, entry
        assert "n2" in entry["unmeasured"] and "--resume" in entry["unmeasured"], entry
        _, as_json, _ = invoke("baseline", "check", "--reports", str(reports), "-f", "json")
        assert json.loads(as_json) == entry  # what stdout shows
    else:
        assert "No verdict" in text and "n2" in text and "--resume" in text, text


@pytest.mark.parametrize("name", ["night.json", "night.md"])
def test_nothing_newer_than_the_baseline_is_written_over_a_stale_file(
    reports: Path, tmp_path: Path, name: str
) -> None:
    (reports / "n2" / "run.json").unlink()  # no run since the baseline at all
    out = tmp_path / name
    out.write_text(STALE, encoding="utf-8")
    code, stdout, stderr = invoke("baseline", "check", "--reports", str(reports), "-o", str(out))
    assert code == 0 and "no run newer than its baseline" in stderr, stdout + stderr
    text = out.read_text(encoding="utf-8")
    assert "earlier night" not in text, text
    if name.endswith(".json"):
        assert json.loads(text) == []
        _, as_json, _ = invoke("baseline", "check", "--reports", str(reports), "-f", "json")
        assert json.loads(as_json) == []  # what stdout shows
    else:
        assert "no run newer than its baseline" in text, text
