"""A figure whose exact value is a gate's limit meets it. Observed: a mean of 0.1 and 0.2 is
0.15 exactly, but in floating point 0.15000000000000002, and ``max: 0.15`` failed on it, the
run's table reading "0.15000000000000002 fail" (a report rounding to three digits read
"0.150 > 0.150"). A figure within rounding noise of a limit (``limits.REL_TOL``) now stands on
it, for every place that decides a gate; one clearly across it still fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.metrics.base import MetricValue
from assurance_harness.metrics.engine import judge_gate
from assurance_harness.runner.run import run_suite
from assurance_harness.spec.suite import GateSpec

from ..testing.cli import run_cli
from ..testing.project import callable_target

SUITE = """\
suite: at-limit
cases:
  - {id: a, prompt: hi, metadata: {x: 0.1}}
  - {id: b, prompt: there, metadata: {x: 0.2}}
scorers: [{id: m, use: regex, with: {pattern: echo}}]
metrics: [{id: avg, mean: meta.x}]
gates: [{metric: avg, GATE}]
"""

ECHO = "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n"


def at_limit_project(root: Path, gate: str = "max: 0.15", module: str = "at_limit") -> Path:
    """``root`` with ``s.yaml`` (a mean of 0.1 and 0.2 gated by ``gate``) and ``t.yaml``."""
    callable_target(root, module, ECHO)
    (root / "s.yaml").write_text(SUITE.replace("GATE", gate), encoding="utf-8")
    return root


def _gate(figure: float, **limits: float) -> str:
    value = MetricValue(figure, 10, None, None, 0.95, None)
    return str(judge_gate(GateSpec(metric="m", **limits), value, None, [])["verdict"])


def test_a_mean_at_its_max_passes_the_run(tmp_path: Path) -> None:
    at_limit_project(tmp_path)
    outcome = run_suite(
        tmp_path / "s.yaml",
        tmp_path / "t.yaml",
        reports_dir=tmp_path / "reports",
        write_reports=False,
        attach_evidence=False,
    )
    gate = outcome.summary["gates"][0]
    assert gate["checked"] == 0.15000000000000002  # 1 ulp above the exact 0.15
    assert gate["verdict"] == "pass" and gate["worst_cases"] == []
    assert outcome.summary["status"] == "passed"


def test_the_run_table_shows_the_figure_on_its_limit(tmp_path: Path) -> None:
    at_limit_project(tmp_path, module="at_limit_table")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "│ pass " in done.stdout and "0.15000000000000002" not in done.stdout


@pytest.mark.parametrize(
    ("figure", "limits", "verdict"),
    [
        (1 - 0.7, {"max": 0.3}, "pass"),  # 0.30000000000000004
        (0.1 + 0.2, {"min": 0.3, "max": 0.3}, "pass"),
        (0.7 - 0.4, {"min": 0.3}, "pass"),  # 0.29999999999999993
        (0.3 + 1e-6, {"max": 0.3}, "fail"),  # across it, not noise
        (0.3 - 1e-6, {"min": 0.3}, "fail"),
        (1e-9, {"max": 0.0}, "fail"),  # a max of zero allows no leak
        (5.551115123125783e-17, {"max": 0.0}, "pass"),  # 0.1 + 0.2 - 0.3
    ],
)
def test_noise_at_a_limit_is_on_it_and_a_real_excess_is_not(
    figure: float, limits: dict[str, float], verdict: str
) -> None:
    assert _gate(figure, **limits) == verdict
