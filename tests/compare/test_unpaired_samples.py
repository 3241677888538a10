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


def _score_t(hits_a: int, hits_b: int) -> tuple[float, float, float]:
    """The score t-test of a rate over CASES cases of SAMPLES samples that all agree (``hits``
    cases all hit), computed here from its definition: each run's cluster-robust variance
    around the pooled rate, at least the binomial one there, Student's t on Welch-Satterthwaite
    degrees of freedom. Returns (p-value, interval half-width, degrees of freedom)."""
    total = CASES * SAMPLES
    pooled = (hits_a + hits_b) * SAMPLES / (2 * total)
    variances = []
    for hits in (hits_a, hits_b):
        sums = [SAMPLES] * hits + [0] * (CASES - hits)
        residuals = sum((s - pooled * SAMPLES) ** 2 for s in sums)
        variances.append(CASES / (CASES - 1) * residuals / total**2)
    v_a, v_b = variances
    se = math.sqrt(max(v_a + v_b, pooled * (1 - pooled) * 2 / total))
    df = (v_a + v_b) ** 2 / ((v_a**2 + v_b**2) / (CASES - 1))
    diff = (hits_b - hits_a) * SAMPLES / total
    return 2 * stats.t.sf(abs(diff) / se, df), stats.t.ppf(0.975, df) * se, df


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
    # The score t-test at the pooled rate, the case as the unit, and the interval inverting it.
    p_value, half, _ = _score_t(5, 10)
    assert math.isclose(rate["p_value"], p_value, rel_tol=1e-9), rate
    assert math.isclose(rate["ci_low"], 0.1 - half, rel_tol=1e-9), rate
    assert math.isclose(rate["ci_high"], 0.1 + half, rel_tol=1e-9), rate
    assert rate["p_value"] > 0.1 and "cases" in rate["method"]

    mean = by_metric["m"]["test"]
    assert math.isclose(mean["diff"], 0.2)
    # Equal samples a case: Welch's test on the case means.
    case_means_a = [2.0] * 5 + [0.0] * 45
    case_means_b = [2.0] * 10 + [0.0] * 40
    expected = stats.ttest_ind(case_means_b, case_means_a, equal_var=False)
    assert math.isclose(mean["p_value"], expected.pvalue, rel_tol=1e-9), mean
    assert "cases" in mean["method"]
