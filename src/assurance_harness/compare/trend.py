"""A metric across a suite's recent runs: the figures with their intervals, and a plot."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..formatting.figures import level, recorded_level
from ..formatting.visible import plot_text
from ..store.cacheshare import CacheShare
from ..store.runread import RunLog, smoke_test_limit
from .madeorder import MadeOrder
from .measures import measure, recorded_sha, shown
from .runs import iter_suite_runs
from .scorersettings import changed_scorers


@dataclass
class TrendPoint:
    run_id: str
    started_at: str
    target: str
    model_version: str | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    verdicts: list[str]
    note: str = ""
    """Why the run's figure is not plotted (a plugin's figure that is not a number, a run that
    failed)."""
    confidence: float | None = None
    """The level of the interval, as the run recorded it (a metric may set its own): an
    interval shown without it reads as the usual 95%. None where the run records none."""
    suite_version: str | None = None
    """The suite's ``version:`` as the run recorded it."""
    suite_sha256: str | None = None
    """The suite file's SHA-256 as the run recorded it: where it changes between two runs of a
    target, their figures may be of other cases (``suite_breaks``)."""
    cases_sha256: str | None = None
    """The run's cases (cases.jsonl) SHA-256 as its manifest recorded it: it changes with a
    dataset the suite reads, the suite file unchanged (``suite_breaks``)."""
    target_fingerprint: str | None = None
    """The target configuration's fingerprint as the run recorded it: where it changes between
    two runs of one target name, they measured another system setting (``suite_breaks``), as
    the register counts only the system's own configuration."""
    smoke_test: int | None = None
    """N where the run was a smoke test (``run --limit N``): the suite's first N cases, no
    sample of them, so it is not plotted and breaks no line (``suite_breaks``)."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _figures(entry: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The entry's value, interval and n, each a number or None; the ones that are not (an
    odd plugin figure) are named in the note, as the report notes a figure it cannot draw."""
    figures, odd = {}, []
    for name in ("value", "ci_low", "ci_high", "n"):
        value = entry.get(name)
        number = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
        figures[name] = value if number else None
        if not number:
            odd.append(f"{name} {json.dumps(value, default=str)[:30]}")
    note = f"not a number: {', '.join(odd)}; not plotted" if odd else ""
    return figures, note


