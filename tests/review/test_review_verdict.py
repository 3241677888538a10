"""Review in the verdict: gates wait for review, metrics read human.label, the register shows
"awaiting review", and agreement between people and with the scorer is measured."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from assurance_harness.register.status import build_status
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.agreement import agreement, cohen_kappa, kappa_interval
from assurance_harness.review.store import ReviewStore
from assurance_harness.review.verdict import reviewed_run
from tests.testing.summary_edits import reseal_summary

from .reviewkit import make_project


def test_review_changes_gate_metric_and_register(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    store = ReviewStore(paths.db)

    status = build_status(project.register, project.ledger)
    risk = status.get("R-001")
    assert risk is not None and risk.status == "awaiting review"
    assert "3 flagged row(s)" in risk.reasons[0]

    view = reviewed_run(outcome.run_dir, store)
    assert view.gates[0]["verdict"] == "awaiting_review"
    assert sorted(view.outstanding) == ["c1#0", "c2#0", "c3#0"]
    assert view.metrics["human_bad_rate"]["value"] == pytest.approx(2 / 5)

    for key in ("c1#0", "c3#0"):
        adjudicate(paths, run_id=outcome.run_id, key=key, reviewer="alice", token=None, agree=True)
    assert build_status(project.register, project.ledger).get("R-001").status == "awaiting review"
    adjudicate(
        paths,
        run_id=outcome.run_id,
        key="c2#0",
        reviewer="alice",
        token=None,
        agree=False,
        label=False,
    )
    view = reviewed_run(outcome.run_dir, store)
    assert view.outstanding == []
    assert view.gates[0]["verdict"] == "pass"
    # The correction counts where the metric asks for the human label, not in the scorer's.
    assert view.metrics["human_bad_rate"]["value"] == pytest.approx(1 / 5)
    assert view.metrics["bad_rate"]["value"] == pytest.approx(2 / 5)
    assert build_status(project.register, project.ledger).get("R-001").status == "verified"


def test_kappa_matches_sklearn_and_has_an_interval() -> None:
    a = [True, True, False, False, True, False, True, True, False, False]
    b = [True, False, False, False, True, False, True, True, True, False]
    pairs = list(zip(a, b, strict=True))
    assert cohen_kappa(pairs) == pytest.approx(cohen_kappa_score(a, b))
    low, high = kappa_interval(pairs, seed=1)
    assert low is not None and high is not None
    assert low < cohen_kappa(pairs) < high
    assert cohen_kappa([(True, True), (True, True)]) is None


def test_agreement_from_two_reviewers_and_scorer_precision_recall(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    # scorer labels: c1 False, c2 True, c3 True
    given = {
        ("alice", "c1#0"): True,
        ("alice", "c2#0"): False,
        ("alice", "c3#0"): True,
        ("bob", "c1#0"): True,
        ("bob", "c2#0"): True,
        ("bob", "c3#0"): True,
    }
    for (who, key), label in given.items():
        adjudicate(
            paths,
            run_id=outcome.run_id,
            key=key,
            reviewer=who,
            token=None,
            agree=False,
            label=label,
        )
    result = agreement(ReviewStore(paths.db).current(outcome.run_id))
    assert result.rows_two_reviewers == 3
    assert result.kappa == pytest.approx(cohen_kappa_score([True, False, True], [True, True, True]))
    # Human consensus: c1 True (both), c2 a tie: no label (not counted), c3 True.
    # Scorer: c1 False (fn), c3 True (tp). The scorer's figures are its
    # configuration's (scorers.reviewed): recall only from a random QC share, none here.
    from assurance_harness.scorers.reviewed import reviewed_validity

    (figures,) = reviewed_validity(project.reports).values()
    assert figures.counts == {"tp": 1, "fp": 0, "fn": 1, "tn": 0}
    assert figures.precision is not None and figures.precision.value == pytest.approx(1.0)
    assert figures.recall is None


def test_the_scorers_figures_against_human_verdicts_stand_beside_its_card(tmp_path: Path) -> None:
    """Issue 13: the scorer's precision and recall against the human labels on a target's runs are
    usable beside its bundled validity card, per scorer, with Clopper-Pearson intervals."""
    from typer.testing import CliRunner

    from assurance_harness.cli import app
    from assurance_harness.scorers.reviewed import reviewed_validity
    from assurance_harness.stats.intervals import clopper_pearson

    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)
    # scorer labels: c1 False, c2 True, c3 True; people say c1 True, c2 False, c3 True
    for key, label in {"c1#0": True, "c2#0": False, "c3#0": True}.items():
        adjudicate(
            paths, run_id=outcome.run_id, key=key, reviewer="alice", token=None,
            agree=False, label=label,
        )  # fmt: skip
    figures = reviewed_validity(project.reports)
    # The review label kw.matched reads the contains scorer, as this suite configures it.
    (identity,) = figures
    assert identity.name == "contains" and identity.label == "{scorer}.matched"
    reviewed = figures[identity]
    assert reviewed.verdicts == 3
    assert reviewed.counts == {"tp": 1, "fp": 1, "fn": 1, "tn": 0}
    assert reviewed.precision is not None
    assert (reviewed.precision.low, reviewed.precision.high) == clopper_pearson(1, 2)
    assert reviewed.text() == (
        "reviewed on every target's runs: precision 0.5 [0.01258, 0.9874] (n=2), "
        "recall – (needs reviewed rows of the random QC share, review.sample) "
        "from 3 human verdicts"
    )
    result = CliRunner().invoke(app, ["review", "agreement", "--reports", str(project.reports)])
    assert result.exit_code == 0, result.output
    assert f"contains: {reviewed.text()}" in result.stdout
    assert "bundled card: no validity card" in result.stdout

    from assurance_harness.register.annex import build_annex, render_annex_html, render_annex_md

    annex = build_annex([outcome.run_id], reports=project.reports, register_path=project.register)
    md = render_annex_md(annex)
    line = next(x for x in md.splitlines() if x.startswith("- Scorer validity") and "kw" in x)
    fingerprint = annex.runs[0].run.target["fingerprint"]
    assert (
        "no validity card. Known weak spots: none recorded. "
        f"Reviewed on this target's runs (config {fingerprint}): " in line
    )
    assert "precision 0.5 \\[0.01258, 0.9874\\]" in line and "from 3 human verdicts" in line
    html = unescape(render_annex_html(annex))
    assert f"Reviewed on this target's runs (config {fingerprint}): precision 0.5" in html


def test_a_metric_kind_not_installed_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    """Before spec.recorded, the line lookup reviewed_run handed the metric parser took no
    ``key`` argument, so an unknown kind ended in a TypeError instead of this line."""
    import json

    from assurance_harness.errors import UsageError

    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    path = outcome.run_dir / "summary.json"
    summary = json.loads(path.read_text())
    metric = next(iter(summary["metrics"].values()))
    metric["kind"], metric["spec"] = "toxic_spans", {"toxic_spans": "x"}
    path.write_text(json.dumps(summary))
    reseal_summary(outcome.run_dir)  # as a run with that plugin installed would have written it
    store = ReviewStore(ReviewPaths.default(project.reports, register=project.register).db)
    with pytest.raises(UsageError, match=r"cannot be recomputed: .*toxic_spans"):
        reviewed_run(outcome.run_dir, store)
