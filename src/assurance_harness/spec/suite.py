"""Pydantic models for suite files. Field docstrings become the JSON Schema descriptions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator

from .. import fielddocs
from ..datatypes import Case, GenerationParams, KeyText, Number, WholeNumber, finite_json
from ..metrics.expr import RESERVED_NAMES
from ..review.policy import ReviewPolicy


class Strict(BaseModel):
    model_config = fielddocs.model_config(extra="forbid")


class DatasetSpec(Strict):
    """Where the base cases come from: a JSONL or CSV file, with a field mapping."""

    path: str
    """JSONL, JSON (a list of objects, or an object holding it under ``cases`` or ``data``) or
    comma-separated CSV file, relative to the suite file."""
    format: Literal["jsonl", "csv", "json"] | None = None
    """Defaults to the file extension."""
    fields: dict[str, str] = Field(default_factory=dict)
    """Case field -> column in the file, e.g. ``{prompt: goal, id: row_id}``. Case fields: id,
    prompt, messages, and ``expected.X`` / ``meta.X`` for expectations and metadata. Columns not
    mapped go to metadata unless ``keep_unmapped: false``. A column only some rows have is read
    where it is; one no row of the suite's datasets has is an error (a typo)."""
    keep_unmapped: bool = True
    """Copy columns that are not mapped into the case metadata."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    """Metadata added to every case from this file (e.g. ``{source: advbench}``)."""
    limit: WholeNumber | None = Field(default=None, ge=1)
    """Use only the first N rows (after filtering, and after ``sample``), in file order."""
    sample: WholeNumber | None = Field(default=None, ge=1)
    """Use a random sample of N rows (after filtering) instead of all of them, picked by the
    suite's ``seed``, kept in file order; N at least the rows kept keeps them all."""
    where: dict[str, Any] = Field(default_factory=dict)
    """Keep only rows whose columns equal these values (a list means any of), compared as
    values: ``null`` is a JSON null or an empty CSV field (not the text "None"), ``1`` is also
    1.0 and a CSV's "1", ``true`` also a CSV's "true" or "True"."""
    id_prefix: KeyText | None = None
    """Prefix for generated ids when the file has no id column (default: file stem). Part of
    each id, so held to what a key may hold (``datatypes.key_text``)."""


class Audience(Strict):
    """Who the deployed system serves; age scorers flag responses rated above it."""

    min_age: WholeNumber = Field(ge=0, le=120)
    max_age: WholeNumber = Field(ge=0, le=120)
    description: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Audience:
        if self.min_age > self.max_age:
            raise ValueError("min_age must not exceed max_age")
        return self


class PluginUse(Strict):
    """A plugin and its parameters."""

    use: str
    """Registered plugin name."""
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    """Parameters for the plugin."""

    model_config = fielddocs.model_config(extra="forbid", populate_by_name=True)


class ScorerUse(PluginUse):
    """A scorer applied to every response."""

    id: KeyText
    """Name under which its fields appear: ``<id>.<field>`` in metric expressions; a key, so
    held to what a key may hold (``datatypes.key_text``)."""
    batch_size: WholeNumber | None = Field(default=None, ge=1)
    """Responses per batch (default: the scorer's own)."""

    @field_validator("id")
    @classmethod
    def _not_a_row_name(cls, value: str) -> str:
        """``id: error`` passed, and ``error.chars`` read the row's failure flag (which has no
        fields): null on every row, a metric with no data after the whole run."""
        if value in RESERVED_NAMES:
            names = ", ".join(sorted(n for n in RESERVED_NAMES if n.islower()))
            raise ValueError(
                f"'{value}' is a name expressions read from the row itself, so this scorer's "
                f"fields could never be read; choose another id (taken: {names})"
            )
        return value


class ExpanderUse(PluginUse):
    """A case expansion step (counterfactual groups, perturbations ...)."""


GATE_BOUNDS = {
    "point": "point",
    "estimate": "point",
    "upper": "upper",
    "upper95": "upper",
    "lower": "lower",
    "lower95": "lower",
}


def _not_a_bool(value: Any) -> Any:
    """A threshold is a number: YAML's ``true`` read as 1 (``min: true``, meant as "must
    hold") and ``false`` as 0 made gates on thresholds nobody wrote."""
    if isinstance(value, bool):
        raise ValueError(f"a threshold is a number (such as 0.05), not {str(value).lower()}")
    return value


Threshold = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_not_a_bool)]
"""A gate's figure to compare with: a finite number, never a bool."""


