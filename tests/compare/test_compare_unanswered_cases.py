"""A comparison's verdict rests only on cases both runs answered. Observed: a baseline that
answered 20 cases (10 flagged, rate 0.5) and a candidate that behaved the same on every case
but whose target failed on 12 of them (the 10 flagged and 2 others; the suite allowed the
errors) compared "improved" with p < 0.001 and exit 0: the candidate's 0 of 8 against the
baseline's 10 of 20, a difference made by the cases it did not answer. The paired test now
runs over the cases with a value in both runs and says how many of how many it compared; where
fewer than half are, the metric cannot be compared and the comparison exits 3."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.render import comparison_text
from assurance_harness.runner.run import run_suite
from assurance_harness.store.runread import read_run

from ..testing.project import callable_target

SUITE = (
    "suite: unanswered\nmax_error_rate: 0.7\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: '{'bad' if i < 10 else 'good'} {i}'}}\n" for i in range(20))
    + "scorers: [{id: m, use: regex, with: {pattern: bad}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, max: 0.6}]\n"
)

BOT = """\
from pathlib import Path

def reply(messages):
    text = messages[-1]["content"]
    down = Path(__file__).with_name("down")
    if down.exists() and text.split()[-1] in down.read_text().split():
        raise ConnectionError("timeout")
    return "echo " + text
"""


def _runs(root: Path, module: str, down: range) -> tuple[Path, Path]:
    """A baseline that answered every case, and a candidate whose target failed on the cases
    numbered in ``down`` and answered the others as the baseline did."""
    callable_target(root, module, BOT)
    (root / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\nretry: {{max_attempts: 1}}\n"
    )
    (root / "s.yaml").write_text(SUITE)
    made = []
    for failing in (range(0), down):
        (root / "down").write_text(" ".join(str(i) for i in failing))
        outcome = run_suite(
            root / "s.yaml",
            root / "t.yaml",
            reports_dir=root / "reports",
            write_reports=False,
            attach_evidence=False,
            use_cache=False,
        )
        made.append(outcome.run_dir)
    return made[0], made[1]


def test_a_verdict_on_fewer_than_half_the_cases_is_no_verdict(tmp_path: Path) -> None:
    base, cand = _runs(tmp_path, "unanswered_most", range(12))
    result = compare_runs(read_run(base), read_run(cand))
    assert result.exit_code == 3  # the CLI's exit code (compare.cli)
    assert result.metrics[0].verdict == "untested" and result.metrics[0].test is None
    out = comparison_text(result)
    assert "cannot compare" in out and "8 of 20 cases" in out, out
    assert "improved" not in out and "no significant regression" not in out
    assert result.unmeasured is not None and "8 of 20 cases" in result.unmeasured


def test_the_paired_test_runs_over_the_cases_answered_in_both(tmp_path: Path) -> None:
    base, cand = _runs(tmp_path, "unanswered_some", range(4))
    result = compare_runs(read_run(base), read_run(cand))
    metric = result.metrics[0]
    assert metric.test is not None and metric.test.diff == 0.0
    assert "compared over 16 of 20 cases" in metric.test.method
    assert metric.verdict == "unchanged" and result.exit_code == 0
