"""The Markdown run report, for pull requests, merge requests and wikis.

Model output never reaches Markdown syntax: prompts and responses go in fenced code blocks
whose fence is longer than any backtick run inside them, and other text from data (group
names, error messages, ids) is escaped so pipes, HTML, emphasis and link syntax stay literal.
"""

from __future__ import annotations

from ..formatting import MISSING, error_rate_and_limit, md_code, md_code_block, md_text, num
from ..store.runread import NOTHING_MEASURED, SUMMARY_CHANGED_EFFECT, measured_nothing
from .context import (
    CHANGED_EFFECT,
    SKIPPED_EFFECT,
    GateView,
    ReportContext,
    build_context,
)
from .rundata import RunData

MAX_TEXT = 2000
"""Characters of each prompt or response shown; PR comments have size limits."""

_VERDICT = {"pass": "✅ pass", "fail": "❌ FAIL", "no_data": "⚠️ no data"}
_STATUS = {"passed": "✅ passed", "gates_failed": "❌ gates failed", "run_failed": "❌ run failed"}


def _truncate(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"\n[… {len(text) - MAX_TEXT} more characters in results.jsonl]"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render_markdown(run: RunData, *, context: ReportContext | None = None) -> str:
    ctx = context or build_context(run)
    suite, target = ctx.suite, ctx.target
    out: list[str] = []
    status = _STATUS.get(ctx.status, md_text(ctx.status))
    out.append(
        f"# Assurance report: {md_text(suite.get('name') or 'suite')} "
        f"{md_text(suite.get('version') or '')} · {status}"
    )
    out.append("")
    target_text = md_text(target.get("name") or MISSING)
    if target.get("model_version"):
        target_text += f" (model {md_text(target['model_version'])})"
    out.append(f"Target **{target_text}** · run {md_code(ctx.run_id)} · {md_text(ctx.started_at)}")
    out.append("")
    if ctx.summary_changed_note:  # before the verdicts: they are read from the edited file
        out.append(f"**Edited**: {md_text(ctx.summary_changed_note)}. {SUMMARY_CHANGED_EFFECT}")
        out.append("")
    if ctx.manifest_missing_note:  # before the verdicts: nothing checks the file they are from
        out.append(f"**Unchecked**: {md_text(ctx.manifest_missing_note)}.")
        out.append("")
    rate, allowed = error_rate_and_limit(ctx.counts)
    if ctx.status == "run_failed" and measured_nothing(ctx.counts):
        out.append(
            f"**The run failed**: {NOTHING_MEASURED} ({num(ctx.counts.get('errors'))} of "
            f"{num(ctx.counts.get('requests'))} requests; error rate {rate}, allowed "
            f"{allowed})."
        )
        out.append("")
    elif ctx.status == "run_failed":
        out.append(
            f"**The run failed**: {num(ctx.counts.get('errors'))} of "
            f"{num(ctx.counts.get('requests'))} requests ended in error (error rate "
            f"{rate}, allowed {allowed}). Figures below are partial."
        )
        out.append("")
    if ctx.skipped_note:
        out.append(f"**Skipped**: {md_text(ctx.skipped_note)}. {SKIPPED_EFFECT}")
        out.append("")
    if ctx.changed_note:
        out.append(f"**Changed**: {md_text(ctx.changed_note)}. {CHANGED_EFFECT}")
        out.append("")
    if suite.get("evidence_for"):
        out.append("Evidence for risk(s): " + ", ".join(md_text(r) for r in suite["evidence_for"]))
        out.append("")
    if suite.get("description"):
        out.append(md_text(suite["description"]))
        out.append("")

    out.append("## Gates")
    out.append("")
    if ctx.gates:
        out.append(
            _row(
                [
                    "Gate",
                    "Verdict",
                    "Threshold",
                    "Checked",
                    "Estimate",
                    "Interval",
                    "n",
                    "Failing groups",
                    "Worst cases",
                ]
            )
        )
        out.append(_row(["---", "---", "---", "---:", "---:", "---:", "---:", "---", "---"]))
        for g in ctx.gates:
            worst = ", ".join(md_code(k, cell=True) for k in g.worst_cases[:5]) or MISSING
            if len(g.worst_cases) > 5:
                worst += f" +{len(g.worst_cases) - 5}"
            out.append(
                _row(
                    [
                        md_text(g.id),
                        _VERDICT.get(g.verdict, md_text(g.verdict)),
                        md_text(f"{g.metric} {g.threshold}"),
                        f"{g.checked} ({md_text(g.bound)})",
                        _with_groups(g, "value", g.value),
                        _with_groups(g, "interval", g.interval),
                        _with_groups(g, "n", g.n),
                        (md_text(g.failing_text) or MISSING)
                        + (f"; no data: {md_text(g.no_data_reason)}" if g.no_data_reason else "")
                        + "".join(f"; {md_text(note)}" for note in g.notes),
                        worst,
                    ]
                )
            )
        out += _validity_lines(ctx)
    else:
        out.append("This suite defines no gates.")
    out.append("")

    out.append("## Metrics")
    out.append("")
    if ctx.metrics:
        out.append(_row(["Metric", "Kind", "Value", "Interval", "n", "Method"]))
        out.append(_row(["---", "---", "---:", "---:", "---:", "---"]))
        for m in ctx.metrics:
            out.append(
                _row(
                    [
                        md_text(m.id),
                        md_text(m.kind),
                        m.value,
                        m.labelled_interval,
                        m.n,
                        md_text(m.method),
                    ]
                )
            )
            for grp in m.groups:
                out.append(
                    _row(
                        [
                            f"  ↳ {md_text(grp['name'])}",
                            "group ❌ fails gate" if grp["failing"] else "group",
                            grp["value"],
                            grp["interval"],
                            grp["n"],
                            "",
                        ]
                    )
                )
        noted = [m for m in ctx.metrics if m.notes]
        if noted:
            out.append("")
            out += [f"- {md_code(m.id)}: {md_text(note)}" for m in noted for note in m.notes]
    else:
        out.append("No metrics were computed.")
    out.append("")

    out.append("## Worst cases")
    out.append("")
    for g in ctx.gates:
        if g.no_case_text:
            out.extend([f"{md_text(g.id)}: {md_text(g.no_case_text)}.", ""])
    if ctx.missing_cases:  # named by the gates, not in the rows as they are now
        out.append(f"Not found in results.jsonl: {md_text(', '.join(ctx.missing_cases))}")
        out.append("")
    elif not ctx.worst_cases and ctx.no_worst_text:
        out.extend([ctx.no_worst_text, ""])
    for c in ctx.worst_cases:
        out.append(f"### {md_code(c.key)} · gate(s): {', '.join(md_text(x) for x in c.gates)}")
        out.append("")
        if c.messages:
            convo = "\n".join(f"{m.get('role')}: {m.get('content')}" for m in c.messages)
            out.extend(["**Conversation**", "", md_code_block(_truncate(convo)), ""])
        else:
            out.extend(["**Prompt**", "", md_code_block(_truncate(c.prompt or "")), ""])
        if c.error:
            err = f"error: {c.error.get('type')}: {c.error.get('message')}"
            out.extend(["**Response**", "", md_code_block(err), ""])
        else:
            said = f" ({md_text(c.incomplete)})" if c.incomplete else ""
            out.extend([f"**Response**{said}", "", md_code_block(_truncate(c.response or "")), ""])
        out.extend(["**Scores**", ""])
        if c.score_items:
            out.append("| field | value |")
            out.append("|---|---|")
            out += [f"| {md_code(n, cell=True)} | {md_text(v)} |" for n, v in c.score_items]
        else:
            out.append("(not scored)")
        out.append("")
        if c.counterparts:
            out.extend(["**The same template, other groups**", "", "| group | response | scores |"])
            out.append("|---|---|---|")
            out += [
                f"| {md_text(g)} | {md_text(_truncate(r))} | {md_text(sc)} |"
                for g, r, sc in c.counterparts
            ]
            out.append("")

    out.append("## Run details")
    out.append("")
    counts = ctx.counts
    out.append(f"- Run id: {md_code(ctx.run_id)}")
    out.append(
        f"- Suite: {md_text(suite.get('name'))} {md_text(suite.get('version') or '')}"
        + (f", SHA-256 {md_code(suite['sha256'])}" if suite.get("sha256") else "")
    )
    out.append(
        f"- Target: {md_text(target.get('name') or '–')} ({md_text(target.get('type') or '–')})"
        + (f", fingerprint {md_code(target['fingerprint'])}" if target.get("fingerprint") else "")
    )
    out.append(
        f"- Requests: {num(counts.get('requests'))}, responses {num(counts.get('responses'))}, "
        f"errors {num(counts.get('errors'))} (rate {num(counts.get('error_rate'))})"
    )
    out.append(f"- Started {md_text(ctx.started_at)}, finished {md_text(ctx.finished_at)}")
    out += [f"- {md_text(label)}: {md_text(text)}" for label, text in ctx.sent]
    out.append(f"- Results: {md_code(ctx.results_path)}")
    out.append("")
    if ctx.manifest_json:
        out.extend(
            [
                "<details><summary>manifest.json</summary>",
                "",
                md_code_block(ctx.manifest_json, "json"),
                "",
                "</details>",
                "",
            ]
        )
    return "\n".join(out)


def _validity_lines(ctx: ReportContext) -> list[str]:
    """Beside the gates: how far each scorer a verdict rests on was validated, and where it is
    known to be weak (its validity card), so a verdict is never read without it."""
    lines: list[str] = []
    for g in ctx.gates:
        unmet = g.raw.get("validity_unmet") or []
        for card in g.validity:
            if not lines:
                lines += ["", "**Scorer validity** (what each verdict rests on):", ""]
            weak = "; ".join(card.get("weak_spots") or []) or "none recorded"
            reviewed = str((card.get("reviewed") or {}).get("text") or "")
            lines.append(
                f"- {md_text(g.id)}: `{card.get('id')}` = {md_text(str(card.get('scorer')))} "
                f"— {md_text(str(card.get('headline')))}. Known weak spots: {md_text(weak)}"
                + (f". {md_text(reviewed[:1].upper() + reviewed[1:])}" if reviewed else "")
            )
        for check in g.raw.get("validity_checked") or []:
            if check.get("met"):
                lines.append(f"- {md_text(g.id)}: validity checked: {md_text(check['text'])}")
        for reason in unmet:
            lines.append(f"- {md_text(g.id)}: ❌ minimum validity not met: {md_text(reason)}")
    if lines:
        lines += [f"- reviewed figures {md_text(line)}" for line in ctx.reviews_left_out]
    return lines


def _with_groups(gate: GateView, key: str, overall: str) -> str:
    """The overall figure, then each failing group's own (an overall 0.005 beside a failing
    group must not read as a pass). A figure that is one group's (a paired delta's furthest)
    is labelled so whether or not a group failed: bare beside n of every row, it read as a mean
    over all of them."""
    if not gate.group_figures:
        if key == "value" and gate.overall_label != "overall":
            return f"{md_text(gate.overall_label)} {overall}"
        return overall
    parts = [f"{md_text(gate.overall_label)} {overall}" if key == "value" else overall]
    for figures in gate.group_figures:
        label = f"{md_text(figures['name'])} " if key == "value" else ""
        parts.append(f"{label}{figures[key]}")
    return "<br>".join(parts)
