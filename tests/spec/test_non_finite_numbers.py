"""A number that is not finite where a suite needs a bound is refused at ``validate``, naming
the field (issue 12, "never silently wrong"). Observed: a gate ``max: .nan`` passed every run
(no figure is above NaN), ``min: -.inf`` passed whatever was measured, and summary.json then
held ``NaN`` and ``-Infinity``, which strict JSON readers refuse; ``cache: {max_age: .nan}``
reused answers of any age; ``generation: {temperature: .nan}`` went to the target as ``NaN``
in a JSON body.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

BASE = (
    "suite: finite\n{extra}cases:\n  - {{id: a, prompt: hi}}\n"
    "scorers: [{{id: m, use: regex, with: {{pattern: echo}}}}]\n"
    "metrics: [{{id: r, rate: m.matched}}]\n"
    "gates: [{gate}]\n"
)


@pytest.mark.parametrize(
    ("extra", "gate", "field"),
    [
        ("", "{metric: r, max: .nan}", "gates[0].max"),
        ("", "{metric: r, min: -.inf}", "gates[0].min"),
        ("", "{metric: r, min: .inf}", "gates[0].min"),
        ("", "{metric: r, max: 1e400}", "gates[0].max"),
        ("", "{metric: r, min: 0.5, min_validity: {auc: .nan}}", "gates[0].min_validity"),
        ("cache: {max_age: .nan}\n", "{metric: r, min: 0.5}", "cache.max_age"),
        ("cache: {max_age: .inf}\n", "{metric: r, min: 0.5}", "cache.max_age"),
        ("cache: {max_age: 'nan'}\n", "{metric: r, min: 0.5}", "cache.max_age"),
        ("generation: {temperature: .nan}\n", "{metric: r, min: 0.5}", "generation"),
        ("generation: {logit_bias: {a: [.inf]}}\n", "{metric: r, min: 0.5}", "generation"),
    ],
)
def test_a_bound_that_is_not_finite_is_refused(
    tmp_path: Path, extra: str, gate: str, field: str
) -> None:
    (tmp_path / "s.yaml").write_text(BASE.format(extra=extra, gate=gate), encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "s.yaml:" in line]
    assert len(problems) == 1, done.stdout + done.stderr
    assert field in problems[0] and "finite" in problems[0], problems[0]


def test_large_finite_bounds_are_still_accepted(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        BASE.format(extra="cache: {max_age: 1e12}\n", gate="{metric: r, max: 1e300}"),
        encoding="utf-8",
    )
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
