"""The self-contained HTML run report: one file, no scripts, no network, figures inline.

Rendered by Jinja2 with autoescaping on for every variable, so model output (prompts,
responses, error messages, metadata) always shows as text. The page also carries a
Content-Security-Policy that forbids scripts and remote loads, as a second line of defence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader

from ..formatting import num
from .context import (
    CHANGED_EFFECT,
    SKIPPED_EFFECT,
    SUMMARY_CHANGED_EFFECT,
    ReportContext,
    anchor,
    build_context,
)
from .plots import Plot, run_plots
from .rundata import RunData

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
    )
    env.globals.update(fmt=num, anchor=anchor)
    return env


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
        status_label=STATUS_LABELS.get(ctx.status, ctx.status),
        skipped_effect=SKIPPED_EFFECT,
        changed_effect=CHANGED_EFFECT,
        summary_changed_effect=SUMMARY_CHANGED_EFFECT,
        tool_version=_tool_version(),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
