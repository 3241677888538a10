"""compare_runs reads each run's rows as a stream, keeping per row only what its tests need.

Holding both runs' rows (RunLog.rows) took 800 MB of peak RSS to compare two 100,000-case runs
(benchmarks/scale_commands.py); the figures must come out the same from a single streamed pass.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run
from assurance_harness.store.runread import RunLog

from ..report.runfixtures import toxicity_run
from .test_compare_engine import _grouped_run, _length_run


def _ids(count: int, seed: int, n: int = 60) -> set[int]:
    return set(random.Random(seed).sample(range(n), count))


def _never_all_rows(self: RunLog) -> list[dict[str, object]]:
    raise AssertionError("compare_runs held every row of a run (RunLog.rows)")


@pytest.mark.parametrize("groups", [False, True])
def test_compare_gives_the_same_figures_without_holding_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, groups: bool
) -> None:
    pairs = [
        (_grouped_run(tmp_path, "ga", 2, 18), _grouped_run(tmp_path, "gb", 18, 2)),
        (
            toxicity_run(tmp_path, "ta", _ids(3, 7), n_cases=60, samples=3),
            toxicity_run(tmp_path, "tb", _ids(15, 8), n_cases=60, samples=3),
        ),
        (
            _length_run(tmp_path, "la", [5.0, 6.0, 7.0, 8.0], "same"),
            _length_run(tmp_path, "lb", [6.0, 7.0, 9.0, 9.0], "other"),
        ),
    ]
    expected = [compare_runs(load_run(a), load_run(b), groups=groups).to_dict() for a, b in pairs]
    monkeypatch.setattr(RunLog, "rows", _never_all_rows)
    got = [compare_runs(load_run(a), load_run(b), groups=groups).to_dict() for a, b in pairs]
    assert got == expected
