"""``run --resume RUN`` takes a unique start of a run id, as ``report``, ``compare`` and
``evidence`` do, through the same resolver, with the same lines for a prefix several runs share
and for one no run has. It refused a unique prefix ("no run '20261205T21' in reports"), so the
id printed by ``runs list`` had to be copied whole for this one command.

A path to a run folder (``reports/ID/``, as a shell completes it) names that folder exactly: a
path is never taken as a prefix, as no command takes one.

Real ``assurance`` subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_runs, interrupted_run

RESUME = ("run", "s.yaml", "--target", "t.yaml", "--resume")


def test_a_unique_prefix_resumes_the_run_it_starts(tmp_path: Path) -> None:
    run_id = interrupted_run(tmp_path)
    prefix = run_id[:12]

    as_path = one_line_refusal(run_cli(*RESUME, f"reports/{prefix}", cwd=tmp_path))
    assert f"run 'reports/{prefix}' not found" in as_path, as_path  # a path is exact

    done = run_cli(*RESUME, prefix, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert run_id in done.stdout + done.stderr
    assert [p.name for p in (tmp_path / "reports").iterdir() if p.is_dir()] == [run_id]
    summary = json.loads((tmp_path / "reports" / run_id / "summary.json").read_text())
    assert summary["run_id"] == run_id


def test_an_ambiguous_or_unknown_prefix_is_the_line_the_other_commands_print(
    tmp_path: Path,
) -> None:
    first, second = echo_runs(tmp_path, "resume-prefix", count=2)
    for ref in ("2", "nope"):
        resumed = one_line_refusal(run_cli(*RESUME, ref, cwd=tmp_path))
        reported = one_line_refusal(run_cli("report", ref, cwd=tmp_path))
        assert resumed == reported, (resumed, reported)
    ambiguous = one_line_refusal(run_cli(*RESUME, "2", cwd=tmp_path))
    assert "ambiguous" in ambiguous and first.name in ambiguous and second.name in ambiguous


def test_a_prefix_of_an_unfinished_run_is_its_resume_in_the_commands_that_read_runs(
    tmp_path: Path,
) -> None:
    """``report``, ``compare`` and ``evidence`` matched prefixes over finished runs only: the
    start of a stopped run's id was "not found ... no runs under reports/", while its whole id
    said "has not finished; complete it with ... --resume ID"."""
    run_id = interrupted_run(tmp_path)
    line = one_line_refusal(run_cli("report", run_id[:12], cwd=tmp_path))
    assert line == one_line_refusal(run_cli("report", run_id, cwd=tmp_path))
    assert f"--resume {run_id}" in line, line
