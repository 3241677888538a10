"""``--format json`` of ``compare`` and ``report`` over a run whose summary.json holds figures
JSON has no word for: a metric plugin's NaN value, an infinite interval bound, a NaN in its
``details`` (the run writes them as Python does, ``NaN`` and ``Infinity``). The summary is
resealed, as a run that wrote it would have.

Observed: both printed ``NaN``/``Infinity`` into their JSON, which strict parsers (``jq``,
JavaScript's ``JSON.parse``, Go) refuse: the machine-readable output of a run was unreadable.
Each is now valid JSON, a figure that is no number written as null."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs
from tests.testing.summary_edits import reseal_summary


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return echo_runs(tmp_path_factory.mktemp("nonfinite"), "non-finite", 2)


def _strict(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output:\n{text}")

    return json.loads(text, parse_constant=refuse)


def _odd_candidate(made: list[Path], tmp_path: Path) -> tuple[Path, Path]:
    base, cand = (shutil.copytree(run, tmp_path / run.name) for run in made)
    summary = cand / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    metric = data["metrics"]["r"]
    metric["value"] = float("nan")
    metric["ci_high"] = float("inf")
    metric.setdefault("details", {})["spread"] = float("-inf")
    summary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    reseal_summary(cand)
    return base, cand


def test_compare_json_is_valid_with_non_finite_figures(made: list[Path], tmp_path: Path) -> None:
    base, cand = _odd_candidate(made, tmp_path)
    done = run_cli("compare", base, cand, "--format", "json", cwd=tmp_path, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    document = _strict(done.stdout)
    (metric,) = [m for m in document["metrics"] if m["metric"] == "r"]
    assert metric["verdict"] == "no_data", metric
    assert metric["candidate"]["value"] is None, metric


def test_compare_json_file_is_valid_with_non_finite_figures(
    made: list[Path], tmp_path: Path
) -> None:
    base, cand = _odd_candidate(made, tmp_path)
    out = tmp_path / "cmp.json"
    done = run_cli("compare", base, cand, "--out", out, cwd=tmp_path, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    _strict(out.read_text(encoding="utf-8"))


def test_report_json_is_valid_with_non_finite_figures(made: list[Path], tmp_path: Path) -> None:
    _, cand = _odd_candidate(made, tmp_path)
    done = run_cli("report", cand, "--format", "json", "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    document = _strict((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert "NaN" not in json.dumps(document), document
