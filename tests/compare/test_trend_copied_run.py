"""A run folder copied beside the others (``cp -r reports/ID reports/ID.bak`` before an edit, an
archive restored next to the original) is one run, not two. Observed: ``assurance trend`` read
every folder with a summary.json and drew the copied run twice, two points with one run id, as
if two nights had measured the same figure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def test_a_copied_run_folder_is_one_point_of_the_trend(tmp_path: Path) -> None:
    first, second = echo_runs(tmp_path, "copied-trend", 2)
    shutil.copytree(first, first.with_name("0-archived-copy"))  # sorts before every run id
    shutil.copytree(second, second.with_name(second.name + ".bak"))

    shown = run_cli("trend", "copied-trend", "r", "-f", "json", cwd=tmp_path, timeout=60)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    points = [p["run_id"] for p in json.loads(shown.stdout)["points"]]
    # Each run once (two runs made in one second are ordered by id, not by which came first).
    assert sorted(points) == sorted([first.name, second.name]), points
