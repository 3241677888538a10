"""The metric contract: aggregate scored rows into a value with a confidence interval.

Every value carries its sample size ``n`` and, for rates and means, an interval; per-group
breakdowns carry the same per group. Metric kinds are plugins (rate, mean, quantile here;
disparity, paired deltas, BBQ bias score, attack success ... elsewhere).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel

from .. import fielddocs
from ..registry import Registry

ExpressionRole = Literal["condition", "value", "group", "scorer"]

Row = dict[str, Any]
"""One scored response: case_id, sample, seed, prompt, response, error, metadata, expected,
scores ({scorer_id: {field: value}}). Expressions see ``scorer_id.field``, ``meta.X``,
``expected.X``, ``response``, ``error``."""


@dataclass
class MetricValue:
    """A figure with its uncertainty. ``value`` is None when there is no figure, and then
    ``n`` is 0: ``n`` counts the rows the figure was computed from, so none counts none,
    whatever a kind read before it found it could make no figure (a disparity with a group
    without data, a paired metric without a complete pair). ``details`` says what was read
    and why there is no figure; "– (n=6)" beside a ``no_data`` gate read as six rows measured."""

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float = 0.95
    """The interval's level: a kind writes ``ctx.confidence``, the level the suite asks; the
    engine refuses a value at another one (``metrics.asked_level``), so this default is never
    gated under a suite asking 0.999."""
    method: str | None = None
    """How the interval was computed: wilson, bootstrap(seed=..., resamples=...), ..."""
    groups: dict[str, MetricValue] | None = None
    """Per-group values when the metric has ``by:``."""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.value is None:
            self.n = 0  # the contract above, for every kind (a plugin's too)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.groups is not None:
            data["groups"] = {k: v.to_dict() for k, v in self.groups.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricValue:
        data = dict(data)
        groups = data.pop("groups", None)
        return cls(
            **data,
            groups={k: cls.from_dict(v) for k, v in groups.items()} if groups else None,
        )


class MetricParams(BaseModel):
    """Base for a metric kind's parameters. ``expr`` takes the shorthand ``rate: "a.b > 1"``."""

    model_config = fielddocs.model_config(extra="forbid")


@dataclass
class MetricContext:
    """Run-wide settings for metric computation."""

    seed: int
    confidence: float = 0.95
    bootstrap_resamples: int = 2000


class MetricKind(ABC):
    name: ClassVar[str]
    Params: ClassVar[type[MetricParams]] = MetricParams
    shorthand_field: ClassVar[str | None] = "expr"
    """When the suite writes ``<kind>: "text"``, the text goes to this field."""
    higher_is_better: ClassVar[bool | None] = None
    value_range: ClassVar[tuple[float, float] | None] = None
    """The least and greatest value the kind can take, when every value of it is bounded
    (``(0.0, 1.0)`` for a rate): ``compare`` refuses a ``--min-effect`` no change of it can
    reach. None where the bounds depend on the data or the parameters."""
    expressions: ClassVar[dict[str, ExpressionRole]] = {}
    """Parameter -> what its expression is for (``condition``: true or false; ``value``: a
    number; ``group``: names a group; ``scorer``: a scorer id), so ``validate`` type-checks it."""
    compared_groups: ClassVar[tuple[str, ...]] = ()
    """Parameters naming the grouping the kind compares: with one group it has no figure on any
    run, so ``validate`` refuses a grouping every case shares."""

    @classmethod
    def expression_roles(cls, params: MetricParams) -> dict[str, ExpressionRole]:
        """The roles for these parameters (a disparity's ``value`` is a condition for a rate)."""
        return dict(cls.expressions)

    @classmethod
    def parse_params(cls, raw: Any) -> MetricParams:
        if isinstance(raw, str) and cls.shorthand_field:
            raw = {cls.shorthand_field: raw}
        return cls.Params.model_validate(raw or {})

    @abstractmethod
    def compute(self, rows: list[Row], params: MetricParams, ctx: MetricContext) -> MetricValue:
        """Aggregate the rows (already filtered by ``where:``) into one value, its interval
        at ``ctx.confidence`` (and ``confidence=ctx.confidence`` on it and its groups): a value
        at another level has no figure (``metrics.asked_level``)."""

    def row_values(self, rows: list[Row], params: MetricParams) -> list[tuple[Row, float]] | None:
        """Each row that counts towards the value, with its contribution, for kinds whose value
        is the mean of per-row contributions (1.0/0.0 for a rate); None for kinds with no
        per-row form (quantiles, disparities), and where the kind has no figure for these rows
        because a value is of the wrong kind (``metrics.wrongkind``). Paired comparisons and
        per-perturbation plots use this, so they count exactly the rows the metric counted and
        never a value it refused. They hand the rows over
        in chunks (``rowvalues.streamed_row_values``: a run is never held whole), so a row's
        contribution must depend on that row alone."""
        return None

    def worst_cases(
        self, rows: list[Row], params: MetricParams, *, lower_is_better: bool
    ) -> list[str] | None:
        """Keys (``case_id#sample``) of the rows that pushed the value toward failing, worst
        first; None when the kind cannot say (the engine then uses the ``expr`` or ``value``
        expression). Reports and the pytest plugin point at these."""
        return None

    def group_expression(self, params: MetricParams) -> str | None:
        """The expression naming which of the kind's own ``groups`` a row counts towards (the
        perturbation operator, the stratum), so a gate that fails in one group can show that
        group's worst cases; None for kinds without groups of their own or whose groups are
        not a partition of the rows."""
        return None


metric_kinds: Registry[type[MetricKind]] = Registry("metric")


def register_metric(cls: type[MetricKind]) -> type[MetricKind]:
    metric_kinds.register(cls.name)(cls)
    return cls
