"""``assurance report RUN`` (the run's own folder) on a run whose results.jsonl is lost, cut short
or edited, or whose summary.json was edited. Observed: exit 0 and the run's report.html,
report.md, report.json and junit.xml, written from the run's own rows when it finished (with the
worst cases' prompts and responses: once results.jsonl is lost, the only copy left), were
replaced by reports without those rows, or with figures nobody measured. Now nothing in the run
folder is replaced (exit 3, one line naming the file and ``--out``); ``--out DIR`` still writes
the degraded report elsewhere (``test_report_missing_results.py``), and a run with no report
files yet still gets one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

from .runfixtures import toxicity_run

REPORTS = ("report.html", "report.md", "report.json", "junit.xml")


def _lose(run_dir: Path) -> None:
    (run_dir / "results.jsonl").unlink()


def _cut(run_dir: Path) -> None:
    results = run_dir / "results.jsonl"
    lines = results.read_bytes().splitlines(keepends=True)
    results.write_bytes(b"".join(lines[: len(lines) // 2]))


def _edit_summary(run_dir: Path) -> None:
    summary = run_dir / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    data["status"] = "passed"
    summary.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "named"),
    [(_lose, "results.jsonl"), (_cut, "results.jsonl"), (_edit_summary, "summary.json")],
    ids=["results-lost", "results-cut", "summary-edited"],
)
def test_the_run_folders_reports_are_not_replaced_from_rows_that_are_not_the_runs(
    tmp_path: Path, damage: Callable[[Path], None], named: str
) -> None:
    reports = tmp_path / "reports"
    run_dir = toxicity_run(reports, "r-1", {1, 2, 30}, n_cases=40)
    made = run_cli("report", "r-1", "--reports", reports, timeout=60)
    assert made.returncode == 0, made.stderr
    before = {name: (run_dir / name).read_bytes() for name in REPORTS}
    assert b"tox-001#0" in before["report.md"]  # a worst case, with its response

    damage(run_dir)
    done = run_cli("report", "r-1", "--reports", reports, timeout=60)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert named in errors[0] and "--out" in errors[0], errors
    assert {name: (run_dir / name).read_bytes() for name in REPORTS} == before


def test_a_damaged_run_without_reports_yet_still_gets_them(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    run_dir = toxicity_run(reports, "r-1", {1, 2, 30}, n_cases=40)
    _lose(run_dir)
    done = run_cli("report", "r-1", "--reports", reports, "-f", "md", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "results.jsonl: missing" in (run_dir / "report.md").read_text(encoding="utf-8")
