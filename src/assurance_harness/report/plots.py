"""Figures for run reports, drawn with matplotlib's Agg canvas and returned as PNG bytes.

No pyplot: figures are built on :class:`matplotlib.figure.Figure` directly, so drawing never
touches a global backend or a display and is safe inside pytest, CI and threads. Every figure's
title or labels carry its sample size; bars for rates and means carry their intervals.
"""

from __future__ import annotations

import base64
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..formatting import group_name, level, recorded_level
from ..formatting.visible import plot_text
from ..metrics.rowvalues import streamed_row_values
from ..stats.intervals import (
    clopper_pearson,
    cluster_totals,
    clustered_clopper_pearson,
    mean_interval,
)
from .rundata import RunData

PASS_COLOR = "#2e7d32"
WARN_COLOR = "#f9a825"
FAIL_COLOR = "#c62828"
BAR_COLOR = "#3f6fb5"
MAX_DISTRIBUTIONS = 12
MAX_BARS = 30


@dataclass
class Plot:
    """One embedded figure."""

    id: str
    title: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


MAX_CONSTANT_NAMED = 12

MAX_UNIT_BINS = 50
"""Whole-number fields (counts, lengths) get one bin per integer only across a span this
narrow: one runaway answer's ``len.chars`` among short ones made one bin per character of it
(a 100,000-character answer: 154 s and 1.2 GB to draw)."""


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _note_numeric_fields(row: dict[str, Any], out: dict[str, list[float]]) -> None:
    for scorer_id, fields in (row.get("scores") or {}).items():
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            if _is_number(value):
                out.setdefault(f"{scorer_id}.{name}", []).append(float(value))


def numeric_fields(rows: Iterable[dict[str, Any]]) -> dict[str, list[float]]:
    """``scorer.field`` -> values, for every numeric (non-boolean) score field."""
    out: dict[str, list[float]] = {}
    for row in rows:
        _note_numeric_fields(row, out)
    return out


def _age_rating(row: dict[str, Any]) -> tuple[int, str] | None:
    """The row's first ``min_age`` score and its field, if it has one."""
    for scorer_id, fields in (row.get("scores") or {}).items():
        if isinstance(fields, dict) and _is_number(fields.get("min_age")):
            return int(fields["min_age"]), f"{scorer_id}.min_age"
    return None


@dataclass
class RowFigures:
    """What the plots read from a run's rows, gathered in one streamed pass (the rows are
    never held: a 100,000-row run held whole took 426 MB to report)."""

    numeric: dict[str, list[float]] = field(default_factory=dict)
    """``numeric_fields`` of the rows."""
    ages: list[int] = field(default_factory=list)
    """Each rated row's ``min_age``, in row order."""
    age_field: str | None = None
    """The first rated row's ``scorer.min_age``."""
    perturbed: bool = False
    """Whether any row's metadata names a ``perturbation``."""


def row_figures(rows: Iterable[dict[str, Any]]) -> RowFigures:
    """One pass over ``rows`` (a stream) for every plot that reads them."""
    out = RowFigures()
    for row in rows:
        _note_numeric_fields(row, out.numeric)
        rating = _age_rating(row)
        if rating is not None:
            out.ages.append(rating[0])
            out.age_field = out.age_field or rating[1]
        if not out.perturbed and "perturbation" in (row.get("metadata") or {}):
            out.perturbed = True
    return out


def score_distributions(rows: Iterable[dict[str, Any]]) -> Plot | None:
    return distributions_plot(numeric_fields(rows))


