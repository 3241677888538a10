"""The Markdown run report, for pull requests, merge requests and wikis.

Model output never reaches Markdown syntax: prompts and responses go in fenced code blocks
whose fence is longer than any backtick run inside them, and other text from data (group
names, error messages, ids) is escaped so pipes, HTML, emphasis and link syntax stay literal.
"""

from __future__ import annotations

import re

from .context import GateView, ReportContext, build_context, fmt
from .rundata import RunData

MAX_TEXT = 2000
"""Characters of each prompt or response shown; PR comments have size limits."""

# Enough to stop emphasis, code, links/images (no "[" means no link), tables and strikethrough;
# "(", "!" and "#" are harmless mid-line once "[" is escaped, so they stay readable.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^([#+=>-]|\d+[.)])")
_VERDICT = {"pass": "✅ pass", "fail": "❌ FAIL", "no_data": "⚠️ no data"}
_STATUS = {"passed": "✅ passed", "gates_failed": "❌ gates failed", "run_failed": "❌ run failed"}


def escape_md(text: object, *, line_start: bool = False) -> str:
    """Text safe in a Markdown paragraph or table cell: no markup, links, HTML or line breaks.

    ``line_start=True`` also defuses block syntax (headings, lists, quotes), which only
    matters for text that begins a line.
    """
    value = " ".join(str(text).split())
    value = _MD_INLINE.sub(r"\\\1", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # GitHub's Markdown turns bare URLs, www. names and e-mail addresses into links.
    value = value.replace("://", "&#58;//").replace("www.", "www&#46;").replace("@", "&#64;")
    if not line_start:
        return value
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], value)


