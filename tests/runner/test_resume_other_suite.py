"""``run OTHER.yaml --resume RUN`` where RUN is a run of another suite: the error says whose run
it is, not that the suite file changed (it did not; it is another suite)."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import SUITE, echo_runs


def test_resuming_a_run_of_another_suite_names_both_suites(tmp_path: Path) -> None:
    # Observed: "run R was made with a different version of other.yaml (its SHA-256
    # changed)", which sends the user looking for an edit to a file that was never R's.
    (run,) = echo_runs(tmp_path, "resume-first")
    (tmp_path / "other.yaml").write_text(SUITE.format(name="resume-second"), encoding="utf-8")
    done = run_cli(
        *("run", "other.yaml", "--target", "t.yaml", "--no-report", "--resume", run.name),
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("error: ")]
    assert "different version" not in line, line
    assert "'resume-first'" in line and "'resume-second'" in line, line
