"""Compact metric state for a streamed run: what rate, mean, quantile, disparity, BBQ, paired
and robustness (flip-rate, attack-success) metrics, their gates and worst cases read of each
row, kept as numbers in arrays instead of row dicts.

Each expression the metrics name (``where``, ``by``, the value or condition) is evaluated once
per row as the rows stream past (``runner.rowstream``) and stored as a float (the value read as
a number, NaN for null) and a byte (null, true or false), or, for a grouping expression, a
4-byte group code. A row's position in the run (case by case, sample by sample) is its index,
so its case and sample need no storage. About 9 bytes per row per distinct value expression,
4 per grouping expression and 1 for the error flag: 23 bytes a row for a suite with a rate, a
mean, a quantile and a disparity over two expressions and one grouping (23 MB at 1M rows),
kept in temporary files (``store.spill``), plus the positions of the rows whose scorer could
not read its answer (``parse_error``, for a no-data reason; none in a usual run): memory holds a
block of each column, and a metric reads the columns it needs when it is computed.

The figures are the metric kinds' own: the kinds compute from the same counts and value arrays
(``RateMetric.from_counts``, ``MeanMetric.from_values``, ``DisparityMetric.from_groups`` ...), in
the same row order, so a streamed run's metrics equal those computed from rows, bit for bit
(tests/metrics/test_columns.py). A disparity with ``within`` is computed per stratum from the
same columns (plus the stratum's codes); a gated disparity's worst cases (both sides of the gap)
come from a few candidate rows per group and stratum kept as the rows pass (``GapCandidates``):
memory grows with the number of groups, not rows. A BBQ metric reads one byte a row of its
scorer's record (``bbq_bias.answer_flags``). The robustness kinds pair variants with their
originals from the columns and a hashed source key (``metrics.robustcolumns``). A paired metric
reads its value column and the group codes of its pair key, group and stratum; the pair keys'
texts are kept in the code table (they are sorted by text), which grows with the distinct pairs
as the kind's own state does (``metrics.pairedcolumns``). Suites with other metric kinds (none
of the built-in ones now; a kind registered by a plugin) keep slim rows (``SlimRows``) instead:
``compact_supported``; a review policy keeps its own marks (``review.queuecolumns``).
"""

from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..formatting.figures import VALUE_KINDS
from ..rowkeys import case_key
from ..stats._special import ndtri
from ..store.spill import SpillArray, SpillFile
from ._grouping import is_unchanged, number, worst_stratum
from .aggregate import ExprParams, MeanMetric, QuantileMetric, RateMetric
from .asked_level import at_asked_level
from .base import MetricContext, MetricValue, Row
from .bbq_bias import (
    BIASED,
    CORRECT,
    IN_CONTEXT,
    NO_TARGET_ITEM,
    PARSED,
    BbqMetric,
    BbqParams,
    answer_flags,
)
from .disparity import DisparityMetric, DisparityParams, GroupCases, gap_ends, statistic_kind
from .engine import (
    MAX_WORST_CASES,
    FieldPresence,
    _take_turns,
    add_groups_left_out,
    no_figure,
    note_failed,
    note_unread,
    null_everywhere,
    reason_expr,
    unread_by,
    unread_why,
    where_left_out,
)
from .expr import condition_parts, groups_left_out_unmeasured, reader
from .paired import PairedDeltaMetric, PairedParams, with_unchanged
from .pairedcolumns import cells_of, worst_rows
from .robustcolumns import PAIR_KINDS, PairKind, SourceColumns
from .threads import PARALLEL_MIN_ROWS, map_in_order
from .wrongkind import (
    ANY,
    CONDITION,
    condition_fault,
    given,
    is_truth,
    not_a_number,
    uncounted,
)

if TYPE_CHECKING:
    from ..spec.loader import MetricSpec
    from ..spec.suite import GateSpec

COMPACT_KINDS = ("rate", "mean", "quantile", "disparity", "bbq", "paired", *PAIR_KINDS)
NULL, TRUE, FALSE = 0, 1, 2


def compact_supported(specs: Sequence[MetricSpec], gates: Sequence[GateSpec]) -> bool:
    """Whether a suite's metrics and gates can be computed from columns: every metric of a
    compact kind (a disparity with or without ``within``, gated or not; BBQ; paired deltas with
    or without ``within``; flip-rate and attack-success), with the built-in kind's parameters.
    A review policy keeps its own marks of each row (``review.queuecolumns``)."""
    params = {"disparity": DisparityParams, "bbq": BbqParams, "paired": PairedParams}
    return all(
        spec.kind in COMPACT_KINDS and isinstance(spec.params, params.get(spec.kind, object))
        for spec in specs
    )