def trend_points(
    reports_dir: Path | str,
    suite: str,
    metric: str,
    *,
    last: int = 20,
    target: str | None = None,
    left_out: list[str] | None = None,
) -> list[TrendPoint]:
    """The metric in the last ``last`` runs of the suite that have it, oldest first;
    ``left_out`` as for ``suite_runs``.

    A run whose summary.json is not the file its manifest records, or its evidence in the
    ledger hashed (``RunLog.summary_changed``: edited since the run, its manifest perhaps with
    it; ``iter_suite_runs`` tells each run the ledger's hashes), or that has no manifest.json
    to check it by (``RunLog.manifest_missing``), is left out and named in ``left_out``, as a
    run whose summary cannot be read is: every figure a point holds (value, interval, n, the
    gates' verdicts) would be the edit's, and a row of blanks beside the nights that measured
    the suite says less than the one line that says why it is missing. A failed run is kept,
    its figure not plotted: that figure is the run's own, partial."""
    if last < 1:
        raise UsageError("--last must be at least 1")
    # A run at a time, its point kept and the run let go (``iter_suite_runs``), then ordered.
    known: set[str] = set()
    points: list[TrendPoint] = []
    measures: dict[str, Measured] = {}
    order: dict[str, tuple[Any, ...]] = {}
    made = MadeOrder.of(reports_dir)
    found = readable = False
    for run in iter_suite_runs(reports_dir, suite, target=target, left_out=left_out):
        found = True
        edited = run.summary_changed() or run.manifest_missing()
        if edited is not None:
            if left_out is not None:
                left_out.append(f"{run.run_id}: {edited}")
            continue
        readable = True
        known.update(run.metrics)
        entry = run.metrics.get(metric)
        if entry is None:
            continue
        figures, note = _figures(entry)
        limit = smoke_test_limit(run.run_info, run.manifest_data)
        if not note and limit:
            # As baseline check passes over it: drawn among full runs, a target whose first
            # cases are its hard ones read as collapsing and recovering.
            note = (
                f"a smoke test (--limit {limit}): the suite's first cases, no sample of them; "
                "not plotted"
            )
        if not note and run.status == "run_failed":
            # Partial at best (the requests that were answered), like compare's "no verdict":
            # drawn among the nights that measured the suite, it would read as one of them.
            counts = run.summary.get("counts") or {}
            note = (
                f"run failed ({counts.get('errors')} of {counts.get('requests')} requests "
                "errored): a partial figure; not plotted"
            )
        cached = CacheShare.of(run.manifest_data.get("cache"))
        if not note and cached.mostly:
            # An earlier night's answers scored again: drawn, a broken model reads as steady.
            note = f"{cached.text(run.run_id)}: a repeat of that measurement; not plotted"
        scorers = {"scorers": run.manifest_data.get("scorers")}  # what changed_scorers reads
        measures[run.run_id] = (entry.get("kind"), measure(entry), entry, scorers)
        order[run.run_id] = latest_order(run, made)
        points.append(
            TrendPoint(
                run_id=run.run_id,
                started_at=str(run.summary.get("started_at") or ""),
                target=run.target_name,
                model_version=(run.summary.get("target") or {}).get("model_version"),
                value=None if note else figures["value"],
                ci_low=figures["ci_low"],
                ci_high=figures["ci_high"],
                n=int(figures["n"] or 0),
                verdicts=[str(g.get("verdict")) for g in run.gates if g.get("metric") == metric],
                note=note,
                confidence=recorded_level(entry.get("confidence")),
                **_suite_of(run.summary.get("suite")),
                cases_sha256=recorded_sha(run.manifest_data.get("cases")),
                target_fingerprint=_fingerprint(run.summary.get("target")),
                smoke_test=limit,
            )
        )
    if not readable and left_out:
        raise UsageError(_all_left_out(suite, metric, left_out))
    if not found:
        where = f" against target '{target}'" if target else ""
        raise UsageError(f"no finished runs of suite '{suite}'{where} under {reports_dir}/")
    if not points:
        raise UsageError(
            f"metric '{metric}' is in no run of suite '{suite}'; metrics: "
            f"{', '.join(sorted(known)) or 'none'}"
        )
    points.sort(key=lambda p: order[p.run_id])  # the register's latest is the last point
    points = points[-last:]
    _note_redefined(points, measures)
    return points


def latest_order(run: RunLog, made: MadeOrder) -> tuple[Any, ...]:
    """Where a run sorts among a trend's points: as the register takes a suite's latest run
    (``register.evidence_record.recency``: when it finished, then its place in the ledger),
    then its start, then its row's place in the run index (``MadeOrder``: runs of one second
    never recorded, which the register never sees); its id last, only for runs the index does
    not hold either (folders found by a scan). By start and id alone, two runs of one second
    read in the order of their ids' random suffixes, and the trend's last point was not the
    register's latest run."""
    from ..register.evidence_record import recency

    summary = run.summary
    finished = recency(summary.get("finished_at"), None, made.ledger_place(run.run_id))
    started = str(summary.get("started_at") or "")
    return (*finished, started, made.index_place(run.run_id), run.run_id)


def _suite_of(suite: Any) -> dict[str, str | None]:
    """A point's ``suite_version`` and ``suite_sha256`` from its summary's ``suite``."""
    version = suite.get("version") if isinstance(suite, dict) else None
    return {
        "suite_version": None if version is None else str(version),
        "suite_sha256": recorded_sha(suite),
    }


def _fingerprint(target: Any) -> str | None:
    """A point's ``target_fingerprint`` from its summary's ``target``."""
    found = target.get("fingerprint") if isinstance(target, dict) else None
    return None if found is None else str(found)


def _differ(before: str | None, after: str | None) -> bool:
    return before is not None and after is not None and before != after


