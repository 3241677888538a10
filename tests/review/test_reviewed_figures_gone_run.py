"""The scorers' reviewed figures when a reviewed run's folder is deleted by hand (``rm -rf
reports/<id>``, its row left in the index). Observed: three verdicts given on a run, then its
folder deleted; ``review agreement`` said the scorer figures were "none yet", a later run's
report showed no reviewed figure, and where another run's verdicts remained, every reader of the
figures (a report, a gate's ``min_validity``, the annex) read a precision from fewer verdicts
than were given, looking complete. The figures now say how many verdicts on which runs were not
counted, and the fix. A purged run (``runs purge``) keeps its summary: its verdicts still count,
and it is not called gone."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from assurance_harness.report import write_reports
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.scorers.reviewed import reviewed_validity
from tests.testing.cli import run_cli

from .reviewkit import Project
from .test_reviewed_validity import HUMAN, _reviewed, _with_gates

NOTE = "3 human verdicts on 1 run not counted"


def _review(project: Project, run_id: str) -> None:
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in HUMAN.items():
        adjudicate(
            paths, run_id=run_id, key=key, reviewer="bob", token=None, agree=False, label=label
        )


@pytest.fixture(scope="module")
def some_gone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, str, str]:
    """Two reviewed runs of one target, the same answers given the same labels; the first's
    folder deleted. The figures stay as they were, from one run's verdicts fewer."""
    suite = _with_gates(
        "  - {metric: bad_rate, max: 1.0, id: loose, min_validity: {precision: 0.01}}\n"
    )
    project, deleted = _reviewed(tmp_path_factory.mktemp("some"), suite)
    kept = project.run()
    _review(project, kept.run_id)
    before = reviewed_validity(project.reports)
    (whole,) = before.values()
    # alice's and bob's verdicts on each of the three answers, each answer counted once
    assert (whole.verdicts, whole.repeats, before.gone.verdicts) == (6, 3, 0)
    shutil.rmtree(project.reports / deleted)
    return project, deleted, kept.run_id


@pytest.fixture(scope="module")
def all_gone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, str, str]:
    """The only reviewed run's folder deleted, a later run of the same target kept."""
    root = tmp_path_factory.mktemp("all")
    project, deleted = _reviewed(root)
    later = project.run()
    shutil.rmtree(project.reports / deleted)
    return project, deleted, later.run_id


def test_the_figures_that_remain_say_what_was_left_out(some_gone) -> None:
    project, deleted, _ = some_gone
    figures = reviewed_validity(project.reports)
    (left,) = figures.values()
    assert (left.verdicts, left.repeats) == (3, 0)  # the same figures, one run's verdicts fewer
    assert figures.gone.runs == {deleted: 3}
    assert NOTE in left.text() and deleted in left.text() and "restore" in left.text()
    assert left.to_dict()["not_counted"]["runs"] == [deleted]


def test_review_agreement_of_a_run_says_it(some_gone) -> None:
    project, deleted, kept = some_gone
    shown = run_cli("review", "agreement", "--run", kept, "--reports", project.reports)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    flat = " ".join(shown.stdout.split())  # the console folds long lines
    assert NOTE in flat and deleted in flat, shown.stdout


def test_the_run_report_and_the_annex_say_it(some_gone) -> None:
    from assurance_harness.register.annex import build_annex

    project, deleted, kept = some_gone
    written = write_reports(project.reports / kept, ["md", "json"])
    md = written["md"].read_text()
    assert NOTE in md and deleted in md, md
    left_out = json.loads(written["json"].read_text())["reviews_left_out"]
    assert any(NOTE in line and deleted in line for line in left_out), left_out

    annex = build_annex(
        [kept], reports=project.reports, register_path=project.register,
        ledger_path=project.ledger,
    )  # fmt: skip
    lines = [x for x in annex.limitations if NOTE in x]
    assert len(lines) == 1 and deleted in lines[0], annex.limitations


def test_min_validity_judges_the_verdicts_that_remain_and_says_so(some_gone) -> None:
    project, deleted, _ = some_gone
    outcome = project.run()
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    (gate,) = summary["gates"]
    assert gate["verdict"] == "pass"
    (check,) = gate["validity_checked"]
    assert check["source"] == "reviewed" and check["verdicts"] == 3
    assert NOTE in check["text"] and deleted in check["text"], check["text"]
    assert any(NOTE in w and deleted in w for w in outcome.warnings), outcome.warnings


def test_none_counted_is_not_none_yet(all_gone) -> None:
    project, deleted, _ = all_gone
    figures = reviewed_validity(project.reports)
    assert dict(figures) == {} and figures.gone.runs == {deleted: 3}

    shown = run_cli("review", "agreement", "--reports", project.reports)
    text = " ".join((shown.stdout + shown.stderr).split())  # the console folds long lines
    assert shown.returncode == 0, text
    assert "none yet" not in text and NOTE in text and deleted in text, text


def test_the_json_counts_them(all_gone) -> None:
    project, deleted, _ = all_gone
    shown = run_cli("review", "agreement", "--json", "--reports", project.reports)
    document = json.loads(shown.stdout)
    assert document["not_counted"]["verdicts"] == 3
    assert document["not_counted"]["runs"] == [deleted]


def test_a_later_run_report_names_them(all_gone) -> None:
    project, deleted, later = all_gone
    md = write_reports(project.reports / later, ["md"])["md"].read_text()
    assert NOTE in md and deleted in md, md
    # Its scorer the review label reads says why it has no figure; the one it does not, nothing.
    from assurance_harness.review.agreement import scorer_figures

    own = scorer_figures(project.reports, run_id=later)
    assert NOTE in own.why_none["kw"] and "len" not in own.why_none, own.why_none


def test_a_deleted_run_the_index_places_on_another_target_is_not_named(all_gone) -> None:
    """Scoped to a target, a gone run the index records for another target would not have
    counted anyway; one it places on this target is named."""
    project, _, later = all_gone
    assert reviewed_validity(project.reports, target="another").gone.verdicts == 0
    fingerprint = json.loads((project.reports / later / "summary.json").read_text())["target"][
        "fingerprint"
    ]
    assert reviewed_validity(project.reports, target=fingerprint).gone.verdicts == 3


def test_a_purged_run_keeps_its_verdicts_and_is_not_gone(tmp_path: Path) -> None:
    from assurance_harness.privacy.retention import purge_runs
    from assurance_harness.register.ledger import append_records
    from assurance_harness.review.store import ReviewStore

    project, purged = _reviewed(tmp_path)

    def forget(run_ids: list[str], *, dry_run: bool = False) -> None:
        ReviewStore(project.reports / "runs.db").forget_texts(run_ids, dry_run=dry_run)

    done = purge_runs(
        project.reports, project.ledger, dt.timedelta(days=1),
        record=lambda bodies: append_records(project.ledger, bodies), forget=forget,
        now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
    )  # fmt: skip
    assert [run.run_id for run in done] == [purged]
    assert not (project.reports / purged / "results.jsonl").exists()

    figures = reviewed_validity(project.reports)
    (kept,) = figures.values()
    assert kept.verdicts == 3 and figures.gone.verdicts == 0
    assert "not counted" not in kept.text()