class ValueColumn:
    """One expression over every row: its value as a number and whether it is null/true/false;
    and, for a rate, mean or quantile, the rows whose value it cannot count (``Faults``)."""

    def __init__(self, expr: str, spill: SpillFile) -> None:
        self.expr = expr
        self.numbers = SpillArray("d", shared=spill)
        self.truth = SpillArray("b", shared=spill)
        self.last = array("b")
        """The truth of the rows last added."""
        self.last_numbers = array("d")
        """Their numbers."""
        self.condition = False
        """A rate reads it: a value that is not true/false is a fault."""
        self.faults = ColumnFaults(spill)

    def add(self, rows: list[Row]) -> None:
        numbers, truth, read, nan = array("d"), array("b"), reader(self.expr), math.nan
        expr, faults, start = self.expr, self.faults, len(self.truth)
        parts = self.condition and bool(condition_parts(expr))
        for i, row in enumerate(rows):
            value = read(row)
            truth.append(NULL if value is None else TRUE if value else FALSE)
            figure = number(value)
            numbers.append(nan if figure is None else figure)
            if value is not None and value is not True and value is not False:
                if not_a_number(value):
                    faults.add(start + i, ANY, expr, value)
                elif self.condition and not is_truth(value):
                    faults.add(start + i, CONDITION, expr, value)
            elif parts:
                fault = condition_fault(expr, row, value)
                if fault is not None:
                    faults.add(start + i, CONDITION, *fault)
        self.numbers.extend(numbers)
        self.truth.extend(truth)
        self.last, self.last_numbers = truth, numbers


class ColumnFaults:
    """The rows whose value a rate (``CONDITION``: a number) or any of rate, mean and quantile
    (``ANY``: text, a list) cannot count, as positions: nothing kept in the usual run. The
    first ``MAX_SHOWN`` are described (``wrongkind.given``) for the reason that names one."""

    MAX_SHOWN = 1000

    def __init__(self, spill: SpillFile) -> None:
        self.rows = SpillArray("q", shared=spill)
        self.kinds = SpillArray("b", shared=spill)
        self.shown: dict[int, str] = {}

    def add(self, position: int, kind: str, expr: str, value: object) -> None:
        self.rows.append(position)
        self.kinds.append(kind == ANY)
        if len(self.shown) < self.MAX_SHOWN:
            self.shown[position] = given(expr, value)


class AnswerColumn:
    """A ``bbq-answer`` scorer's record of every row, for one context condition: its
    ``answer_flags`` byte (0: no record of that condition)."""

    def __init__(self, scorer: str, context: str, spill: SpillFile) -> None:
        self.scorer, self.context = scorer, context
        self.flags = SpillArray("b", shared=spill)

    def add(self, rows: list[Row]) -> None:
        scorer, context = self.scorer, self.context
        self.flags.extend(
            array("b", [answer_flags((r.get("scores") or {}).get(scorer), context) for r in rows])
        )


class UnreadColumn:
    """The rows on which a scorer a metric reads could not read its answer (``parse_error``),
    as their positions, and the reason it gave on each (``engine.unread_why``, as a code;
    -1: none): nothing kept while every answer is read, which is the usual run."""

    def __init__(self, scorer: str, spill: SpillFile) -> None:
        self.scorer = scorer
        self.rows = SpillArray("q", shared=spill)
        self.whys = SpillArray("i", shared=spill)
        self.names: dict[str, int] = {}
        self.seen = 0

    def add(self, rows: list[Row]) -> None:
        scorer, start, names = self.scorer, self.seen, self.names
        unread = [i for i, r in enumerate(rows) if unread_by(r, scorer)]
        self.rows.extend(array("q", [start + i for i in unread]))
        whys = (unread_why(rows[i], scorer) for i in unread)
        self.whys.extend(
            array("i", [-1 if w is None else names.setdefault(w, len(names)) for w in whys])
        )
        self.seen += len(rows)

    def count(self, positions: np.ndarray, selected: np.ndarray) -> int:
        """How many of the selected rows (sorted positions) are unread: ``positions`` is
        ``rows`` in memory."""
        return int(np.isin(positions, selected, assume_unique=True).sum())

    def why(self, positions: np.ndarray, codes: np.ndarray, selected: np.ndarray) -> dict[str, int]:
        """How many of the selected rows are unread for each reason given (``codes`` is
        ``whys`` in memory)."""
        chosen = codes[np.isin(positions, selected, assume_unique=True)]
        counts = np.bincount(chosen[chosen >= 0], minlength=len(self.names))
        return {name: int(counts[code]) for name, code in self.names.items() if counts[code]}


class GroupColumn:
    """One grouping expression over every row, as group codes (-1: null)."""

    def __init__(self, expr: str, spill: SpillFile) -> None:
        self.expr = expr
        self.codes = SpillArray("i", shared=spill)
        self.names: dict[str, int] = {}
        self.last = array("i")
        """The codes of the rows last added."""

    def add(self, rows: list[Row]) -> None:
        codes, names, read = array("i"), self.names, reader(self.expr)
        for row in rows:
            key = read(row)
            codes.append(-1 if key is None else names.setdefault(str(key), len(names)))
        self.codes.extend(codes)
        self.last = codes


