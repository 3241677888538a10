"""``compare``, ``baseline set`` and ``baseline check`` on a run whose results.jsonl is gone,
or whose manifest.json (which records the results' SHA-256) is gone. Observed: an emptied
results file was no verdict (exit 3), but a deleted one gave "no significant regression" (exit
0) with no warning, ``baseline set --force`` accepted the run and ``baseline check`` passed; a
deleted manifest with the results cut to 5 of 46 rows compared silently too. Neither is the
file the manifest records: no verdict, one line naming the file and the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def _no_verdict(result: object, named: Path) -> None:
    text = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 3, text  # type: ignore[attr-defined]
    assert "no significant regression" not in text, text
    # Named as the command found it: reports/<run id>/<file>, relative to where it ran.
    where = f"{named.parent.name}/{named.name}"
    assert where in result.stderr, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in text and "internal error" not in text, text


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_a_run_whose_results_were_deleted_gets_no_verdict(tmp_path: Path, role: str) -> None:
    base, cand = echo_runs(tmp_path, f"gone-results-{role}", count=2)
    gone = (base if role == "baseline" else cand) / "results.jsonl"
    gone.unlink()

    result = run_cli("compare", base.name, cand.name, cwd=tmp_path, timeout=60)
    _no_verdict(result, gone)
    assert "missing" in result.stderr, result.stderr
    as_json = run_cli("compare", base.name, cand.name, "-f", "json", cwd=tmp_path, timeout=60)
    assert json.loads(as_json.stdout)["exit_code"] == 3, as_json.stdout


def test_a_run_without_its_manifest_gets_no_verdict(tmp_path: Path) -> None:
    base, cand = echo_runs(tmp_path, "gone-manifest", count=2)
    results = cand / "results.jsonl"
    results.write_text(results.read_text(encoding="utf-8").splitlines(True)[0], encoding="utf-8")
    (cand / "manifest.json").unlink()

    result = run_cli("compare", base.name, cand.name, cwd=tmp_path, timeout=60)
    _no_verdict(result, cand / "manifest.json")


def test_baseline_set_and_check_refuse_a_run_whose_results_were_deleted(tmp_path: Path) -> None:
    base, cand = echo_runs(tmp_path, "gone-baseline", count=2)
    (cand / "results.jsonl").unlink()
    refused = run_cli("baseline", "set", cand.name, "--force", cwd=tmp_path, timeout=60)
    _no_verdict(refused, cand / "results.jsonl")

    accepted = run_cli("baseline", "set", base.name, cwd=tmp_path, timeout=60)
    assert accepted.returncode == 0, accepted.stderr
    (base / "results.jsonl").unlink()
    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    _no_verdict(checked, base / "results.jsonl")
