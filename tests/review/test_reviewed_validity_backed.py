"""A scorer's reviewed figures (precision, recall against the human verdicts) rest only on
verdicts the evidence ledger holds. A verdict inserted in ``runs.db`` by hand was already left
out of ``review status`` and the agreement's kappa, but ``reviewed_validity`` still counted it:
a forged "agree" raised the precision a gate's ``min_validity`` reads (the gate passed), and the
run report, ``review agreement``'s per-scorer figures and the annex showed it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.report import write_reports
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate

from .reviewkit import SUITE, Project, make_project

# scorer labels (kw.matched): c1 False, c2 True, c3 True; alice says c1 True, c2 False, c3 True:
# tp 1, fp 1, fn 1 -> precision 1/2, Clopper-Pearson lower bound 0.0126 (< 0.1).
HONEST = {"c1#0": True, "c2#0": False, "c3#0": True}
HONEST_COUNTS = {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
TIGHT = "  - {metric: bad_rate, max: 1.0, id: tight, min_validity: {precision: 0.1}}\n"


def _suite() -> str:
    head, _, tail = SUITE.partition("gates:\n")
    return head + "gates:\n" + TIGHT + tail[tail.index("review:") :]


def _reviewed(tmp_path: Path) -> tuple[Project, str]:
    project = make_project(tmp_path, suite_text=_suite())
    run_id = project.run().run_id
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in HONEST.items():
        adjudicate(
            paths, run_id=run_id, key=key, reviewer="alice", token=None, agree=False, label=label
        )
    return project, run_id


def _forge(project: Project, run_id: str) -> None:
    """carol 'agrees' with the scorer on c2, later than alice: the tie goes to her, c2 becomes
    a true positive and precision 2/2 (lower bound 0.158 >= 0.1): the gate would pass."""
    with sqlite3.connect(project.reports / "runs.db") as conn:
        conn.execute(
            "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, "
            "scorer_label, note, created_at, ledger_ids) VALUES "
            f"('{run_id}', 'c2#0', 'carol', 'agree', 1, 1, '', '2026-12-05T00:00:00+00:00', '[]')"
        )


def test_min_validity_does_not_count_a_verdict_the_ledger_does_not_hold(tmp_path: Path) -> None:
    project, run_id = _reviewed(tmp_path)
    _forge(project, run_id)

    result = CliRunner().invoke(
        app,
        [
            "run", str(project.suite), "--target", str(project.target),
            "--reports", str(project.reports), "--register", str(project.register), "--no-cache",
        ],
    )  # fmt: skip

    summary_path = next(
        p for p in sorted(project.reports.glob("*/summary.json")) if p.parent.name != run_id
    )
    (gate,) = [g for g in json.loads(summary_path.read_text())["gates"] if g["id"] == "tight"]
    assert gate["verdict"] == "fail", gate
    (check,) = gate["validity_checked"]
    assert check["counts"] == HONEST_COUNTS, check
    assert "carol" in result.output and "not in the evidence ledger" in result.output


def test_the_run_report_and_review_agreement_leave_it_out_and_name_it(tmp_path: Path) -> None:
    project, run_id = _reviewed(tmp_path)
    _forge(project, run_id)

    written = write_reports(project.reports / run_id, ["json", "md"])
    (card,) = json.loads(written["json"].read_text())["validity"][0]["scorers"]
    assert card["reviewed"]["counts"] == HONEST_COUNTS, card
    assert "carol" in written["md"].read_text()

    agreement = CliRunner().invoke(
        app, ["review", "agreement", "--json", "--reports", str(project.reports)]
    )
    assert agreement.exit_code == 0, agreement.output
    (entry,) = json.loads(agreement.stdout)["by_scorer"]
    assert entry["scorer"] == "contains" and entry["counts"] == HONEST_COUNTS


def test_the_annex_leaves_it_out_and_says_so(tmp_path: Path) -> None:
    project, run_id = _reviewed(tmp_path)
    _forge(project, run_id)
    out = tmp_path / "pack"

    result = CliRunner().invoke(
        app,
        [
            "evidence", "pack", run_id, "--out", str(out), "--reports", str(project.reports),
            "--register", str(project.register),
        ],
    )  # fmt: skip

    md = (out / "annex.md").read_text()
    assert "precision 0.5" in md and "precision 1 " not in md, md
    assert "carol" in md and "not in the evidence ledger" in md, md
    assert result.exit_code in (0, 1), result.output
