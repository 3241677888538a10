"""A trend's points are one measure of the target, each made that night. Observed: ``assurance
trend`` drew, in one line with nothing said, (1) a run whose answers all came from the response
cache (the model behind the target broken meanwhile: the cached night showed the old figure,
as if measured), and (2) runs of the suite before its metric was redefined under the same id
(``rate: m.matched`` made ``rate: "not m.matched"``: 1.0 then 0.0, read as a collapse). Now such
a point is kept in the table with a note saying why it is not plotted, as a failed run's is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.testing.cli import into_the_next_second, run_cli, run_id_of
from tests.testing.project import BREAKS_ON_FLAG, callable_target

SUITE = (
    "suite: unlike\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(8))
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\n"
)


def _run(project: Path, *options: str) -> str:
    """A run, then a wait into the next second (``into_the_next_second``): the latest run is
    the one whose definition the others are held to."""
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-report", *options, cwd=project, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    into_the_next_second()
    return run_id_of(done)


def _trend(project: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """The points (JSON), and the table's stderr, where each point's note is a line."""
    shown = run_cli("trend", "unlike", "r", "-f", "json", cwd=project, timeout=60)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    table = run_cli("trend", "unlike", "r", cwd=project, timeout=60)
    assert table.returncode == 0, table.stdout + table.stderr
    return {p["run_id"]: p for p in json.loads(shown.stdout)["points"]}, table.stderr


def _project(root: Path, module: str) -> Path:
    callable_target(root, module, BREAKS_ON_FLAG)
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    return root


def test_a_run_answered_from_the_cache_is_not_plotted_as_a_measurement(tmp_path: Path) -> None:
    project = _project(tmp_path, "unlike_cached_bot")
    fresh = _run(project)
    (project / "broken").touch()
    cached = _run(project)  # every answer fresh's
    measured = _run(project, "--no-cache")

    points, stderr = _trend(project)
    assert list(points) == [fresh, cached, measured], points
    assert points[fresh]["value"] == 1.0 and points[measured]["value"] == 0.0, points
    assert points[cached]["value"] is None, points[cached]
    note = points[cached]["note"]
    assert "8 of 8 answers" in note and "response cache" in note and fresh in note, note
    assert any(line.startswith(f"{cached}: r: 8 of 8") for line in stderr.splitlines()), stderr


def test_a_run_of_another_definition_of_the_metric_is_not_plotted(tmp_path: Path) -> None:
    project = _project(tmp_path, "unlike_redefined_bot")
    before = _run(project, "--no-cache")
    suite = project / "s.yaml"
    text = suite.read_text(encoding="utf-8")
    suite.write_text(text.replace("rate: m.matched", 'rate: "not m.matched"'), encoding="utf-8")
    after = _run(project, "--no-cache")

    points, stderr = _trend(project)
    assert list(points) == [before, after], points
    assert points[after]["value"] == 0.0 and points[before]["value"] is None, points
    note = points[before]["note"]
    assert "defined differently" in note and "not m.matched" in note, note
    assert any(line.startswith(f"{before}: r: ") for line in stderr.splitlines()), stderr
