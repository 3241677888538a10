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

from tests.testing.cli import run_cli, validate_problem

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
    problem = validate_problem(tmp_path)
    assert field in problem and "finite" in problem, problem


def test_large_finite_bounds_are_still_accepted(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        BASE.format(extra="cache: {max_age: 1e12}\n", gate="{metric: r, max: 1e300}"),
        encoding="utf-8",
    )
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("scorer", "field", "metric"),
    [
        (
            "{id: j, use: llm-judge, with: {target: t.yaml, scale_max: .inf}}",
            "scale_max",
            "rate: j.flagged",
        ),
        (
            "{id: j, use: guard-model, with: {base_url: 'http://127.0.0.1:9/v1', model: m, "
            "timeout_s: .inf}}",
            "timeout_s",
            "rate: j.flagged",
        ),
        ("{id: j, use: refusal, with: {regularization: .inf}}", "regularization", "mean: j.score"),
        (
            "{id: j, use: age-appropriateness, with: {regularization: .nan}}",
            "regularization",
            "rate: j.flagged",
        ),
        (
            "{id: j, use: solicits-personal-data, with: {regularization: .inf}}",
            "regularization",
            "rate: j.solicits",
        ),
    ],
)
def test_a_scorer_parameter_that_is_not_finite_is_refused(
    tmp_path: Path, scorer: str, field: str, metric: str
) -> None:
    # scale_max: .inf divided every judge score to 0, so nothing was ever flagged.
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: x:y\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "suite: finite\ncases:\n  - {id: a, prompt: hi}\n"
        f"scorers: [{scorer}]\nmetrics: [{{id: r, {metric}}}]\n"
        "gates: [{metric: r, max: 0.5}]\n",
        encoding="utf-8",
    )
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert any(field in line and "finite" in line for line in out.splitlines()), out


@pytest.mark.parametrize(
    ("gate", "field"),
    [
        ("{metric: r, min: true}", "gates[0].min"),
        ("{metric: r, max: false}", "gates[0].max"),
        ("{metric: r, min: 0.5, min_validity: {auc: true}}", "gates[0].min_validity"),
    ],
)
def test_a_gate_threshold_of_true_or_false_is_refused(
    tmp_path: Path, gate: str, field: str
) -> None:
    # 'min: true' (the author meant "must hold") was read as 1 and 'max: false' as 0: gates
    # on a threshold nobody wrote. A threshold is a number.
    (tmp_path / "s.yaml").write_text(BASE.format(extra="", gate=gate), encoding="utf-8")
    problem = validate_problem(tmp_path)
    assert field in problem and "number" in problem, problem
