"""The register, its status and the Statement of Applicability as Markdown.

Every value that comes from a file (register text, suite names, model output) goes through
``md_text`` or ``md_code_block``, so nothing in the data can add links, HTML or table cells.
"""

from __future__ import annotations

from ..formatting import (
    MISSING,
    gate_rule,
    md_code,
    md_code_block,
    md_table,
    md_text,
    metric_figure,
    num,
    when,
)
from .drilldown import RiskDetail
from .soa import SoaRow
from .status import LEDGER_FAILED, RegisterStatus, RiskStatus

STATUS_MARK = {
    "verified": "VERIFIED",
    "failing": "FAILING",
    "awaiting review": "AWAITING REVIEW",
    "stale": "STALE",
    "untested": "UNTESTED",
}


def _integrity_md(status: RegisterStatus) -> list[str]:
    report = status.integrity
    lines = []
    if report.ok:
        lines.append(
            f"Evidence ledger {md_code(status.ledger_path)}: {report.records} records, "
            f"hash chain intact (head `{(report.head or MISSING)[:16]}`)."
        )
    else:
        lines.append(
            f"**Evidence ledger integrity FAILED** ({md_code(status.ledger_path)}): "
            f"{LEDGER_FAILED}; the status below rests on records that may have been altered, "
            "and no risk counts as verified."
        )
        lines += [f"- {md_text(i.format(status.ledger_path))}" for i in report.issues]
    gone = status.files_gone_note()
    if gone is not None:
        lines.append(f"- **Run files missing**: {md_text(gone)}.")
    lines += [f"- warning: {md_text(w)}" for w in report.warnings]
    return lines


def _rating(risk_status: RiskStatus) -> tuple[str, str]:
    risk = risk_status.risk
    if risk is None:
        return MISSING, MISSING
    inherent = f"{risk.likelihood}x{risk.impact}={risk.inherent_score} {risk.inherent_rating}"
    residual_l = risk.residual_likelihood or risk.likelihood
    residual_i = risk.residual_impact or risk.impact
    residual = f"{residual_l}x{residual_i}={risk.residual_score} {risk.residual_rating}"
    return inherent, residual


def _evidence_rows(risk_status: RiskStatus) -> list[list[str]]:
    rows = []
    for suite in risk_status.suites:
        if not suite.records:
            rows.append(
                [
                    md_text(suite.suite),
                    MISSING,
                    MISSING,
                    MISSING,
                    "no evidence",
                    MISSING,
                    MISSING,
                    "missing",
                ]
            )
            continue
        for record in suite.records:
            rows.append(
                [
                    md_text(suite.suite) + (" (stale)" if suite.stale else ""),
                    md_text(record.run_id),
                    when(record.evidence_time),
                    md_text(record.target.get("model_version") or MISSING),
                    md_text(record.gate_label),
                    md_text(metric_figure(record.metric, beside=record.gate)),
                    md_text(gate_rule(record.gate)),
                    f"**{md_text(record.verdict)}**",
                ]
            )
    return rows


def render_status_md(status: RegisterStatus) -> str:
    """The whole register with computed status, for a wiki page or a pull request."""
    register = status.register
    system = register.system
    out = [
        f"# AI risk register: {md_text(system.name)}",
        "",
        f"- Intended use: {md_text(system.intended_use)}",
        f"- Audience: {md_text(system.audience.label())}",
        f"- Owner: {md_text(system.owner)}",
        f"- Register: {md_code(status.register_path)}",
        f"- Status computed: {when(status.generated_at)}",
        "",
        *_integrity_md(status),
        "",
        "Status is computed from the evidence ledger and is never hand-edited; ratings are the "
        "owners' and are only flagged for review.",
        "",
        "| status | risks |",
        "|---|---|",
        *[f"| {STATUS_MARK[s]} | {n} |" for s, n in status.counts().items()],
        "",
        "## Risks",
        "",
    ]
    table = []
    for rs in status.risks:
        inherent, residual = _rating(rs)
        table.append(
            [
                md_text(rs.risk_id),
                md_text(rs.title, limit=80),
                md_text(rs.risk.category if rs.risk else MISSING),
                md_text(rs.risk.owner if rs.risk else MISSING),
                inherent,
                residual,
                f"**{STATUS_MARK[rs.status]}**",
                when(rs.last_evidence),
                str(len(rs.flags)),
            ]
        )
    out.append(
        md_table(
            [
                "id",
                "title",
                "category",
                "owner",
                "inherent",
                "residual",
                "status",
                "last evidence",
                "flags",
            ],
            table,
        )
    )
    for rs in status.risks:
        out += ["", *risk_section_md(rs)]
    return "\n".join(out) + "\n"


