"""Reports read a run's rows as a stream, keeping only the rows they show.

``RunLog.rows`` held every row of the run: 426 MB of peak RSS for ``assurance report`` of a
100,000-case run (benchmarks/scale_commands.py), although the reports show at most the gates'
worst cases, their counterparts and the first failed requests, and the plots need only numbers.
Every format must come out the same streamed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assurance_harness.report.writer import write_reports
from assurance_harness.store.runread import RunLog

from .runfixtures import gate, rate_metric, row, toxicity_run, write_run


def _counterfactual_run(reports: Path) -> Path:
    rows = [
        row(
            f"t{t}|gender={group}",
            response=reply,
            metadata={"template": f"t{t}", "axis": "gender", "group": group},
            scores={"tox": {"toxicity": score, "words": 3 + t}},
        )
        for t in range(3)
        for group, reply, score in (("girl", "Girls can't.", 0.9), ("boy", "Sure!", 0.1))
    ]
    rows.append(row("down", error={"type": "timeout", "message": "no answer", "status": None}))
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5",
        lambda r: r["scores"]["tox"]["toxicity"] > 0.5 if r["scores"] else None,
    )
    worst = ["t0|gender=girl#0", "t2|gender=girl#0"]
    return write_run(
        reports, "cf", rows, {"bad": metric}, [gate("bad", metric, max=0.0, worst_cases=worst)]
    )


def _perturbation_run(reports: Path) -> Path:
    rows = [
        row(
            f"p{i}",
            metadata={"perturbation": ["none", "typos", "case"][i % 3]},
            scores={"tox": {"toxicity": (i % 7) / 7, "min_age": 7 + i % 3 * 3}},
        )
        for i in range(30)
    ]
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5",
        lambda r: r["scores"]["tox"]["toxicity"] > 0.5 if r["scores"] else None,
    )
    return write_run(reports, "pert", rows, {"bad": metric}, [gate("bad", metric, max=0.5)])


def _texts(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        out[path.name] = re.sub(r"at \d{4}-\d\d-\d\dT[\d:+]+\.", "at (time).", text)
    return out


def _never_all_rows(self: RunLog) -> list[dict[str, object]]:
    raise AssertionError("a report held every row of the run (RunLog.rows)")


def test_every_format_is_the_same_without_holding_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    runs = [
        toxicity_run(reports, "tox", {0, 3, 5, 8}, n_cases=40, samples=2),
        _counterfactual_run(reports),
        _perturbation_run(reports),
    ]
    expected = {}
    for run_dir in runs:
        out = tmp_path / "before" / run_dir.name
        out.mkdir(parents=True)
        write_reports(run_dir, out_dir=out)
        expected[run_dir.name] = _texts(out)
    # The fixtures reach every part that reads rows: worst cases with their counterparts,
    # failed requests, score distributions, per-perturbation bars, the age-rating breakdown.
    assert "The same template, other groups" in expected["cf"]["report.html"]
    assert "no answer" in expected["cf"]["report.json"]
    assert "by perturbation" in expected["pert"]["report.html"]
    assert "Age-rating breakdown" in expected["pert"]["report.html"]
    assert "Score distributions" in expected["tox"]["report.html"]
    assert "tox-000#0" in expected["tox"]["junit.xml"]
    monkeypatch.setattr(RunLog, "rows", _never_all_rows)
    for run_dir in runs:
        out = tmp_path / "after" / run_dir.name
        out.mkdir(parents=True)
        write_reports(run_dir, out_dir=out)
        assert _texts(out) == expected[run_dir.name], run_dir.name
