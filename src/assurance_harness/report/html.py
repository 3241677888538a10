"""The self-contained HTML run report: one file, no scripts, no network, figures inline.

Rendered by Jinja2 with autoescaping on for every variable, so model output (prompts,
responses, error messages, metadata) always shows as text, and every value written through
``formatting.pagetext`` (the environment's ``finalize``): a browser drops a NUL and hides other
control characters, so "I hate\\x00 this" read "I hate this"; the page shows NUL as ``␀`` and
says so (``store.nultext.page_note``). The page also carries a Content-Security-Policy that
forbids scripts and remote loads, as a second line of defence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader

from ..formatting import error_rate_and_limit, num
from ..formatting.pagetext import page_text
from ..store.nultext import page_note
from ..store.runread import NOTHING_MEASURED, SUMMARY_CHANGED_EFFECT, measured_nothing
from .context import (
    CHANGED_EFFECT,
    SKIPPED_EFFECT,
    ReportContext,
    anchor,
    build_context,
)
from .plots import Plot, run_plots
from .rundata import RunData

RUN_TEXTS = (
    "the run's text (prompts, responses, scores, group names)",
    "the run's results.jsonl",
)
"""What the page's NUL note says of the texts it shows, and where their exact text is."""

STATUS_LABELS = {
    "passed": "passed",
    "gates_failed": "gates failed",
    "run_failed": "run failed",
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("assurance_harness.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=page_text,  # no control character reaches the page as text
    )
    env.globals.update(fmt=num, anchor=anchor, error_rate_and_limit=error_rate_and_limit)
    return env


def _shown_texts(ctx: ReportContext) -> Iterator[str]:
    """The texts from the run's rows the page shows (what ``page_note`` reads): the worst
    cases' and failed requests' prompts, answers, errors and scores, and the group names."""
    for case in [*ctx.worst_cases, *ctx.errors]:
        yield from (case.prompt or "", case.response or "", case.metadata_json)
        yield from (str(m.get("content")) for m in case.messages or [] if isinstance(m, dict))
        yield str((case.error or {}).get("message") or "")
        yield from (value for _, value in case.score_items)
        yield from (text for counterpart in case.counterparts for text in counterpart)
    for gate in ctx.gates:
        yield from gate.failing_groups
        yield from (str(f.get("name")) for f in gate.group_figures)
    for metric in ctx.metrics:
        yield from (str(g.get("name")) for g in metric.groups)


def _tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("assurance-harness")
    except Exception:  # running from a source tree without metadata
        return "unknown"


def render_html(
    run: RunData, *, context: ReportContext | None = None, plots: list[Plot] | None = None
) -> str:
    """The report as one HTML document."""
    ctx = context or build_context(run)
    problems: list[str] = []
    if plots is None:
        plots, problems = run_plots(run)
    template = _environment().get_template("run.html")
    return template.render(
        ctx=ctx,
        plots=plots,
        plot_problems=problems,
        nul_note=page_note(None, *_shown_texts(ctx), of=RUN_TEXTS),
        status_label=STATUS_LABELS.get(ctx.status, ctx.status),
        skipped_effect=SKIPPED_EFFECT,
        changed_effect=CHANGED_EFFECT,
        summary_changed_effect=SUMMARY_CHANGED_EFFECT,
        nothing_measured=NOTHING_MEASURED if measured_nothing(ctx.counts) else None,
        tool_version=_tool_version(),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