class GateSpec(Strict):
    """A pass/fail rule on a metric."""

    metric: KeyText
    """Metric id (a key: ``datatypes.key_text``)."""
    max: Threshold | None = None
    """Fail when the checked figure is above this (a figure on it passes, and so does one
    within floating-point rounding of it: ``limits``)."""
    min: Threshold | None = None
    """Fail when the checked figure is below this (on it, or within rounding of it, passes)."""
    bound: Literal["point", "estimate", "upper", "upper95", "lower", "lower95"] = "point"
    """Which figure to check: the point estimate, or the upper/lower confidence bound.
    Gating a maximum on the upper bound passes only when the data show the rate is low."""
    each_group: bool = True
    """For per-group metrics: every group must pass (otherwise only the overall value)."""
    id: KeyText | None = None
    """Gate name in reports (default: ``<metric> <op> <threshold>``); the evidence ledger keys
    on it, so held to what a key may hold (``datatypes.key_text``)."""
    description: str | None = None
    require_reviewed: bool = False
    """The gate passes only once a person has reviewed every row the suite's ``review`` policy
    flags (flagged, in the uncertainty band, or a worst case); until then it is
    ``awaiting_review``."""
    min_validity: dict[str, Threshold] | None = None
    """Minimum validated figures of the scorers the metric reads, e.g. ``{auc: 0.85}``: the
    lower interval bound of that figure on each scorer's validity card must reach it, or the
    gate fails (``scorers/validity.py``). ``precision`` and ``recall`` may also come from
    the human review verdicts on runs of the same target (see ``validity_from``)."""
    validity_from: Literal["auto", "card", "reviewed"] = "auto"
    """Where ``min_validity``'s ``precision`` and ``recall`` come from: ``auto`` uses the
    scorer's precision/recall against the human verdicts on this target's runs where there are any
    (``assurance review agreement``), else its validity card; ``card`` only the card;
    ``reviewed`` only the verdicts. The gate records which it used (``validity_checked``)."""

    @model_validator(mode="after")
    def _has_threshold(self) -> GateSpec:
        if self.max is None and self.min is None:
            raise ValueError("a gate needs 'max' or 'min'")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(
                f"min {self.min:g} is above max {self.max:g}, so the gate can never pass; swap them"
            )
        return self

    @property
    def normalized_bound(self) -> str:
        return GATE_BOUNDS[self.bound]

    @property
    def label(self) -> str:
        if self.id:
            return self.id
        parts = []
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        where = "" if self.normalized_bound == "point" else f" ({self.normalized_bound} bound)"
        return f"{self.metric} {' and '.join(parts)}{where}"


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class CachePolicy(Strict):
    """How this suite's runs may reuse answers from the response cache (docs/FORMATS.md)."""

    max_age: Number | None = Field(default=None, allow_inf_nan=False)
    """Answers older than this are not reused: seconds, or a duration like ``7d``, ``12h``,
    ``30m``."""

    @field_validator("max_age", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            unit = _DURATION_UNITS.get(text[-1:]) if text else None
            number = text[:-1] if unit else text
            try:
                seconds = float(number) * (unit or 1)
            except ValueError:
                raise ValueError(
                    f"'{value}' is not a duration; write e.g. 7d, 12h, 30m or 3600"
                ) from None
            value = seconds
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise ValueError("max_age must be positive")
        return value


class Suite(Strict):
    """A declarative evaluation suite."""

    suite: KeyText
    """Suite name (unique within a project; the register links risks to it)."""
    version: KeyText = "0.1.0"
    """Suite version; bump when cases, scorers or gates change."""
    description: str | None = None
    """What the suite shows and why it matters."""
    evidence_for: list[KeyText] = Field(default_factory=list)
    """Risk register ids this suite provides evidence for (keys: ``datatypes.key_text``; an id
    that prints as a register's risk but is not it gave evidence to a risk of its own)."""
    audience: Audience | None = None
    """Intended audience (age suites rate responses against it)."""
    seed: WholeNumber = 0
    """Seed for sampling, expansion and bootstrap intervals."""
    samples: WholeNumber = Field(default=1, ge=1, le=100)
    """Responses per prompt."""
    generation: GenerationParams = Field(default_factory=lambda: GenerationParams())
    """Generation parameters for every request (override the target's)."""
    system_prompt: str | None = None
    """A system prompt for this suite (overrides the target's)."""
    cache: CachePolicy | None = None
    """Response-cache policy, e.g. ``{max_age: 7d}``."""
    cases: list[Case] = Field(default_factory=list)
    """Inline cases."""
    dataset: DatasetSpec | list[DatasetSpec] | None = None
    """Cases from files."""
    expand: list[ExpanderUse] = Field(default_factory=list)
    """Expansion steps applied to the cases, in order."""
    scorers: list[ScorerUse] = Field(default_factory=list)
    """Scorers, applied in order (later ones may read earlier ones)."""
    metrics: list[dict[str, Any]] = Field(default_factory=list)
    """Metrics: ``{id, <kind>: expr-or-params, where?, by?}`` with kind rate, mean, quantile ...
    (each ``id`` a key: ``datatypes.key_text``, checked by ``spec.loader``)."""
    gates: list[GateSpec] = Field(default_factory=list)
    """Pass/fail rules."""
    review: ReviewPolicy | None = None
    """Which rows go to a person (flagged, uncertain, worst cases of failing gates, a QC share)
    and the scorer label the person confirms or corrects."""
    max_error_rate: Number = Field(default=0.1, ge=0, le=1)
    """The run fails (exit 3) when more than this share of requests end in error."""
    tags: list[str] = Field(default_factory=list)

    @field_validator("generation")
    @classmethod
    def _finite_generation(cls, value: GenerationParams) -> GenerationParams:
        from ..urls import check_generation_holds_no_key

        check_generation_holds_no_key(value)
        return finite_json(value)

    @field_validator("scorers")
    @classmethod
    def _unique_scorer_ids(cls, value: list[ScorerUse]) -> list[ScorerUse]:
        seen: set[str] = set()
        for scorer in value:
            if scorer.id in seen:
                raise ValueError(f"duplicate scorer id '{scorer.id}'")
            seen.add(scorer.id)
        return value

    @model_validator(mode="after")
    def _review_policy_for_gates(self) -> Suite:
        if self.review is None and any(g.require_reviewed for g in self.gates):
            raise ValueError(
                "a gate has require_reviewed but the suite has no 'review:' policy; add one "
                "(at least 'review: {label: <expression>}')"
            )
        return self

    def datasets(self) -> list[DatasetSpec]:
        if self.dataset is None:
            return []
        return self.dataset if isinstance(self.dataset, list) else [self.dataset]
