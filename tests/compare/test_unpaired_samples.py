"""``assurance compare`` of runs with different cases and several samples a case: a case's
samples are not independent outcomes (the same prompt, the same model), so they must count as
one unit, as the runs' own intervals count them. Observed: the unpaired two-proportion and
Welch tests counted every sample as independent, so five samples a case made 5/50 against
10/50 cases (p = 0.17 on cases) a "regression" at p = 0.002, and compare exited 1 although
the two runs' own intervals overlap almost wholly."""

from __future__ import annotations

import json
import math
from pathlib import Path

from scipy import stats

from tests.testing.cli import run_cli

TARGET = "def reply(messages):\n    return messages[-1]['content']\n"
CASES, SAMPLES = 50, 5


def _suite(path: Path, *, prefix: str, bad: int) -> None:
    lines = ["suite: unpaired", f"samples: {SAMPLES}", "cases:"]
    for i in range(CASES):
        word = "bad" if i < bad else "ok"
        lines.append(f'  - {{id: {prefix}{i}, prompt: "{word} {prefix}{i}"}}')
    lines += [
        "scorers: [{id: rx, use: regex, with: {pattern: bad}}]",
        'metrics: [{id: r, rate: rx.matched}, {id: m, mean: "rx.count * 2"}]',
        "gates: [{metric: r, max: 0.5}, {metric: m, max: 5}]",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _effective_n(hits: int) -> float:
    """Korn and Graubard's effective sample size of a rate over CASES cases of SAMPLES
    samples that all agree (``hits`` cases all hit), computed here from the formula."""
    total, k = CASES * SAMPLES, CASES
    p = hits * SAMPLES / total
    sums = [SAMPLES] * hits + [0] * (CASES - hits)
    variance = k / (k - 1) * sum((s - p * SAMPLES) ** 2 for s in sums) / total**2
    n_eff = min(total, p * (1 - p) / variance)
    return n_eff * (stats.t.ppf(0.975, total - 1) / stats.t.ppf(0.975, k - 1)) ** 2


def test_unpaired_comparison_counts_a_case_not_a_sample(tmp_path: Path) -> None:
    (tmp_path / "u_target.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: u_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    runs = []
    for name, prefix, bad in (("base.yaml", "a", 5), ("cand.yaml", "b", 10)):
        _suite(tmp_path / name, prefix=prefix, bad=bad)
        done = run_cli("run", name, "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        (run_id,) = {p.name for p in (tmp_path / "r").iterdir() if p.is_dir()} - {
            *runs,
            "evidence",
        }
        runs.append(run_id)
    done = run_cli("compare", *runs, "--reports", "r", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert not result["paired"] and result["regressed"] == []
    by_metric = {m["metric"]: m for m in result["metrics"]}

    rate = by_metric["r"]["test"]
    assert math.isclose(rate["diff"], 0.1)
    # The pooled z-test at each run's effective sample size (the n* of its own interval).
    n_a, n_b = _effective_n(5), _effective_n(10)
    pooled = (0.1 * n_a + 0.2 * n_b) / (n_a + n_b)
    z = 0.1 / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    assert math.isclose(rate["p_value"], 2 * stats.norm.sf(z), rel_tol=1e-9), rate
    assert rate["p_value"] > 0.1 and "cases" in rate["method"]

    mean = by_metric["m"]["test"]
    assert math.isclose(mean["diff"], 0.2)
    # Equal samples a case: Welch's test on the case means.
    case_means_a = [2.0] * 5 + [0.0] * 45
    case_means_b = [2.0] * 10 + [0.0] * 40
    expected = stats.ttest_ind(case_means_b, case_means_a, equal_var=False)
    assert math.isclose(mean["p_value"], expected.pvalue, rel_tol=1e-9), mean
    assert "cases" in mean["method"]
