"""A metric's interval is at the level its suite asks (``confidence:``), or the metric has no
figure: a plugin's kind that ignored ``ctx.confidence`` recorded a 95% interval under a suite
asking 99.9%, and the gate checked that 95% bound, weaker than configured, silently. The
engine now refuses such a value with a reason naming the kind and the fix; every built-in
kind honours the level, so none of theirs is refused."""

from __future__ import annotations

import random
from typing import Any

import pytest

from assurance_harness.builtin_plugins import _METRICS
from assurance_harness.metrics.base import (
    MetricContext,
    MetricKind,
    MetricParams,
    MetricValue,
    Row,
    metric_kinds,
)
from assurance_harness.metrics.columns import MetricColumns
from assurance_harness.metrics.engine import compute_metric, judge_gate
from assurance_harness.spec.loader import MetricSpec, load_suite
from assurance_harness.spec.suite import GateSpec


class TallyParams(MetricParams):
    expr: str


class FixedLevelTally(MetricKind):
    """A plugin's rate that writes its interval at MetricValue's default level, whatever the
    suite asks."""

    name = "tally"
    Params = TallyParams

    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        n = len(rows)
        return MetricValue(0.5 if n else None, n, 0.4 if n else None, 0.6 if n else None)


@pytest.fixture
def tally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metric_kinds, "_items", dict(metric_kinds._items))
    metric_kinds.register("tally")(FixedLevelTally)


SUITE = """\
suite: levels
cases: [{id: a, prompt: hi, metadata: {g: a}}, {id: b, prompt: hi, metadata: {g: b}}]
scorers: [{id: m, use: contains, with: {terms: [hi]}}]
metrics:
  - {id: t, tally: m.matched, confidence: 0.999, by: meta.g}
  - {id: t95, tally: m.matched}
gates: [{metric: t, max: 0.7, bound: upper}]
"""


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "response": "hi",
            "error": None,
            "metadata": {"g": "ab"[i % 2]},
            "expected": {},
            "scores": {"m": {"matched": True}},
        }
        for i in range(n)
    ]


def test_a_kind_that_ignores_the_level_is_refused_not_gated(write, tally: None) -> None:
    loaded = load_suite(write("s.yaml", SUITE))
    spec = loaded.metrics[0]
    rows = _rows(6)
    value = compute_metric(spec, rows, seed=0)
    assert value.value is None and value.n == 0, value
    assert value.confidence == 0.999  # the level asked, not the kind's 95%
    reason = value.details["no_data_reason"]
    assert "'tally'" in reason and "ctx.confidence" in reason and "99.9%" in reason, reason
    verdict = judge_gate(loaded.suite.gates[0], value, spec, rows)
    assert verdict["verdict"] == "no_data" and verdict["checked"] is None, verdict
    assert "ctx.confidence" in verdict["no_data_reason"]
    # at the level it does write (the suite's default 0.95) its figure stands
    kept = compute_metric(loaded.metrics[1], rows, seed=0)
    assert (kept.value, kept.ci_high, kept.confidence) == (0.5, 0.6, 0.95)


def _builtin_rows(seed: int) -> list[dict[str, Any]]:
    """Rows every built-in kind makes a figure of: originals with variants (flip-rate,
    attack-success, paired), two groups (disparity), BBQ answers in the ambiguous context."""
    rng = random.Random(seed)
    rows = []
    for s in range(30):
        for op in ("none", "upper", "leet"):
            rows.append(
                {
                    "case_id": f"s{s}-{op}",
                    "sample": 0,
                    "response": "r",
                    "error": None,
                    "metadata": {
                        "source_id": f"s{s}",
                        "original": op == "none",
                        "perturbation": op,
                        "g": "ab"[s % 2],
                        "region": "ns"[rng.random() < 0.5],
                    },
                    "expected": {},
                    "scores": {
                        "s": {"x": rng.random(), "flag": rng.random() < 0.4},
                        "bbq": {
                            "context_condition": "ambig",
                            "correct": rng.random() < 0.5,
                            "parsed": True,
                            "is_unknown": rng.random() < 0.3,
                            "biased": rng.random() < 0.5,
                        },
                    },
                }
            )
    return rows


