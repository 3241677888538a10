"""A suite's review policy, and what it says of one row; the queue a finished run builds
from every row is ``queuecolumns.QueueColumns``'s.

Why rows are queued (``reasons``): ``flag`` (the scorer flagged it), ``band`` (its score lies in
the uncertainty band), ``worst:<gate>`` (one of the worst cases of a failing gate) and ``qc``
(a seeded random share for quality control). A row keeps every reason that applies.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from .. import fielddocs
from ..datatypes import Number, WholeNumber

REQUIRED_REASONS = ("flag", "band", "worst")
"""Reasons that make a review mandatory for a gate with ``require_reviewed`` (QC is a sample)."""


class UncertaintyBand(BaseModel):
    """Rows whose score falls inside ``[low, high]`` are too close to call for the scorer."""

    model_config = fielddocs.model_config(extra="forbid")

    value: str
    """Expression for the score, e.g. ``tox.toxicity``."""

    @field_validator("value")
    @classmethod
    def _expression(cls, value: str) -> str:
        return ReviewPolicy._expression(value) or value

    low: float
    """Lower edge of the band (inclusive)."""
    high: float
    """Upper edge of the band (inclusive)."""

    @model_validator(mode="after")
    def _ordered(self) -> UncertaintyBand:
        if self.low > self.high:
            raise ValueError(f"band low {self.low:g} is above high {self.high:g}; swap them")
        return self


class ReviewPolicy(BaseModel):
    """Which rows of a run go to a person, and what label the person confirms or corrects."""

    model_config = fielddocs.model_config(extra="forbid")

    label: str
    """Boolean expression: the scorer's label that a reviewer confirms or corrects, e.g.
    ``tox.toxicity > 0.5``. The human label of a row is ``human.label`` in metrics."""
    flag: str | None = None
    """Boolean expression: rows the scorer flags for review (default: the ``label``)."""
    band: UncertaintyBand | None = None
    """Scores inside this band are queued too."""
    worst_of_failing_gates: WholeNumber = Field(default=5, ge=0)
    """Queue this many worst cases of every failing gate."""
    sample: Number = Field(default=0.0, ge=0, le=1)
    """A seeded random share of all rows (quality control), e.g. 0.05."""

    @field_validator("label", "flag")
    @classmethod
    def _expression(cls, value: str | None) -> str | None:
        if value is not None:
            from ..metrics.expr import ExpressionError, compile_expression

            try:
                compile_expression(value)
            except ExpressionError as exc:
                raise ValueError(str(exc)) from None
        return value

    @property
    def flag_expr(self) -> str:
        return self.flag or self.label

    def expressions(self) -> list[str]:
        out = [self.label, self.flag_expr]
        if self.band is not None:
            out.append(self.band.value)
        return out


def row_key(row: dict[str, Any]) -> str:
    return f"{row.get('case_id')}#{row.get('sample', 0)}"


def qc_pick(seed: int, key: str, share: float) -> bool:
    """Deterministic per row: the same run and seed always sample the same rows."""
    digest = hashlib.sha256(f"review-qc:{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def requires_review(reasons: list[str]) -> bool:
    """Whether a row's reasons make a review mandatory (not only a QC sample)."""
    return any(r.split(":", 1)[0] in REQUIRED_REASONS for r in reasons)


def queue_summary(policy: ReviewPolicy, queue: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``summary.json`` keeps under ``review``."""
    counts: dict[str, int] = {}
    for item in queue:
        for name in dict.fromkeys(reason.split(":", 1)[0] for reason in item["reasons"]):
            counts[name] = counts.get(name, 0) + 1
    return {
        "policy": policy.model_dump(exclude_none=True),
        "queued": len(queue),
        "required": sum(1 for item in queue if requires_review(item["reasons"])),
        "by_reason": counts,
        "queue": queue,
    }