def distributions_plot(everything: dict[str, list[float]]) -> Plot | None:
    """Each numeric score field's histogram (``numeric_fields``), constant fields named."""
    # A field with one value on every row draws as a single bar (an empty-looking chart):
    # name it in the caption instead.
    constant = sorted(name for name, values in everything.items() if len(set(values)) <= 1)
    fields = {name: values for name, values in everything.items() if name not in constant}
    if not fields:
        return None
    names = sorted(fields)[:MAX_DISTRIBUTIONS]
    cols = min(3, len(names))
    nrows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(4.2 * cols, 2.8 * nrows))
    for i, name in enumerate(names):
        ax = fig.add_subplot(nrows, cols, i + 1)
        values = fields[name]
        bins: int | list[float] = 20
        low, high = min(values), max(values)
        if (
            all(float(v).is_integer() for v in values)
            and len(set(values)) <= 25
            and high - low < MAX_UNIT_BINS
        ):
            bins = [x - 0.5 for x in range(int(low), int(high) + 2)]
        ax.hist(values, bins=bins, color=BAR_COLOR, edgecolor="white")
        ax.set_title(f"{plot_text(name)} (n={len(values)})", fontsize=10)
        ax.set_ylabel("responses", fontsize=8)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    hidden = len(fields) - len(names)
    caption = "Distribution of each numeric score field over all scored responses."
    if hidden > 0:
        caption += f" {hidden} more field(s) not shown."
    if constant:
        shown = ", ".join(
            f"{name} = {everything[name][0]:g}" for name in constant[:MAX_CONSTANT_NAMED]
        )
        more = len(constant) - MAX_CONSTANT_NAMED
        caption += (
            f" Not drawn, the same value on every response: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + "."
        )
    return Plot("score-distributions", "Score distributions", caption, _png(fig))


def _gate_lines(ax: Any, gates: list[dict[str, Any]], metric: str, horizontal: bool) -> None:
    thresholds = []
    for gate in gates:
        if gate.get("metric") != metric:
            continue
        for key in ("max", "min"):
            if gate.get(key) is not None:
                line = ax.axhline if horizontal else ax.axvline
                line(gate[key], color=FAIL_COLOR, linestyle="--", linewidth=1)
                thresholds.append(float(gate[key]))
    if thresholds and not horizontal:
        keep_inside(ax, thresholds)


def keep_inside(ax: Any, thresholds: list[float]) -> None:
    """Widen the x axis so no threshold line sits on its edge: bars start exactly at 0, so a
    ``max: 0`` gate's dashed line was hidden under the axis spine."""
    low, high = ax.get_xlim()
    pad = 0.03 * ((max(high, *thresholds) - min(low, *thresholds)) or 1.0)
    ax.set_xlim(min(low, min(thresholds) - pad), max(high, max(thresholds) + pad))


def _bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    ns: Sequence[int],
    *,
    colors: list[str] | None = None,
    gates: list[dict[str, Any]] | None = None,
    metric: str | None = None,
    xlabel: str = "",
) -> bytes:
    """Horizontal bars with interval whiskers and ``n`` beside each bar."""
    height = max(1.6, 0.38 * len(labels) + 1.0)
    fig = Figure(figsize=(8, height))
    ax = fig.add_subplot(1, 1, 1)
    ypos = list(range(len(labels)))
    # max(0, ...): a bootstrap interval can miss its own point estimate by rounding, and some
    # metric kinds report an interval for a related statistic; a whisker is never negative.
    err_low = [
        max(0.0, v - lo) if lo is not None else 0.0 for v, lo in zip(values, lows, strict=True)
    ]
    err_high = [
        max(0.0, hi - v) if hi is not None else 0.0 for v, hi in zip(values, highs, strict=True)
    ]
    ax.barh(
        ypos,
        values,
        xerr=[err_low, err_high],
        color=colors or BAR_COLOR,
        ecolor="#333333",
        capsize=3,
    )
    # Labels, titles and metric ids are data: drawn as text (never mathtext), escapes shown.
    ax.set_yticks(
        ypos, [f"{plot_text(label)}  (n={n})" for label, n in zip(labels, ns, strict=True)]
    )
    ax.invert_yaxis()
    ax.set_title(plot_text(title), fontsize=11)
    ax.set_xlabel(plot_text(xlabel), fontsize=9)
    ax.tick_params(labelsize=8)
    if gates and metric:
        _gate_lines(ax, gates, metric, horizontal=False)
    fig.tight_layout()
    return _png(fig)


