"""``compare`` over a run whose summary.json records a metric figure that is not a finite number:
a metric plugin's NaN, an infinity, a string, a list, ``true``, a negative count. The summary is
resealed (its SHA-256 recorded in manifest.json again), as a run that wrote it would have: the
report shows such a figure as it is, and a gate judges it ``no_data`` (``metrics.engine``).

Observed: a baseline value of ``"abc"``, ``[1]`` or ``{}`` ended in "internal error:
ValueError" (exit 3, a crash file); any other odd figure was shown (``NaN``, ``inf``, ``true``,
``n=-3``) beside a test run on the rows, "unchanged", exit 0: a verdict on a figure that is
none. Now the metric has no data to compare, the warning names the file and the figure, and
with no other metric the comparison gives no verdict (exit 3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs
from tests.testing.summary_edits import reseal_summary


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return echo_runs(tmp_path_factory.mktemp("odd"), "odd-figures", 2)


ODD = {
    "value string": ("baseline", "value", "abc"),
    "value list": ("baseline", "value", [1]),
    "value NaN": ("candidate", "value", float("nan")),
    "value Infinity": ("baseline", "value", float("inf")),
    "value true": ("candidate", "value", True),
    "ci_low string": ("candidate", "ci_low", "x"),
    "n negative": ("candidate", "n", -3),
}
"""Which run's summary holds the odd figure, where, and what it is."""


@pytest.mark.parametrize("odd", list(ODD))
def test_an_odd_figure_is_not_compared(made: list[Path], tmp_path: Path, odd: str) -> None:
    role, key, value = ODD[odd]
    base, cand = (shutil.copytree(run, tmp_path / run.name) for run in made)
    edited = base if role == "baseline" else cand
    summary = edited / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    data["metrics"]["r"][key] = value
    summary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    reseal_summary(edited)

    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    text = done.stdout + done.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    assert done.returncode == 3, text
    assert "no significant regression" not in text, text
    warnings = [line for line in text.splitlines() if line.startswith("warning: ")]
    assert any(f"{summary}: metrics.r.{key} is " in w for w in warnings), text
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "no metric has data in both runs" in errors[0], done.stderr


def test_a_plain_pair_is_still_compared(made: list[Path], tmp_path: Path) -> None:
    base, cand = made
    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout + done.stderr, done.stdout + done.stderr
