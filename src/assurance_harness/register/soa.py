"""Statement of Applicability: for each ISO/IEC 42001 Annex A control, the owner's decision
beside the technical evidence the ledger holds for the risks that rely on it.

The owner's columns (applicable, justification) come from the register; the evidence column is
computed. A testable control (see ``catalogue.TECHNICAL``) that is applicable but has no
evidence is a gap worth closing; an organisational control without technical evidence is
expected, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import ANNEX_A, TECHNICAL, annex_a_section
from .status import LEDGER_FAILED, RegisterStatus, RiskStatus

EVIDENCE_LABELS = {
    "failing": "failing",
    "stale": "stale",
    "verified": "verified",
    "partial": "partial",
    "none": "no technical evidence",
}


@dataclass
class SoaRow:
    control: str
    title: str
    section: str
    applicable: bool | None
    """Owner-set; None when the register does not say."""
    justification: str | None
    implementation: str | None
    technical: bool
    """Behavioural test results can evidence this control."""
    risks: list[str] = field(default_factory=list)
    evidence: str = "none"
    """failing, stale, partial (some linked risks untested), verified, or none."""
    runs: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def evidence_label(self) -> str:
        return EVIDENCE_LABELS[self.evidence]


def _evidence_state(linked: list[RiskStatus]) -> tuple[str, list[str]]:
    with_evidence = [r for r in linked if any(s.records for s in r.suites)]
    runs = sorted({s.run_id for r in with_evidence for s in r.suites if s.run_id})
    if not with_evidence:
        return "none", runs
    statuses = {r.status for r in linked}
    if "failing" in statuses:
        return "failing", runs
    if "untested" in statuses or "awaiting review" in statuses:
        return "partial", runs
    if "stale" in statuses:
        return "stale", runs
    return "verified", runs


def build_soa(status: RegisterStatus) -> list[SoaRow]:
    """One row per Annex A control, in the standard's order."""
    decisions = status.register.statement_of_applicability
    rows = []
    for control, title in ANNEX_A.items():
        linked = [r for r in status.risks if r.risk and control in r.risk.iso42001_annex_a]
        decision = decisions.get(control)
        row = SoaRow(
            control=control,
            title=title,
            section=annex_a_section(control),
            applicable=decision.applicable if decision else None,
            justification=decision.justification if decision else None,
            implementation=decision.implementation if decision else None,
            technical=control in TECHNICAL,
            risks=[r.risk_id for r in linked],
        )
        row.evidence, row.runs = _evidence_state(linked)
        if row.applicable is False:
            row.note = "excluded by the owner"
        elif row.evidence == "none" and row.technical:
            row.note = (
                "gap: testable control with no technical evidence"
                if row.risks
                else "gap: testable control that no risk in the register relies on"
            )
        elif row.evidence == "none":
            row.note = "organisational control: evidenced by documents, not by tests"
        elif row.evidence == "failing":
            row.note = "a linked risk's gate fails"
        elif row.evidence == "partial":
            row.note = "some linked risks have no technical evidence"
        lost = sorted({run for r in linked for run in r.files_gone})
        if lost:  # said in the row: the SoA shows no risk's reasons
            gone = (
                f"files of run(s) {', '.join(lost)} are missing (deleted, and no purge "
                "records it), so their evidence does not count: see 'assurance register status'"
            )
            row.note = f"{row.note}; {gone}" if row.note else gone
        if row.risks and not status.integrity.ok:  # said in the row: a CSV has no heading
            untrusted = f"{LEDGER_FAILED}: its risks' evidence may have been altered"
            row.note = f"{row.note}; {untrusted}" if row.note else untrusted
        rows.append(row)
    return rows
