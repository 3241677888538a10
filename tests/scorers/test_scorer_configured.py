"""One rule for "the same scorer, set alike" (``scorers.configured``): human verdicts vouch for
the configuration ``compare`` would test alike, and for no other."""

from __future__ import annotations

from typing import Any

from assurance_harness.compare.scorersettings import scorer_changes, scorer_settings
from assurance_harness.scorers.reviewed import scorer_identity

REFUSAL: dict[str, Any] = {
    "name": "refusal",
    "version": "3",
    "params": {"exemplars": None, "threshold": 0.5},
    "exemplars_sha256": "a" * 64,
    "batch_size": 32,
}


def _alike(a: dict[str, Any], b: dict[str, Any]) -> tuple[bool, bool]:
    """(compare finds no change, the verdicts' identities are one)."""
    compared = scorer_changes(
        {"r"}, scorer_settings({"scorers": {"r": a}}), scorer_settings({"scorers": {"r": b}})
    )
    same = scorer_identity("r", a, "r.is_refusal", "run-a") == scorer_identity(
        "r", b, "r.is_refusal", "run-b"
    )
    return not compared, same


def test_what_a_scorer_adds_of_its_own_tells_configurations_apart_for_both() -> None:
    other_exemplars = {**REFUSAL, "exemplars_sha256": "b" * 64}
    other_judge = {**REFUSAL, "judge": {"model": "m2", "cache_hits": 3}}
    with_judge = {**REFUSAL, "judge": {"model": "m1", "cache_hits": 0}}
    assert _alike(REFUSAL, other_exemplars) == (False, False)
    assert _alike(with_judge, other_judge) == (False, False)


def test_what_counts_the_runs_own_work_does_not() -> None:
    busier = {**REFUSAL, "batch_size": 8, "cache_file": "/tmp/x.sqlite"}
    judged = {**REFUSAL, "judge": {"model": "m1", "cache_hits": 0}}
    judged_again = {**REFUSAL, "judge": {"model": "m1", "cache_hits": 40}}
    assert _alike(REFUSAL, busier) == (True, True)
    assert _alike(judged, judged_again) == (True, True)
