"""Comparisons (``disparity``, ``paired``) that no run can give a figure, proved from the cases:
what each stratum's groups and pairs hold, gathered case by case in bounded memory, and the
one ``validate`` issue per such metric; and those whose counterfactual cases compare groups of
two axes with each other in one stratum (``MixedAxes``: without ``within``, or within a key
that is not the axis), a figure that measures no bias.

A run's rows are a subset of what the cases give (a failed request or a null score only drops
rows; samples add none to a case count or a pair), and every rule read here is monotone: more
rows never take a group or a pair away. So where every case answered still leaves a stratum
without a figure, every run does, and the metric has none (``metrics._grouping.worst_stratum``).

Checked only where the cases decide it: the stratum (``within``) and the compared groups (and a
``paired`` metric's ``pair_by``) are metadata keys, and ``where:``, if any, reads only metadata
(``meta.lang == 'en'``): it is read on each case (``spec.casemeta``) and only the cases it keeps
count. A ``where:`` that reads anything else (a scorer's field, the response) may leave any
stratum out, so its metric is not checked. A group or stratum given by any other expression (a
scorer's field, ``case_id``) is not known before the run, so it is never refused here. A value
that reads only metadata (``value: meta.score``) is read on each case too: a case where it is
null (or NaN, or not a number where the metric needs one) gives its rows no value, so it is in
its stratum but in no group, as a case whose group is null; any other value may be defined on
any row, so every case counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigIssue
from ..metrics._grouping import is_unchanged, number
from ..metrics.expr import defined
from ..store.yaml_lines import LineOf
from .casemeta import CaseFilters, on_case, reads_only_metadata
from .errors import format_path

if TYPE_CHECKING:
    from .loader import MetricSpec

STRATA_CAP = 10_000
"""Strata kept per comparison: past it, none is checked (a key with a value per case is no
stratum anyone compares within), so memory stays bounded."""

CELLS_CAP = 50_000
"""(stratum, group) counts kept per comparison: past it, none is checked (a group per case)."""

PAIRS_CAP = 100_000
"""Pair keys a ``paired`` comparison holds at once (a stratum's are dropped once it has enough
pairs): past it, none is checked."""

_KNOWN = ("disparity", "paired")
"""The kinds whose every rule this module reads from their code (``metrics.disparity``,
``metrics.paired``); for another kind that compares groups, only a stratum of one group is
known to have no figure."""

_ALL = ""
"""The one stratum of a comparison without ``within``: every case."""

METADATA_KEY = re.compile(r"\s*(meta|metadata)\.([A-Za-z_][A-Za-z0-9_]*)\s*")
"""A grouping by one metadata key, as written (``meta.axis``, ``metadata.axis``)."""


def metadata_key(text: Any) -> str | None:
    """The key a grouping by a metadata key names (``meta.axis``: ``axis``), else None."""
    match = METADATA_KEY.fullmatch(text) if isinstance(text, str) else None
    return match.group(2) if match is not None else None


def _read(metadata: dict[str, Any], key: str) -> Any:
    """A metadata key's value as an expression reads it (``meta.key``): NaN is null there, so
    a case whose stratum, group or pair key is NaN is in none on a run (``metrics.expr``)."""
    return defined(metadata.get(key))


def _stratum(metadata: dict[str, Any], within: str | None) -> str | None:
    """The stratum of a case as the metric reads it (``str`` of the value; a null one is in no
    stratum), ``_ALL`` without ``within``."""
    if within is None:
        return _ALL
    value = _read(metadata, within)
    return None if value is None else str(value)


_UNFILTERED: Mapping[str, bool] = MappingProxyType({})
"""What the filters say of a case where no comparison has one."""


@dataclass(frozen=True)
class Counted:
    """Which cases a comparison counts: those its ``where`` keeps (one that reads only
    metadata; None: every case), and of them those whose rows have a value: where the value
    reads only metadata (``value``; None: it reads a scorer's field, known on no case before
    the run), those where it is a number (``numeric``: a mean, a delta;
    ``metrics._grouping.number``) or not null (a rate's condition), as the metric reads each
    row."""

    where: str | None = None
    value: str | None = None
    numeric: bool = True
    skip_unchanged: bool = False
    """A ``paired`` metric's: variants their operator left unchanged give no row."""

    def keeps(self, kept: Mapping[str, bool]) -> bool:
        """Whether its ``where`` keeps the case (``kept``: what ``CaseFilters`` said of it)."""
        return self.where is None or kept[self.where]

    def gives(self, metadata: dict[str, Any]) -> bool:
        """Whether the rows of the case with this metadata may have a value."""
        if self.skip_unchanged and is_unchanged({"metadata": metadata}):
            return False
        if self.value is None:
            return True
        raw = on_case(self.value, metadata)
        return (number(raw) if self.numeric else raw) is not None


class StratumGroups:
    """The cases of each group in each stratum (``within`` None: one stratum), grouped as the
    metric groups rows: by ``str`` of the non-null value. A case whose group is null, or whose
    rows have no value (``Counted``), is in no group, but its stratum is there: a stratum of such
    cases only holds no group at all."""

    __slots__ = ("by", "cells", "counted", "counts", "within")

    def __init__(self, within: str | None, by: str, counted: Counted = Counted()) -> None:
        self.within = within
        self.by = by
        self.counted = counted
        self.counts: dict[str, dict[str, int]] | None = {}
        """Stratum -> group -> cases; None once past ``STRATA_CAP`` or ``CELLS_CAP``."""
        self.cells = 0

    def add(self, metadata: dict[str, Any], kept: Mapping[str, bool] = _UNFILTERED) -> None:
        counts = self.counts
        if counts is None or not self.counted.keeps(kept):
            return
        stratum = _stratum(metadata, self.within)
        if stratum is None:
            return
        groups = counts.get(stratum)
        if groups is None:
            if len(counts) >= STRATA_CAP:
                self.counts = None
                return
            groups = counts[stratum] = {}
        group = _read(metadata, self.by)
        if group is None or not self.counted.gives(metadata):
            return
        label = str(group)
        seen = groups.get(label)
        if seen is None:
            if self.cells >= CELLS_CAP:
                self.counts = None
                return
            self.cells += 1
            groups[label] = 1
        else:
            groups[label] = seen + 1

    def single(self) -> list[tuple[str, str]]:
        """The strata holding one group only, sorted, each with that group."""
        if self.counts is None:
            return []
        return sorted((s, next(iter(g))) for s, g in self.counts.items() if len(g) == 1)


class _Pairs:
    """One stratum's pair keys (each with its group, or set of groups once two) and, per
    group, the pairs that give it a delta so far."""

    __slots__ = ("deltas", "members")

    def __init__(self) -> None:
        self.members: dict[str, str | set[str]] = {}
        self.deltas: dict[str, int] = {}


class StratumPairs:
    """Per stratum, the pairs that give each group a delta, as ``PairedDeltaMetric.from_cells``
    forms them: cases with the same pair key (samples averaged, so one case counts once), a
    group's delta against the reference in its pair, or against the pair's mean where the pair
    holds two groups or more (no reference). A stratum is dropped once a group has
    ``min_pairs``: it can have a figure, and more cases only add pairs."""

    __slots__ = (
        "counted",
        "group",
        "held",
        "min_pairs",
        "pair_by",
        "reference",
        "strata",
        "within",
    )

    def __init__(
        self,
        within: str | None,
        pair_by: str,
        group: str,
        reference: str | None,
        min_pairs: int,
        counted: Counted = Counted(),
    ) -> None:
        self.within, self.pair_by, self.group = within, pair_by, group
        self.reference, self.min_pairs, self.counted = reference, min_pairs, counted
        self.strata: dict[str, _Pairs | None] | None = {}
        """Stratum -> its pairs, or None once it has enough; None past a cap (given up)."""
        self.held = 0

    def add(self, metadata: dict[str, Any], kept: Mapping[str, bool] = _UNFILTERED) -> None:
        strata = self.strata
        if strata is None or not self.counted.keeps(kept):
            return
        stratum = _stratum(metadata, self.within)
        if stratum is None:
            return
        if stratum not in strata:
            if len(strata) >= STRATA_CAP:
                self.strata = None
                return
            strata[stratum] = _Pairs()
        pairs = strata[stratum]
        key, group = _read(metadata, self.pair_by), _read(metadata, self.group)
        if pairs is None or key is None or group is None or not self.counted.gives(metadata):
            return
        name, label = str(key), str(group)
        members = pairs.members.get(name)
        if members is None:
            if self.held >= PAIRS_CAP:
                self.strata = None
                return
            self.held += 1
            pairs.members[name] = label
            return
        if isinstance(members, str):
            if members == label:
                return
            members = pairs.members[name] = {members}
        elif label in members:
            return
        if self.reference is None:  # the pair's mean: two groups give each a delta
            gained = [label, *members] if len(members) == 1 else [label]
        elif label == self.reference:
            gained = list(members)
        else:
            gained = [label] if self.reference in members else []
        members.add(label)
        for one in gained:
            count = pairs.deltas[one] = pairs.deltas.get(one, 0) + 1
            if count >= self.min_pairs:
                strata[stratum] = None
                self.held -= len(pairs.members)
                return

    def short(self) -> dict[str, tuple[str, int] | None] | None:
        """The strata no group of which has ``min_pairs`` pairs, each with its group of most
        pairs and their count (None: no pair gives any group a delta); None if given up."""
        if self.strata is None:
            return None
        return {
            stratum: min(pairs.deltas.items(), key=lambda item: (-item[1], item[0]))
            if pairs.deltas
            else None
            for stratum, pairs in self.strata.items()
            if pairs is not None
        }


@dataclass(frozen=True)
class _Compared:
    """What a metric compares, all metadata keys: its stratum key (None: no ``within``), the
    field of its groups and their key, which cases give a value, the fewest cases a group counts
    with; and for ``paired``, its pair key, reference group and fewest pairs."""

    within: str | None
    field: str
    by: str
    counted: Counted = Counted()
    min_group_size: int = 1
    pair_by: str | None = None
    reference: str | None = None
    min_pairs: int = 1

    @property
    def groups(self) -> tuple[str | None, str, Counted]:
        """The key of its ``StratumGroups``."""
        return (self.within, self.by, self.counted)

    @property
    def pairs(self) -> tuple[str | None, str, str, str | None, int, Counted] | None:
        """The key of its ``StratumPairs`` (None: not paired)."""
        if self.pair_by is None:
            return None
        return (self.within, self.pair_by, self.by, self.reference, self.min_pairs, self.counted)


def _compared(metric: MetricSpec) -> _Compared | None:
    """What a metric compares, where the cases decide whether it can have a figure: a
    ``disparity``, a ``paired`` metric, or (``within`` only) another kind that compares groups,
    over metadata keys only, without ``where:`` or under one that reads only metadata."""
    if not metric.kind_cls.compared_groups:
        return None
    if metric.where is not None and not reads_only_metadata(metric.where):
        return None
    params = metric.params
    written_within = getattr(params, "within", None)
    within = metadata_key(written_within)
    if written_within is not None and within is None:
        return None
    if metric.kind not in _KNOWN and within is None:
        return None  # another kind: only its one-group strata are known to leave it figure-less
    field = metric.kind_cls.compared_groups[0]
    by = metadata_key(getattr(params, field, None))
    if by is None:
        return None
    counted = _counted(metric)
    if metric.kind == "disparity":
        least = int(getattr(params, "min_group_size", 1))
        return _Compared(within, field, by, counted, min_group_size=least)
    if metric.kind != "paired":
        return _Compared(within, field, by)
    pair_by = metadata_key(getattr(params, "pair_by", None))
    if pair_by is None:
        return None
    reference = getattr(params, "reference", None)
    least = int(getattr(params, "min_pairs", 1))
    return _Compared(
        within, field, by, counted, pair_by=pair_by, reference=reference, min_pairs=least
    )


def _counted(metric: MetricSpec) -> Counted:
    """Which cases give a ``disparity`` or ``paired`` metric's rows a value: a rate's condition
    counts any value that is not null (``float(bool(raw))``), a mean's and a delta's a number."""
    value = getattr(metric.params, "value", None)
    skip = metric.kind == "paired" and bool(getattr(metric.params, "skip_unchanged", False))
    if not reads_only_metadata(value):
        return Counted(metric.where, skip_unchanged=skip)
    rate = getattr(metric.params, "statistic", None) == "rate"
    return Counted(metric.where, value, numeric=not rate, skip_unchanged=skip)


AXIS, TEMPLATE = "axis", "template"
"""The metadata keys the counterfactual expander writes each case's axis and template under
(``expand.counterfactual``): a case with both is one of its cases, or shaped as one."""


class MixedAxes:
    """Whether a comparison compares groups of two counterfactual axes or more (``AXIS``) in
    one stratum: without ``within`` the one stratum is every case; with a ``within`` key that
    is not the axis (``meta.template``, a language) a stratum may still hold cases of two. A
    ``disparity`` where a stratum's groups come from two axes, a ``paired`` metric where one
    pair (in a stratum) holds cases of two (its deltas are against that pair's mean or a
    reference of another axis). Such a gap is between a group of one axis and a group of
    another ('a girl' and 'a Muslim'), which measures no bias. Only cases holding ``AXIS`` and
    ``TEMPLATE`` count. Two axes seen in one stratum are enough."""

    __slots__ = ("axes", "by", "counted", "first", "pair_by", "stratum", "within")

    def __init__(self, within: str | None, by: str, pair_by: str | None, counted: Counted) -> None:
        self.within, self.by, self.pair_by, self.counted = within, by, pair_by, counted
        self.axes: list[str] = []
        """The first two axes seen compared with each other (two: mixed)."""
        self.stratum: str | None = None
        """The stratum where they were (``_ALL`` without ``within``)."""
        self.first: dict[tuple[str, str], str] = {}
        """(stratum, pair key; "" for a ``disparity``) -> the axis of its first case (up to
        ``PAIRS_CAP``)."""

    def add(self, metadata: dict[str, Any], kept: Mapping[str, bool] = _UNFILTERED) -> None:
        if len(self.axes) >= 2 or not self.counted.keeps(kept):
            return
        axis = _read(metadata, AXIS)
        if axis is None or _read(metadata, TEMPLATE) is None or _read(metadata, self.by) is None:
            return  # not a counterfactual case: 'axis' may mean something else in a dataset
        stratum = _stratum(metadata, self.within)
        key = "" if self.pair_by is None else _read(metadata, self.pair_by)
        if stratum is None or key is None:
            return
        where = (stratum, str(key))
        first = self.first.get(where)
        if first is None:
            if len(self.first) < PAIRS_CAP:
                self.first[where] = str(axis)
        elif first != str(axis):
            self.axes, self.stratum = sorted({first, str(axis)}), stratum

    def issue(
        self, metric: MetricSpec, field: str, source: str, line_of: LineOf
    ) -> ConfigIssue | None:
        """The issue where two axes were seen compared, else None."""
        if len(self.axes) < 2:
            return None
        axes = ", ".join(f"'{a}'" for a in sorted(self.axes))
        where = "one pair holds cases" if self.pair_by is not None else "the cases give groups"
        loc = ("metrics", metric.index, metric.kind, field)
        if self.within is None:
            return ConfigIssue(
                source,
                line_of(loc),
                format_path(loc),
                f"{where} of the counterfactual axes {axes}, and without within: a "
                f"{metric.kind} compares a group of one axis with a group of another, which "
                "measures no bias",
                f"add within: meta.{AXIS} (one comparison per axis), or keep one axis with where:",
            )
        return ConfigIssue(
            source,
            line_of(loc),
            format_path(loc),
            f"in stratum '{self.stratum}' of within: meta.{self.within}, {where} of the "
            f"counterfactual axes {axes}: the {metric.kind} there compares a group of one axis "
            "with a group of another, which measures no bias",
            f"use within: meta.{AXIS} (one comparison per axis), or keep one axis with where:",
        )


class Comparisons:
    """What the comparisons of a suite's metrics hold, gathered case by case (the loader's one
    pass over the cases): each one's groups per stratum and, for ``paired``, its pairs, of the
    cases its ``where:`` keeps (``filters``: each one that reads only metadata)."""

    def __init__(self, metrics: list[MetricSpec]) -> None:
        self.groups: dict[tuple[str | None, str, Counted], StratumGroups] = {}
        self.pairs: dict[tuple[str | None, str, str, str | None, int, Counted], StratumPairs] = {}
        self.axes: dict[tuple[str | None, str, str | None, Counted], MixedAxes] = {}
        per_case: set[str] = set()
        for metric in metrics:
            compared = _compared(metric)
            if compared is None:
                continue
            if metric.kind in _KNOWN and AXIS not in (compared.within, compared.by):
                key = (compared.within, compared.by, compared.pair_by, compared.counted)
                self.axes.setdefault(key, MixedAxes(*key))
            self.groups.setdefault(compared.groups, StratumGroups(*compared.groups))
            if compared.pairs is not None:
                self.pairs.setdefault(compared.pairs, StratumPairs(*compared.pairs))
            if compared.counted.where is not None:
                per_case.add(compared.counted.where)
        self.filters = CaseFilters(metrics, per_case=per_case)

    def add(self, metadata: dict[str, Any]) -> None:
        kept = self.filters.add(metadata)
        for groups in self.groups.values():
            groups.add(metadata, kept)
        for pairs in self.pairs.values():
            pairs.add(metadata, kept)
        for axes in self.axes.values():
            axes.add(metadata, kept)

    def issue(self, metric: MetricSpec, source: str, line_of: LineOf) -> ConfigIssue | None:
        """The issue for a metric no run can give a figure, else None: its ``where`` keeps no
        case (any kind), its comparison compares two counterfactual axes (``MixedAxes``), or
        it has no figure in some stratum."""
        kept_none = self.filters.issue(metric, source, line_of)
        if kept_none is not None:
            return kept_none
        compared = _compared(metric)
        if compared is not None:
            mixed = self.axes.get(
                (compared.within, compared.by, compared.pair_by, compared.counted)
            )
            found_mixed = mixed.issue(metric, "within", source, line_of) if mixed else None
            if found_mixed is not None:
                return found_mixed
        gathered = self.groups.get(compared.groups) if compared else None
        if compared is None or gathered is None or gathered.counts is None:
            return None
        found = _Finding(metric, compared, gathered.counts)
        if compared.pairs is None:
            return found.grouped(source, line_of)
        pairs = self.pairs.get(compared.pairs)
        short = pairs.short() if pairs is not None else None
        return found.paired(short, source, line_of) if short is not None else None


def one_group_everywhere(
    metric: MetricSpec,
    field: str,
    group: str,
    one: str,
    source: str,
    line_of: LineOf,
    *,
    kept: str = "",
) -> ConfigIssue:
    """The issue for a comparison whose every case gives one group (``group``: as written;
    ``kept``: which cases, after "every case", where not all count)."""
    loc = ("metrics", metric.index, metric.kind, field)
    return ConfigIssue(
        source,
        line_of(loc),
        format_path(loc),
        f"every case{kept} has the same {group} ('{one}'){' or none' if kept else ''}: a "
        f"{metric.kind} compares at least two "
        "groups, so it would have no figure",
        "group by a field whose values differ between cases",
    )


class _Finding:
    """One metric's strata as the cases give them, and the words for what leaves one without
    a figure: one issue per metric, the first of a stratum with no group, one with one group,
    and too few groups (pairs) of the size the metric counts."""

    def __init__(
        self, metric: MetricSpec, compared: _Compared, counts: dict[str, dict[str, int]]
    ) -> None:
        self.metric, self.compared, self.counts = metric, compared, counts
        self.within = str(getattr(metric.params, "within", None) or "").strip()
        self.group = str(getattr(metric.params, compared.field)).strip()

    def grouped(self, source: str, line_of: LineOf) -> ConfigIssue | None:
        """A comparison of groups, each of ``min_group_size`` cases or more."""
        common = self._common(source, line_of)
        least = self.compared.min_group_size
        if common is not None or least == 1:
            return common
        short = {
            s: groups
            for s, groups in sorted(self.counts.items())
            if sum(1 for n in groups.values() if n >= least) < 2
        }
        if not short:
            return None
        stratum, groups = next(iter(short.items()))
        big = sum(1 for n in groups.values() if n >= least)
        lower = min(sorted(g.values(), reverse=True)[1] for g in short.values())
        return self._issue(
            "min_group_size",
            f"{self._has(stratum)} {'one' if big else 'no'} {self.group} of min_group_size "
            f"{least} cases or more ({_listing(groups)}){self._counting()}"
            f"{self._more(len(short) - 1)}: a "
            f"disparity compares at least two such groups{self._each()}, so it would have no "
            "figure",
            self._fix(f"lower min_group_size to {lower}", "add cases", strata=len(short)),
            source,
            line_of,
        )

    def paired(
        self, short: dict[str, tuple[str, int] | None], source: str, line_of: LineOf
    ) -> ConfigIssue | None:
        """A paired comparison whose strata ``short`` have too few pairs (``StratumPairs``)."""
        common = self._common(source, line_of)
        if common is not None or not short:
            return common
        pair_by = str(getattr(self.metric.params, "pair_by", "")).strip()
        least, reference = self.compared.min_pairs, self.compared.reference
        unpaired = [s for s in sorted(short) if short[s] is None]
        if unpaired:
            stratum = unpaired[0]
            held = (
                f"no {pair_by} holding the reference '{reference}' beside another {self.group}"
                if reference is not None
                else f"no {pair_by} shared by two {self.group} groups"
            )
            who = "the reference and another group" if reference is not None else "two groups"
            return self._issue(
                "within" if self.compared.within is not None else "pair_by",
                f"{self._has(stratum)} {held} ({_listing(self.counts.get(stratum, {}))})"
                f"{self._counting()}{self._more(len(unpaired) - 1)}: a paired delta compares "
                "groups within a "
                "pair, so it would have no figure",
                self._fix(f"give {who} cases with a common {pair_by}", strata=len(unpaired)),
                source,
                line_of,
            )
        fewest = {s: best for s, best in sorted(short.items()) if best is not None}
        stratum, (group, pairs) = next(iter(fewest.items()))
        lower = min(n for _, n in fewest.values())
        return self._issue(
            "min_pairs",
            f"{self._has(stratum)} no {self.group} in min_pairs {least} pairs or more (the "
            f"most: '{group}' in {pairs}){self._counting()}{self._more(len(fewest) - 1)}: a "
            "paired delta leaves "
            "out groups with fewer pairs, so it would have no figure",
            self._fix(f"lower min_pairs to {lower}", "add pairs", strata=len(fewest)),
            source,
            line_of,
        )

    def _common(self, source: str, line_of: LineOf) -> ConfigIssue | None:
        """The issue for no stratum at all (every case's null), strata with no group (every
        case's group null, or set only where the stratum is not) or one group only."""
        strata = sorted(self.counts.items())
        within = self.compared.within is not None and self.metric.kind in _KNOWN
        if not strata and within:  # every case's stratum null (or NaN): in no stratum at all
            return self._issue(
                "within",
                f"no case{self._kept()} has a {self.within}"
                f"{'' if self.compared.counted.where else ' (null in every case)'}: a "
                f"{self.metric.kind} compares groups within strata, so it would have no figure",
                f"give the cases a {self.within}, or compare without within:",
                source,
                line_of,
            )
        if not any(groups for _, groups in strata) and not within:
            return self._no_group(source, line_of)
        empty = [s for s, groups in strata if not groups]
        if empty and self.metric.kind in _KNOWN:  # only with ``within``: else one stratum
            return self._issue(
                "within",
                f"every case of stratum '{empty[0]}' ({self.within}){self._kept(' that')} has a "
                f"null {self.group}"
                f"{self._or_no_value()}{self._more(len(empty) - 1)}: a {self.metric.kind} "
                "compares at least two groups in each stratum, so it would have no figure",
                self._fix(f"give those cases a {self.group}{self._and_value()}", strata=len(empty)),
                source,
                line_of,
            )
        single = [(s, next(iter(groups))) for s, groups in strata if len(groups) == 1]
        if not single:
            return None
        stratum, one = single[0]
        if self.compared.within is None:
            kept = self._kept(" that")
            if self.compared.counted.value is not None:
                kept += f"{' and' if kept else ''} that has {self._value_words()[0]}"
            return one_group_everywhere(
                self.metric, self.compared.field, self.group, one, source, line_of, kept=kept
            )
        others = len(single) - 1
        more = {0: "", 1: ", as does 1 other stratum"}.get(others, f", as do {others} other strata")
        return self._issue(
            "within",
            f"stratum '{stratum}' ({self.within}) holds one {self.group} only ('{one}')"
            f"{self._counting()}{more}: a {self.metric.kind} compares at least two groups in "
            "each stratum, so it would have no figure",
            f"give {'those strata' if others else 'that stratum'} at least two groups, or leave "
            f"{'them' if others else 'it'} out with where:",
            source,
            line_of,
        )

    def _no_group(self, source: str, line_of: LineOf) -> ConfigIssue | None:
        """No case has a group, without ``within``: a group null in every case is the type
        check's to say; one set only where the value is not, or on cases the ``where`` does not
        keep, is said here."""
        counted = self.compared.counted
        if counted.value is None and counted.where is None:
            return None
        has = f"both a {self.group} and {self._value_words()[0]}" if counted.value else self.group
        return self._issue(
            self.compared.field,
            f"no case{self._kept()} has {'' if counted.value else 'a '}{has}: a "
            f"{self.metric.kind} compares at least two groups, so it would have no figure",
            f"give cases of two {self.group} groups or more{self._and_value()}",
            source,
            line_of,
        )

    def _value_words(self) -> tuple[str, str]:
        """A case's value as the metric counts it, and its lack: ``a number in meta.score`` and
        ``no number in meta.score`` (a rate's condition: any value that is not null)."""
        counted = self.compared.counted
        value = str(counted.value).strip()
        if counted.numeric:
            return f"a number in {value}", f"no number in {value}"
        return f"a non-null {value}", f"a null {value}"

    def _kept(self, that: str = "") -> str:
        """The cases the ``where`` keeps, after "case" (``that``: joined by it), if it has one."""
        where = self.compared.counted.where
        return "" if where is None else f"{that} 'where: {where.strip()}' keeps"

    def _counting(self) -> str:
        """What the counts count, where not every case: those the ``where`` keeps, and those
        with a value (a value that reads only metadata)."""
        counted = self.compared.counted
        parts = [f"'where: {counted.where.strip()}' keeps"] if counted.where else []
        if counted.value is not None:
            parts.append(f"with {self._value_words()[0]}")
        return f" (counting the cases {', '.join(parts)})" if parts else ""

    def _or_no_value(self) -> str:
        return "" if self.compared.counted.value is None else f" or {self._value_words()[1]}"

    def _and_value(self) -> str:
        return "" if self.compared.counted.value is None else f" and {self._value_words()[0]}"

    def _has(self, stratum: str) -> str:
        """The sentence's subject: the stratum, or every case without ``within``."""
        if self.compared.within is None:
            return "the cases have"
        return f"stratum '{stratum}' ({self.within}) has"

    def _each(self) -> str:
        return " in each stratum" if self.compared.within is not None else ""

    def _more(self, others: int) -> str:
        if others == 0:
            return ""
        return ", as has 1 other stratum" if others == 1 else f", as have {others} other strata"

    def _fix(self, *choices: str, strata: int) -> str:
        """The hint: the choices, and (with ``within``) leaving the strata out with where:."""
        if self.compared.within is not None:
            which = "the stratum" if strata == 1 else "those strata"
            choices = (*choices, f"leave {which} out with where:")
        if len(choices) == 1:
            return choices[0]
        return f"{', '.join(choices[:-1])}, or {choices[-1]}"

    def _issue(
        self, field: str, message: str, hint: str, source: str, line_of: LineOf
    ) -> ConfigIssue:
        loc = ("metrics", self.metric.index, self.metric.kind, field)
        return ConfigIssue(source, line_of(loc), format_path(loc), message, hint)


def _listing(groups: dict[str, int], shown: int = 4) -> str:
    """Groups with their cases, most first: ``'young' 40, 'old' 12`` (and how many more)."""
    ranked = sorted(groups.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"'{g}' {n}" for g, n in ranked[:shown])
    rest = len(ranked) - shown
    return text + (f" and {rest} more" if rest > 0 else "") if text else "no group"