def risk_section_md(rs: RiskStatus) -> list[str]:
    risk = rs.risk
    out = [f"### {md_text(rs.risk_id)}: {md_text(rs.title)}", ""]
    out.append(
        f"**Status: {STATUS_MARK[rs.status]}**. " + " ".join(md_text(r) + "." for r in rs.reasons)
    )
    out.append("")
    if rs.flags:
        out += [f"- Review: {md_text(flag)}" for flag in rs.flags] + [""]
    if risk is not None:
        if risk.description:
            out += [md_text(risk.description), ""]
        out += [
            f"- Owner: {md_text(risk.owner)}; treatment: {md_text(risk.treatment)}",
            f"- Controls: {md_text('; '.join(risk.controls) or 'none recorded')}",
            f"- Acceptance criteria: {md_text(risk.acceptance_criteria or 'not stated')}",
            f"- Suites: {md_text('; '.join(map(str, risk.suites)) or 'none')}",
            f"- ISO/IEC 42001 Annex A: {md_text(', '.join(risk.iso42001_annex_a) or '-')}",
            f"- NIST AI RMF: {md_text(', '.join(risk.nist_ai_rmf) or '-')}",
            f"- Freshness: {risk.freshness_days} days",
            "",
        ]
    rows = _evidence_rows(rs)
    if rows:
        out.append(
            md_table(
                [
                    "suite",
                    "run",
                    "observed",
                    "model version",
                    "gate",
                    "value [CI] (n)",
                    "threshold",
                    "verdict",
                ],
                rows,
            )
        )
    return out


def render_risk_md(detail: RiskDetail) -> str:
    """``register show``: a risk, its runs, gates and the worst scored responses."""
    rs = detail.status
    out = risk_section_md(rs)
    out += ["", "#### Runs (newest first)", ""]
    if not detail.runs:
        out.append("No runs have produced evidence for this risk.")
    shown_others = False
    for run in detail.runs:
        integrity = run.results_note("hash matches")
        if not run.counted and not shown_others:
            shown_others = True
            out += [
                "",
                "#### Evidence from other targets (not counted in the status)",
                "",
            ]
        out += [
            f"- Run {md_code(run.run_id)} ({md_text(run.suite)}) against "
            f"{md_text(run.target)}, results "
            f"{md_code(run.results_path)} ({md_text(integrity)})",
        ]
        for record in run.records:
            out.append(
                f"  - {md_text(record.id)} {md_text(record.gate_label)}: "
                f"**{md_text(record.verdict)}**, "
                + md_text(metric_figure(record.metric, beside=record.gate))
            )
        for gate_id, why in run.no_case:
            out += ["", f"  Worst cases for {md_text(gate_id)}: none: {md_text(why)}."]
        for case in run.worst:
            out += [
                "",
                f"  Worst case {md_code(case.key)} (results.jsonl line {num(case.line)}):",
                "",
                "  Prompt:",
                "",
                md_code_block(case.prompt),
                "",
                f"  Response{f' ({md_text(case.incomplete)})' if case.incomplete else ''}:",
                "",
                md_code_block(case.response if case.response is not None else case.error),
            ]
    return "\n".join(out) + "\n"


def render_soa_md(rows: list[SoaRow], status: RegisterStatus) -> str:
    """The Statement of Applicability with a technical-evidence column."""
    out = [
        f"# Statement of Applicability: {md_text(status.register.system.name)}",
        "",
        "ISO/IEC 42001:2023 Annex A controls. *Applicable* and *justification* are the owner's "
        "decisions from the register; *technical evidence* is computed from the evidence ledger "
        f"({when(status.generated_at)}). Test results evidence only the testable controls; the "
        "others are evidenced by documents and records.",
        "",
        *_integrity_md(status),
        "",
    ]
    table = []
    for row in rows:
        applicable = {True: "yes", False: "no", None: "not stated"}[row.applicable]
        table.append(
            [
                row.control,
                md_text(row.title),
                applicable,
                md_text(row.justification or "-", limit=120),
                md_text(", ".join(row.risks) or MISSING),
                md_text(row.evidence_label),
                md_text(", ".join(row.runs[:3]) + (" ..." if len(row.runs) > 3 else "") or MISSING),
                md_text(row.note or MISSING),
            ]
        )
    out.append(
        md_table(
            [
                "control",
                "title",
                "applicable",
                "justification",
                "risks",
                "technical evidence",
                "runs",
                "note",
            ],
            table,
        )
    )
    gaps = [r for r in rows if r.note.startswith("gap")]
    out += ["", f"Gaps (testable controls without evidence): {len(gaps)}."]
    return "\n".join(out) + "\n"
