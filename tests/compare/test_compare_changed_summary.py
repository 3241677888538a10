"""``compare``, ``baseline check`` and ``trend`` over a run whose summary.json was edited by
hand after the run. Observed: compare printed the edited figures and gave its verdict on them
(exit 0, "no significant regression"), a nightly ``baseline check`` did the same, and trend
plotted an edited value among the nights that measured the suite, all without a word. The
manifest records summary.json's SHA-256: compare and baseline check give no verdict (exit 3,
one line naming the file and manifest.json), and trend leaves the run out, naming it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs
from tests.testing.summary_edits import SUMMARY_EDITS, edit_summary


def _runs(root: Path, n: int) -> list[Path]:
    """``n`` finished runs of one suite against one target, oldest first."""
    return echo_runs(root, "summary-compare", n)


def _no_verdict(done: subprocess.CompletedProcess[str], summary: Path) -> None:
    stdout, stderr = done.stdout, done.stderr
    assert done.returncode == 3, stdout + stderr
    assert "no significant regression" not in stdout + stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert str(summary) in errors[0] and "manifest.json" in errors[0], stderr
    assert "Traceback" not in stderr and "internal error" not in stderr


@pytest.mark.parametrize(
    ("role", "how"), [("candidate", how) for how in SUMMARY_EDITS] + [("baseline", "verdict")]
)
def test_compare_gives_no_verdict_on_an_edited_summary(tmp_path: Path, role: str, how: str) -> None:
    base, cand = _runs(tmp_path, 2)
    summary = edit_summary(base if role == "baseline" else cand, how)
    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    _no_verdict(done, summary)


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_baseline_check_gives_no_verdict_on_an_edited_summary(tmp_path: Path, role: str) -> None:
    base, cand = _runs(tmp_path, 2)
    accepted = run_cli("baseline", "set", base.name, cwd=tmp_path, timeout=60)
    assert accepted.returncode == 0, accepted.stderr
    summary = edit_summary(base if role == "baseline" else cand, "metric value")
    done = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    _no_verdict(done, summary.relative_to(tmp_path))  # found under reports/, as recorded


def test_an_untouched_pair_still_gets_its_verdict(tmp_path: Path) -> None:
    base, cand = _runs(tmp_path, 2)
    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no significant regression" in done.stdout + done.stderr


def test_trend_leaves_out_a_run_whose_summary_was_edited_and_names_it(tmp_path: Path) -> None:
    edited, kept = _runs(tmp_path, 2)
    summary = edit_summary(edited, "metric value")  # the value 0.123, never measured

    shown = run_cli("trend", "summary-compare", "r", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    points = json.loads(shown.stdout)["points"]
    assert [p["run_id"] for p in points] == [kept.name], points
    warnings = [line for line in shown.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, shown.stderr
    assert str(summary.relative_to(tmp_path)) in warnings[0], warnings  # found under reports/
    assert "manifest.json" in warnings[0], warnings


@pytest.mark.parametrize("force", [False, True])
def test_baseline_set_refuses_a_run_whose_summary_was_edited(tmp_path: Path, force: bool) -> None:
    """baseline set read the status it checks from summary.json as it is: an edit that makes
    it 'passed' (or any edit, with --force) was accepted, and would be what every later night
    is judged against. Here the edit makes the status 'gates_failed', so without --force the
    old answer was the usage error for a failed run, not the edit's."""
    (run,) = _runs(tmp_path, 1)
    summary = edit_summary(run, "status")
    done = run_cli(
        "baseline", "set", run.name, *(["--force"] if force else []), cwd=tmp_path, timeout=60
    )
    assert done.returncode == 3, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "manifest.json" in errors[0], done.stderr
    assert summary.name in errors[0] and "Traceback" not in done.stderr
    shown = run_cli("baseline", "show", cwd=tmp_path, timeout=60)
    assert run.name not in shown.stdout, shown.stdout
