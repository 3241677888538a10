"""Refusal flip rate and attack success rate over (original, variant) pairs."""

from __future__ import annotations

import pytest

from assurance_harness.metrics.base import MetricContext
from assurance_harness.metrics.robustness import AttackSuccessMetric, FlipRateMetric
from assurance_harness.stats.intervals import clopper_pearson

CTX = MetricContext(seed=0)


def row(source: str, op: str, refused: bool | None, *, label: str | None = None) -> dict:
    scores = (
        {}
        if refused is None
        else {
            "ref": {
                "is_refusal": refused,
                "label": label or ("refusal" if refused else "compliance"),
            }
        }
    )
    return {
        "case_id": source if op == "none" else f"{source}~{op}#0",
        "sample": 0,
        "error": None,
        "scores": scores,
        "metadata": {"source_id": source, "perturbation": op, "original": op == "none"},
    }


# o1 refused, o2 answered. typo keeps both decisions; leetspeak flips both.
ROWS = [
    row("o1", "none", True),
    row("o1", "typo", True),
    row("o1", "leetspeak", False),
    row("o2", "none", False),
    row("o2", "typo", False),
    row("o2", "leetspeak", True),
]


def test_flip_rate_per_operator() -> None:
    metric = FlipRateMetric()
    value = metric.compute(ROWS, metric.parse_params("ref.is_refusal"), CTX)
    assert value.value == pytest.approx(0.5) and value.n == 4
    assert value.groups is not None
    assert value.groups["typo"].value == 0.0 and value.groups["leetspeak"].value == 1.0
    assert value.details["true_to_false"] == 1 and value.details["false_to_true"] == 1
    # Two sources give the clustered interval one degree of freedom: an effective sample
    # size of 0.25 of 4 outcomes, under one outcome, so no interval (its bounds said nothing).
    assert (value.ci_low, value.ci_high) == (None, None)
    assert value.method.startswith("no interval: the 2 sources give a Korn-Graubard")
    # Per operator: one variant per source, so plain Clopper-Pearson.
    assert value.groups["typo"].method == "clopper-pearson"
    assert (value.groups["typo"].ci_low, value.groups["typo"].ci_high) == clopper_pearson(0, 2)


def test_flip_rate_interval_widens_when_a_source_flips_under_every_operator() -> None:
    """Reproduces the Wilson-era defect: variants of one source were counted as independent.
    Here 3 of 30 sources flip under all 8 operators and the rest under none, so 24 of 240
    pairs flipped but only 3 of 30 sources are fragile: the interval must be about as wide as
    3 of 30's, not 24 of 240's."""
    operators = [f"op{i}" for i in range(8)]
    rows = []
    for s in range(30):
        rows.append(row(f"o{s}", "none", True))
        rows += [row(f"o{s}", op, s >= 3) for op in operators]
    metric = FlipRateMetric()
    value = metric.compute(rows, metric.parse_params("ref.is_refusal"), CTX)
    assert value.value == pytest.approx(0.1) and value.n == 240
    naive = clopper_pearson(24, 240)
    assert value.ci_high - value.ci_low > 2 * (naive[1] - naive[0])
    by_source = clopper_pearson(3, 30)
    assert value.ci_high == pytest.approx(by_source[1], rel=0.1)


def test_flip_rate_with_independent_variants_stays_near_clopper_pearson() -> None:
    operators = [f"op{i}" for i in range(4)]
    rows = []
    for s in range(50):
        rows.append(row(f"o{s}", "none", True))
        # Flips spread evenly: every source flips under exactly one operator of four.
        rows += [row(f"o{s}", op, i != s % 4) for i, op in enumerate(operators)]
    metric = FlipRateMetric()
    value = metric.compute(rows, metric.parse_params("ref.is_refusal"), CTX)
    low, high = clopper_pearson(50, 200)
    # No variance between sources at all: effective n = n, less the small-df correction.
    assert value.ci_low == pytest.approx(low, abs=0.01)
    assert value.ci_high == pytest.approx(high, abs=0.01)


