"""Issue 13: a scorer's figures against the human verdicts on a target's runs (precision and recall,
Clopper-Pearson) feed ``min_validity`` and stand beside its validity card in the run report,
always saying which figure was used (card or reviewed), with counts and interval."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import pytest

from assurance_harness.report import write_reports
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.stats.intervals import clopper_pearson

from .reviewkit import SUITE, Project, make_project

# scorer labels (kw.matched): c1 False, c2 True, c3 True; people say c1 True, c2 False, c3 True:
# tp 1, fp 1, fn 1 -> precision 1/2, recall 1/2 from 3 human verdicts.
HUMAN = {"c1#0": True, "c2#0": False, "c3#0": True}
PRECISION_LOW = clopper_pearson(1, 2)[0]


def _reviewed(tmp_path: Path, suite_text: str = SUITE) -> tuple[Project, str]:
    project = make_project(tmp_path, suite_text=suite_text)
    outcome = project.run()
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in HUMAN.items():
        adjudicate(
            paths, run_id=outcome.run_id, key=key, reviewer="alice", token=None,
            agree=False, label=label,
        )  # fmt: skip
    return project, outcome.run_id


def _with_gates(gates: str) -> str:
    head, _, tail = SUITE.partition("gates:\n")
    return head + "gates:\n" + gates + tail[tail.index("review:") :]


def test_min_validity_uses_the_reviewed_figures_and_says_which(tmp_path: Path) -> None:
    assert PRECISION_LOW is not None
    suite = _with_gates(
        "  - {metric: bad_rate, max: 1.0, id: loose, min_validity: {precision: 0.01}}\n"
        "  - {metric: bad_rate, max: 1.0, id: tight, min_validity: {precision: 0.5}}\n"
        "  - {metric: bad_rate, max: 1.0, id: card-only, validity_from: card,"
        " min_validity: {precision: 0.01}}\n"
        "  - {metric: bad_rate, max: 1.0, id: auc, min_validity: {auc: 0.5}}\n"
    )
    before = make_project(tmp_path / "before", suite_text=suite).run()
    first = {g["id"]: g for g in json.loads((before.run_dir / "summary.json").read_text())["gates"]}
    # No human verdicts yet and no card for 'contains': unmet, and the check says so.
    assert first["loose"]["verdict"] == "fail"
    assert first["loose"]["validity_checked"][0]["source"] is None

    project, _ = _reviewed(tmp_path / "after", suite)
    outcome = project.run()
    gates = {
        g["id"]: g for g in json.loads((outcome.run_dir / "summary.json").read_text())["gates"]
    }
    loose = gates["loose"]
    assert loose["verdict"] == "pass" and loose["validity_unmet"] == []
    (check,) = loose["validity_checked"]
    assert check["source"] == "reviewed"
    assert check["figure"] == "precision" and check["value"] == pytest.approx(0.5)
    assert check["low"] == pytest.approx(PRECISION_LOW) and check["n"] == 2
    assert check["counts"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
    assert check["verdicts"] == 3 and check["met"] is True
    assert "reviewed precision" in check["text"] and "3 human verdicts" in check["text"]

    tight = gates["tight"]
    assert tight["verdict"] == "fail"
    assert tight["validity_unmet"] == [
        f"kw (contains): reviewed precision lower bound {PRECISION_LOW:.3f} < 0.5 "
        "(tp 1, fp 1 from 3 human verdicts on this target's runs)"
    ]
    # validity_from: card ignores the reviewed figures, and says there is no card.
    assert gates["card-only"]["verdict"] == "fail"
    assert gates["card-only"]["validity_checked"][0]["source"] is None
    assert "no validated 'precision'" in gates["card-only"]["validity_unmet"][0]
    # Reviews give precision and recall only; AUC still needs a card.
    assert gates["auc"]["verdict"] == "fail"
    # The report says which figure each gate used.
    md = (outcome.run_dir / "report.md").read_text()
    assert "validity checked: kw (contains): reviewed precision 0.5" in md


def test_the_run_report_shows_the_reviewed_line_beside_the_card(tmp_path: Path) -> None:
    project, run_id = _reviewed(tmp_path)
    written = write_reports(project.reports / run_id, ["html", "md", "json"])
    fingerprint = json.loads((project.reports / run_id / "summary.json").read_text())["target"][
        "fingerprint"
    ]
    line = (
        f"reviewed on this target's runs (config {fingerprint}): "
        "precision 0.5 [0.01258, 0.9874] (n=2), "
        "recall – (needs reviewed rows of the random QC share, review.sample) "
        "from 3 human verdicts"
    )
    md = written["md"].read_text()
    card_line = next(x for x in md.splitlines() if x.startswith("- bad_rate") and "`kw`" in x)
    assert "no validity card" in card_line
    assert (
        f"Reviewed on this target's runs (config {fingerprint}): precision 0.5 "
        "\\[0.01258, 0.9874\\] (n=2)" in card_line
    )
    html = unescape(written["html"].read_text())
    assert line in html.replace("R", "r")
    doc = json.loads(written["json"].read_text())
    (card,) = doc["validity"][0]["scorers"]
    assert card["scorer"] == "contains" and card["reviewed"]["text"] == line
    assert card["reviewed"]["counts"] == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}


def test_a_report_without_reviews_reads_no_store_and_writes_none(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    (project.reports / "runs.db").unlink()
    write_reports(outcome.run_dir, ["md"])
    assert not (project.reports / "runs.db").exists()
    assert "reviewed on" not in (outcome.run_dir / "report.md").read_text().lower()


def test_recall_and_specificity_come_from_the_random_qc_share_only(tmp_path: Path) -> None:
    """The flagged and band rows are picked by the scorer's own scores, so a miss reaches a
    reviewer only by chance there: recall over them read 0.5 here with no random row at all.
    Recall and specificity use the random QC share alone; precision the flagged rows."""
    from assurance_harness.scorers.reviewed import reviewed_validity

    project, _ = _reviewed(tmp_path / "no-qc")
    (figures,) = reviewed_validity(project.reports).values()
    assert figures.recall is None and figures.specificity is None
    assert figures.precision is not None and figures.precision.n == 2
    assert figures.scorer_error() is None

    project, _ = _reviewed(tmp_path / "qc", SUITE + "  sample: 1.0\n")
    (figures,) = reviewed_validity(project.reports).values()
    assert figures.sample_counts == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
    assert figures.recall is not None and (figures.recall.value, figures.recall.n) == (0.5, 2)
    assert figures.specificity is not None and figures.specificity.n == 1
    assert "recall 0.5 [0.01258, 0.9874] (n=2)" in figures.text()


def test_review_agreement_says_where_recall_comes_from_and_gives_a_scorer_error(
    tmp_path: Path,
) -> None:
    from assurance_harness.scorers.reviewed import ReviewedValidity

    figures = ReviewedValidity(
        "contains", 60, {"tp": 30, "fp": 5, "fn": 5, "tn": 20},
        {"tp": 8, "fp": 1, "fn": 2, "tn": 19},
    )  # fmt: skip
    assert figures.scorer_error() == {
        "sensitivity": 0.8, "positives": 10, "specificity": 0.95, "negatives": 20,
    }  # fmt: skip
    from assurance_harness.metrics.aggregate import ScorerError

    ScorerError.model_validate(figures.scorer_error())  # a rate's scorer_error accepts it

    from typer.testing import CliRunner

    from assurance_harness.cli import app

    project, _ = _reviewed(tmp_path, SUITE + "  sample: 1.0\n")
    result = CliRunner().invoke(app, ["review", "agreement", "--reports", str(project.reports)])
    assert result.exit_code == 0, result.output
    # Recall from the random QC share, the scorer configuration's own (scorers.reviewed).
    assert "contains: reviewed on every target's runs: " in result.stdout
    assert "recall 0.5 [0.01258, 0.9874] (n=2)" in result.stdout


def test_the_review_aware_view_keeps_a_gate_that_failed_on_validity(tmp_path: Path) -> None:
    """The web app and 'review status' re-judge gates with the human labels in; a gate the
    run failed for its scorer's validity must not turn into a pass there."""
    from assurance_harness.review.store import ReviewStore
    from assurance_harness.review.verdict import reviewed_run

    suite = _with_gates("  - {metric: bad_rate, max: 1.0, id: carded, min_validity: {auc: 0.5}}\n")
    project = make_project(tmp_path, suite_text=suite)
    outcome = project.run()
    recorded = json.loads((outcome.run_dir / "summary.json").read_text())["gates"][0]
    assert recorded["verdict"] == "fail" and recorded["validity_unmet"]
    view = reviewed_run(outcome.run_dir, ReviewStore(project.reports / "runs.db"))
    assert view.gates[0]["verdict"] == "fail"
    assert view.gates[0]["validity_unmet"] == recorded["validity_unmet"]


