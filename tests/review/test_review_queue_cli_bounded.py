"""``assurance review queue`` prints its first ``TABLE_ROWS`` rows on the terminal, says how
many more wait and that ``--json`` lists them all; ``--json`` lists every row, as before.

The table held every queued row: for two 100,000-case runs (90,000 rows queued) it took over
600 MB and minutes to lay out (benchmarks/scale_commands.py), for a screen nobody scrolls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.review import cli as review_cli

from .reviewkit import make_project


def test_the_table_is_bounded_and_json_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    project.run()
    project.run()
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
