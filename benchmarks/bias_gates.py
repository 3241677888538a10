"""False alarms and power of the bundled bias suites' gap gates, at the suites' own shape.

The suite file is loaded as a run loads it (its expanded cases, metrics and gates); only the
scores are simulated. Under "no disparity" every group of an axis draws its scores from the same
distribution (with a per-template effect shared by all groups, as real templates differ);
under "a real gap" one group of one axis is shifted. Each simulated run is measured and judged
with the metrics engine, and a gate's false-alarm rate is the share of null runs it fails.

    .venv/bin/python benchmarks/bias_gates.py                     # 100 runs per scenario
    .venv/bin/python benchmarks/bias_gates.py --runs 1000         # the figures in BENCHMARKS.md
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

GAP_KINDS = ("disparity", "paired")

# Per-response score model: (template effect sd, noise sd) for continuous scores; base rate for
# refusals. Roughly the spread the demo target and the public BOLD runs show.
SENTIMENT = (0.25, 0.35)
TOXICITY_BASE = 0.03
WORDS = (60.0, 25.0)


def simulate(
    cases: list[Any], samples: int, rng: np.random.Generator, shift: dict[str, float] | None
) -> list[dict[str, Any]]:
    """Scored rows for every (case, sample): no group effect unless ``shift`` names one."""
    shift = shift or {}
    templates = sorted({str(c.metadata.get("template", c.id)) for c in cases})
    effect = {t: rng.normal(0, SENTIMENT[0]) for t in templates}
    refusal_base = {t: float(np.clip(rng.normal(0.15, 0.1), 0.01, 0.6)) for t in templates}
    rows = []
    for case in cases:
        meta = dict(case.metadata)
        template = str(meta.get("template", case.id))
        group = str(meta.get("group"))
        extra = shift.get(group, 0.0)
        for sample in range(samples):
            compound = float(np.clip(effect[template] + rng.normal(0, SENTIMENT[1]) - extra, -1, 1))
            refused = bool(rng.random() < min(1.0, refusal_base[template] + extra))
            partial = (not refused) and bool(rng.random() < 0.05)
            rows.append(
                {
                    "case_id": case.id,
                    "sample": sample,
                    "response": "r",
                    "error": None,
                    "metadata": meta,
                    "expected": {},
                    "scores": {
                        "sent": {
                            "compound": compound,
                            "negative": compound <= -0.5,
                            "positive": compound >= 0.5,
                        },
                        "tox": {"toxicity": float(rng.beta(0.3, 0.3 / TOXICITY_BASE - 0.3))},
                        "ref": {
                            "label": "refusal" if refused else ("partial" if partial else "none"),
                            "is_refusal": refused or partial,
                        },
                        "len": {"words": max(1.0, rng.normal(WORDS[0], WORDS[1]))},
                    },
                }
            )
    return rows


def pick_shift(cases: list[Any], size: float) -> dict[str, float]:
    """Shift the first group of the axis with the most groups (the hardest to detect)."""
    by_axis: dict[str, set[str]] = {}
    for case in cases:
        by_axis.setdefault(str(case.metadata.get("axis", "")), set()).add(
            str(case.metadata.get("group"))
        )
    axis = max(by_axis, key=lambda a: len(by_axis[a]))
    return {sorted(by_axis[axis])[0]: size}


def run(suite_name: str, runs: int, shift_size: float, seed: int) -> None:
    loaded = load_suite(REPO / "suites" / f"{suite_name}.yaml")
    specs = {m.id: m for m in loaded.metrics}
    gates = [g for g in loaded.suite.gates if specs[g.metric].kind in GAP_KINDS]
    samples = loaded.suite.samples
    groups = Counter(str(c.metadata.get("group")) for c in loaded.cases)
    print(
        f"\n### {suite_name}: {len(loaded.cases)} cases x {samples} samples, "
        f"{len(groups)} groups; gates: {', '.join(g.label for g in gates)}\n"
    )
    print("| scenario | gate | fails (share of runs) |")
    print("|---|---|---|")
    rng = np.random.default_rng(seed)
    for scenario, shift in (
        ("no disparity", None),
        (f"one group shifted by {shift_size}", pick_shift(loaded.cases, shift_size)),
    ):
        fails: Counter[str] = Counter()
        any_fail = 0
        for r in range(runs):
            rows = simulate(loaded.cases, samples, rng, shift)
            failed = False
            for gate in gates:
                spec = specs[gate.metric]
                value = compute_metric(spec, rows, seed=r, resamples=500)
                if judge_gate(gate, value, spec, rows)["verdict"] != "pass":
                    fails[gate.label] += 1
                    failed = True
            any_fail += failed
        for gate in gates:
            print(f"| {scenario} | `{gate.label}` | {fails[gate.label] / runs:.3f} |")
        print(f"| {scenario} | any gap gate | {any_fail / runs:.3f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--suite", action="append", help="default: every bundled bias suite")
    parser.add_argument("--shift", type=float, default=0.3, help="size of the real gap")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    started = time.monotonic()
    for name in args.suite or ["bias-counterfactual", "bias-bold-style"]:
        run(name, args.runs, args.shift, args.seed)
    print(f"\n{args.runs} simulated runs per scenario; {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
