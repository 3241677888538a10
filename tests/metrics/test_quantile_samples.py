"""A quantile over several samples a case counts the case, not each sample, as independent
(found by an adversarial pass, issue 12: its order-statistics interval treated a case's samples
as independent values, so five identical samples made it narrower than one, and an upper-bound
gate could pass on the sample count instead of the data). Coverage of the clustered interval
is in BENCHMARKS.md ("Several samples a case")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = (
    "suite: q\nsamples: {samples}\ncases:\n"
    + "".join(f"  - {{{{id: c{i:02d}, prompt: '{i}'}}}}\n" for i in range(40))
    + "metrics: [{{id: p90, quantile: {{expr: 'float(response)', q: 0.9}}}}]\n"
    "gates: [{{metric: p90, max: 40, bound: upper}}]\n"
)


def _p90(project: Path, samples: int) -> dict[str, object]:
    (project / "s.yaml").write_text(SUITE.format(samples=samples), encoding="utf-8")
    # Each run in its own reports folder: two runs in one second have ids that sort by their
    # random suffix, so the latest by name could be the other run's.
    reports = project / f"reports-{samples}"
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", str(reports), "--no-report",
        "--no-cache", cwd=project,
    )  # fmt: skip
    assert "internal error" not in done.stderr, done.stderr
    (run,) = (p for p in reports.iterdir() if (p / "summary.json").is_file())
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    return summary["metrics"]["p90"]  # type: ignore[no-any-return]


def test_identical_samples_of_a_case_do_not_narrow_the_quantiles_interval(tmp_path: Path) -> None:
    # Each case answers its own number, the same on every sample: five samples say no more
    # about the distribution over cases than one.
    (tmp_path / "q_bot.py").write_text(
        "def reply(messages):\n    return messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: q_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    one, five = _p90(tmp_path, 1), _p90(tmp_path, 5)
    assert five["value"] == pytest.approx(one["value"])
    width_one = float(one["ci_high"]) - float(one["ci_low"])  # type: ignore[arg-type]
    width_five = float(five["ci_high"]) - float(five["ci_low"])  # type: ignore[arg-type]
    assert width_five >= width_one, (one, five)
    assert "effective n" in str(five["method"]), five["method"]
