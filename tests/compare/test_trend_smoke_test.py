"""A trend does not draw a smoke test (``run --limit N``) among the suite's full runs.

Observed: suite ``first-hard`` (20 cases, the target wrong on its first five) ran in full,
then as a smoke test (``--limit 5``), then in full again, the target unchanged throughout.
``assurance trend first-hard accuracy`` plotted 0.75, 0, 0.75: a collapse and a recovery of
a target that never changed, the smoke test's row alike to the others, and a warning that "a
dataset it reads changed" (none had). The suite's first cases are no sample of its cases, as
``baseline check`` (which passes over smoke tests) and ``compare`` hold: the row says so and
the point is not plotted, nor does it cut the line between the full runs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target

from .test_compare_smoke_test import HARD_FIRST, SUITE


def test_a_smoke_test_is_listed_not_plotted(tmp_path: Path) -> None:
    callable_target(tmp_path, "trend_smoke_bot", HARD_FIRST)
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    reports = str(tmp_path / "reports")
    common = ["--target", str(tmp_path / "t.yaml"), "--reports", reports, "--no-cache"]
    for options in ([], ["--limit", "5"], []):
        done = invoke_in_process(
            ["run", str(tmp_path / "s.yaml"), *common, "--no-evidence", "--no-report", *options]
        )
        assert done.exit_code in (0, 1), done.output

    shown = invoke_in_process(
        ["trend", "first-hard", "accuracy", "--reports", reports, "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    points = json.loads(shown.output[shown.output.index("{") :])["points"]
    # runs begun in one second have no order (their ids' suffixes): found by their n
    (smoke,) = [p for p in points if p["n"] == 5]
    assert smoke["value"] is None and "smoke test (--limit 5)" in smoke["note"], smoke
    assert [p["value"] for p in points if p["n"] == 20] == [0.75, 0.75], points
    assert "changed" not in shown.output, shown.output  # no break between the full runs