def _take(column: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The column's values at these rows (sorted positions): the column itself when they are
    all its rows (no copy of a million values)."""
    return column if rows.size == column.size else column[rows]


def _worst_first(badness: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(-badness, kind="stable")[:k]`` (no NaN), without sorting every row: the
    first k all have at least the k-th largest badness, so only those rows are sorted."""
    if badness.size <= k:
        return np.argsort(-badness, kind="stable")
    threshold = np.partition(badness, badness.size - k)[badness.size - k]
    candidates = np.flatnonzero(badness >= threshold)
    return candidates[np.argsort(-badness[candidates], kind="stable")][:k]


Cell = tuple[int, int, int]
"""(``by`` group code or -1 for all selected rows, stratum code or 0, group code or -1)."""


class GapCandidates:
    """A gated disparity's candidate worst cases, kept as the rows pass: in each cell (the
    metric's ``by`` group or all its selected rows, a stratum, a group) the ``MAX_WORST_CASES``
    rows first by (value, key) and first by (-value, key).

    ``DisparityMetric.worst_cases`` names the low group's rows below the midpoint of the two
    groups' means in (value, key) order and the high group's above it in (-value, key) order:
    a prefix of one of these orders, whatever the means turn out to be, so the first ten are
    among these rows. Memory grows with the groups and strata, not with the rows.
    """

    def __init__(self, spec: MetricSpec, columns: MetricColumns) -> None:
        assert isinstance(spec.params, DisparityParams)
        self.spec, self.params, self.columns = spec, spec.params, columns
        self.low: dict[Cell, list[tuple[float, str]]] = {}
        self.high: dict[Cell, list[tuple[float, str]]] = {}

    def add(self, rows: list[Row]) -> None:
        spec, params, columns = self.spec, self.params, self.columns
        where = columns.values[spec.where].last if spec.where is not None else None
        value = columns.values[params.value]
        truth, numbers = value.last, value.last_numbers
        groups = columns.groups[params.by].last
        strata = columns.groups[params.within].last if params.within is not None else None
        by = columns.groups[spec.by].last if spec.by else None
        rate = params.statistic == "rate"
        low: dict[Cell, list[tuple[float, str]]] = defaultdict(list)
        high: dict[Cell, list[tuple[float, str]]] = defaultdict(list)
        for i, row in enumerate(rows):
            if where is not None and where[i] != TRUE:
                continue
            stratum = 0 if strata is None else strata[i]
            if stratum < 0:
                continue
            if rate:
                if truth[i] == NULL:
                    continue
                figure = 1.0 if truth[i] == TRUE else 0.0
            else:
                figure = numbers[i]
                if figure != figure:  # NaN: null or not a number
                    continue
            key = case_key(row["case_id"], row["sample"])
            cell = (-1, stratum, groups[i])
            low[cell].append((figure, key))
            high[cell].append((-figure, key))
            if by is not None and by[i] >= 0:
                cell = (by[i], stratum, groups[i])
                low[cell].append((figure, key))
                high[cell].append((-figure, key))
        for fresh, kept in ((low, self.low), (high, self.high)):
            for cell, items in fresh.items():
                kept[cell] = heapq.nsmallest(MAX_WORST_CASES, kept.get(cell, []) + items)

    def side(self, high: bool, by: int, stratum: int, group: str) -> list[tuple[float, str]]:
        """A group's first candidates. A null group reads "None" as the rows do (``str``)."""
        kept = self.high if high else self.low
        codes = self.columns.groups[self.params.by].names
        found = kept.get((by, stratum, codes[group]), []) if group in codes else []
        if group == "None":
            found = heapq.nsmallest(MAX_WORST_CASES, found + kept.get((by, stratum, -1), []))
        return found


class MetricColumns:
    """The columns a suite's metrics read, filled chunk by chunk; then the metric values,
    gate worst cases and no-data reasons, as ``metrics.engine`` gives them from rows."""

    def __init__(
        self,
        specs: Sequence[MetricSpec],
        *,
        samples: int,
        case_id: Callable[[int], str],
        folder: Path | None = None,
        gated: Collection[str] | None = None,
    ) -> None:
        """``gated``: the metrics under a gate (None: all), whose worst cases may be asked for:
        a disparity's are gathered while the rows pass (``GapCandidates``)."""
        self.specs = list(specs)
        self.samples = samples
        self.case_id = case_id
        self.spill = SpillFile(folder)  # one file for every column
        self.values: dict[str, ValueColumn] = {}
        self.groups: dict[str, GroupColumn] = {}
        self.answers: dict[tuple[str, str], AnswerColumn] = {}
        self.errors = SpillArray("b", shared=self.spill)
        self.unchanged: SpillArray | None = None
        """Per row, a variant its operator left unchanged (``_grouping.is_unchanged``): kept
        where a paired metric skips them."""
        self._local = threading.local()  # each thread's columns in memory (``_column``)
        self.presence: dict[str, FieldPresence] = {}
        self.unread: dict[str, UnreadColumn] = {}
        for spec in self.specs:
            if spec.where is not None:
                self._value(spec.where)
            if spec.by:
                self._group(spec.by)
            params = spec.params
            if isinstance(params, DisparityParams):
                column = self._value(params.value)
                column.condition = column.condition or params.statistic == "rate"
                self._group(params.by)
                if params.within is not None:
                    self._group(params.within)
            elif isinstance(params, ExprParams):
                column = self._value(params.expr)
                column.condition = column.condition or spec.kind == "rate"
            elif isinstance(params, PairedParams):
                self._value(params.value)
                if params.skip_unchanged and self.unchanged is None:
                    self.unchanged = SpillArray("b", shared=self.spill)
                for expr in (params.pair_by, params.group, params.within):
                    if expr is not None:
                        self._group(expr)
            elif isinstance(params, BbqParams):
                key = (params.scorer, params.context)
                self.answers.setdefault(key, AnswerColumn(*key, self.spill))
            expr = reason_expr(spec)
            if expr is not None:
                presence = self.presence[spec.id] = FieldPresence(expr)
                for scorer in presence.scorers:
                    self.unread.setdefault(scorer, UnreadColumn(scorer, self.spill))
        self.sources: dict[str, SourceColumns] = {}
        self.pairs = {
            spec.id: PairKind(spec, self) for spec in self.specs if spec.kind in PAIR_KINDS
        }
        self.gaps = {
            spec.id: GapCandidates(spec, self)
            for spec in self.specs
            if isinstance(spec.params, DisparityParams) and (gated is None or spec.id in gated)
        }

    def _value(self, expr: str) -> ValueColumn:
        if expr not in self.values:
            self.values[expr] = ValueColumn(expr, self.spill)
        return self.values[expr]

    def source(self, expr: str) -> SourceColumns:
        """The robustness kinds' source key and row flags (``metrics.robustcolumns``)."""
        if expr not in self.sources:
            self.sources[expr] = SourceColumns(expr, self.spill)
        return self.sources[expr]

    def _group(self, expr: str) -> GroupColumn:
        if expr not in self.groups:
            self.groups[expr] = GroupColumn(expr, self.spill)
        return self.groups[expr]

    @property
    def total(self) -> int:
        return len(self.errors)

    def add(self, rows: list[Row]) -> None:
        """The next rows of the run, in request order."""
        self.errors.extend(array("b", [row["error"] is not None for row in rows]))
        if self.unchanged is not None:
            self.unchanged.extend(array("b", [is_unchanged(row) for row in rows]))
        for value in self.values.values():
            value.add(rows)
        for group in self.groups.values():
            group.add(rows)
        for answers in self.answers.values():
            answers.add(rows)
        for gap in self.gaps.values():
            gap.add(rows)
        for source in self.sources.values():
            source.add(rows)
        for unread in self.unread.values():
            unread.add(rows)
        for spec in self.specs:
            presence = self.presence.get(spec.id)
            if presence is None or presence.complete:
                continue
            if spec.where is not None:
                truth = self.values[spec.where].last
                kept = [r for i, r in enumerate(rows) if truth[i] == TRUE]
            else:
                kept = rows
            presence.add([r for r in kept if r.get("error") is None])

    # -- metric values ------------------------------------------------------------------------
    def _selected(self, spec: MetricSpec) -> np.ndarray:
        if spec.where is None:  # positions in 4 bytes where they fit
            return np.arange(self.total, dtype=np.int32 if self.total < 2**31 else np.int64)
        return np.flatnonzero(self._truth(spec.where) == TRUE)

    def _column(self, column: SpillArray) -> np.ndarray:
        """A column in memory while one metric (or gate) is computed: read once for all its
        groups, dropped after it (``_done``), so one metric's columns are in memory at a time
        (one per thread when the metrics are computed on threads)."""
        read = self._read()
        if id(column) not in read:
            read[id(column)] = column.numpy()
        return read[id(column)]

    def _read(self) -> dict[int, np.ndarray]:
        """This thread's columns in memory: metrics computed on threads (``compute``) each
        read and drop their own."""
        read: dict[int, np.ndarray] | None = getattr(self._local, "read", None)
        if read is None:
            read = self._local.read = {}
        return read

    def _done(self) -> None:
        self._read().clear()

    def _numbers(self, expr: str) -> np.ndarray:
        return self._column(self.values[expr].numbers)

    def _truth(self, expr: str) -> np.ndarray:
        return self._column(self.values[expr].truth)

    def _codes(self, expr: str) -> np.ndarray:
        return self._column(self.groups[expr].codes)

    def compute(self, *, seed: int, resamples: int = 2000) -> dict[str, MetricValue]:
        """Every metric's value, as ``engine.compute_metrics`` computes it from rows; a large
        run's metrics on threads (``metrics.threads``: the same values)."""
        parallel = self.total >= PARALLEL_MIN_ROWS
        if parallel:
            # Loaded here, not first on a metric thread: stats._special puts a scipy.special
            # module in sys.modules before its code runs while it loads the ufuncs, and a
            # disparity's fairlearn import on another thread (``from scipy.special import``)
            # would find it half made: an ImportError (a run resumed with every response in,
            # whose prefetch never loaded them).
            ndtri(0.5)
        values = map_in_order(
            lambda spec: self.compute_one(spec, seed=seed, resamples=resamples),
            self.specs,
            parallel=parallel,
        )
        return {spec.id: value for spec, value in zip(self.specs, values, strict=True)}

    def compute_one(self, spec: MetricSpec, *, seed: int, resamples: int = 2000) -> MetricValue:
        try:
            return self._compute_one(spec, seed=seed, resamples=resamples)
        finally:
            self._done()

    def _compute_one(self, spec: MetricSpec, *, seed: int, resamples: int) -> MetricValue:
        ctx = MetricContext(seed=seed, confidence=spec.confidence, bootstrap_resamples=resamples)
        selected = self._selected(spec)
        overall = self._kind_value(spec, selected, ctx)
        self._note_unread(spec, overall, selected)
        if overall.value is None:
            overall.details["no_data_reason"] = self._why_no_data(
                spec, selected, overall.details.get("reason")
            )
        if spec.by:
            no_group = int((_take(self._codes(spec.by), selected) < 0).sum())
            if no_group:  # as ``engine.compute_metric``
                overall.details["n_no_group"] = no_group
            overall.groups = {}
            for name, members in self._members(spec.by, selected):
                group = overall.groups[name] = self._kind_value(spec, members, ctx)
                self._note_unread(spec, group, members)
                if group.value is None:  # as ``engine.compute_metric``
                    group.details["no_data_reason"] = self._why_no_data(
                        spec, members, group.details.get("reason")
                    )
            unmeasured = groups_left_out_unmeasured(spec.by, str(spec.where))
            if selected.size < self.total and unmeasured:  # as ``engine.compute_metric``
                codes = self._codes(spec.by)
                left_out = {
                    name: int(np.count_nonzero(codes == code))
                    for name, code in self.groups[spec.by].names.items()
                    if name not in overall.groups
                }
                empty = self._kind_value(spec, selected[:0], ctx)
                add_groups_left_out(spec, overall, {k: n for k, n in left_out.items() if n}, empty)
        return at_asked_level(spec.kind, overall, spec.confidence)  # as ``engine.compute_metric``

    def _members(self, by: str, selected: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """(group name, its rows) for the selected rows, groups sorted by name."""
        codes = _take(self._codes(by), selected)
        names = self.groups[by].names
        out = []
        for name in sorted(names):
            members = selected[codes == names[name]]
            if members.size:
                out.append((name, members))
        return out

    def _flags(self, params: BbqParams) -> np.ndarray:
        return self._column(self.answers[params.scorer, params.context].flags)

    def _kind_value(self, spec: MetricSpec, rows: np.ndarray, ctx: MetricContext) -> MetricValue:
        params = spec.params
        if spec.id in self.pairs:
            return self.pairs[spec.id].value(rows, ctx)
        if isinstance(params, PairedParams):
            rows, unchanged = self._changed(params, rows)
            return with_unchanged(self._paired_value(params, rows, ctx), unchanged)
        if isinstance(params, BbqParams):
            flags = _take(self._flags(params), rows)
            mine = (flags & IN_CONTEXT) != 0
            # Rows are in run order, so a case's are adjacent: its code counts the case changes.
            cases = rows[mine] // self.samples
            codes = np.zeros(cases.size, dtype=np.intp)
            np.cumsum(cases[1:] != cases[:-1], out=codes[1:])
            return BbqMetric().from_flags(flags[mine], codes, int(rows.size), params, ctx)
        if spec.kind == "disparity":
            assert isinstance(params, DisparityParams)
            grouped = rows[self._codes(params.by)[rows] >= 0]  # as ``DisparityMetric.compute``
            wrong = self._wrong(statistic_kind(params), params.value, grouped)
            if wrong is not None:
                return wrong
            if params.within is None:
                return self._disparity(params, rows, ctx)
            worst = "min" if params.method == "ratio" else "max"
            return self._strata(
                params.within, rows, lambda part: self._disparity(params, part, ctx), worst
            )
        assert isinstance(params, ExprParams)
        wrong = self._wrong(spec.kind, params.expr, rows)
        if wrong is not None:
            return wrong
        if spec.kind == "rate":
            truth = _take(self._truth(params.expr), rows)
            counted = truth != NULL
            n = int(counted.sum())
            hit = truth[counted] == TRUE
            hits, sizes = self._per_case(hit, rows, counted)
            return RateMetric.from_counts(
                int(hit.sum()), n, int(rows.size) - n, hits, sizes, params, ctx
            )
        figures = _take(self._numbers(params.expr), rows)
        counted = ~np.isnan(figures)
        data = figures if bool(counted.all()) else figures[counted]  # no copy when all count
        skipped = int(rows.size - data.size)
        # A case's samples are one cluster; with one sample a case every row is its own
        # (no clusters to pass: a dict of a million case numbers would be 130 MB).
        cases = rows[counted] // self.samples if self.samples > 1 else None
        if spec.kind == "mean":
            return MeanMetric.from_values(data, skipped, ctx, cases)  # type: ignore[arg-type]
        return QuantileMetric.from_values(data, skipped, params, ctx, cases)  # type: ignore[arg-type]

    def _wrong(self, kind: str, expr: str, rows: np.ndarray) -> MetricValue | None:
        """As the rows give it (``aggregate``): the metric without a figure where one of these
        rows has a value the kind cannot count (``ColumnFaults``), else None."""
        faults = self.values[expr].faults
        if not len(faults.rows):
            return None
        positions = self._column(faults.rows)
        if kind != "rate":  # a mean or quantile counts numbers: only text and the like
            positions = positions[self._column(faults.kinds) != 0]
        found = positions[np.isin(positions, rows)]
        if not found.size:
            return None
        first = int(found[0])  # positions were noted in run order
        what = faults.shown.get(first) or f"'{expr}' gave a value it cannot count"
        n = int((_take(self._truth(expr), rows) != NULL).sum())
        case = self.case_id(first // self.samples)
        return uncounted(kind, what, case, int(found.size), n=n, skipped=int(rows.size) - n)

    def _strata(
        self,
        within: str,
        rows: np.ndarray,
        compute: Callable[[np.ndarray], MetricValue],
        worst: str,
    ) -> MetricValue:
        """As ``within_strata``: the kind's value per stratum (sorted), the worst one the
        value."""
        strata = self._members(within, rows)
        return worst_stratum(
            {name: compute(part) for name, part in strata},
            within,
            n_rows=sum(int(part.size) for _, part in strata),
            n_input=int(rows.size),
            worst=worst,
        )

    def _per_case(
        self, hit: np.ndarray, rows: np.ndarray, counted: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each case's hits and counted outcomes, cases in order. The rows are in run order, so
        a case's rows are adjacent: runs of one case number, not ``np.unique``'s sort (the
        same counts, without its four arrays of 8 bytes a row)."""
        if self.samples == 1:  # a case a row: its hit, and one outcome
            return hit, np.ones(hit.size, dtype=np.int8)
        cases = rows[counted] // self.samples
        if not cases.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        starts = np.flatnonzero(np.concatenate(([True], cases[1:] != cases[:-1])))
        sizes = np.diff(np.append(starts, cases.size))
        return np.add.reduceat(hit.astype(np.int64), starts), sizes

    def _changed(self, params: PairedParams, rows: np.ndarray) -> tuple[np.ndarray, int]:
        """As ``paired.changed_rows``: the rows a delta reads, and how many it left out."""
        if not params.skip_unchanged or self.unchanged is None:
            return rows, 0
        kept = rows[_take(self._column(self.unchanged), rows) == 0]
        return kept, int(rows.size - kept.size)

    def _paired_value(
        self, params: PairedParams, rows: np.ndarray, ctx: MetricContext
    ) -> MetricValue:
        """As ``PairedDeltaMetric`` computes it from the rows it reads."""
        keyed = (self._codes(params.pair_by)[rows] >= 0) & (self._codes(params.group)[rows] >= 0)
        wrong = self._wrong("paired", params.value, rows[keyed])  # as ``PairedDeltaMetric``
        if wrong is not None:
            return wrong
        if params.within is None:
            return self._paired(params, rows, ctx)
        return self._strata(
            params.within, rows, lambda part: self._paired(params, part, ctx), "abs"
        )

    def _names(self, expr: str) -> list[str]:
        """A grouping expression's texts by code."""
        names = [""] * len(self.groups[expr].names)
        for name, code in self.groups[expr].names.items():
            names[code] = name
        return names

    def _paired(self, params: PairedParams, rows: np.ndarray, ctx: MetricContext) -> MetricValue:
        keys, groups = (
            _take(self._codes(params.pair_by), rows),
            _take(self._codes(params.group), rows),
        )
        group_names = self._names(params.group)
        cells, skipped = cells_of(
            _take(self._numbers(params.value), rows),
            keys,
            groups,
            self._names(params.pair_by),
            group_names,
        )
        # Every group a row with a pair key names, valued or not (as ``PairedDeltaMetric``).
        named = {group_names[code] for code in np.unique(groups[(keys >= 0) & (groups >= 0)])}
        return PairedDeltaMetric().from_cells(
            cells, skipped, int(rows.size), params, ctx, named=named
        )

    def _paired_worst(self, params: PairedParams, rows: np.ndarray, *, too_high: bool) -> list[int]:
        """``PairedDeltaMetric.worst_cases``' rows (positions), worst first."""
        rows = self._changed(params, rows)[0]
        within = params.within
        found = worst_rows(
            _take(self._numbers(params.value), rows),
            _take(self._codes(params.pair_by), rows),
            _take(self._codes(params.group), rows),
            _take(self._codes(within), rows) if within is not None else None,
            self._names(params.pair_by),
            self._names(params.group),
            params.reference,
            too_high=too_high,
        )
        return rows[found].tolist()

    def _paired_worst_cases(
        self, spec: MetricSpec, selected: np.ndarray, *, too_high: bool, groups: Sequence[str]
    ) -> list[str]:
        """As ``engine.worst_cases`` for a paired metric: per failing ``by`` group (deltas
        within its rows), else per failing group of the kind (its stratum with ``within``; a
        null group reads "None"); overall without failing groups."""
        params = spec.params
        assert isinstance(params, PairedParams)
        per_group: list[list[int]] = []
        if groups and spec.by:
            members = dict(self._members(spec.by, selected))
            empty = np.empty(0, dtype=np.int64)
            per_group = [
                self._paired_worst(params, members.get(name, empty), too_high=too_high)[
                    :MAX_WORST_CASES
                ]
                for name in groups
            ]
        elif groups:
            positions = self._paired_worst(params, selected, too_high=too_high)
            expr = params.within or params.group
            codes, names = self._codes(expr), self._names(expr)
            of = [names[codes[p]] if codes[p] >= 0 else "None" for p in positions]
            per_group = [
                [p for p, group in zip(positions, of, strict=True) if group == name][
                    :MAX_WORST_CASES
                ]
                for name in groups
            ]
        if groups:  # theirs only, none where they have none (``engine.worst_cases``)
            keys = [[self._key(p) for p in positions] for positions in per_group]
            return _take_turns(keys)[:MAX_WORST_CASES]
        positions = self._paired_worst(params, selected, too_high=too_high)
        return [self._key(p) for p in positions[:MAX_WORST_CASES]]

    def _disparity(
        self, params: DisparityParams, rows: np.ndarray, ctx: MetricContext
    ) -> MetricValue:
        summary = self._group_cases(params, rows)
        return DisparityMetric().from_groups(summary, int(rows.size), params, ctx)

    def _group_cases(self, params: DisparityParams, rows: np.ndarray) -> dict[str, GroupCases]:
        """As ``disparity._case_values``: rows with a group and a value, by group (in order of
        first appearance) and case."""
        codes = self._codes(params.by)[rows]
        grouped = codes[codes >= 0]  # every group a row names, valued or not
        if params.statistic == "rate":
            truth = self._truth(params.value)[rows]
            values = (truth == TRUE).astype(np.float64)
            keep = (codes >= 0) & (truth != NULL)
        else:
            values = self._numbers(params.value)[rows]
            keep = (codes >= 0) & ~np.isnan(values)
        codes, values, positions = codes[keep], values[keep], rows[keep]
        names = {code: name for name, code in self.groups[params.by].names.items()}
        present, first = np.unique(codes, return_index=True)
        summary: dict[str, GroupCases] = {}
        for code in present[np.argsort(first, kind="stable")]:
            mine = codes == code
            group_values = values[mine]
            cases = positions[mine] // self.samples
            _, starts, counts = np.unique(cases, return_index=True, return_counts=True)
            if counts.size == group_values.size:
                means = group_values.copy()
            else:
                means = np.array(
                    [
                        group_values[s] if c == 1 else np.mean(group_values[s : s + c].tolist())
                        for s, c in zip(starts, counts, strict=True)
                    ]
                )
            summary[names[int(code)]] = GroupCases(
                means, int(group_values.size), bool((counts == 1).all())
            )
        named, first_named = np.unique(grouped, return_index=True)
        for code in named[np.argsort(first_named, kind="stable")]:
            if names[int(code)] not in summary:  # rows, none with a value (from_groups says so)
                summary[names[int(code)]] = GroupCases(np.empty(0), 0, True)
        return summary

    def _note_unread(self, spec: MetricSpec, value: MetricValue, rows: np.ndarray) -> None:
        """As ``engine._note_unread``: of the rows a rate, mean or quantile skipped, those
        whose scorer could not read its answer (``UnreadColumn``)."""
        expr = reason_expr(spec)
        if spec.kind not in VALUE_KINDS or expr is None or not value.details.get("n_skipped"):
            return
        if spec.kind == "rate":
            skipped = rows[_take(self._truth(expr), rows) == NULL]
        else:
            skipped = rows[np.isnan(_take(self._numbers(expr), rows))]
        note_failed(value, int((self._column(self.errors)[skipped] != 0).sum()))
        scorers = self.presence[spec.id].scorers
        if not scorers:
            return
        note_unread(
            value,
            {s: self.unread[s].count(self._column(self.unread[s].rows), skipped) for s in scorers},
            self._whys(scorers, skipped),
        )

    def _whys(self, scorers: list[str], rows: np.ndarray) -> dict[str, dict[str, int]]:
        """As ``engine.unread_whys``: per scorer, its reasons for the unread ones of ``rows``."""
        out = {}
        for scorer in scorers:
            column = self.unread[scorer]
            counts = column.why(self._column(column.rows), self._column(column.whys), rows)
            if counts:
                out[scorer] = counts
        return out

    def _why_no_data(self, spec: MetricSpec, selected: np.ndarray, reason: str | None) -> str:
        """As ``engine.why_no_data``, from counts and the field presence seen while streaming."""
        if not self.total:
            return "no responses were collected"
        if not selected.size:
            return where_left_out(spec, self.total)
        failed = int(self._column(self.errors)[selected].sum())
        if failed == selected.size:
            return f"all {failed} requests failed, so nothing was scored"
        expr = reason_expr(spec)
        if expr is None:  # a kind that reads no one expression (bbq) says why itself
            return reason or f"no row of {selected.size} gave a value"
        if expr in self.values:
            errors = self._column(self.errors)[selected] != 0
            truth = self._truth(expr)[selected]
            valued = int(((truth != NULL) & ~errors).sum())
            if valued:
                return no_figure(expr, valued, reason)
        presence = self.presence[spec.id]
        unread = {
            s: self.unread[s].count(self._column(self.unread[s].rows), selected)
            for s in presence.scorers
        }
        return null_everywhere(
            expr,
            rows=int(selected.size),
            failed=failed,
            missing=presence.describe(),
            unread=unread,
            why=self._whys(presence.scorers, selected),
        )

    # -- worst cases --------------------------------------------------------------------------
    def worst_cases(
        self, spec: MetricSpec, gate: GateSpec, *, too_high: bool, groups: Sequence[str] = ()
    ) -> list[str]:
        """As ``engine.worst_cases`` (rate, mean, quantile, bbq and gated disparity metrics)."""
        try:
            return self._worst_cases(spec, too_high=too_high, groups=groups)
        finally:
            self._done()

    def _worst_cases(self, spec: MetricSpec, *, too_high: bool, groups: Sequence[str]) -> list[str]:
        selected = self._selected(spec)
        if spec.kind == "disparity":
            return self._gap_worst_cases(spec, selected, groups)
        if spec.id in self.pairs:
            return self._pair_worst_cases(spec, selected, too_high=too_high, groups=groups)
        if isinstance(spec.params, PairedParams):
            return self._paired_worst_cases(spec, selected, too_high=too_high, groups=groups)
        if groups and spec.by:
            members = dict(self._members(spec.by, selected))
            empty = np.empty(0, dtype=np.int64)
            per_group = [
                self._worst(spec, members.get(name, empty), too_high=too_high) for name in groups
            ]
            return _take_turns(per_group)[:MAX_WORST_CASES]
        if groups:  # a kind that cannot tell a row's group: no other group's rows
            return []
        return self._worst(spec, selected, too_high=too_high)

    def _worst(self, spec: MetricSpec, rows: np.ndarray, *, too_high: bool) -> list[str]:
        """The first ``MAX_WORST_CASES`` of ``engine._worst``'s order: badness, then row order."""
        params = spec.params
        if isinstance(params, BbqParams):  # as ``BbqMetric.worst_cases``, in row order
            flags = _take(self._flags(params), rows)
            bad = (flags & (BIASED if params.statistic == "bias" else CORRECT)) != 0
            if params.statistic != "bias":
                bad = ~bad
                if params.items_without_target == "left_out":  # not in the accuracy
                    bad &= (flags & NO_TARGET_ITEM) == 0
                if params.unreadable == "left_out":  # neither right nor wrong
                    bad &= (flags & PARSED) != 0
            bad &= (flags & IN_CONTEXT) != 0
            return [self._key(int(p)) for p in rows[bad][:MAX_WORST_CASES]]
        assert isinstance(params, ExprParams)
        figures = _take(self._numbers(params.expr), rows)
        keep = ~np.isnan(figures)
        if spec.kind == "rate":
            keep &= _take(self._truth(params.expr), rows) == (TRUE if too_high else FALSE)
        badness = figures[keep] if too_high else -figures[keep]
        order = _worst_first(badness, MAX_WORST_CASES)
        return [self._key(int(p)) for p in rows[keep][order]]

    def _pair_worst_cases(
        self, spec: MetricSpec, selected: np.ndarray, *, too_high: bool, groups: Sequence[str]
    ) -> list[str]:
        """As ``engine.worst_cases`` for a robustness kind: per failing ``by`` group (paired
        within its rows), else per failing operator; overall without failing groups;
        variants in row order."""
        kind = self.pairs[spec.id]
        per_group: list[list[int]] = []
        if groups and spec.by:
            members = dict(self._members(spec.by, selected))
            empty = np.empty(0, dtype=np.int64)
            per_group = [
                kind.worst(members.get(name, empty), too_high=too_high)[0][:MAX_WORST_CASES]
                for name in groups
            ]
        elif groups:
            positions, ops = kind.worst(selected, too_high=too_high)
            per_group = [
                [p for p, op in zip(positions, ops, strict=True) if op == name][:MAX_WORST_CASES]
                for name in groups
            ]
        if groups:  # theirs only, none where they have none (``engine.worst_cases``)
            keys = [[self._key(p) for p in positions] for positions in per_group]
            return _take_turns(keys)[:MAX_WORST_CASES]
        positions = kind.worst(selected, too_high=too_high)[0]
        return [self._key(p) for p in positions[:MAX_WORST_CASES]]

    def _gap_worst_cases(
        self, spec: MetricSpec, selected: np.ndarray, groups: Sequence[str]
    ) -> list[str]:
        """As ``engine.worst_cases`` with ``DisparityMetric.worst_cases``: per failing ``by``
        group, else per failing stratum (a ``within`` disparity's groups); overall without
        failing groups."""
        params = spec.params
        assert isinstance(params, DisparityParams)
        if spec.id not in self.gaps:
            raise ValueError(f"metric '{spec.id}' was not gated: its worst cases were not kept")
        per_group: list[list[str]] = []
        if groups and spec.by:
            codes = self.groups[spec.by].names
            members = dict(self._members(spec.by, selected))
            empty = np.empty(0, dtype=np.int64)
            per_group = [
                [
                    key
                    for _, keys in self._gap_ranked(
                        spec, members.get(name, empty), codes.get(name, -1)
                    )
                    for key in keys
                ]
                for name in groups
            ]
        elif groups and params.within is not None:
            ranked = dict(self._gap_ranked(spec, selected, -1))
            per_group = [ranked.get(name, []) for name in groups]
        if groups:  # theirs only, none where they have none (``engine.worst_cases``)
            return _take_turns(per_group)[:MAX_WORST_CASES]
        keys = [key for _, part in self._gap_ranked(spec, selected, -1) for key in part]
        return keys[:MAX_WORST_CASES]

    def _gap_ranked(
        self, spec: MetricSpec, rows: np.ndarray, by: int
    ) -> list[tuple[str, list[str]]]:
        """``DisparityMetric.worst_cases``'s order, the first ``MAX_WORST_CASES`` of each
        stratum: (stratum, its cases: the low group's lowest and the high group's highest,
        interleaved), widest gap first. ``by``: the rows' ``by`` group code (-1: all)."""
        params = spec.params
        assert isinstance(params, DisparityParams)
        gap = self.gaps[spec.id]
        strata: list[tuple[str, int, np.ndarray]] = [("", 0, rows)]
        if params.within is not None:
            codes = _take(self._codes(params.within), rows)
            names = {code: name for name, code in self.groups[params.within].names.items()}
            present, first = np.unique(codes[codes >= 0], return_index=True)
            strata = [
                (names[int(code)], int(code), rows[codes == code])
                for code in present[np.argsort(first, kind="stable")]
            ]
        ranked: list[tuple[float, str, list[str]]] = []
        for name, code, part in strata:
            ends = gap_ends(
                {
                    group: float(np.mean(cases.means))
                    for group, cases in self._group_cases(params, part).items()
                    if cases.means.size >= params.min_group_size
                }
            )
            if ends is None:
                continue
            high, low, middle, width = ends
            lows = [key for value, key in gap.side(False, by, code, low) if value < middle]
            highs = [key for value, key in gap.side(True, by, code, high) if -value > middle]
            keys = [k for pair in zip_longest(lows, highs) for k in pair if k is not None]
            ranked.append((width, name, keys[:MAX_WORST_CASES]))
        ranked.sort(key=lambda item: -item[0])
        return [(name, keys) for _, name, keys in ranked]

    def _key(self, position: int) -> str:
        case, sample = divmod(position, self.samples)
        return case_key(self.case_id(case), sample)
