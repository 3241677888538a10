"""A rate corrected for scorer error (``scorer_error:``) compared between runs. Observed: the
comparison showed each run's corrected rate (0.1944 and 0.8333) beside a difference of the
runs' observed rates (+0.3833, where the figures shown differ by 0.639), under the heading
"difference = candidate - baseline": the tests run over the rows, which hold what the scorer
flagged, not the corrected rate. The runs are now compared as observed rates, and the figures
shown are those, said so: one scale for the figures, the difference and --min-effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

CASES = 60

SUITE = (
    "suite: corrected\n"
    "dataset: {path: cases.jsonl, fields: {id: id, prompt: prompt}}\n"
    "scorers: [{id: m, use: regex, with: {pattern: bad}}]\n"
    "metrics:\n"
    "  - {id: bad_rate, rate: {expr: m.matched, scorer_error: {sensitivity: 0.7, "
    "positives: 100, specificity: 0.9, negatives: 100}}}\n"
    "gates: [{metric: bad_rate, max: 0.5}]\n"
)


def _runs(root: Path, prompts: tuple[str, str]) -> tuple[Path, Path]:
    """A run flagging 1 case in 5, then one flagging 3 in 5 (each over its own prompts)."""
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = []
    for name, every, prompt in (("base", 5, prompts[0]), ("cand", 2, prompts[1])):
        with (root / "cases.jsonl").open("w", encoding="utf-8") as cases:
            for i in range(CASES):
                cases.write(json.dumps({"id": f"c{i}", "prompt": prompt.format(i)}) + "\n")
        source = (
            "def reply(messages):\n"
            "    n = int(messages[-1]['content'].split()[-1])\n"
            f"    return 'bad' if n % {every} == 0 else 'fine'\n"
        )
        callable_target(root, f"corrected_{name}_{root.name[-8:]}", source, f"{name}.yaml")
        ran = run_cli("run", "s.yaml", "--target", f"{name}.yaml", "--no-report", cwd=root)
        assert ran.returncode in (0, 1), ran.stdout + ran.stderr
        done.append(next(p for p in (root / "reports").iterdir() if p.is_dir() and p not in done))
    return done[0], done[1]


@pytest.mark.parametrize(
    "prompts",
    [("Question {}", "Question {}"), ("Question {}", "Another question {}")],
    ids=["paired", "unpaired"],
)
def test_the_difference_is_of_the_figures_shown(tmp_path: Path, prompts: tuple[str, str]) -> None:
    base_dir, cand_dir = _runs(tmp_path, prompts)
    result = compare_runs(load_run(base_dir), load_run(cand_dir))
    (item,) = result.metrics
    assert item.baseline is not None and item.candidate is not None and item.test is not None
    # The observed rates: 12 of 60 flagged, then 30 of 60.
    assert item.baseline["value"] == pytest.approx(12 / 60)
    assert item.candidate["value"] == pytest.approx(30 / 60)
    assert item.test.diff == pytest.approx(item.candidate["value"] - item.baseline["value"])
    assert item.baseline["ci_low"] < item.baseline["value"] < item.baseline["ci_high"]
    assert "observed" in (item.note or "") and "scorer-error correction" in (item.note or "")
    assert item.verdict == "regressed"
