"""JUnit XML for CI systems: one test case per gate, so a failed gate shows as a failed test.

The layout (testsuites > testsuite > properties, testcase > failure/error) is the one Jenkins,
GitLab, GitHub test-reporter actions and Azure DevOps read. Text from data is written as every
view writes it (``formatting.visible``): control characters, C1 controls and bidirectional
overrides in model output as escapes, and what else XML 1.0 forbids (a lone surrogate, U+FFFE,
U+FFFF) too, so the file always parses and a CI view reads the text the model gave.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from typing import Any

from ..formatting import error_rate_and_limit, num, row_incomplete, unique_name
from ..formatting.visible import one_line, visible
from ..store.runread import NOTHING_MEASURED, measured_nothing
from .context import GateView, ReportContext, build_context
from .rundata import RunData

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SNIPPET = 300


def xml_text(value: Any) -> str:
    """``value`` as XML 1.0 can hold it, each hidden character an escape: dropped, a CI view
    read "hate\\b\\b\\b\\bpass" as "hatepass"; a right-to-left override and a C1 control
    were kept raw."""
    return _INVALID_XML.sub(lambda m: one_line(m.group(0)), visible(str(value)))


def _elapsed(ctx: ReportContext) -> float:
    from datetime import datetime

    try:
        start = datetime.fromisoformat(ctx.started_at)
        end = datetime.fromisoformat(ctx.finished_at)
    except ValueError:
        return 0.0
    return max(0.0, (end - start).total_seconds())


def gate_message(g: GateView) -> str:
    """One line: what was checked against what, with the interval and n, and why there was
    no figure to check where there was none."""
    text = (
        f"{g.metric} {g.threshold} on the {g.bound}: checked {g.checked}; "
        f"estimate {g.value}, interval {g.interval}, n={g.n}"
    )
    # The skipped-rows note starts with the same n ("n=5, 1 row skipped"): said once, beside it.
    same_n = f"n={g.n}, "
    notes = [note.removeprefix(same_n) for note in g.notes if note.startswith(same_n)]
    text += "".join(f", {note}" for note in notes)
    if g.failing_text:
        text += f"; failing groups: {g.failing_text}"
    if g.no_data_reason:
        # CI shows this line alone: "n=0" without the reason sends the reader to summary.json.
        text += f"; no data: {g.no_data_reason}"
    return text + "".join(f"; {note}" for note in g.notes if not note.startswith(same_n))


def gate_details(g: GateView, ctx: ReportContext, rows: dict[str, dict[str, Any]]) -> str:
    """The body of a failure: the figures, then the worst cases with response snippets."""
    lines = [gate_message(g)]
    if g.no_case_text:
        lines.append(f"worst cases: none: {g.no_case_text}")
    if g.worst_cases:
        lines.append(f"worst cases ({len(g.worst_cases)}), in {ctx.results_path}:")
        for key in g.worst_cases:
            row = rows.get(key)
            if row is None:
                lines.append(f"  {key}")
                continue
            response = row.get("response")
            if response is None and row.get("error"):
                response = f"<error: {row['error'].get('message')}>"
            snippet = " ".join(str(response or "").split())
            if len(snippet) > SNIPPET:
                snippet = snippet[:SNIPPET] + " …"
            cut = row_incomplete(row)
            lines.append(f"  {key}: {snippet}" + (f" [{cut}]" if cut else ""))
    report = ctx.run.run_dir / "report.html"
    lines.append(f"report: {report}")
    return "\n".join(lines)


def render_junit(run: RunData, *, context: ReportContext | None = None) -> str:
    ctx = context or build_context(run)
    suite_name = str(ctx.suite.get("name") or "suite")
    classname = f"assurance.{suite_name}"
    rows = ctx.shown_rows

    failures = sum(1 for g in ctx.gates if g.verdict != "pass")
    errors = 1 if ctx.status == "run_failed" else 0
    # A run is one 'run' case when it failed, and when it has no gates (as the pytest plugin's
    # one item for such a suite): a file with no test case reads as a suite that never ran.
    run_case = bool(errors) or not ctx.gates
    tests = len(ctx.gates) + int(run_case)
    elapsed = f"{_elapsed(ctx):.3f}"

    root = ET.Element(
        "testsuites",
        {
            "name": "assurance-harness",
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": elapsed,
        },
    )
    suite_el = ET.SubElement(
        root,
        "testsuite",
        {
            "name": xml_text(suite_name),
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": "0",
            "time": elapsed,
            "timestamp": xml_text(ctx.started_at),
            "hostname": xml_text(socket.gethostname()),
            "id": "0",
        },
    )
    props = ET.SubElement(suite_el, "properties")
    for name, value in (
        ("run_id", ctx.run_id),
        ("status", ctx.status),
        ("suite_version", ctx.suite.get("version")),
        ("suite_sha256", ctx.suite.get("sha256")),
        ("target", ctx.target.get("name")),
        ("target_fingerprint", ctx.target.get("fingerprint")),
        ("model_version", ctx.target.get("model_version")),
        ("evidence_for", ",".join(ctx.suite.get("evidence_for") or []) or None),
        ("results", ctx.results_path),
        ("results_skipped", ctx.skipped_note),  # only when lines were skipped
        ("results_changed", ctx.changed_note),  # only when it is not the manifest's
        ("summary_changed", ctx.summary_changed_note),  # only when it is not the manifest's
        ("manifest_missing", ctx.manifest_missing_note),  # only when there is none
        ("reviews_left_out", "; ".join(ctx.reviews_left_out) or None),  # only when any are
        ("requests", ctx.counts.get("requests")),
        ("errors", ctx.counts.get("errors")),
    ):
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})

    # Test cases are keyed by class and name in every CI test view: gates sharing a label (or
    # one named 'run') get their place added, as the pytest plugin names its items.
    taken: set[str] = set()
    if ctx.status == "run_failed":
        taken.add("run")
        case = ET.SubElement(
            suite_el, "testcase", {"classname": classname, "name": "run", "time": elapsed}
        )
        rate, allowed = error_rate_and_limit(ctx.counts)
        message = (
            f"the run failed: {NOTHING_MEASURED} ({num(ctx.counts.get('errors'))} of "
            f"{num(ctx.counts.get('requests'))} requests; error rate {rate}, allowed {allowed})"
            if measured_nothing(ctx.counts)
            else f"the run failed: error rate {rate} above {allowed} "
            f"({num(ctx.counts.get('errors'))} of {num(ctx.counts.get('requests'))} requests)"
        )
        error = ET.SubElement(case, "error", {"message": xml_text(message), "type": "run_failed"})
        error.text = xml_text(message)
    elif run_case:
        taken.add("run")
        ET.SubElement(
            suite_el, "testcase", {"classname": classname, "name": "run", "time": elapsed}
        )

    for index, g in enumerate(ctx.gates):
        name = unique_name(xml_text(g.id), f"gate {index}", taken)
        case = ET.SubElement(
            suite_el, "testcase", {"classname": classname, "name": name, "time": "0"}
        )
        if g.verdict == "pass":
            continue
        kind = "gate_failed" if g.verdict == "fail" else str(g.verdict)
        failure = ET.SubElement(
            case, "failure", {"message": xml_text(gate_message(g)), "type": xml_text(kind)}
        )
        failure.text = xml_text(gate_details(g, ctx, rows))

    out = ET.SubElement(suite_el, "system-out")
    out.text = xml_text(f"run {ctx.run_id}: {ctx.run.run_dir}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
