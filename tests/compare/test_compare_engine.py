"""compare_runs on constructed runs with known differences."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.compare.engine import compare_runs, infer_direction
from assurance_harness.errors import UsageError
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import gate, mean_metric, rate_metric, row, toxicity_run, write_run


def _ids(count: int, seed: int, n: int = 200) -> set[int]:
    return set(random.Random(seed).sample(range(n), count))


def test_real_regression_is_caught(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", _ids(5, 1)))
    cand = load_run(toxicity_run(tmp_path, "cand", _ids(25, 2)))
    result = compare_runs(base, cand)
    assert result.paired
    (m,) = result.metrics
    assert m.verdict == "regressed"
    assert m.direction == "lower" and m.direction_source == "gate"
    assert m.test is not None and m.test.method.startswith("paired bootstrap over 200")
    assert m.test.diff == pytest.approx(20 / 200)
    assert m.test.ci_low is not None and m.test.ci_low > 0
    assert result.exit_code == 1 and [r.metric for r in result.regressions] == ["toxic_rate"]


def test_noise_within_the_interval_is_not_a_regression(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", _ids(10, 3)))
    cand = load_run(toxicity_run(tmp_path, "cand", _ids(13, 4)))
    result = compare_runs(base, cand)
    (m,) = result.metrics
    assert m.verdict == "unchanged"
    assert m.test is not None and m.test.ci_low is not None and m.test.ci_low < 0 < m.test.ci_high
    assert result.exit_code == 0


def test_improvement(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", _ids(25, 5)))
    cand = load_run(toxicity_run(tmp_path, "cand", _ids(4, 6)))
    result = compare_runs(base, cand)
    assert result.metrics[0].verdict == "improved" and result.exit_code == 0


def test_unpaired_when_cases_differ(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", _ids(5, 1)))
    cand = load_run(
        toxicity_run(tmp_path, "cand", _ids(25, 2), prompt_of=lambda i: f"Another prompt {i}")
    )
    result = compare_runs(base, cand)
    assert not result.paired
    assert any("do not have the same cases" in w for w in result.warnings)
    m = result.metrics[0]
    assert m.test is not None and m.test.method.startswith("two-proportion")
    assert m.verdict == "regressed"


def test_samples_are_clustered_by_case(tmp_path: Path) -> None:
    """Three samples per case: the bootstrap resamples cases, so n counts rows, units cases."""
    base = load_run(toxicity_run(tmp_path, "base", _ids(3, 7, 60), n_cases=60, samples=3))
    cand = load_run(toxicity_run(tmp_path, "cand", _ids(15, 8, 60), n_cases=60, samples=3))
    m = compare_runs(base, cand).metrics[0]
    assert m.test is not None
    assert "over 60 matched cases" in m.test.method
    assert (m.test.n_baseline, m.test.n_candidate) == (180, 180)
    assert m.verdict == "regressed"


def test_a_significant_change_without_gate_is_changed_not_regressed(tmp_path: Path) -> None:
    def run(run_id: str, toxic: set[int]) -> Path:
        rows = [
            row(f"c{i}", scores={"tox": {"toxicity": 0.9 if i in toxic else 0.1}})
            for i in range(200)
        ]
        metric = rate_metric(
            rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5
        )
        return write_run(tmp_path, run_id, rows, {"toxic_rate": metric}, [])

    base, cand = load_run(run("a", _ids(5, 1))), load_run(run("b", _ids(30, 2)))
    m = compare_runs(base, cand).metrics[0]
    assert m.verdict == "changed" and m.direction is None
    assert m.note is not None and "--lower-is-better" in m.note
    overridden = compare_runs(base, cand, lower_is_better={"toxic_rate"})
    assert overridden.metrics[0].verdict == "regressed"
    assert overridden.metrics[0].direction_source == "override"
    assert (
        compare_runs(base, cand, higher_is_better={"toxic_rate"}).metrics[0].verdict == "improved"
    )


def _refusal_run(tmp_path: Path, run_id: str, refused: int, **gate_kw: Any) -> Path:
    rows = [
        row(f"h{i}", scores={"ref": {"is_refusal": i < refused}}, expected={"must_refuse": True})
        for i in range(150)
    ]
    metric = rate_metric(rows, "ref.is_refusal", lambda r: r["scores"]["ref"]["is_refusal"])
    return write_run(
        tmp_path, run_id, rows, {"refusal_rate": metric}, [gate("refusal_rate", metric, **gate_kw)]
    )


def test_min_gate_means_a_drop_is_a_regression(tmp_path: Path) -> None:
    base = load_run(_refusal_run(tmp_path, "a", 145, min=0.9))
    cand = load_run(_refusal_run(tmp_path, "b", 120, min=0.9))
    m = compare_runs(base, cand).metrics[0]
    assert (m.direction, m.verdict) == ("higher", "regressed")


def test_min_effect_ignores_small_significant_changes(tmp_path: Path) -> None:
    base = load_run(toxicity_run(tmp_path, "base", _ids(5, 1)))
    cand = load_run(toxicity_run(tmp_path, "cand", _ids(25, 2)))
    m = compare_runs(base, cand, min_effect=0.2).metrics[0]
    assert m.verdict == "unchanged" and m.note is not None and "--min-effect" in m.note


def test_band_gate_direction() -> None:
    gates = [{"metric": "m", "min": 0.2, "max": 0.8}]
    common: dict[str, Any] = {"kind": None, "higher_is_better": set(), "lower_is_better": set()}
    assert infer_direction("m", gates, 0.7, **common) == ("lower", "gate")
    assert infer_direction("m", gates, 0.3, **common) == ("higher", "gate")
    conflicting = [{"metric": "m", "max": 0.5}, {"metric": "m", "min": 0.1}]
    assert infer_direction("m", conflicting, 0.3, **common) == (None, "conflicting gates")


def _summary_only_run(
    tmp_path: Path, run_id: str, values: dict[str, tuple[float, float, float]]
) -> Path:
    """Metrics without per-row form (quantiles): only value and interval are known."""
    metrics = {
        name: {
            "kind": "quantile",
            "spec": {"quantile": {"expr": "x", "q": 0.9}},
            "value": v,
            "n": 100,
            "ci_low": lo,
            "ci_high": hi,
            "confidence": 0.95,
            "method": "bootstrap",
            "groups": None,
            "details": {},
        }
        for name, (v, lo, hi) in values.items()
    }
    gates = [gate(name, m, max=10.0) for name, m in metrics.items()]
    return write_run(tmp_path, run_id, [], metrics, gates)


def test_holm_correction_across_metrics(tmp_path: Path) -> None:
    """p = 0.013 alone is a regression; among four metrics, Holm makes it 0.051: unchanged."""
    borderline = {"p90": ((0.5, 0.4, 0.6), (0.68, 0.58, 0.78))}
    nulls = {f"other{i}": ((0.5, 0.4, 0.6), (0.5, 0.4, 0.6)) for i in range(3)}
    alone = compare_runs(
        load_run(_summary_only_run(tmp_path, "a1", {k: v[0] for k, v in borderline.items()})),
        load_run(_summary_only_run(tmp_path, "b1", {k: v[1] for k, v in borderline.items()})),
    )
    assert alone.metrics[0].verdict == "regressed"
    assert alone.metrics[0].test is not None
    assert alone.metrics[0].test.method == "normal approximation from the reported intervals"
    family = {**borderline, **nulls}
    together = compare_runs(
        load_run(_summary_only_run(tmp_path, "a2", {k: v[0] for k, v in family.items()})),
        load_run(_summary_only_run(tmp_path, "b2", {k: v[1] for k, v in family.items()})),
    )
    p90 = next(m for m in together.metrics if m.metric == "p90")
    assert p90.test is not None and p90.test.p_value == pytest.approx(0.0127, abs=1e-3)
    assert p90.p_adjusted == pytest.approx(4 * p90.test.p_value)
    assert p90.verdict == "unchanged" and together.exit_code == 0


def test_missing_and_no_data_metrics(tmp_path: Path) -> None:
    a = _summary_only_run(tmp_path, "a", {"only_a": (0.1, 0.0, 0.2), "shared": (0.1, 0.0, 0.2)})
    b = _summary_only_run(tmp_path, "b", {"shared": (0.1, 0.0, 0.2)})
    result = compare_runs(load_run(a), load_run(b))
    verdicts = {m.metric: m.verdict for m in result.metrics}
    assert verdicts == {"only_a": "missing", "shared": "unchanged"}


def test_usage_errors(tmp_path: Path) -> None:
    a = load_run(toxicity_run(tmp_path, "a", set(), n_cases=10))
    b = load_run(toxicity_run(tmp_path, "b", set(), n_cases=10, suite="bias-core"))
    with pytest.raises(UsageError, match="different suites"):
        compare_runs(a, b)
    assert compare_runs(a, b, allow_different_suites=True).exit_code == 0
    with pytest.raises(UsageError, match="unknown metric 'nope'"):
        compare_runs(a, a, metrics=["nope"])
    with pytest.raises(UsageError, match="both --higher-is-better and --lower-is-better"):
        compare_runs(a, a, higher_is_better={"toxic_rate"}, lower_is_better={"toxic_rate"})
    with pytest.raises(UsageError, match="alpha"):
        compare_runs(a, a, alpha=1.5)


def _length_run(tmp_path: Path, run_id: str, lengths: list[float], prompt: str) -> Path:
    rows = [
        row(f"q{i}", prompt=f"{prompt} {i}", scores={"len": {"words": w}})
        for i, w in enumerate(lengths)
    ]
    metric = mean_metric(rows, "len.words", lambda r: r["scores"]["len"]["words"])
    return write_run(tmp_path, run_id, rows, {"words": metric}, [gate("words", metric, min=5)])


def test_means_unpaired_welch_and_paired_bootstrap(tmp_path: Path) -> None:
    rng = random.Random(3)
    base = [rng.gauss(40, 8) for _ in range(120)]
    shorter = [rng.gauss(34, 8) for _ in range(120)]
    unpaired = compare_runs(
        load_run(_length_run(tmp_path, "a", base, "Explain")),
        load_run(_length_run(tmp_path, "b", shorter, "Describe")),
    ).metrics[0]
    assert unpaired.test is not None and unpaired.test.method == "Welch t-test"
    assert unpaired.verdict == "regressed"  # a min gate: shorter answers are worse
    same = [v + rng.gauss(0, 0.5) for v in base]
    paired = compare_runs(
        load_run(_length_run(tmp_path, "c", base, "Explain")),
        load_run(_length_run(tmp_path, "d", same, "Explain")),
    ).metrics[0]
    assert paired.test is not None and paired.test.method.startswith("paired bootstrap")
    assert paired.verdict == "unchanged"


def _grouped_run(tmp_path: Path, run_id: str, toxic_girl: int, toxic_boy: int) -> Path:
    """200 cases, half per group; the first k of each group are toxic."""
    rows = []
    for i in range(200):
        group = "girl" if i % 2 else "boy"
        k = toxic_girl if group == "girl" else toxic_boy
        toxic = i // 2 < k
        rows.append(
            row(
                f"c{i:03d}",
                prompt=f"{{child}} asks {i}",
                scores={"tox": {"toxicity": 0.9 if toxic else 0.05}},
                metadata={"group": group},
            )
        )
    metric = rate_metric(
        rows,
        "tox.toxicity > 0.5",
        lambda r: r["scores"]["tox"]["toxicity"] > 0.5,
        by=lambda r: r["metadata"]["group"],
    )
    metric["spec"]["by"] = "meta.group"
    return write_run(
        tmp_path, run_id, rows, {"toxic_rate": metric}, [gate("toxic_rate", metric, max=0.5)]
    )


def test_a_regression_hidden_in_one_group(tmp_path: Path) -> None:
    """Overall 20/200 in both runs, but girls went from 2 to 18 toxic answers."""
    base = load_run(_grouped_run(tmp_path, "a", toxic_girl=2, toxic_boy=18))
    cand = load_run(_grouped_run(tmp_path, "b", toxic_girl=18, toxic_boy=2))
    overall = compare_runs(base, cand)
    assert overall.metrics[0].verdict == "unchanged" and overall.exit_code == 0
    assert overall.metrics[0].groups == []
    by_group = compare_runs(base, cand, groups=True)
    groups = {g.group: g for g in by_group.metrics[0].groups}
    assert groups["girl"].verdict == "regressed" and groups["boy"].verdict == "improved"
    girl_test = groups["girl"].test
    assert girl_test is not None and girl_test.method.startswith("paired bootstrap over 100")
    assert girl_test.diff == pytest.approx(0.16)
    assert by_group.exit_code == 1
    assert [r.label for r in by_group.regressions] == ["toxic_rate[girl]"]
    assert by_group.to_dict()["regressed"] == ["toxic_rate[girl]"]


def test_group_rows_in_every_rendering(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from assurance_harness.compare.render import (
        comparison_markdown,
        comparison_text,
        print_comparison,
    )

    base = load_run(_grouped_run(tmp_path, "a", toxic_girl=2, toxic_boy=18))
    cand = load_run(_grouped_run(tmp_path, "b", toxic_girl=18, toxic_boy=2))
    result = compare_runs(base, cand, groups=True)
    buffer = StringIO()
    print_comparison(result, Console(file=buffer, width=250))
    printed = buffer.getvalue()
    assert "toxic_rate[girl]" in printed and "regression in toxic_rate[girl]" in printed
    assert "second family of tests" in printed
    markdown = comparison_markdown(result)
    assert "| ↳ toxic_rate\\[girl\\] |" in markdown
    assert "Regression in toxic_rate\\[girl\\]." in markdown
    assert "toxic_rate[girl]: regressed; baseline 0.02" in comparison_text(result)


def test_a_min_effect_beyond_one_metrics_range_is_a_warning(tmp_path: Path) -> None:
    """With a mean beside the rate, ``min_effect=2`` can still flag the mean (a difference
    of 2 words), so it is no usage error; but the rate (in [0, 1]) can never regress under
    it, and the comparison says so instead of reporting it unchanged without a word."""
    from ..report.runfixtures import mean_metric, rate_metric, row, write_run

    def run(run_id: str, toxic: set[int]) -> Path:
        rows = [
            row(
                f"q{i}",
                prompt=f"Provocation {i}",
                scores={"tox": {"flagged": i in toxic}, "len": {"words": 10 + i % 5}},
            )
            for i in range(100)
        ]
        metrics = {
            "toxic_rate": rate_metric(rows, "tox.flagged", lambda r: r["scores"]["tox"]["flagged"]),
            "words": mean_metric(rows, "len.words", lambda r: r["scores"]["len"]["words"]),
        }
        gates = [gate("toxic_rate", metrics["toxic_rate"], max=0.5)]
        return write_run(tmp_path, run_id, rows, metrics, gates)

    result = compare_runs(
        load_run(run("a", set(range(5)))), load_run(run("b", set(range(40)))), min_effect=2
    )
    assert any(
        "--min-effect 2" in w and "toxic_rate" in w and "[0, 1]" in w for w in result.warnings
    ), result.warnings
    assert not any("words" in w for w in result.warnings), result.warnings
