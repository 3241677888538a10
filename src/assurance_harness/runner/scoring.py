"""Apply a suite's scorers to the collected responses, in order, in batches."""

from __future__ import annotations

from typing import Any

from ..errors import HarnessError
from ..model import Case, ScoreInput, SuiteContext
from ..spec.loader import ScorerConfig


class ScorerError(HarnessError):
    """A scorer broke its contract (wrong number of outputs) or failed on the data."""

    exit_code = 3


def apply_scorers(
    configs: list[ScorerConfig],
    rows: list[dict[str, Any]],
    cases: dict[str, Case],
    context: SuiteContext,
) -> dict[str, dict[str, Any]]:
    """Score every row that has a response; returns each scorer's provenance by id.

    Rows are updated in place (``row["scores"][scorer_id] = {...}``). Each scorer's model is
    loaded once (``setup``) and fed batches of ``batch_size``; a run-scope scorer gets all rows.
    """
    provenance: dict[str, dict[str, Any]] = {}
    scorable = [r for r in rows if r.get("error") is None and r.get("response") is not None]
    for config in configs:
        config.cls.check_requirements()
        scorer = config.cls(config.params, context)
        scorer.setup()
        provenance[config.id] = {**scorer.describe(), "batch_size": config.batch_size}
        size = len(scorable) if config.cls.scope == "run" else config.batch_size
        for start in range(0, len(scorable), max(size, 1)):
            chunk = scorable[start : start + max(size, 1)]
            inputs = [
                ScoreInput(
                    case=cases[r["case_id"]],
                    sample=r["sample"],
                    response=r["response"],
                    scores=r["scores"],
                )
                for r in chunk
            ]
            outputs = scorer.score(inputs)
            if len(outputs) != len(chunk):
                raise ScorerError(
                    f"scorer '{config.id}' ({config.cls.name}) returned {len(outputs)} results "
                    f"for {len(chunk)} responses"
                )
            for row, output in zip(chunk, outputs, strict=True):
                row["scores"][config.id] = output
    return provenance