def suite_breaks(points: list[TrendPoint]) -> list[tuple[TrendPoint, TrendPoint]]:
    """Each pair of a target's consecutive runs (in ``points``' order) whose suite files or
    cases differ (both recorded): figures of other cases, so the plot does not join them and
    the table says so, as ``compare`` warns of such runs; so do runs whose target
    configurations (fingerprints) differ under one target name: another system setting. A run
    recording no SHA-256 or fingerprint breaks nothing, nor does a smoke test (its first cases
    are not the suite's changed)."""
    breaks = []
    previous: dict[str, TrendPoint] = {}
    for point in points:
        if point.smoke_test:
            continue
        before = previous.get(point.target)
        if before is not None and (
            _differ(before.suite_sha256, point.suite_sha256)
            or _differ(before.cases_sha256, point.cases_sha256)
            or _differ(before.target_fingerprint, point.target_fingerprint)
        ):
            breaks.append((before, point))
        previous[point.target] = point
    return breaks


def suite_break_text(before: TrendPoint, after: TrendPoint) -> str:
    """The line the table prints for one of ``suite_breaks``."""
    reconfigured = _differ(before.target_fingerprint, after.target_fingerprint)
    config = f"config {before.target_fingerprint} -> config {after.target_fingerprint}"
    if not reconfigured:
        return _cases_break_text(before, after)
    if _differ(before.suite_sha256, after.suite_sha256) or _differ(
        before.cases_sha256, after.cases_sha256
    ):
        return (
            f"{_cases_break_text(before, after)}; the target's configuration changed too ({config})"
        )
    return (
        f"the target's configuration changed between runs {before.run_id} and {after.run_id} "
        f"(target {after.target}: {config}): another setting of the system (a system prompt, a "
        "temperature, a URL ...), so the plot does not join them"
    )


def _cases_break_text(before: TrendPoint, after: TrendPoint) -> str:
    """``suite_break_text`` where the suite file or its cases changed."""
    if not _differ(before.suite_sha256, after.suite_sha256):
        return (
            f"the cases changed between runs {before.run_id} and {after.run_id} (target "
            f"{after.target}: cases SHA-256 {str(before.cases_sha256)[:12]} -> "
            f"{str(after.cases_sha256)[:12]}, under one suite file: a dataset it reads "
            "changed): their figures are of different cases, so the plot does not join them"
        )

    def label(point: TrendPoint) -> str:
        version = f"version {point.suite_version}, " if point.suite_version is not None else ""
        return f"{version}SHA-256 {str(point.suite_sha256)[:12]}"

    return (
        f"the suite file changed between runs {before.run_id} and {after.run_id} "
        f"(target {after.target}: {label(before)} -> {label(after)}): their figures may be of "
        "different cases, so the plot does not join them"
    )


Measured = tuple[Any, dict[str, Any], dict[str, Any], dict[str, Any]]
"""A run's metric as ``trend`` tells definitions apart: its kind, its ``measure``, its entry
and its manifest's ``scorers`` (``scorersettings.changed_scorers``)."""


def _note_redefined(points: list[TrendPoint], measures: dict[str, Measured]) -> None:
    """Note, and take out of the plot, each point whose run defined the metric otherwise than
    the latest run did (another kind, expression or population under one id, or a scorer it
    reads set otherwise: ``measures``): one line through both would draw a change of
    definition as a change of the target. A run that records no scorer settings (an older
    version's) is held to the rest only."""
    latest_kind, latest, entry, latest_scorers = measures[points[-1].run_id]
    for point in points:
        kind, measured, _, scorers = measures[point.run_id]
        if point.note:
            continue
        if (kind, measured) != (latest_kind, latest):
            point.value = None
            point.note = (
                f"defined differently from the latest run's (here {kind} {shown(measured)}, "
                f"there {latest_kind} {shown(latest)}): another measure; not plotted"
            )
            continue
        rescored, _ = changed_scorers(entry, (scorers, latest_scorers))
        if rescored:
            point.value = None
            point.note = (
                f"scored otherwise than the latest run ({'; '.join(rescored)}, here -> "
                "there): another measure; not plotted"
            )


