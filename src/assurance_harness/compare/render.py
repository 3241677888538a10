"""Comparison output: a terminal table, Markdown for PR comments, and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..datatypes import json_figures
from ..formatting import (
    MISSING,
    interval,
    level,
    md_code,
    md_text,
    metric_figure,
    p_value,
    signed,
)
from ..stats.twosample import SIGN_FLIP
from ..store.files import check_output_file, write_output
from ..store.runread import (
    CASES,
    MANIFEST,
    RESPONSES,
    RESULTS,
    RUN_STATE,
    SUMMARY,
    RunLog,
)
from .engine import Comparison, MetricComparison

if TYPE_CHECKING:
    from .nightly import UnfinishedCandidate

COMPARISON_SUFFIXES = (".json", ".md", ".markdown")
"""What a comparison file may end with: JSON for .json, Markdown for the rest (a name without a
suffix included: /dev/stdout, a pipe)."""
_RUN_FILES = (SUMMARY, MANIFEST, RESULTS, RUN_STATE, CASES, RESPONSES)

_STYLE = {
    "regressed": "bold red",
    "improved": "green",
    "changed": "yellow",
    "unchanged": "",
    "no_data": "yellow",
    "missing": "dim",
    "untested": "dim",
}
_MD = {
    "regressed": "❌ regressed",
    "improved": "✅ improved",
    "changed": "⚠️ changed",
    "unchanged": "unchanged",
    "no_data": "⚠️ no data",
    "missing": "missing",
    "untested": "untested",
}


def _figure(fig: dict[str, Any] | None) -> str:
    """A metric's figure in one run; one over only the cases the test compared (runs of
    other cases, or a case one run did not answer: ``engine.OnSharedCases``) says so, with
    the whole run's figure beside it, so the two columns and the difference agree."""
    shown = metric_figure(fig)
    if fig and "whole_run" in fig:
        shown += f" {fig.get('method')}; whole run {metric_figure(fig['whole_run'])}"
    return shown


def _diff(m: MetricComparison) -> str:
    if m.test is None:
        return MISSING
    return f"{signed(m.test.diff)} {interval(m.test.ci_low, m.test.ci_high)}"


def _better(m: MetricComparison) -> str:
    """Which way is better and why; where no way is known, why not, in the verdict's words
    for a metric not compared ("no data", as the Markdown verdict says it)."""
    if m.direction is None:
        return m.direction_source.replace("_", " ")
    return f"{m.direction} ({m.direction_source})"


def _plain(value: object, style: str = "") -> Text:
    """User-derived text (metric ids, suite names) as a Text: never read as Rich markup."""
    return Text(str(value), style=style)


def print_comparison(cmp: Comparison, console: Console) -> None:
    """The comparison as a terminal table; every cell is a Text, so a metric id like
    ``[/red]`` prints as written on any console."""
    table = Table(
        title=_plain(f"{cmp.suite}: {cmp.baseline_run} → {cmp.candidate_run}"),
        caption=_plain(
            f"difference = candidate − baseline, {level(1 - cmp.alpha)} interval; "
            f"p adjusted by Holm across {sum(1 for m in cmp.metrics if m.test)} metric(s); "
            f"{'paired by case' if cmp.paired else 'unpaired'}"
        ),
    )
    for column in (
        "metric",
        "baseline",
        "candidate",
        "difference",
        "p",
        "p (Holm)",
        "better",
        "verdict",
    ):
        table.add_column(column, overflow="fold")
    for m in _flat(cmp):
        table.add_row(
            _plain(m.label if m.group is None else f"  {m.label}"),
            _plain(_figure(m.baseline)),
            _plain(_figure(m.candidate)),
            _plain(_diff(m)),
            _plain(p_value(m.test.p_value if m.test else None, alpha=cmp.alpha)),
            _plain(p_value(m.p_adjusted, alpha=cmp.alpha)),
            _plain(_better(m)) if m.group is None else _plain(""),
            _plain(m.verdict, _STYLE.get(m.verdict) or ""),
        )
    console.print(table)
    if any(m.groups for m in cmp.metrics):
        console.print(
            _plain("  groups are a second family of tests, Holm-corrected among themselves")
        )
    for m in _flat(cmp):  # a group's note too: the cases its own test left out, and why
        if m.note:
            console.print(_plain(f"  {m.label}: {m.note}"), soft_wrap=True)
        if m.test is not None and (
            m.verdict in ("regressed", "improved", "changed") or SIGN_FLIP in m.test.method
        ):
            console.print(_plain(f"  {m.label}: {m.test.method}"), soft_wrap=True)
    for warning in cmp.warnings:
        console.print(_plain("warning: ", "yellow") + _plain(warning), soft_wrap=True)
    if cmp.unmeasured is not None:
        return  # no verdict: the command says why on stderr (``unmeasured_line``)
    if cmp.regressions:
        names = ", ".join(m.label for m in cmp.regressions)
        console.print(_plain("regression", "bold red") + _plain(f" in {names}"), soft_wrap=True)
    else:
        console.print(_plain("no significant regression"))


def unmeasured_line(cmp: Comparison) -> str | None:
    """The one line a command prints (an error, exit 3) for a comparison with no verdict."""
    if cmp.unmeasured is None:
        return None
    return f"no verdict for {cmp.suite}: {cmp.unmeasured}"


def _flat(cmp: Comparison) -> list[MetricComparison]:
    """Metrics, each followed by its groups (when groups were compared)."""
    return [item for m in cmp.metrics for item in (m, *m.groups)]


