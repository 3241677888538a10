"""``baseline check`` with only smoke tests (``run --limit N``) since the baseline compares
nothing, as before, but says so: it said "no run newer than its baseline to compare" beside a
newer run in the same folder, so a nightly job run with a stray --limit read as one that had
not run at all."""

from __future__ import annotations

from pathlib import Path

from tests.runner.test_retry_errors import Invoke, cli, only_run, project

__all__ = ["cli"]  # the fixture, used by name

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


def test_smoke_tests_since_the_baseline_are_named(tmp_path: Path, cli: Invoke) -> None:
    tmp = project(tmp_path)
    (tmp / "BROKEN").unlink()
    assert cli(tmp, *RUN).returncode == 0
    baseline = only_run(tmp).name
    assert cli(tmp, "baseline", "set", baseline, "--reports", "r").returncode == 0
    assert cli(tmp, *RUN, "--limit", "5").returncode == 0
    (smoke,) = [p.name for p in (tmp / "r").iterdir() if p.is_dir() and p.name != baseline]
    check = cli(tmp, "baseline", "check", "--reports", "r")
    assert check.returncode == 0, check.stdout
    assert "no full run newer than its baseline to compare" in check.stdout, check.stdout
    assert f"1 smoke test since (run --limit), not compared: {smoke}" in check.stdout