def test_the_review_aware_view_keeps_each_group_false(tmp_path: Path) -> None:
    """A gate on the overall figure only (``each_group: false``) must be re-judged the same
    way: group a's 0.5 fails a max of 0.45, the overall 0.4 does not."""
    from assurance_harness.review.store import ReviewStore
    from assurance_harness.review.verdict import reviewed_run

    suite = _with_gates("  - {metric: bad_rate, max: 0.45, each_group: false}\n")
    project = make_project(tmp_path, suite_text=suite)
    outcome = project.run()
    recorded = json.loads((outcome.run_dir / "summary.json").read_text())["gates"][0]
    assert recorded["verdict"] == "pass"
    view = reviewed_run(outcome.run_dir, ReviewStore(project.reports / "runs.db"))
    assert view.gates[0]["verdict"] == "pass"


def test_verdicts_on_another_targets_runs_do_not_vouch_for_this_one(tmp_path: Path) -> None:
    """Human verdicts given on target A's responses say how the scorer does on A's output,
    not on B's: a ``min_validity`` gate on a run of B, B's report and an annex of B count only
    verdicts on B's runs, and the figures say whose runs they come from."""
    from assurance_harness.register.annex import build_annex, render_annex_md
    from assurance_harness.scorers.reviewed import reviewed_validity

    suite = _with_gates(
        "  - {metric: bad_rate, max: 1.0, id: loose, min_validity: {precision: 0.01}}\n"
    )
    project, reviewed_run = _reviewed(tmp_path, suite)
    other = project.root / "other-target.yaml"
    other.write_text(
        project.target.read_text(encoding="utf-8") + "timeout_s: 31\n", encoding="utf-8"
    )
    from assurance_harness.runner.run import run_suite

    outcome = run_suite(
        project.suite, other, reports_dir=project.reports, register_path=project.register,
        use_cache=False,
    )  # fmt: skip
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    reviewed_summary = json.loads((project.reports / reviewed_run / "summary.json").read_text())
    a, b = reviewed_summary["target"]["fingerprint"], summary["target"]["fingerprint"]
    assert a != b
    (gate,) = summary["gates"]
    assert gate["verdict"] == "fail"
    assert gate["validity_checked"][0]["source"] is None  # A's verdicts were not counted
    # A's own next run still counts them.
    again = project.run()
    (gate_a,) = json.loads((again.run_dir / "summary.json").read_text())["gates"]
    assert gate_a["verdict"] == "pass" and gate_a["validity_checked"][0]["source"] == "reviewed"

    assert reviewed_validity(project.reports, target=b) == {}
    (figures,) = reviewed_validity(project.reports, target=a).values()
    assert figures.target == a and figures.precision is not None
    assert figures.precision.on == f"human verdicts on runs of target config {a}"
    (everyone,) = reviewed_validity(project.reports).values()
    assert everyone.text().startswith("reviewed on every target's runs: ")

    write_reports(outcome.run_dir, ["md"])
    assert "reviewed on" not in (outcome.run_dir / "report.md").read_text().lower()
    # The register names no system target, so the annex also cites A's runs: each run's
    # validity line counts the verdicts on its own target's runs only.
    annex = build_annex(
        [outcome.run_id], reports=project.reports, register_path=project.register,
        mixed_targets=True,
    )  # fmt: skip
    shown = {
        ar.run.run_id: {
            (ar.run.target["fingerprint"], card.get("reviewed"))
            for view in ar.gates
            for card in view.validity
        }
        for ar in annex.runs
    }
    assert len(shown) == 2  # B's run, and A's latest run, cited by the register's status
    for run_id, cards in shown.items():
        ((fingerprint, text),) = cards
        if fingerprint == a:
            assert text.startswith(f"Reviewed on this target's runs (config {a}): "), run_id
        else:
            assert text is None, run_id
    assert f"Reviewed on this target's runs (config {a})" in render_annex_md(annex)
