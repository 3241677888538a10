"""``--limit`` with ``--resume``: a resumed run keeps the cases it was started with (its
``cases.jsonl``, ``run.json``'s ``options.limit``), so another ``--limit`` cannot apply. It was
silently ignored (a finished run said only "already complete"); now it is refused in one line,
exit 2, unless it is the limit the run was started with, which changes nothing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_project


def _run(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report",
        "--no-evidence", *extra, cwd=project, timeout=60,
    )  # fmt: skip


def _first_run(project: Path, *extra: str) -> str:
    done = _run(project, *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"run (\S+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return found.group(1)


def test_a_limit_on_a_run_started_without_one_is_refused(tmp_path: Path) -> None:
    project = echo_project(tmp_path, "resume-limit-none")
    run_id = _first_run(project)
    line = one_line_refusal(_run(project, "--resume", run_id, "--limit", "1"))
    assert "--limit 1" in line and f"run '{run_id}'" in line, line
    assert "without --limit" in line, line


def test_another_limit_than_the_run_s_is_refused(tmp_path: Path) -> None:
    project = echo_project(tmp_path, "resume-limit-other")
    run_id = _first_run(project, "--limit", "1")
    line = one_line_refusal(_run(project, "--resume", run_id, "--limit", "2"))
    assert "--limit 2" in line and "--limit 1" in line and f"run '{run_id}'" in line, line


def test_the_run_s_own_limit_is_accepted(tmp_path: Path) -> None:
    project = echo_project(tmp_path, "resume-limit-same")
    run_id = _first_run(project, "--limit", "1")
    again = _run(project, "--resume", run_id, "--limit", "1")
    assert again.returncode == 0, again.stdout + again.stderr