def fenced(text: str, info: str = "text") -> str:
    """A fenced code block that no content can close early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def code_span(text: object) -> str:
    """Inline code that no content can close early; pipes escaped so tables stay intact."""
    value = " ".join(str(text).split()).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    tick = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{tick}{pad}{value}{pad}{tick}"


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
    status = _STATUS.get(ctx.status, escape_md(ctx.status))
    out.append(
        f"# Assurance report: {escape_md(suite.get('name') or 'suite')} "
        f"{escape_md(suite.get('version') or '')} · {status}"
    )
    out.append("")
    target_text = escape_md(target.get("name") or "–")
    if target.get("model_version"):
        target_text += f" (model {escape_md(target['model_version'])})"
    out.append(
        f"Target **{target_text}** · run {code_span(ctx.run_id)} · {escape_md(ctx.started_at)}"
    )
    out.append("")
    if ctx.status == "run_failed":
        out.append(
            f"**The run failed**: {fmt(ctx.counts.get('errors'))} of "
            f"{fmt(ctx.counts.get('requests'))} requests ended in error (error rate "
            f"{fmt(ctx.counts.get('error_rate'))}, allowed "
            f"{fmt(ctx.counts.get('max_error_rate'))}). Figures below are partial."
        )
        out.append("")
    if suite.get("evidence_for"):
        out.append(
            "Evidence for risk(s): " + ", ".join(escape_md(r) for r in suite["evidence_for"])
        )
        out.append("")
    if suite.get("description"):
        out.append(escape_md(suite["description"], line_start=True))
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
            worst = ", ".join(code_span(k) for k in g.worst_cases[:5]) or "–"
            if len(g.worst_cases) > 5:
                worst += f" +{len(g.worst_cases) - 5}"
            out.append(
                _row(
                    [
                        escape_md(g.id),
                        _VERDICT.get(g.verdict, escape_md(g.verdict)),
                        escape_md(f"{g.metric} {g.threshold}"),
                        f"{g.checked} ({escape_md(g.bound)})",
                        _with_groups(g, "value", g.value),
                        _with_groups(g, "interval", g.interval),
                        _with_groups(g, "n", g.n),
                        (", ".join(escape_md(x) for x in g.failing_groups) or "–")
                        + (f"; no data: {escape_md(g.no_data_reason)}" if g.no_data_reason else ""),
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
                        escape_md(m.id),
                        escape_md(m.kind),
                        m.value,
                        m.interval,
                        m.n,
                        escape_md(m.method),
                    ]
                )
            )
            for grp in m.groups:
                out.append(
                    _row(
                        [
                            f"  ↳ {escape_md(grp['name'])}",
                            "group ❌ fails gate" if grp["failing"] else "group",
                            grp["value"],
                            grp["interval"],
                            grp["n"],
                            "",
                        ]
                    )
                )
    else:
        out.append("No metrics were computed.")
    out.append("")

    out.append("## Worst cases")
    out.append("")
    if not ctx.worst_cases:
        out.append("No individual cases to show (no gate failed, or the failing gates name none).")
        out.append("")
    for c in ctx.worst_cases:
        out.append(f"### {code_span(c.key)} · gate(s): {', '.join(escape_md(x) for x in c.gates)}")
        out.append("")
        if c.messages:
            convo = "\n".join(f"{m.get('role')}: {m.get('content')}" for m in c.messages)
            out.extend(["**Conversation**", "", fenced(_truncate(convo)), ""])
        else:
            out.extend(["**Prompt**", "", fenced(_truncate(c.prompt or "")), ""])
        if c.error:
            err = f"error: {c.error.get('type')}: {c.error.get('message')}"
            out.extend(["**Response**", "", fenced(err), ""])
        else:
            out.extend(["**Response**", "", fenced(_truncate(c.response or "")), ""])
        out.extend(["**Scores**", ""])
        if c.score_items:
            out.append("| field | value |")
            out.append("|---|---|")
            out += [f"| {code_span(n)} | {escape_md(v)} |" for n, v in c.score_items]
        else:
            out.append("(not scored)")
        out.append("")
        if c.counterparts:
            out.extend(["**The same template, other groups**", "", "| group | response | scores |"])
            out.append("|---|---|---|")
            out += [
                f"| {escape_md(g)} | {escape_md(_truncate(r))} | {escape_md(sc)} |"
                for g, r, sc in c.counterparts
            ]
            out.append("")

    out.append("## Run details")
    out.append("")
    counts = ctx.counts
    out.append(f"- Run id: {code_span(ctx.run_id)}")
    out.append(
        f"- Suite: {escape_md(suite.get('name'))} {escape_md(suite.get('version') or '')}"
        + (f", SHA-256 {code_span(suite['sha256'])}" if suite.get("sha256") else "")
    )
    out.append(
        f"- Target: {escape_md(target.get('name') or '–')} ({escape_md(target.get('type') or '–')})"
        + (f", fingerprint {code_span(target['fingerprint'])}" if target.get("fingerprint") else "")
    )
    out.append(
        f"- Requests: {fmt(counts.get('requests'))}, responses {fmt(counts.get('responses'))}, "
        f"errors {fmt(counts.get('errors'))} (rate {fmt(counts.get('error_rate'))})"
    )
    out.append(f"- Started {escape_md(ctx.started_at)}, finished {escape_md(ctx.finished_at)}")
    out += [f"- {escape_md(label)}: {escape_md(text)}" for label, text in ctx.sent]
    out.append(f"- Results: {code_span(ctx.results_path)}")
    out.append("")
    if ctx.manifest_json:
        out.extend(
            [
                "<details><summary>manifest.json</summary>",
                "",
                fenced(ctx.manifest_json, "json"),
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
            lines.append(
                f"- {escape_md(g.id)}: `{card.get('id')}` = {escape_md(str(card.get('scorer')))} "
                f"— {escape_md(str(card.get('headline')))}. Known weak spots: {escape_md(weak)}"
            )
        for reason in unmet:
            lines.append(f"- {escape_md(g.id)}: ❌ minimum validity not met: {escape_md(reason)}")
    return lines


def _with_groups(gate: GateView, key: str, overall: str) -> str:
    """The overall figure, then each failing group's own (an overall 0.005 beside a failing
    group must not read as a pass)."""
    if not gate.group_figures:
        return overall
    parts = [f"overall {overall}" if key == "value" else overall]
    for figures in gate.group_figures:
        label = f"{escape_md(figures['name'])} " if key == "value" else ""
        parts.append(f"{label}{figures[key]}")
    return "<br>".join(parts)
