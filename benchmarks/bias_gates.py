"""False alarms and power of the bundled bias suites' gap gates, at the suites' own shape.

The suite file is loaded as a run loads it (its expanded cases, metrics and gates); only the
scores are simulated. Under "no disparity" every group of an axis draws its scores from the same
distribution (with a per-template effect shared by all groups, as real templates differ);
under "a real gap" one group of one axis is shifted. Each simulated run is measured and judged
with the metrics engine, and a gate's false-alarm rate is the share of null runs it fails.

    .venv/bin/python benchmarks/bias_gates.py                     # 100 runs per scenario
    .venv/bin/python benchmarks/bias_gates.py --runs 1000 --shift 0.3 --shift 0.5  # BENCHMARKS.md
    .venv/bin/python benchmarks/bias_gates.py --suite bias-bold-style
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from assurance_harness.metrics.engine import compute_metric, judge_gate  # noqa: E402
from assurance_harness.spec.loader import load_suite  # noqa: E402
from assurance_harness.stats.intervals import clopper_pearson  # noqa: E402

GAP_KINDS = ("disparity", "paired")

# Per-response score model: (template effect sd, noise sd) for continuous scores; base rate for
# refusals. Roughly the spread the demo target and the public BOLD runs show.
SENTIMENT = (0.25, 0.35)
TOXICITY_BASE = 0.03
WORDS = (60.0, 25.0)


def simulate(
    cases: list[Any], samples: int, rng: np.random.Generator, shift: dict[str, float] | None
) -> list[dict[str, Any]]:
    """Scored rows for every (case, sample): no group effect unless ``shift`` names one.

    Drawn as arrays over all rows at once (one run of the counterfactual suite is 432 rows x 4
    score fields); only the row dicts are built in Python.
    """
    shift = shift or {}
    templates = sorted({str(c.metadata.get("template", c.id)) for c in cases})
    index = {t: i for i, t in enumerate(templates)}
    effect = rng.normal(0, SENTIMENT[0], len(templates))
    refusal_base = np.clip(rng.normal(0.15, 0.1, len(templates)), 0.01, 0.6)
    metas = [dict(c.metadata) for c in cases]
    which = np.repeat(
        np.array([index[str(m.get("template", c.id))] for m, c in zip(metas, cases, strict=True)]),
        samples,
    )
    extra = np.repeat(np.array([shift.get(str(m.get("group")), 0.0) for m in metas]), samples)
    n = len(cases) * samples
    compound = np.clip(effect[which] + rng.normal(0, SENTIMENT[1], n) - extra, -1, 1)
    refused = rng.random(n) < np.minimum(1.0, refusal_base[which] + extra)
    partial = ~refused & (rng.random(n) < 0.05)
    toxicity = rng.beta(0.3, 0.3 / TOXICITY_BASE - 0.3, n)
    words = np.maximum(1.0, rng.normal(WORDS[0], WORDS[1], n))
    rows = []
    for i in range(n):
        case, sample = divmod(i, samples)
        c = float(compound[i])
        r, p = bool(refused[i]), bool(partial[i])
        rows.append(
            {
                "case_id": cases[case].id,
                "sample": sample,
                "response": "r",
                "error": None,
                "metadata": metas[case],
                "expected": {},
                "scores": {
                    "sent": {"compound": c, "negative": c <= -0.5, "positive": c >= 0.5},
                    "tox": {"toxicity": float(toxicity[i])},
                    "ref": {
                        "label": "refusal" if r else ("partial" if p else "none"),
                        "is_refusal": r or p,
                    },
                    "len": {"words": float(words[i])},
                },
            }
        )
    return rows


class NumpyFrame:
    """The slice of fairlearn's ``MetricFrame`` the disparity metric uses (a mean per group;
    difference / ratio between groups or to the overall mean), in numpy.

    ``MetricFrame`` builds pandas objects per call: about 0.1 s for each of the 28 disparities
    in a counterfactual run, most of a simulated run's time. ``--check-engine`` runs the first
    runs with both and stops if any metric value or verdict differs.
    """

    def __init__(self, *, metrics: Any, y_true: Any, y_pred: Any, sensitive_features: Any):
        labels = np.asarray(sensitive_features)
        values = np.asarray(y_pred, dtype=float)
        names = sorted(set(labels.tolist()))
        self._means = np.array([float(metrics(None, values[labels == g])) for g in names])
        self._names = names
        self.overall = float(metrics(None, values))
        self.by_group = self

    def idxmax(self) -> str:
        return str(self._names[int(np.argmax(self._means))])

    def idxmin(self) -> str:
        return str(self._names[int(np.argmin(self._means))])

    def difference(self, *, method: str) -> float:
        if method == "between_groups":
            return float(self._means.max() - self._means.min())
        return float(np.abs(self._means - self.overall).max())

    def ratio(self, *, method: str) -> float:
        m = self._means
        if method == "between_groups":
            high, low = float(m.max()), float(m.min())
            return low / high if high > 0 else (1.0 if low == high else float("nan"))
        o = self.overall
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where((m > 0) & (o > 0), np.minimum(m / o, o / m), np.where(m == o, 1.0, 0.0))
        return float(r.min())


def judged(gates: list[Any], specs: dict[str, Any], rows: list[Any], seed: int, resamples: int):
    """(gate label, metric value, verdict) for every gate, as a run computes and judges them
    (each metric computed once, as a run does, however many gates read it)."""
    values: dict[str, Any] = {}
    out = []
    for gate in gates:
        spec = specs[gate.metric]
        if gate.metric not in values:
            values[gate.metric] = compute_metric(spec, rows, seed=seed, resamples=resamples)
        value = values[gate.metric]
        out.append((gate.label, value.value, judge_gate(gate, value, spec, rows)["verdict"]))
    return out


def with_engine(frame: Any, work: Any) -> Any:
    import fairlearn.metrics

    saved = fairlearn.metrics.MetricFrame
    fairlearn.metrics.MetricFrame = frame
    try:
        return work()
    finally:
        fairlearn.metrics.MetricFrame = saved


def pick_shift(cases: list[Any], size: float) -> dict[str, float]:
    """Shift the first group of the axis with the most groups (the hardest to detect)."""
    by_axis: dict[str, set[str]] = {}
    for case in cases:
        by_axis.setdefault(str(case.metadata.get("axis", "")), set()).add(
            str(case.metadata.get("group"))
        )
    axis = max(by_axis, key=lambda a: len(by_axis[a]))
    return {sorted(by_axis[axis])[0]: size}


def share(fails: int, runs: int) -> str:
    """The share of runs with its 95% Clopper-Pearson interval."""
    low, high = clopper_pearson(fails, runs)
    return f"{fails}/{runs} = {fails / runs:.3f} [{low:.3f}, {high:.3f}]"


def run(
    suite_name: str,
    runs: int,
    shifts: list[float],
    seed: int,
    resamples: int,
    check_engine: int,
    progress: int,
) -> None:
    loaded = load_suite(REPO / "suites" / f"{suite_name}.yaml")
    specs = {m.id: m for m in loaded.metrics}
    gates = [g for g in loaded.suite.gates if specs[g.metric].kind in GAP_KINDS]
    samples = loaded.suite.samples
    groups = Counter(str(c.metadata.get("group")) for c in loaded.cases)
    print(
        f"\n### {suite_name}: {len(loaded.cases)} cases x {samples} samples, "
        f"{len(groups)} groups; gates: {', '.join(g.label for g in gates)}\n"
    )
    print("| scenario | gate | runs failed (share, 95% Clopper-Pearson) |")
    print("|---|---|---|")
    rng = np.random.default_rng(seed)
    scenarios: list[tuple[str, dict[str, float] | None]] = [("no disparity", None)]
    scenarios += [(f"one group shifted by {x}", pick_shift(loaded.cases, x)) for x in shifts]
    for scenario, shift in scenarios:
        fails: Counter[str] = Counter()
        any_fail = 0
        for r in range(runs):
            rows = simulate(loaded.cases, samples, rng, shift)
            result = with_engine(NumpyFrame, lambda: judged(gates, specs, rows, r, resamples))  # noqa: B023
            if r < check_engine:
                from fairlearn.metrics import MetricFrame

                real = with_engine(MetricFrame, lambda: judged(gates, specs, rows, r, resamples))  # noqa: B023
                if real != result:
                    raise SystemExit(f"engine check failed in run {r}: {real} != {result}")
            failed = False
            for label, _, verdict in result:
                if verdict != "pass":
                    fails[label] += 1
                    failed = True
            any_fail += failed
            if progress and (r + 1) % progress == 0:
                print(f"  {suite_name}, {scenario}: {r + 1}/{runs}", file=sys.stderr, flush=True)
        for gate in gates:
            print(f"| {scenario} | `{gate.label}` | {share(fails[gate.label], runs)} |")
        print(f"| {scenario} | any gap gate | {share(any_fail, runs)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--suite", action="append", help="default: every bundled bias suite")
    parser.add_argument(
        "--shift", type=float, action="append", help="size of a real gap (repeatable; default 0.3)"
    )
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument(
        "--resamples",
        type=int,
        default=100,
        help="bootstrap resamples and permutations per metric; no gate reads them (they give "
        "details.bias_corrected and p_value_no_gap), so fewer only makes those noisier",
    )
    parser.add_argument(
        "--check-engine",
        type=int,
        default=10,
        help="runs per scenario also judged with fairlearn's MetricFrame (must agree exactly)",
    )
    parser.add_argument("--progress", type=int, default=100, help="print progress every N runs")
    args = parser.parse_args()
    started = time.monotonic()
    print(
        f"{args.runs} simulated runs per scenario; {args.resamples} resamples; "
        f"first {args.check_engine} runs checked against fairlearn"
    )
    for name in args.suite or ["bias-counterfactual", "bias-bold-style"]:
        run(
            name,
            args.runs,
            args.shift or [0.3],
            args.seed,
            args.resamples,
            args.check_engine,
            args.progress,
        )
    print(f"\n{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
