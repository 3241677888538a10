"""``assurance compare`` of a metric whose gate is a band (both ``min`` and ``max``).

Observed: the direction to fear was the band edge nearer the baseline, for good, so a candidate
that crossed the FAR edge was "improved": a rate gated to [0.3, 0.7] at 0.45 in the baseline
and 0.9 in the candidate (whose own gate failed) read "higher (gate) ... improved", "no
significant regression", exit 0; a nightly check stayed green while the gate broke. In a band,
better is nearer its middle: a significant change that takes the value farther from the middle
of the band is a regression, whichever way it goes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli, run_id_of

CASES = 40
SUITE = (
    "suite: band\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: p{i}}}\n" for i in range(CASES))
    + "scorers: [{id: rx, use: regex, with: {pattern: 'yes'}}]\n"
    "metrics: [{id: r, rate: rx.matched}]\n"
    "gates: [{metric: r, min: 0.3, max: 0.7}]\n"
)


def _run(root: Path, name: str, yes: int) -> str:
    """A run whose first ``yes`` answers match: a rate of yes / 40."""
    lines = [
        json.dumps({"id": f"c{i}", "response": "yes" if i < yes else "no"}) for i in range(CASES)
    ]
    (root / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / f"{name}.yaml").write_text(
        f"name: rep\ntype: replay\npath: {name}.jsonl\n", encoding="utf-8"
    )
    done = run_cli("run", "s.yaml", "--target", f"{name}.yaml", "--no-evidence", cwd=root)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return run_id_of(done)


@pytest.mark.parametrize(
    ("base", "cand", "verdict", "code"),
    [
        (18, 36, "regressed", 1),  # 0.45 -> 0.9: past the far edge
        (22, 4, "regressed", 1),  # 0.55 -> 0.1: past the far edge, the other way
        (30, 20, "improved", 0),  # 0.75 -> 0.5: into the middle
    ],
)
def test_a_change_away_from_the_middle_of_the_band_regresses(
    tmp_path: Path, base: int, cand: int, verdict: str, code: int
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    baseline, candidate = _run(tmp_path, "base", base), _run(tmp_path, "cand", cand)
    done = run_cli("compare", baseline, candidate, "--format", "json", cwd=tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    (metric,) = json.loads(done.stdout)["metrics"]
    assert metric["verdict"] == verdict, metric


def test_each_group_is_judged_by_its_own_move_in_the_band(tmp_path: Path) -> None:
    """Group ``a`` goes 0.45 -> 0.9 and ``b`` 0.55 -> 0.1; the overall rate stays 0.5, whose
    nearer edge made every group's better way "lower", so ``b`` read "improved"."""
    suite = SUITE.replace("prompt: p", "metadata: {g: G}, prompt: p")
    lines = suite.splitlines()
    for i in range(CASES):
        lines[2 + i] = lines[2 + i].replace("G", "a" if i % 2 == 0 else "b")
    text = "\n".join(lines).replace("rate: rx.matched}", "rate: rx.matched, by: meta.g}") + "\n"
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    evens, odds = list(range(0, CASES, 2)), list(range(1, CASES, 2))
    runs = []
    for name, yes in (("base", evens[:9] + odds[:11]), ("cand", evens[:18] + odds[:2])):
        lines = [
            json.dumps({"id": f"c{i}", "response": "yes" if i in yes else "no"})
            for i in range(CASES)
        ]
        (tmp_path / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (tmp_path / f"{name}.yaml").write_text(
            f"name: rep\ntype: replay\npath: {name}.jsonl\n", encoding="utf-8"
        )
        done = run_cli("run", "s.yaml", "--target", f"{name}.yaml", "--no-evidence", cwd=tmp_path)
        runs.append(run_id_of(done))
    done = run_cli("compare", *runs, "--groups", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    (metric,) = json.loads(done.stdout)["metrics"]
    assert {g["group"]: g["verdict"] for g in metric["groups"]} == {
        "a": "regressed",
        "b": "regressed",
    }, metric
