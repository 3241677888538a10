"""After ``--resume RUN --retry-errors`` the review queue stored in runs.db is the run's queue.

Observed: the retried run's summary.json had a new review queue, but ``ReviewStore.enqueue``
inserts with ``ON CONFLICT DO NOTHING``, so the rows queued before the retry stayed in
``review_queue``: a gate's worst case that was no longer its worst case was still listed by
``assurance review queue --pending`` as a row that must be reviewed (``required``), though the
run's queue (and so the register's count of outstanding reviews) no longer had it.
"""

from __future__ import annotations

import json
from pathlib import Path

from assurance_harness.review.store import ReviewStore
from assurance_harness.runner.run import run_suite

TARGET_MODULE = """\
from pathlib import Path

HERE = Path(__file__).parent
ANSWERS = {"a": "short one", "b": "a much much longer answer than any other", "c": "ok"}


def reply(messages, case_id):
    if case_id == "b" and (HERE / "BROKEN").exists():
        raise ConnectionError("connection reset by peer")
    return ANSWERS[case_id]
"""

SUITE = """\
suite: rq
max_error_rate: 0.5
cases:
  - {id: a, prompt: "pa"}
  - {id: b, prompt: "pb"}
  - {id: c, prompt: "pc"}
review: {label: "len(response) > 1000", worst_of_failing_gates: 1}
metrics:
  - {id: length, mean: "len(response)"}
gates:
  - {metric: length, max: 5}
"""
"""Before the retry the worst case of the failing gate is ``a`` (``b`` errored); after it,
``b`` (the longest answer). Nothing is flagged, so the worst case is the whole queue."""


def _project(tmp: Path) -> Path:
    module = f"rq_{tmp.name.replace('-', '_')}"
    (tmp / f"{module}.py").write_text(TARGET_MODULE)
    (tmp / "t.yaml").write_text(f"type: callable\nfunction: {module}:reply\npython_path: [{tmp}]\n")
    (tmp / "s.yaml").write_text(SUITE)
    (tmp / "BROKEN").touch()
    return tmp


def _run(tmp: Path, **options: object) -> dict:
    outcome = run_suite(
        tmp / "s.yaml",
        tmp / "t.yaml",
        reports_dir=tmp / "r",
        write_reports=False,
        attach_evidence=False,
        **options,  # type: ignore[arg-type]
    )
    return json.loads((outcome.run_dir / "summary.json").read_text())


def _queued(summary: dict) -> list[str]:
    return [item["key"] for item in summary["review"]["queue"]]


def test_the_stored_queue_is_the_retried_runs_queue(tmp_path: Path) -> None:
    tmp = _project(tmp_path)
    first = _run(tmp)
    run_id = first["run_id"]
    assert _queued(first) == ["a#0"]
    store = ReviewStore(tmp / "r" / "runs.db")
    assert [i.row_key for i in store.queue(run_id)] == ["a#0"]

    (tmp / "BROKEN").unlink()
    retried = _run(tmp, resume=run_id, retry_errors=True)
    assert retried["counts"]["errors"] == 0
    assert _queued(retried) == ["b#0"]
    stored = store.queue(run_id)
    assert [(i.row_key, i.reasons, i.required) for i in stored] == [
        ("b#0", retried["review"]["queue"][0]["reasons"], True)
    ]
    assert stored[0].response == "a much much longer answer than any other"


def test_a_row_no_longer_queued_keeps_its_verdict(tmp_path: Path) -> None:
    """A verdict is a record of what a person did: the row it was given on stays in runs.db
    with its text, marked as no longer queued (no reasons, not required), and the verdict
    stands. (A run whose verdicts the ledger holds is not retried at all; this is a verdict in
    runs.db whose ledger is elsewhere.)"""
    tmp = _project(tmp_path)
    run_id = _run(tmp)["run_id"]
    store = ReviewStore(tmp / "r" / "runs.db")
    store.add_verdict(
        run_id=run_id,
        key="a#0",
        reviewer="ann",
        decision="agree",
        label=False,
        scorer_label=False,
        note="",
        created_at="2026-12-03T00:00:00+00:00",
        ledger_ids=[],
    )
    (tmp / "BROKEN").unlink()
    retried = _run(tmp, resume=run_id, retry_errors=True)
    by_key = {i.row_key: i for i in store.queue(run_id)}
    assert sorted(by_key) == ["a#0", "b#0"]
    assert (by_key["a#0"].reasons, by_key["a#0"].required) == ([], False)
    assert by_key["a#0"].response == "short one"
    assert by_key["b#0"].reasons == retried["review"]["queue"][0]["reasons"]
    assert (run_id, "a#0") in store.current(run_id)