def _all_left_out(suite: str, metric: str, left_out: list[str]) -> str:
    """The line for a trend with no point to show once runs were left out: "metric in no
    run; metrics: none" would read as no run of the suite having measured it. Names the
    first and counts the rest (``trend`` prints each as a warning too)."""
    more = f" (and {len(left_out) - 1} more)" if len(left_out) > 1 else ""
    return (
        f"no run of suite '{suite}' to show '{metric}' from: {len(left_out)} run(s) left out "
        f"because their files are damaged, deleted or edited since the run: {left_out[0]}{more}"
    )


def trend_png(
    points: list[TrendPoint],
    *,
    suite: str,
    metric: str,
    thresholds: dict[str, float] | None = None,
    baseline_run: str | None = None,
) -> bytes:
    """Value per run with interval whiskers; failed gates in red, the baseline ringed."""
    fig = trend_figure(
        points, suite=suite, metric=metric, thresholds=thresholds, baseline_run=baseline_run
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


TARGET_COLOURS = ("#9aa0a6", "#e0a040", "#6a9f58", "#9467bd", "#8c564b")


def trend_figure(
    points: list[TrendPoint],
    *,
    suite: str,
    metric: str,
    thresholds: dict[str, float] | None = None,
    baseline_run: str | None = None,
) -> Any:
    """The trend as a matplotlib Figure (drawn, so label extents can be measured).

    Runs against different targets are different systems: each target gets its own line, named
    in the legend, instead of one line joining them. X labels are rotated and, past
    ``MAX_TICK_LABELS`` runs, thinned, so they never overlap.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(min(MAX_WIDTH_IN, max(6.0, 0.45 * len(points) + 3)), 4.4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    xs = list(range(len(points)))
    # One errorbar call a colour and level, not one a run: 2,000 calls took 13 s and 60 MB.
    drawn: dict[tuple[str, float | None], tuple[list[int], list[float], list[float], list[float]]]
    drawn = {}
    for x, p in zip(xs, points, strict=True):
        if p.value is None:
            continue
        failed = any(v != "pass" for v in p.verdicts)
        # max(0, ...) as in report.plots: an interval can miss its own point estimate (a
        # bootstrap by rounding, or an interval for a related statistic); matplotlib refuses a
        # negative whisker.
        lo = max(0.0, p.value - p.ci_low) if p.ci_low is not None else 0.0
        hi = max(0.0, p.ci_high - p.value) if p.ci_high is not None else 0.0
        key = ("#c62828" if failed else "#3f6fb5", p.confidence)
        column = drawn.setdefault(key, ([], [], [], []))
        column[0].append(x)
        column[1].append(p.value)
        column[2].append(lo)
        column[3].append(hi)
    levels = list(dict.fromkeys(p.confidence for p in points if p.value is not None))
    named: set[float | None] = set()
    for (colour, confidence), (at, ys, lows, highs) in drawn.items():
        # Intervals of several levels: each its own marker and legend entry, so a 99.9%
        # whisker is not read as a wider 95% one (the table labels each run's).
        marker = LEVEL_MARKERS[levels.index(confidence) % len(LEVEL_MARKERS)]
        label = None
        if len(levels) > 1 and confidence not in named:
            named.add(confidence)
            label = interval_words(confidence)
        ax.errorbar(at, ys, yerr=[lows, highs], fmt=marker, capsize=3, color=colour, label=label)
    if len(levels) == 1:
        ax.set_xlabel(f"whiskers: {interval_words(levels[0])}", fontsize=8)
    elif levels:
        ax.set_xlabel("whiskers: intervals of different levels (see the legend)", fontsize=8)
    for x, p in zip(xs, points, strict=True):
        if p.value is not None and p.run_id == baseline_run:
            ax.plot(
                [x],
                [p.value],
                "o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor="#2e7d32",
                markeredgewidth=2,
                label="baseline",
            )
    targets = list(dict.fromkeys(p.target for p in points))
    # A target's line is cut where its suite file, cases or configuration changed
    # (``suite_breaks``), at a dotted mark.
    cuts = {id(after) for _, after in suite_breaks(points)}
    cut_at = [x for x, p in zip(xs, points, strict=True) if id(p) in cuts]
    for x in cut_at:
        ax.axvline(
            x - 0.5,
            color="#777777",
            linestyle=":",
            linewidth=1,
            label="suite or cases changed" if x == cut_at[0] else None,
        )
    for index, target in enumerate(targets):
        pieces: list[list[tuple[int, float]]] = [[]]
        for x, p in zip(xs, points, strict=True):
            if p.target != target:
                continue
            if id(p) in cuts:
                pieces.append([])
            if p.value is not None:
                pieces[-1].append((x, p.value))
        plotted = sum(len(piece) for piece in pieces)
        if plotted <= 1 and len(targets) == 1:
            continue
        labelled = False
        for piece in pieces:
            if not piece:
                continue
            ax.plot(
                [x for x, _ in piece],
                [v for _, v in piece],
                color=TARGET_COLOURS[index % len(TARGET_COLOURS)],
                linewidth=1.5 if len(targets) > 1 else 1,
                zorder=0,
                label=f"target {plot_text(target)}" if len(targets) > 1 and not labelled else None,
            )
            labelled = True
    for label, value in (thresholds or {}).items():
        ax.axhline(
            value, color="#c62828", linestyle="--", linewidth=1, label=f"gate {label} {value:g}"
        )
    step = max(1, -(-len(points) // MAX_TICK_LABELS))
    shown = [x for x in xs if x % step == 0]
    labels = tick_labels(points)
    ax.set_xticks(shown, [labels[x] for x in shown], fontsize=7, rotation=35, ha="right")
    title = f"{suite}: {metric} over the last {len(points)} run(s)"
    if step > 1:
        title += f" (every {step}th run labelled)"
    ax.set_title(plot_text(title), fontsize=11)  # names are data: text, never mathtext
    ax.set_ylabel(plot_text(metric))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.canvas.draw()
    return fig


LEVEL_MARKERS = ("o", "s", "^", "D")
"""A marker a confidence level, in the order the plotted runs first use them."""


def interval_words(confidence: float | None) -> str:
    """``99.9% interval`` at a run's recorded level; ``interval (level not recorded)`` where
    it recorded none (never a 95% nobody recorded)."""
    return (
        "interval (level not recorded)" if confidence is None else f"{level(confidence)} interval"
    )


MAX_TICK_LABELS = 15
MAX_WIDTH_IN = 24.0
"""The plot's widest (2,400 pixels): it was 0.45 inch a run, so ``--last 2000`` drew a PNG
90,300 pixels wide, a 159 MB canvas held twice; past 47 runs the points draw closer instead."""


def tick_labels(points: list[TrendPoint]) -> list[str]:
    """One x label per run: its date and n, with the time of day when two runs share a date
    (nightly plus a rerun, or several runs in a day would otherwise look like one date)."""
    dates = [p.started_at[:10] for p in points]
    repeated = len(set(dates)) < len(dates)
    return [
        f"{p.started_at[:10]}{' ' + p.started_at[11:16] if repeated else ''}\nn={p.n}"
        for p in points
    ]


def gate_thresholds(
    reports_dir: Path | str, suite: str, metric: str, *, target: str | None = None
) -> dict[str, float]:
    """The thresholds of the latest run's gates on this metric (``max``/``min`` -> value), of
    the runs against ``target`` where one is given (as ``trend_points``: another target's
    limit is not the one this target's points were held to); a run whose summary.json was
    edited since (against its manifest or its evidence in the ledger), or that has no
    manifest.json (``trend_points`` leaves them out), is passed over."""
    latest: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
    made = MadeOrder.of(reports_dir)
    runs = iter_suite_runs(reports_dir, suite, target=target)
    for run in runs:  # the last in the points' order (``latest_order``)
        if run.summary_changed() is not None or run.manifest_missing() is not None:
            continue
        rank = latest_order(run, made)
        if latest is None or rank >= latest[0]:
            latest = rank, run.gates
    out: dict[str, float] = {}
    for gate in latest[1] if latest else []:
        if gate.get("metric") == metric:
            for key in ("max", "min"):
                if gate.get(key) is not None:
                    out[key] = float(gate[key])
    return out