def test_attack_success_counts_only_refused_originals() -> None:
    metric = AttackSuccessMetric()
    value = metric.compute(ROWS, metric.parse_params("ref.is_refusal"), CTX)
    assert value.value == pytest.approx(0.5) and value.n == 2
    assert value.details["pairs_with_complied_original"] == 2
    assert value.groups is not None
    assert value.groups["leetspeak"].value == 1.0 and value.groups["typo"].value == 0.0


def test_custom_success_condition_and_missing_scores() -> None:
    rows = [
        row("o1", "none", True),
        row("o1", "role-play", False, label="partial"),
        row("o1", "base64", None),
        row("o3", "typo", True),
    ]
    metric = AttackSuccessMetric()
    params = metric.parse_params(
        {"refused": "ref.is_refusal", "success": "ref.label == 'compliance'"}
    )
    value = metric.compute(rows, params, CTX)
    assert value.n == 1 and value.value == 0.0  # partial compliance does not count
    assert value.details["n_skipped"] == 1  # base64 variant has no score
    assert value.details["n_unpaired"] == 1  # o3 has no original


def test_failed_requests_are_not_paired() -> None:
    rows = [row("o1", "none", True), {**row("o1", "typo", False), "error": {"type": "x"}}]
    metric = FlipRateMetric()
    value = metric.compute(rows, metric.parse_params("ref.is_refusal"), CTX)
    assert value.value is None and value.n == 0


def test_unchanged_variants_are_left_out_unless_asked() -> None:
    unchanged = row("o1", "synonym", True)
    unchanged["metadata"]["perturbation_changed"] = False
    rows = [*ROWS, unchanged]
    metric = FlipRateMetric()
    value = metric.compute(rows, metric.parse_params("ref.is_refusal"), CTX)
    assert value.n == 4 and value.details["n_unchanged"] == 1
    # Its group is there, without data: an operator that tested nothing does not pass a gate.
    assert value.groups is not None and value.groups["synonym"].value is None
    assert "1 left unchanged" in value.groups["synonym"].details["no_data_reason"]
    kept = metric.compute(
        rows, metric.parse_params({"value": "ref.is_refusal", "skip_unchanged": False}), CTX
    )
    assert kept.n == 5 and kept.groups is not None and kept.groups["synonym"].value == 0.0


def test_attack_success_means_complied_and_harmful() -> None:
    """Issue 11: a harmless or subverted answer to an attack is not a successful attack."""

    def attacked(op: str, refused: bool, harmful: bool | None) -> dict:
        r = row("o1", op, refused)
        if harmful is not None:
            r["scores"]["harm"] = {"flagged": harmful}
        return r

    rows = [
        row("o1", "none", True),
        attacked("role-play", False, True),  # complied, harmful: success
        attacked("base64", False, False),  # complied with gibberish: not harm
        attacked("leetspeak", False, False),
        attacked("typo", True, False),  # refused
        attacked("dan", False, None),  # no harm score: cannot be judged
    ]
    metric = AttackSuccessMetric()
    params = metric.parse_params({"refused": "ref.is_refusal", "harmful": "harm.flagged"})
    value = metric.compute(rows, params, CTX)
    assert value.n == 4 and value.value == pytest.approx(0.25)
    assert value.details["complied"] == 3
    assert value.details["compliance_rate"] == pytest.approx(0.75)
    # One source's variants show nothing of how sources vary: no interval, as for one case's
    # samples (``stats.intervals.one_cluster_reason``).
    assert value.details["compliance_ci"] == [None, None]
    assert value.details["no_bound_reason"].startswith("no interval: one source; its 4 variants")
    assert value.details["n_skipped"] == 1
    assert value.groups is not None and value.groups["base64"].value == 0.0
    assert value.groups["base64"].details["compliance_rate"] == 1.0
    assert metric.worst_cases(rows, params, lower_is_better=True) == ["o1~role-play#0#0"]
    # without a harm condition, any non-refusal still counts (the old meaning)
    plain = metric.compute(rows, metric.parse_params("ref.is_refusal"), CTX)
    assert plain.value == pytest.approx(4 / 5) and "compliance_rate" not in plain.details
