"""A gate's ``groups_without_data`` names a group whose figure has no value (every request of
it failed) and one with a value but no interval (five cases of a mean of word counts: an
interval needs eight). Only the first leaves ``compare`` without a verdict: the second group's
values are in both runs and are compared as any group's (the oracle's plan 8 read "no verdict:
words_mean[a] have no data" though group ``a`` had a value in both runs)."""

from __future__ import annotations

from typing import Any

from assurance_harness.compare.engine import _gated_groups_without_data

GATE = {"metric": "words_mean", "groups_without_data": ["a", "b"]}


def _metrics(a: Any, b: Any) -> dict[str, Any]:
    return {"words_mean": {"value": 4.8, "groups": {"a": {"value": a}, "b": {"value": b}}}}


def test_a_group_with_a_value_but_no_interval_does_not_stop_the_comparison() -> None:
    assert _gated_groups_without_data([GATE], _metrics(4.8, 3.0)) == []


def test_a_group_without_a_value_does() -> None:
    assert _gated_groups_without_data([GATE], _metrics(4.8, None)) == ["words_mean[b]"]


def test_a_group_the_metric_does_not_have_does_too() -> None:
    metrics = {"words_mean": {"value": 4.8, "groups": {"a": {"value": 4.8}}}}
    assert _gated_groups_without_data([GATE], metrics) == ["words_mean[b]"]
