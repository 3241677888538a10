"""A level nobody recorded is shown unlabelled, never taken for 95%: ``metric_figure`` filled
in 0.95 for a record without one, a new ledger record wrote ``confidence: 0.95`` for a gate
whose metric summary.json lacks (the level is unknown) and null where the metric recorded
null, which every view then read "95% CI"; the annex did the same for such a gate. Records
already in a ledger are read and hashed as they are (tests/register/test_ledger_golden.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.formatting import metric_figure
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run

FIGURES = {"value": 0.02, "ci_low": 0.005, "ci_high": 0.06, "n": 120}


@pytest.mark.parametrize("recorded", [{}, {"confidence": None}, {"confidence": "high"}])
def test_a_figure_without_a_known_level_is_unlabelled(recorded: dict) -> None:
    shown = metric_figure({**FIGURES, **recorded})
    assert shown == "0.02 [0.005, 0.06] (n=120)", shown


def test_a_figure_with_its_level_is_labelled() -> None:
    shown = metric_figure({**FIGURES, "confidence": 0.999})
    assert shown == "0.02 [0.005, 0.06] 99.9% CI (n=120)", shown


def _run(reports: Path) -> Path:
    return make_run(
        reports,
        gates=[
            GateSpec("toxic_rate", "pass", metric_recorded=False),
            GateSpec("unsuitable_rate", "pass", confidence=None),
        ],
    )


def test_a_new_record_holds_no_invented_level(reports: Path, ledger: Path) -> None:
    records = attach_run(_run(reports), ledger_path=ledger)
    by_metric = {str((r.gate or {}).get("metric")): r for r in records}
    assert set(by_metric) == {"toxic_rate", "unsuitable_rate"}
    for record in by_metric.values():
        assert record.metric is not None and record.metric["confidence"] is None, record.metric
        assert record.metric["ci_high"] == 0.06
        assert "%" not in metric_figure(record.metric), metric_figure(record.metric)
    assert verify_ledger(ledger).ok
    assert read_ledger(ledger) == records


def test_the_annex_leaves_an_unknown_level_unlabelled(reports: Path, tmp_path: Path) -> None:
    run = _run(reports)
    out = tmp_path / "annex"
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", run.name, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("annex.md", "annex.html"):
        text = (out / name).read_text("utf-8")
        assert "0.005, 0.06" in text, name
        assert "% CI" not in text, name
