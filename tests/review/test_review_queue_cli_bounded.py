"""``assurance review queue`` prints its first ``TABLE_ROWS`` rows on the terminal, says how
many more wait and that ``--json`` lists them all; ``--json`` lists every row, as before.

The table held every queued row: for two 100,000-case runs (90,000 rows queued) it took over
600 MB and minutes to lay out (benchmarks/scale_commands.py), for a screen nobody scrolls.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.review import cli as review_cli

from .reviewkit import big_queue, make_project


def test_the_table_is_bounded_and_json_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    project.run(reports=False)
    project.run(reports=False)
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    listed = runner.invoke(app, ["review", "queue", "--json", *reports])
    assert listed.exit_code == 0, listed.output
    everything = json.loads(listed.stdout)
    assert len(everything) == 6
    monkeypatch.setattr(review_cli, "TABLE_ROWS", 2, raising=False)
    table = runner.invoke(app, ["review", "queue", *reports], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "Review queue (6 rows)" in table.stdout
    shown = [q["row"] for q in everything if q["row"] in table.stdout]
    assert len([line for line in table.stdout.splitlines() if "#0" in line]) == 2, shown
    assert "4 more rows not shown; --json lists them all" in table.stdout
    again = runner.invoke(app, ["review", "queue", "--json", *reports])
    assert again.stdout == listed.stdout


@pytest.mark.parametrize(
    "options", [(), ("--json",), ("--run", "big-run", "--pending", "--json")], ids=" ".join
)
def test_the_queue_is_read_one_row_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...]
) -> None:
    """It read every queued row, its prompt and response too, into a list (and the shown ones
    into a second) before printing any: a queue of 100,000 rows was held whole, for a table
    of its first TABLE_ROWS or a JSON list that names no text at all."""
    reports = tmp_path / "reports"
    n = 1000
    big_queue(reports, n)
    monkeypatch.setattr(review_cli, "TABLE_ROWS", 2, raising=False)
    runner = CliRunner()
    argv = ["review", "queue", *options, "--reports", str(reports)]
    first = runner.invoke(app, argv, env={"COLUMNS": "200"})  # imports are not what it holds
    assert first.exit_code == 0, first.output
    tracemalloc.start()
    try:
        again = runner.invoke(app, argv, env={"COLUMNS": "200"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert again.exit_code == 0 and again.stdout == first.stdout, again.output
    if "--json" in options:
        assert len(json.loads(again.stdout)) == n
    else:
        assert f"Review queue ({n} rows)" in again.stdout
        assert f"{n - 2} more rows not shown" in again.stdout
    # The queue's text is 4 MB: held whole, the command peaks above it; a row at a time, far
    # below: 0.8-1.2 MB, what it prints (200 bytes a row as JSON) held by CliRunner included.
    assert peak < 2_500_000, f"review queue peaked at {peak / 1e6:.1f} MB traced"
