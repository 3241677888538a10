"""A rate corrected for scorer error (``scorer_error``) over several samples a case: a case's
samples are not independent outcomes, so the corrected interval must count a case as the
plain rate's clustered interval does. Observed: the correction drew the observed rate from
every sample as if independent, so five identical samples of 40 cases gave [0.060, 0.154]
(narrower than the run's own uncorrected interval, [0.026, 0.244]) where one sample gave
[0.028, 0.233], and a gate ``max: 0.2, bound: upper`` passed on the number of samples, not
on the data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.testing.cli import run_cli

TARGET = "def reply(messages):\n    return messages[-1]['content']\n"
ERROR = "{sensitivity: 0.9, positives: 1000, specificity: 0.99, negatives: 1000}"


def _run(root: Path, samples: int) -> dict[str, Any]:
    lines = [f"suite: corrected-{samples}", f"samples: {samples}", "cases:"]
    for i in range(40):
        lines.append(f'  - {{id: c{i}, prompt: "{"bad" if i < 4 else "ok"} {i}"}}')
    lines += [
        "scorers: [{id: rx, use: regex, with: {pattern: bad}}]",
        f"metrics: [{{id: r, rate: {{expr: rx.matched, scorer_error: {ERROR}}}}}]",
        "gates: [{metric: r, max: 0.2, bound: upper}]",
    ]
    (root / f"s{samples}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = root / f"r{samples}"
    done = run_cli(
        "run", f"s{samples}.yaml", "--target", "t.yaml", "--reports", reports.name, cwd=root
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    (summary,) = reports.glob("*/summary.json")
    return json.loads(summary.read_text(encoding="utf-8"))


def test_a_corrected_rate_counts_a_case_not_a_sample(tmp_path: Path) -> None:
    (tmp_path / "c_target.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: c_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    one, five = _run(tmp_path, 1), _run(tmp_path, 5)
    single, repeated = one["metrics"]["r"], five["metrics"]["r"]
    assert repeated["value"] == single["value"]
    # Five identical samples a case say no more than one: the interval is no narrower
    # (a little wider: the effective n is scaled for 39 degrees of freedom).
    assert repeated["ci_low"] <= single["ci_low"] + 0.005, (single, repeated)
    assert repeated["ci_high"] >= single["ci_high"] - 0.005, (single, repeated)
    # Correcting for a measured error never makes the interval narrower than the observed one
    # (here, with a near-perfect scorer, it is about the same width).
    details = repeated["details"]
    observed_width = details["observed_ci_high"] - details["observed_ci_low"]
    assert repeated["ci_high"] - repeated["ci_low"] >= 0.9 * observed_width, repeated
    assert one["gates"][0]["verdict"] == five["gates"][0]["verdict"] == "fail"
