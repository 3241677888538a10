"""``baseline check`` and ``trend`` when the latest run's folder was deleted and its row in
the run index kept. Observed: three runs (the baseline, last night's, tonight's), tonight's
folder removed by hand (``rm -r reports/ID``); the check compared last night's run with the
baseline in tonight's place, "no significant regression", exit 0, and with only the baseline
before it said "no run newer than its baseline to compare", exit 0: a green nightly over a night
nobody can read. ``trend`` dropped the run without a word (a damaged run gets a warning). Now
the check is no verdict (exit 3) naming the run that is gone, and the trend says it left it
out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def test_a_deleted_latest_run_is_no_verdict_not_the_night_before(tmp_path: Path) -> None:
    base, last_night, tonight = echo_runs(tmp_path, "deleted-nightly", count=3)
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    shutil.rmtree(tonight)

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3, text
    assert last_night.name not in checked.stdout, text  # not compared in tonight's place
    assert "no significant regression" not in text and "Traceback" not in text, text
    errors = [line for line in checked.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, text
    assert tonight.name in errors[0] and "no longer there" in errors[0], text

    as_json = run_cli("baseline", "check", "-f", "json", cwd=tmp_path, timeout=60)
    assert as_json.returncode == 3, as_json.stdout + as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["candidate_run"] == tonight.name and payload["exit_code"] == 3, payload
    assert "no longer there" in payload["unmeasured"], payload


def test_a_deleted_only_run_since_the_baseline_is_not_nothing_newer(tmp_path: Path) -> None:
    base, tonight = echo_runs(tmp_path, "deleted-only-nightly", count=2)
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    shutil.rmtree(tonight)

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3, text
    assert "no run newer" not in text, text
    assert tonight.name in checked.stderr and "no longer there" in checked.stderr, text


def test_a_deleted_run_before_the_latest_leaves_the_latest_compared(tmp_path: Path) -> None:
    """Only the night's own run counts: one deleted before it is no reason for no verdict."""
    base, last_night, tonight = echo_runs(tmp_path, "deleted-earlier-nightly", count=3)
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    shutil.rmtree(last_night)

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert tonight.name in checked.stdout, checked.stdout


def test_a_deleted_run_of_the_suite_is_named_as_left_out_of_the_trend(tmp_path: Path) -> None:
    _, kept, gone = echo_runs(tmp_path, "deleted-trend", count=3)
    shutil.rmtree(gone)

    shown = run_cli("trend", "deleted-trend", "r", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert kept.name in shown.stdout and gone.name not in shown.stdout
    warnings = [line for line in shown.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, shown.stderr
    assert gone.name in warnings[0] and "no longer there" in warnings[0], shown.stderr

    other = run_cli("trend", "deleted-trend", "r", "--target", "other", cwd=tmp_path)
    assert gone.name not in other.stderr, other.stderr  # a run of another target: not this trend


def test_a_run_moved_within_the_reports_is_shown_not_left_out(tmp_path: Path) -> None:
    """A folder renamed beside the others is still read (by the scan): not also "gone"."""
    base, _, moved = echo_runs(tmp_path, "moved-trend", count=3)
    moved.rename(moved.with_name(moved.name + ".bak"))
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert moved.name in checked.stdout, checked.stdout

    shown = run_cli("trend", "moved-trend", "r", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert moved.name in shown.stdout and "warning: " not in shown.stderr, shown.stderr
