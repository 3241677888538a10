"""A failing group's figure is shown with the digits that put it over the gate's limit.
Observed: ``mean: meta.x, by: meta.g`` with group ``girl``'s mean 0.100004 failing ``max: 0.1``
read "girl 0.1" beside "fail groups: girl" in the run's console table and in report.md (the
gate's row and the metric's group row): a failure that reads as a figure on its limit, which
passes. The overall figure already had ``num_beside``; each failing group's now has too."""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli
from ..testing.project import callable_target

SUITE = """\
suite: group-beside
cases:
  - {id: a, prompt: hi, metadata: {x: 0.1, g: girl}}
  - {id: b, prompt: hi, metadata: {x: 0.100008, g: girl}}
  - {id: c, prompt: hi, metadata: {x: 0.0, g: boy}}
  - {id: d, prompt: hi, metadata: {x: 0.0, g: boy}}
scorers: [{id: m, use: regex, with: {pattern: echo}}]
metrics: [{id: avg, mean: meta.x, by: meta.g}]
gates: [{metric: avg, max: 0.1}]
"""


def test_a_failing_groups_figure_reads_over_the_limit(tmp_path: Path) -> None:
    callable_target(tmp_path, "group_beside", "def reply(messages):\n    return 'echo'\n")
    (tmp_path / "s.yaml").write_text(SUITE)
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "girl 0.100004" in done.stdout, done.stdout
    markdown = next((tmp_path / "reports").glob("*/report.md")).read_text()
    assert "<br>girl 0.100004 |" in markdown
    assert "| 0.100004 |" in markdown  # the metric's group row