def comparison_markdown(cmp: Comparison) -> str:
    if cmp.unmeasured is not None:
        headline = "No verdict: " + md_text(cmp.unmeasured) + "."
    elif cmp.regressions:
        headline = "Regression in " + ", ".join(md_text(m.label) for m in cmp.regressions) + "."
    else:
        headline = "No significant regression."
    lines = [
        f"## Comparison: {md_text(cmp.suite)}",
        "",
        f"Baseline {md_code(cmp.baseline_run)} ({md_text(cmp.baseline_target)}) → candidate "
        f"{md_code(cmp.candidate_run)} ({md_text(cmp.candidate_target)}). " + headline,
        "",
        "| Metric | Baseline | Candidate | Difference | p | p (Holm) | Better | Verdict |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for m in _flat(cmp):
        lines.append(
            "| "
            + " | ".join(
                [
                    md_text(m.label) if m.group is None else f"↳ {md_text(m.label)}",
                    _figure(m.baseline),
                    _figure(m.candidate),
                    _diff(m),
                    p_value(m.test.p_value if m.test else None, alpha=cmp.alpha),
                    p_value(m.p_adjusted, alpha=cmp.alpha),
                    md_text(_better(m)),
                    _MD.get(m.verdict, m.verdict),
                ]
            )
            + " |"
        )
    lines.append("")
    lines.append(
        f"Difference = candidate − baseline with its {level(1 - cmp.alpha)} interval; "
        f"significance at α = {cmp.alpha:g} after Holm's correction; "
        f"{'paired by case' if cmp.paired else 'unpaired'}."
    )
    # The test behind each p-value, whatever the verdict: an exact test, a bootstrap and a
    # normal approximation from two intervals are not evidence of one strength, and a PR
    # comment is often all a reviewer reads (the terminal and the JSON name it too).
    for m in _flat(cmp):
        if m.test is not None:
            lines.append(f"- {md_text(m.label)}: test: {md_text(m.test.method)}")
    for m in _flat(cmp):
        if m.note:
            lines.append(f"- {md_text(m.label)}: {md_text(m.note)}")
    for warning in cmp.warnings:
        lines.append(f"- warning: {md_text(warning)}")
    return "\n".join(lines) + "\n"


def comparison_json(cmp: Comparison) -> str:
    document = json_figures(cmp.to_dict())
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def comparison_text(cmp: Comparison) -> str:
    """Plain lines for logs and pytest failures (no table markup to unescape by eye); each
    tested metric's and group's test under it, as the table and the Markdown name it: an exact
    test, a bootstrap and a normal approximation from two intervals are not evidence of one
    strength, and a failing test's message is often all that is read."""
    lines = [f"{cmp.suite}: baseline {cmp.baseline_run} -> candidate {cmp.candidate_run}"]
    for m in _flat(cmp):
        lines.append(
            f"  {m.label}: {m.verdict}; baseline {_figure(m.baseline)}, candidate "
            f"{_figure(m.candidate)}, difference {_diff(m)}, "
            f"p (Holm) {p_value(m.p_adjusted, alpha=cmp.alpha)}"
        )
        if m.test is not None:
            lines.append(f"    test: {m.test.method}")
        if m.note:
            lines.append(f"    {m.note}")
    lines.extend(f"  warning: {w}" for w in cmp.warnings)
    return "\n".join(lines)


def check_comparison_out(out_path: Path, runs: Iterable[RunLog], index: Path | None) -> None:
    """Refuse, before the comparison, an ``--out`` that would not hold what is written (Markdown
    in x.html or over suite.yaml) or that is a file the comparison reads: a compared run's
    evidence (its summary.json replaced by the comparison: the run no longer reads or verifies)
    or the run index (``index``, where baselines live; reached through a link)."""
    reads: dict[str, Path | None] = {"the run index": index}
    for run in runs:
        reads.update({f"{name} of run {run.run_id}": run.dir / name for name in _RUN_FILES})
    check_output_file(
        out_path,
        suffixes=COMPARISON_SUFFIXES,
        writes="a comparison is written as JSON or Markdown",
        reads=reads,
    )


def unfinished_markdown(pending: UnfinishedCandidate) -> str:
    """A baseline whose latest run since has not finished, as a comparison's Markdown heads:
    no verdict, and why."""
    base = pending.baseline
    return (
        f"## Comparison: {md_text(base.suite)}\n\n"
        f"Baseline {md_code(base.run_id)} ({md_text(base.target_name)}) → candidate "
        f"{md_code(pending.run_id)} ({md_text(base.target_name)}). "
        f"No verdict: {md_text(pending.unmeasured)}.\n"
    )


def write_comparisons(
    comparisons: list[Comparison],
    out_path: Path,
    *,
    unfinished: Sequence[UnfinishedCandidate] = (),
    alpha: float = 0.05,
    nothing: str | None = None,
) -> None:
    """JSON (one object, or a list for several) when ``out_path`` ends .json, else Markdown;
    the ``unfinished`` checks (``nightly.UnfinishedCandidate``, at ``alpha``) after the
    comparisons, as ``-f json`` prints them. With neither, ``nothing`` says why (the file is
    written all the same, ``[]`` in JSON: a file left from an earlier night read as this
    one's)."""
    if out_path.suffix.lower() == ".json":
        entries = [comparison_json(c) for c in comparisons] + [
            json.dumps(
                json_figures(p.to_dict(alpha=alpha)), indent=2, ensure_ascii=False, allow_nan=False
            )
            + "\n"
            for p in unfinished
        ]
        text = entries[0] if len(entries) == 1 else "[\n" + ",\n".join(entries) + "]\n"
    else:
        parts = [comparison_markdown(c) for c in comparisons]
        parts += [unfinished_markdown(p) for p in unfinished]
        if not parts:
            parts = [f"## Baseline check\n\nNothing compared: {md_text(nothing or '')}.\n"]
        text = "\n".join(parts)
    write_output(out_path, text)