BUILTIN_PARAMS: dict[str, Any] = {
    "rate": "s.flag",
    "mean": "s.x",
    "quantile": {"expr": "s.x", "q": 0.5},
    "disparity": {"value": "s.x", "by": "meta.g"},
    "paired": {"value": "s.x", "pair_by": "meta.source_id", "group": "meta.perturbation"},
    "bbq": {"scorer": "bbq"},
    "flip-rate": {"value": "s.flag"},
    "attack-success": {"refused": "s.flag"},
}


def _levels(value: MetricValue) -> set[float]:
    found = {value.confidence}
    for group in (value.groups or {}).values():
        found |= _levels(group)
    return found


@pytest.mark.parametrize("kind", sorted(_METRICS))
def test_every_built_in_kind_honours_the_level(kind: str) -> None:
    assert kind in BUILTIN_PARAMS, f"give the new built-in kind '{kind}' parameters here"
    cls = metric_kinds.get(kind)
    params = cls.parse_params(BUILTIN_PARAMS[kind])
    spec = MetricSpec(kind, kind, cls, params, by="meta.region", confidence=0.999)
    rows = _builtin_rows(seed=len(kind))
    value = compute_metric(spec, rows, seed=1)
    assert value.value is not None, value.details
    assert _levels(value) == {0.999}, value
    assert value.groups and all(g.value is not None for g in value.groups.values())
    columns = MetricColumns([spec], samples=1, case_id=lambda i: rows[i]["case_id"])
    columns.add(rows)
    assert columns.compute(seed=1)[kind].to_dict() == value.to_dict()


def test_the_gate_checks_the_bound_at_the_level_asked() -> None:
    cls = metric_kinds.get("rate")
    rows = _builtin_rows(seed=3)
    spec = MetricSpec("r", "rate", cls, cls.parse_params("s.flag"), confidence=0.999)
    strict = compute_metric(spec, rows, seed=1)
    loose = compute_metric(
        MetricSpec("r", "rate", cls, cls.parse_params("s.flag"), confidence=0.95), rows, seed=1
    )
    assert strict.ci_high is not None and loose.ci_high is not None
    assert strict.ci_high > loose.ci_high
    gate = GateSpec(metric="r", max=1.0, bound="upper")
    assert judge_gate(gate, strict, spec, rows)["checked"] == strict.ci_high


@pytest.mark.parametrize(
    ("params", "rows_of", "own_reason"),
    [
        # a mean of text: the kind's own reason names the case it could not count
        ("response", lambda: _builtin_rows(1)[:4], "in case"),
        # a disparity within strata where no stratum has a figure
        (
            {"value": "s.x", "by": "meta.g", "within": "meta.region"},
            lambda: _builtin_rows(2)[:2],
            None,
        ),
    ],
    ids=["uncounted mean", "no stratum"],
)
def test_a_value_without_an_interval_keeps_its_own_reason(
    params: Any, rows_of: Any, own_reason: str | None
) -> None:
    """A no-data value claims no level (no interval at all): at 0.999 it was refused as if its
    kind ignored the level, its own reason (the case the kind could not count, no stratum
    with a figure) replaced by one about ctx.confidence."""
    kind = "mean" if own_reason else "disparity"
    cls = metric_kinds.get(kind)
    spec = MetricSpec(kind, kind, cls, cls.parse_params(params), confidence=0.999)
    value = compute_metric(spec, rows_of(), seed=1)
    assert value.value is None
    reason = str(value.details.get("no_data_reason") or value.details.get("reason"))
    assert "ctx.confidence" not in reason, reason
    if own_reason:
        assert own_reason in reason, reason
