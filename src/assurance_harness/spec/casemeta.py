"""Expressions that read only a case's metadata (``meta.score``, ``meta.lang == 'en'``), read
on the case before any run: a row's ``meta`` is its case's metadata (``runner.run._row``), so
such an expression gives each row of a case what it gives the case, and ``validate`` can count
what a run's rows will hold from the cases alone, and refuse a ``where:`` that keeps none."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigIssue
from ..metrics.expr import ExpressionError, evaluate_on_metadata, names_read
from ..store.yaml_lines import LineOf
from .errors import format_path

if TYPE_CHECKING:
    from .loader import MetricSpec

METADATA_NAMES = frozenset({"meta", "metadata"})
"""The names a row gives its case's metadata by."""


def reads_only_metadata(text: Any) -> bool:
    """Whether ``text`` is an expression that reads a case's metadata and nothing else (no
    scorer's field, no response, no ``error``): its value on every row is known from the case.
    False for one that does not parse (the syntax check reports it) or reads nothing."""
    if not isinstance(text, str):
        return False
    try:
        names = names_read(text)
    except ExpressionError:
        return False
    return bool(names) and names <= METADATA_NAMES


def on_case(text: str, metadata: dict[str, Any]) -> Any:
    """A metadata-only expression's value on each row of the case with this metadata, read by
    the run's own evaluator (NaN null, as there)."""
    return evaluate_on_metadata(text, metadata)


class CaseFilters:
    """Each ``where:`` of a suite's metrics that reads only metadata, read on each case as the
    loader gathers them: which keep the case (a comparison counts only those, ``spec.strata``)
    and which have kept any so far. One truth per filter, so memory does not grow with the
    cases. A filter no comparison counts by (``per_case``) is read only until it keeps one."""

    def __init__(self, metrics: Iterable[MetricSpec], *, per_case: Collection[str] = ()) -> None:
        self.kept_any: dict[str, bool] = {
            m.where: False for m in metrics if m.where is not None and reads_only_metadata(m.where)
        }
        """Filter -> whether it has kept a case."""
        self.per_case = [where for where in self.kept_any if where in per_case]
        self.unseen = [where for where in self.kept_any if where not in per_case]
        """The filters read only to learn that they keep a case, that have not yet."""

    def add(self, metadata: dict[str, Any]) -> dict[str, bool]:
        """Which filters in ``per_case`` keep the case with this metadata: as a run keeps each
        of its rows (``metrics.engine``: the filter's value taken as true or false, null as
        false)."""
        kept = {where: bool(on_case(where, metadata)) for where in self.per_case}
        for where, keeps in kept.items():
            if keeps:
                self.kept_any[where] = True
        if self.unseen:
            for where in [w for w in self.unseen if on_case(w, metadata)]:
                self.kept_any[where] = True
                self.unseen.remove(where)
        return kept

    def issue(self, metric: MetricSpec, source: str, line_of: LineOf) -> ConfigIssue | None:
        """The issue for a metric whose ``where`` keeps no case: no row of any run is counted,
        so it has no figure (``metrics.engine.why_no_data`` said so only after the run)."""
        where = metric.where
        if where is None or self.kept_any.get(where, True):
            return None
        loc = ("metrics", metric.index, "where")
        return ConfigIssue(
            source,
            line_of(loc),
            format_path(loc),
            f"'{where.strip()}' keeps no case (false or null on every case's metadata): no row "
            "would be counted, so the metric would have no figure",
            "check the keys and values it compares against the cases' metadata",
        )
