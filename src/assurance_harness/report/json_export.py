"""The JSON run report: summary, manifest and the worst cases' rows in one document.

For dashboards and GRC tools that want one file per run rather than a run directory.
"""

from __future__ import annotations

import json
from typing import Any

from ..datatypes import json_figures
from .context import ReportContext, build_context
from .rundata import RunData

FORMAT = "assurance-report/1"


def report_document(run: RunData, *, context: ReportContext | None = None) -> dict[str, Any]:
    ctx = context or build_context(run)
    rows = ctx.shown_rows
    document: dict[str, Any] = {
        "format": FORMAT,
        "run_id": ctx.run_id,
        "run_dir": str(run.run_dir),
        "status": ctx.status,
        "summary": run.summary,
        "manifest": run.manifest,
        "sent": [{"label": label, "text": text} for label, text in ctx.sent],
        # Per gate: the scorer validity cards it rests on, each with its figures against this
        # deployment's human verdicts ("reviewed") where there are any, and what
        # min_validity checked.
        "validity": [
            {"gate": g.id, "scorers": g.validity, "checked": g.raw.get("validity_checked") or []}
            for g in ctx.gates
            if g.validity
        ],
        "worst_cases": [
            {"key": c.key, "gates": c.gates, "row": rows.get(c.key)} for c in ctx.worst_cases
        ],
        "failed_requests": [{"key": c.key, "error": c.error} for c in ctx.errors],
    }
    if ctx.skipped_lines:  # optional: absent for a well-formed results file
        document["skipped_result_lines"] = {
            "path": ctx.results_path,
            "lines": ctx.skipped_lines,
        }
    if ctx.changed_note:  # optional: absent for the results file the run wrote
        document["results_changed"] = ctx.changed_note
    if ctx.summary_changed_note:  # optional: absent for the summary the run wrote
        document["summary_changed"] = ctx.summary_changed_note
    if ctx.manifest_missing_note:  # optional: absent where the run has its manifest.json
        document["manifest_missing"] = ctx.manifest_missing_note
    if ctx.reviews_left_out:  # optional: absent when the ledger backs every verdict
        document["reviews_left_out"] = ctx.reviews_left_out
    return document


def render_json(run: RunData, *, context: ReportContext | None = None) -> str:
    document = json_figures(report_document(run, context=context))
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
