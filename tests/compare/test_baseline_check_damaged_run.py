"""``baseline check`` when the latest run since the baseline cannot be read. Observed: three
runs of a suite (the baseline, last night's, tonight's), tonight's summary.json cut short (a
disk filled as it was written, a copy interrupted); the check passed tonight's run over without
a word and compared last night's with the baseline, "no significant regression", exit 0: a
green nightly over a night whose figures nobody could read. With only the baseline before it,
the check said "no run newer than its baseline to compare", which is untrue. Now such a run is
no verdict (exit 3), one line naming its damaged file, as for a run that did not finish."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def test_a_damaged_latest_run_is_no_verdict_not_the_night_before(tmp_path: Path) -> None:
    base, last_night, tonight = echo_runs(tmp_path, "damaged-nightly", count=3)
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    summary = tonight / "summary.json"
    summary.write_bytes(summary.read_bytes()[:200])  # cut short mid-write

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3, text
    assert last_night.name not in checked.stdout, text  # not compared in tonight's place
    assert "no significant regression" not in text and "Traceback" not in text, text
    errors = [line for line in checked.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, text
    assert tonight.name in errors[0] and "summary.json" in errors[0], text

    as_json = run_cli("baseline", "check", "-f", "json", cwd=tmp_path, timeout=60)
    assert as_json.returncode == 3, as_json.stdout + as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["candidate_run"] == tonight.name and payload["exit_code"] == 3, payload


def test_a_damaged_only_run_since_the_baseline_is_not_nothing_newer(tmp_path: Path) -> None:
    base, tonight = echo_runs(tmp_path, "damaged-only-nightly", count=2)
    assert run_cli("baseline", "set", base.name, cwd=tmp_path).returncode == 0
    (tonight / "summary.json").write_text("[]", encoding="utf-8")  # not a summary at all

    checked = run_cli("baseline", "check", cwd=tmp_path, timeout=60)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 3, text
    assert "no run newer" not in text, text
    assert tonight.name in checked.stderr and "summary.json" in checked.stderr, text
