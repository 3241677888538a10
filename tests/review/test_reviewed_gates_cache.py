"""The register's gates judged again with the reviews in are measured once per content, not on
every request: each register page (``/register``, a risk) built the status anew and measured
every suite's latest reviewed run again over all its rows (50 reviewed runs of 400 rows: about
3 s of a 15 s page). A measurement is kept under the SHA-256 of the run's results.jsonl,
summary.json and manifest.json and the ledger's labels for it, so a new verdict, or a run file
edited, is measured again, never read from what was kept."""

from __future__ import annotations

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review import verdict
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.outstanding import ReviewedGates
from tests.register.test_purged_reviewed_status import HUMAN_GATE

from .reviewkit import Project, make_project


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, str]:
    """HUMAN_GATE's run, c1 and c2 labelled bad, c3 not bad: 0.4 with the reviews, a pass."""
    project = make_project(tmp_path_factory.mktemp("cache"), suite_text=HUMAN_GATE)
    run_id = project.run(reports=False).run_id
    paths = ReviewPaths.default(project.reports, register=project.register)
    for key, label in (("c1#0", True), ("c2#0", True), ("c3#0", False)):
        adjudicate(paths, run_id=run_id, key=key, reviewer="alice", token=None, agree=False,
                   label=label)  # fmt: skip
    return project, run_id


def _judged(project: Project, run_id: str) -> object:
    """The run's gates judged again as a fresh register status judges them (a new request)."""
    records = read_ledger(project.ledger, strict=False, reviews=True)
    return ReviewedGates(records, project.ledger).judged(run_id)


@pytest.fixture
def measures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The runs measured again (``measured_with_reviews`` called), in order."""
    calls: list[str] = []
    real = verdict.measured_with_reviews

    def counted(run, labels, *, outstanding):  # type: ignore[no-untyped-def]
        calls.append(run.run_id)
        return real(run, labels, outstanding=outstanding)

    monkeypatch.setattr(verdict, "measured_with_reviews", counted)
    return calls


def test_the_same_run_and_labels_are_measured_once(reviewed, measures: list[str]) -> None:
    project, run_id = reviewed
    first = _judged(project, run_id)
    assert _judged(project, run_id) == first
    assert measures.count(run_id) <= 1, measures  # was: measured on every request


def test_a_new_verdict_is_measured_again(reviewed, measures) -> None:
    project, run_id = reviewed
    (gate,) = _judged(project, run_id)  # type: ignore[misc]
    assert (gate.verdict, gate.value) == ("pass", 0.4)
    paths = ReviewPaths.default(project.reports, register=project.register)
    adjudicate(paths, run_id=run_id, key="c3#0", reviewer="alice", token=None, agree=False,
               label=True)  # fmt: skip
    try:
        (gate,) = _judged(project, run_id)  # type: ignore[misc]
        assert (gate.verdict, gate.value) == ("fail", 0.6)
    finally:
        adjudicate(paths, run_id=run_id, key="c3#0", reviewer="alice", token=None, agree=False,
                   label=False)  # fmt: skip


def test_a_run_file_edited_is_measured_again_and_refused(reviewed, measures) -> None:
    project, run_id = reviewed
    _judged(project, run_id)
    results = project.reports / run_id / "results.jsonl"
    recorded = results.read_bytes()
    results.write_bytes(recorded + b"\n")
    try:
        judged = _judged(project, run_id)
    finally:
        results.write_bytes(recorded)
    assert isinstance(judged, str) and "results.jsonl" in judged, judged
