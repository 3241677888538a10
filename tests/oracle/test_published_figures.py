"""The figures a run publishes agree with an independent recomputation from its rows.

Seeded random suites (tests/oracle/generate.py) run through the real runner; tests/oracle/
recompute.py recomputes each figure by its documented definition, without the harness's code,
and every place a figure is published must agree with it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assurance_harness import run_suite

from ..testing.cli import run_cli
from .bbq import make_bbq_plan
from .check import (
    check_annex,
    check_compare,
    check_markdown,
    check_status,
    check_summary,
    read_rows,
)
from .counterfactual import make_counterfactual_plan
from .generate import Plan, make_plan
from .pairs import make_pairs_plan


def run_and_check(plan: Plan, tmp_path: Path) -> tuple[Path, dict[str, Any], list[str]]:
    """Run ``plan``'s suite through the real runner; its run folder, summary and what the oracle
    finds wrong in the summary and report.md."""
    suite, target = plan.write(tmp_path)
    outcome = run_suite(suite, target, reports_dir=tmp_path / "reports", use_cache=False)
    run_dir = Path(outcome.run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    found = check_summary(plan, read_rows(run_dir), summary)
    found += check_markdown(summary, (run_dir / "report.md").read_text(encoding="utf-8"))
    return run_dir, summary, found


SEEDS = [(seed, 1 if seed % 4 else 2, None) for seed in range(8)]
# Several samples a case over 30 cases and more: the bootstrap over cases of a mean of values
# outside [0, 1], beside the clustered proportions.
SEEDS += [(30, 2, 40), (31, 3, 31)]


@pytest.mark.parametrize(("seed", "samples", "cases"), SEEDS)
def test_summary_and_reports_agree_with_the_oracle(
    tmp_path: Path, seed: int, samples: int, cases: int | None
) -> None:
    plan = make_plan(seed, samples=samples, cases=cases)
    run_dir, summary, found = run_and_check(plan, tmp_path)
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    if report["summary"] != summary:
        found.append("report.json's summary is not summary.json")
    assert found == []


@pytest.mark.parametrize("seed", [20, 21])
def test_a_group_without_data_leaves_figures_without_rows(tmp_path: Path, seed: int) -> None:
    """Every request about group 'c' fails: the disparity has no figure, and (as every kind
    without a figure) counts no rows; the by-group figures of 'c' are empty too."""
    plan = make_plan(seed, samples=1 + seed % 2, silent="c")
    _, summary, found = run_and_check(plan, tmp_path)
    assert summary["metrics"]["yes_gap"]["value"] is None
    assert found == []


REGISTER = Path(__file__).resolve().parents[2] / "register" / "risk_register.yaml"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``assurance ARGS`` as its own process, forked from the tests' warm interpreter
    (:func:`tests.testing.cli.run_cli`): seven commands here, each a fresh interpreter's
    imports before."""
    return run_cli(*args, cwd=cwd, timeout=120)


def test_every_view_publishes_the_figures_of_the_summary(tmp_path: Path) -> None:
    """Two runs of one suite through the real CLI, then every view of them: the oracle agrees
    with summary.json, and compare, register status, the annex and ``report -f json`` publish
    the summary's figures and verdicts."""
    plan = make_plan(8, name="toxicity-core")  # a suite the example register's R-001 names
    suite, target = plan.write(tmp_path)
    register = tmp_path / "register.yaml"
    register.write_text(
        REGISTER.read_text().replace("target: targets/demo.yaml", f"target: {target}")
    )
    runs = []
    for _ in range(2):
        before = run_folders(tmp_path)
        done = cli(
            "run", str(suite), "--target", str(target), "--reports", "reports",
            "--register", str(register), "--no-cache", cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
        (made,) = run_folders(tmp_path) - before
        runs.append(json.loads((made / "summary.json").read_text(encoding="utf-8")))
    base, cand = runs
    found = check_summary(plan, read_rows(tmp_path / "reports" / cand["run_id"]), cand)
    done = cli("compare", base["run_id"], cand["run_id"], "-f", "json", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    found += check_compare(base, cand, json.loads(done.stdout))
    done = cli("register", "status", "--register", str(register), "-f", "json", cwd=tmp_path)
    found += check_status(cand, json.loads(done.stdout), "R-001")
    done = cli(
        "evidence", "pack", cand["run_id"], "--register", str(register), "-o", "pack",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found += check_annex(cand, (tmp_path / "pack" / "annex.md").read_text(encoding="utf-8"))
    done = cli("report", cand["run_id"], "-f", "json", "-o", "again", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = json.loads((tmp_path / "again" / "report.json").read_text(encoding="utf-8"))
    if again["summary"] != cand:
        found.append("report -f json: its summary is not summary.json")
    assert found == []


def run_folders(folder: Path) -> set[Path]:
    """The finished runs' folders in ``folder``'s reports: the one a command made is the one
    more after it. Not the run ids' order: two runs begun in one second (warm commands take
    less) sort by their random suffixes, and 'cand' was then the run made first, whose
    evidence the register does not show as the latest."""
    reports = folder / "reports"
    return (
        {p for p in reports.iterdir() if (p / "summary.json").exists()}
        if reports.exists()
        else set()
    )


@pytest.mark.parametrize(("seed", "sources"), [(40, 6), (41, 25)])
def test_pair_kinds_agree_with_the_oracle(tmp_path: Path, seed: int, sources: int) -> None:
    """flip-rate, attack-success and paired over originals and their variants."""
    plan = make_pairs_plan(seed, sources=sources)
    assert run_and_check(plan, tmp_path)[2] == []


@pytest.mark.parametrize(("seed", "items", "samples"), [(50, 64, 1), (53, 40, 3), (55, 12, 2)])
def test_bbq_agrees_with_the_oracle(tmp_path: Path, seed: int, items: int, samples: int) -> None:
    """BBQ accuracy and bias scores, overall and by category, from the raw BBQ columns."""
    plan = make_bbq_plan(seed, items=items, samples=samples)
    assert run_and_check(plan, tmp_path)[2] == []


@pytest.mark.parametrize(("seed", "items", "samples"), [(56, 12, 1), (57, 12, 2)])
def test_bbq_items_without_target_agree_with_the_oracle(
    tmp_path: Path, seed: int, items: int, samples: int
) -> None:
    """Some items name no stereotyped group in any option: BBQ's accuracy (the statistic, and
    the one s_AMB scales by) leaves them out, and no answer to them is biased or unbiased."""
    plan = make_bbq_plan(seed, items=items, samples=samples, without_target=3)
    summary = run_and_check(plan, tmp_path)[1:]
    assert summary[0]["metrics"]["accuracy_ambig"]["details"]["items_without_target"] == 2
    assert summary[1] == []


@pytest.mark.parametrize(
    ("seed", "templates", "samples", "silent"),
    [(60, 9, 1, None), (61, 4, 2, None), (62, 14, 1, None), (63, 6, 1, "age")],
)
def test_counterfactual_deltas_agree_with_the_oracle(
    tmp_path: Path, seed: int, templates: int, samples: int, silent: str | None
) -> None:
    """``paired`` against the pair's mean (``reference: null``), with ``min_pairs``, and within
    the strata of two axes, a reference group in each; ``silent``: every request about one
    axis fails, so the worst stratum is unknown."""
    plan = make_counterfactual_plan(seed, templates=templates, samples=samples, silent=silent)
    assert run_and_check(plan, tmp_path)[2] == []
