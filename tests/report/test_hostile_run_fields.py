"""Run folders whose summary.json or manifest.json hold a field of the wrong type, written as
the runner writes (the manifest's hash of the summary matches, so no reader sees an edit).
``compare`` (and every reader of one run) names the file and the field, exit 2; ``trend``
leaves the run out with a warning that names them. Before, each ended in a traceback somewhere
downstream (trend, compare's JSON, evidence pack)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import invoke_in_process

from .runfixtures import toxicity_run

Edit = Callable[[dict[str, Any]], None]


def _edit_as_written(run_dir: Path, name: str, edit: Edit) -> None:
    """Edit ``name`` and keep the manifest's record of the summary's hash true to it."""
    path = run_dir / name
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    summary = (run_dir / "summary.json").read_bytes()
    manifest["summary"]["sha256"] = hashlib.sha256(summary).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


def _runs(tmp_path: Path) -> tuple[Path, Path]:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-1", {1}, n_cases=10, index=True)
    return reports, toxicity_run(reports, "r-2", {1, 2}, n_cases=10, index=True)


def _one_line(args: list[str]) -> str:
    result = invoke_in_process(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert result.exit_code == 2, (args, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


CASES: dict[str, tuple[str, Edit, str]] = {
    "a gate's max a word": (
        "summary.json",
        lambda s: s["gates"][0].update(max="x"),
        "gates.0.max",
    ),
    "failing groups mappings": (
        "summary.json",
        lambda s: s["gates"][0].update(failing_groups=[{"a": 1}]),
        "gates.0.failing_groups",
    ),
    "a lone surrogate": (
        "summary.json",
        lambda s: s["target"].update(name="\ud800"),
        "not UTF-8",
    ),
    "datasets a string": (
        "manifest.json",
        lambda m: m.update(datasets="x"),
        "datasets",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_field_of_the_wrong_type_is_named(tmp_path: Path, name: str) -> None:
    file, edit, field = CASES[name]
    reports, run_dir = _runs(tmp_path)
    _edit_as_written(run_dir, file, edit)
    line = _one_line(["compare", "r-1", "r-2", "--reports", str(reports), "-f", "json"])
    assert file in line and field in line, line
    # trend draws the runs it can read and names the one it leaves out.
    result = invoke_in_process(["trend", "toxicity-core", "toxic_rate", "--reports", str(reports)])
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0, result.output
    warning = next(x for x in result.output.splitlines() if x.startswith("warning:"))
    assert "left out" in warning and file in warning and field in warning, warning
