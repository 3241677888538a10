"""A run completed by ``--retry-errors`` says so in its reports. report.md and report.html
gave "Requests: 30, responses 30, errors 0" for a run whose 10 errors were sent again after
the outage, a clean run to the eye: when, and what came of each retry, was only in
summary.json's ``retries``. Now the run details name each retry beside the counts."""

from __future__ import annotations

from pathlib import Path

from tests.runner.test_retry_errors import Invoke, cli, only_run, project

__all__ = ["cli"]  # the fixture, used by name

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r")


def test_the_reports_name_a_retry_of_errored_requests(tmp_path: Path, cli: Invoke) -> None:
    tmp = project(tmp_path)
    assert cli(tmp, *RUN).returncode == 3
    run_dir = only_run(tmp)
    (tmp / "BROKEN").unlink()
    retried = cli(tmp, *RUN, "--resume", run_dir.name, "--retry-errors")
    assert retried.returncode == 0, retried.stdout
    line = "retried 10 errored requests (--retry-errors) at "
    for name in ("report.md", "report.html"):
        text = (run_dir / name).read_text(encoding="utf-8")
        assert line in text, name
        assert "10 answered, 0 errors" in text, name
        assert "latest answer" in text, name  # the apostrophe is escaped in HTML
