"""A reviewer's verdict stored under an older spelling of their name (before names were kept
composed: 'Alice  Smith' with two spaces, 'José' with a combining accent) and their verdict
under the name as it is kept now are one reviewer's: the later stands, one vote.

Keyed by the stored text, they were two reviewers on the row: her old label outvoted her
own correction, and the row read as reviewed by three people."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review import store as review_store
from assurance_harness.review.adjudicate import ReviewPaths, adjudicate
from assurance_harness.review.outstanding import awaiting_by_run
from assurance_harness.review.store import ReviewStore
from assurance_harness.review.verdict import reviewed_run

from .reviewkit import make_project


@pytest.mark.parametrize(
    ("old", "now"), [("Alice  Smith", "Alice Smith"), ("Jose\u0301", "Jos\u00e9")]
)
def test_a_verdict_under_an_older_spelling_is_the_same_reviewers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, now: str
) -> None:
    project = make_project(tmp_path)
    outcome = project.run(reports=False)
    paths = ReviewPaths.default(project.reports, register=project.register)

    def give(who: str, key: str, label: bool) -> None:
        adjudicate(
            paths, run_id=outcome.run_id, key=key, reviewer=who, token=None,
            agree=False, label=label,
        )  # fmt: skip

    with monkeypatch.context() as older:  # the version that kept the name as typed
        older.setattr(review_store, "reviewer_name", str.strip)
        give(old, "c2#0", True)
    give("bob", "c2#0", True)
    give(now, "c2#0", False)  # she changed her mind, under the name as it is kept now

    store = ReviewStore(paths.db)
    assert [v.reviewer for v in store.history(outcome.run_id, "c2#0")] == [old, "bob", now]
    standing = store.current(outcome.run_id)[(outcome.run_id, "c2#0")]
    assert sorted(standing) == sorted([now, "bob"])
    assert standing[now].label is False
    view = reviewed_run(outcome.run_dir, store)
    # Her True and bob's True outvoted her False: now it is one against one, disputed.
    assert view.disputed == ["c2#0"]
    # The ledger's records read the same way (register status).
    for key in ("c1#0", "c3#0"):
        give("carol", key, True)
    records = read_ledger(project.ledger, strict=False, reviews=True)
    assert awaiting_by_run(records, project.ledger) == {outcome.run_id: 1}
