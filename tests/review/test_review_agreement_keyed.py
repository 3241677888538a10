"""Audit: ``review agreement`` printed one "scorer precision / recall / counts" over every
reviewed row, pooling scorers configured differently (``terms: [hate]`` beside
``terms: [hate, question]``) and counting an answer reviewed in two runs twice: one figure for
"the scorer" that no classifier has. Every precision, recall and count it shows (text and
``--json``, with and without ``--run``, and the web app's queue page) is now one scorer
configuration's keyed, de-duplicated figure from ``scorers.reviewed``; the kappa pairs the
reviewers of one answer in several runs under one configuration (``agreement.answer_items``)."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.runner.run import run_suite
from assurance_harness.scorers.reviewed import ReviewedValidity, reviewed_validity

from .reviewkit import Project
from .test_reviewed_validity import HUMAN, _reviewed

RATES = ("precision", "recall", "counts", "precision_ci", "recall_ci")


def _review(project: Project, run_id: str, who: str, labels: dict[str, bool]) -> None:
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in labels.items():
        adjudicate(
            paths, run_id=run_id, key=key, reviewer=who, token=None, agree=False, label=label,
        )  # fmt: skip


def _two_configurations(tmp_path: Path) -> tuple[Project, str, str]:
    """terms: [hate] reviewed in two runs of the same answers (tp 1, fp 1, fn 1 once), and
    terms: [hate, question] in a third (tp 2): pooled, tp 4, fp 2, fn 2."""
    project, first = _reviewed(tmp_path)  # alice: c1 True, c2 False, c3 True
    _review(project, project.run().run_id, "bob", HUMAN)  # the same answers again
    wider = project.root / "wider.yaml"
    text = project.suite.read_text(encoding="utf-8")
    wider.write_text(text.replace("terms: [hate]", "terms: [hate, question]"), encoding="utf-8")
    other = run_suite(
        wider, project.target, reports_dir=project.reports, register_path=project.register,
        use_cache=False,
    ).run_id  # fmt: skip
    _review(project, other, "carol", {"c2#0": True, "c3#0": True})
    return project, first, other


def _only_keyed(stdout: str, keyed: list[ReviewedValidity]) -> None:
    """Each configuration's line is printed (the terminal may wrap it), and no other line
    gives a precision, recall or counts."""
    flat = " ".join(stdout.split())
    for figures in keyed:
        assert f"{figures.scorer}: {' '.join(figures.text().split())}" in flat, stdout
    rates = [line for line in stdout.splitlines() if "precision" in line or "recall" in line]
    assert len(rates) == len(keyed), stdout
    assert all(line.startswith(f"{keyed[0].scorer}: reviewed on") for line in rates), stdout
    assert "counts" not in stdout, stdout


def _entry(figures: ReviewedValidity) -> dict:
    return json.loads(json.dumps(figures.to_dict()))


def test_review_agreement_shows_each_configurations_figures_never_a_pooled_one(
    tmp_path: Path,
) -> None:
    project, first, other = _two_configurations(tmp_path)
    reports = ["--reports", str(project.reports)]
    keyed = list(reviewed_validity(project.reports).values())
    by_terms = {f.identity.settings: f.counts for f in keyed if f.identity is not None}
    assert sorted(by_terms.values(), key=str) == [
        {"tp": 1, "fp": 1, "fn": 1, "tn": 0},  # terms: [hate], its repeated answers once
        {"tp": 2, "fp": 0, "fn": 0, "tn": 0},  # terms: [hate, question]
    ]
    runner = CliRunner()

    result = runner.invoke(app, ["review", "agreement", "--json", *reports])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert not set(RATES) & document.keys(), document  # no figure of "the scorer" pooled
    assert document["by_scorer"] == [_entry(f) for f in keyed]
    assert document["rows_reviewed"] == 8
    # alice and bob judged the same answers in two runs of terms: [hate]: paired (one item an
    # answer, as the scorer figures count it); carol's terms: [hate, question] rows are another
    # configuration's, never paired with theirs.
    assert document["kappa"] == 1.0 and document["rows_two_reviewers"] == 3
    assert document["statistic"] == "Cohen's kappa" and document["copies_counted_once"] == 3

    result = runner.invoke(app, ["review", "agreement", *reports])
    assert result.exit_code == 0, result.output
    _only_keyed(result.stdout, keyed)

    # One run: its own scorer configuration, as its report reads it (its target's runs).
    for run_id in (first, other):
        summary = json.loads((project.reports / run_id / "summary.json").read_text())
        target = summary["target"]["fingerprint"]
        own = reviewed_validity(project.reports, target=target).for_summary(summary, run_id)
        (mine,) = own.figures.values()
        result = runner.invoke(app, ["review", "agreement", "--run", run_id, "--json", *reports])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert not set(RATES) & document.keys(), document
        assert document["by_scorer"] == [_entry(mine)]
        result = runner.invoke(app, ["review", "agreement", "--run", run_id, *reports])
        assert result.exit_code == 0, result.output
        _only_keyed(result.stdout, [mine])


def test_the_queue_page_shows_each_configurations_figures_never_a_pooled_one(
    tmp_path: Path,
) -> None:
    from assurance_harness.ui.app import Settings

    from .serve import get_page, serving

    project, _, _ = _two_configurations(tmp_path)
    keyed = list(reviewed_validity(project.reports).values())
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        page = unescape(get_page(f"{base}/review?show=all"))
    table = page[page.index('id="agreement"') :]
    table = table[: table.index("</table>")]
    assert "scorer precision" not in table and "scorer recall" not in table, table
    for figures in keyed:
        assert figures.identity is not None
        assert figures.identity.describe() in table, table
        assert figures.text() in table, table
