"""Apply a suite's scorers to the collected responses, in order, in batches."""

from __future__ import annotations

from typing import Any

from ..datatypes import Case, SuiteContext
from ..spec.loader import ScorerConfig
from .executors.base import LocalScoring, ScorerError, ScoringProgress

__all__ = ["ScorerError", "ScoringProgress", "apply_scorers"]


def apply_scorers(
    configs: list[ScorerConfig],
    rows: list[dict[str, Any]],
    cases: dict[str, Case],
    context: SuiteContext,
    *,
    progress: ScoringProgress | None = None,
) -> dict[str, dict[str, Any]]:
    """Score every row that has a response, in this process; returns each scorer's provenance
    by id.

    Rows are updated in place (``row["scores"][scorer_id] = {...}``). Each scorer's model is
    loaded once (``setup``) and fed batches of ``batch_size``; a run-scope scorer gets all rows.
    """
    session = LocalScoring(configs, context, progress=progress)
    try:
        session.score(rows, cases)
    finally:
        session.close()
    return session.provenance