def group_bars(run: RunData, problems: list[str] | None = None) -> list[Plot]:
    """One chart per metric with a per-group breakdown, with each group's interval."""
    plots: list[Plot] = []
    for metric_id, metric in run.metrics.items():
        try:
            plot = _group_plot(run, metric_id, metric)
        except Exception as exc:  # one odd plugin metric must not cost the other figures
            if problems is None:
                raise
            problems.append(f"{metric_id} by group: {type(exc).__name__}: {exc}")
            continue
        if plot is not None:
            plots.append(plot)
    return plots


def _interval_words(metric: dict[str, Any]) -> str:
    """``99.9% interval`` at the metric's recorded level; ``interval`` where it recorded none
    (never a 95% nobody recorded)."""
    known = recorded_level(metric.get("confidence"))
    return "interval" if known is None else f"{level(known)} interval"


def _group_plot(run: RunData, metric_id: str, metric: dict[str, Any]) -> Plot | None:
    groups = metric.get("groups") or {}
    items = [
        (g, v) for g, v in groups.items() if isinstance(v, dict) and v.get("value") is not None
    ]
    if not items:
        return None
    if all(float(v["value"]) == 0.0 for _, v in items):
        return None  # zero in every group: the metrics table says so; no blank chart
    items = items[:MAX_BARS]
    failing = {
        str(g)
        for gate in run.gates
        if gate.get("metric") == metric_id
        for g in gate.get("failing_groups") or []
    }
    png = _bars(
        f"{metric_id} by group",
        [group_name(g) for g, _ in items],
        [float(v["value"]) for _, v in items],
        [v.get("ci_low") for _, v in items],
        [v.get("ci_high") for _, v in items],
        [int(v.get("n") or 0) for _, v in items],
        colors=[FAIL_COLOR if str(g) in failing else BAR_COLOR for g, _ in items],
        gates=run.gates,
        metric=metric_id,
        xlabel=f"{metric_id} ({metric.get('kind')}); whiskers: {_interval_words(metric)}",
    )
    return Plot(
        f"groups-{metric_id}",
        f"{metric_id} by group",
        "Per-group values with their confidence intervals; dashed lines are gate "
        "thresholds; red bars are groups that fail a gate.",
        png,
    )


_NO_CASE = object()
"""A row without a ``case_id`` (its position in the metric's rows stands in)."""


def _perturbation_of(metric_id: str, row: dict[str, Any]) -> tuple[str, object]:
    label = (row.get("metadata") or {}).get("perturbation")
    key = "original" if label in (None, "", "none") else str(label)
    return key, row.get("case_id", _NO_CASE)


def perturbation_bars(run: RunData, *, perturbed: bool | None = None) -> list[Plot]:
    """Rate and mean metrics recomputed per perturbation (metadata ``perturbation``);
    ``perturbed`` says whether any row has one when a pass over the rows already knows."""
    if perturbed is None:
        perturbed = row_figures(run.iter_results()).perturbed
    if not perturbed:
        return []
    plots: list[Plot] = []
    seed = int(run.summary.get("seed") or 0)
    # Already broken down by perturbation in its per-group chart: not drawn again.
    drawn = {
        metric_id: metric
        for metric_id, metric in run.metrics.items()
        if "perturbation" not in str((metric.get("spec") or {}).get("by") or "")
    }
    streamed = streamed_row_values(drawn, run.iter_results(), _perturbation_of)
    for metric_id, metric in drawn.items():
        values = streamed[metric_id]
        if not values:
            continue
        by_pert: dict[str, list[float]] = defaultdict(list)
        cases: dict[str, list[object]] = defaultdict(list)
        for i, ((key, case), value) in enumerate(values):
            by_pert[key].append(value)
            cases[key].append(("row", i) if case is _NO_CASE else case)
        labels = sorted(by_pert, key=lambda k: (k != "original", k))[:MAX_BARS]
        means, lows, highs, ns = [], [], [], []
        for label in labels:
            data = by_pert[label]
            mean = sum(data) / len(data)
            # The intervals the metric itself reports, a case's samples clustered as there
            # (coverage: benchmarks/coverage.py).
            if metric.get("kind") == "rate":
                sums, sizes = cluster_totals(data, cases[label])
                low, high, _ = clustered_clopper_pearson(sums, sizes)
            else:
                low, high, _ = mean_interval(data, seed=seed, clusters=cases[label])
            means.append(mean)
            lows.append(low)
            highs.append(high)
            ns.append(len(data))
        method = (
            "Clopper-Pearson"
            if metric.get("kind") == "rate"
            else f"as the mean metric (bootstrap seed={seed} for values outside [0, 1])"
        )
        png = _bars(
            f"{metric_id} by perturbation",
            labels,
            means,
            lows,
            highs,
            ns,
            gates=run.gates,
            metric=metric_id,
            xlabel=f"{metric_id}; whiskers: 95% {method} interval",
        )
        plots.append(
            Plot(
                f"perturbation-{metric_id}",
                f"Robustness: {metric_id} by perturbation",
                "The metric recomputed on the responses to each perturbation of the prompts "
                "('original' = unperturbed); dashed lines are gate thresholds.",
                png,
            )
        )
    return plots


def age_breakdown(run: RunData, *, figures: RowFigures | None = None) -> Plot | None:
    """Responses by the minimum age they were rated suitable for, against the audience
    (``figures``: the rows' pass, when one was made already)."""
    if figures is None:
        figures = row_figures(run.iter_results())
    ratings, field_name = figures.ages, figures.age_field
    if not ratings:
        return None
    audience = (run.summary.get("suite") or {}).get("audience") or {}
    lo_age, hi_age = audience.get("min_age"), audience.get("max_age")
    counts = Counter(ratings)
    ages = sorted(counts)
    n = len(ratings)
    colors = []
    for age in ages:
        if hi_age is not None and age > hi_age:
            colors.append(FAIL_COLOR)
        elif lo_age is not None and age > lo_age:
            colors.append(WARN_COLOR)
        else:
            colors.append(PASS_COLOR)
    shares = [counts[a] / n for a in ages]
    intervals = [clopper_pearson(counts[a], n) for a in ages]
    png = _bars(
        f"Age rating of responses ({field_name}, n={n})",
        [f"{a}+" for a in ages],
        shares,
        [lo for lo, _ in intervals],
        [hi for _, hi in intervals],
        [counts[a] for a in ages],
        colors=colors,
        xlabel="share of responses; whiskers: 95% Wilson interval",
    )
    band = (
        f"the audience is {lo_age}-{hi_age}: green suits all of it, amber only its older "
        "members, red none of it"
        if lo_age is not None and hi_age is not None
        else "the suite declares no audience"
    )
    return Plot(
        "age-ratings",
        "Age-rating breakdown",
        f"Share of responses by the minimum age they were rated suitable for; {band}.",
        png,
    )


def run_plots(run: RunData) -> tuple[list[Plot], list[str]]:
    """Every figure that applies to this run, in report order, and the figures that failed.

    A figure that cannot be drawn (odd data from a plugin metric) is reported, not fatal: the
    verdicts and tables of the report matter more than any one plot.
    """
    plots: list[Plot] = []
    problems: list[str] = []
    gathered: list[RowFigures] = []

    def figures() -> RowFigures:  # one pass over the rows serves every plot
        if not gathered:
            gathered.append(row_figures(run.iter_results()))
        return gathered[0]

    builders: list[tuple[str, Any]] = [
        ("score distributions", lambda: distributions_plot(figures().numeric)),
        ("per-group bars", lambda: group_bars(run, problems)),
        ("per-perturbation bars", lambda: perturbation_bars(run, perturbed=figures().perturbed)),
        ("age-rating breakdown", lambda: age_breakdown(run, figures=figures())),
    ]
    for name, build in builders:
        try:
            made = build()
        except Exception as exc:  # a figure is never worth losing the report over
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        if isinstance(made, list):
            plots.extend(made)
        elif made is not None:
            plots.append(made)
    return plots, problems
