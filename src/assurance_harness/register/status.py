"""Risk status computed from the register and the evidence ledger: verified, failing, stale or
untested, with the evidence behind it and flags for the owner's review.

Nothing here writes the register: ratings are owner-set, and the status only ever *flags* a
rating that the evidence contradicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..privacy.retention import RETENTION
from ..store.cacheshare import CacheShare
from .clock_order import dated_before_latest
from .evidence_record import recency
from .identity import SystemIdentity, identity_label, system_identity
from .ledger import DEFAULT_LEDGER, EvidenceRecord, VerifyReport, verify_ledger
from .loader import DEFAULT_REGISTER, load_register
from .model import RATING_ORDER, Register, Risk, SuiteLink
from .run_presence import MissingRunFiles
from .suite_changes import suite_change

if TYPE_CHECKING:
    from ..review.outstanding import ReviewedGates

Status = Literal["verified", "failing", "awaiting review", "stale", "untested"]
STATUSES: tuple[Status, ...] = ("failing", "awaiting review", "untested", "stale", "verified")
"""Worst first: the order views sort by."""
LEDGER_FAILED = "The evidence ledger FAILED verification"
"""What every view of a ledger that fails verification says, in the file it writes (an
auditor receives the file, not the command's stderr) as well as on the terminal."""
UNTRUSTED_REASON = (
    f"{LEDGER_FAILED}: its records may have been altered, so no risk counts as verified "
    "(see 'assurance evidence verify')"
)
"""The reason every risk carries while the ledger fails verification."""
NOT_IN_REGISTER = "(not in the register)"
"""The title of a risk id evidence names but the register lacks, in every view and export."""


@dataclass
class SuiteEvidence:
    """One suite's latest run for one risk, and the runs before it."""

    suite: str
    declared: bool
    """The register lists this suite for the risk (otherwise only the suite names the risk)."""
    records: list[EvidenceRecord] = field(default_factory=list)
    """The latest run's gate records (empty when the suite has no evidence yet)."""
    history: list[list[EvidenceRecord]] = field(default_factory=list)
    """Every run's records, newest first (``history[0] == records``)."""
    stale: bool = False
    dated_before: list[list[EvidenceRecord]] = field(default_factory=list)
    """Runs appended after the latest run but recorded before it (a clock went back between
    them: ``clock_order``), any of which may be the latest; newest first."""

    @property
    def failing_dated_before(self) -> list[list[EvidenceRecord]]:
        """The runs of ``dated_before`` that failed a gate: a failure the clocks may hide."""
        return [run for run in self.dated_before if any(r.verdict == "fail" for r in run)]

    @property
    def cache_note(self) -> str | None:
        """Why the latest run is not a fresh measurement: most of its answers came from the
        response cache (recorded in evidence since issue 10), else None."""
        if not self.records:
            return None
        share = CacheShare.of(self.records[0].run.get("cache"))
        if not share.mostly:
            return None
        return f"{self.suite}: {share.text(str(self.run_id))}, not from the target"

    @property
    def run_id(self) -> str | None:
        return self.records[0].run_id if self.records else None

    @property
    def evidence_time(self) -> dt.datetime | None:
        return self.records[0].evidence_time if self.records else None

    @property
    def verdict(self) -> str:
        """fail, no_data, pass, or missing (no evidence)."""
        if not self.records:
            return "missing"
        # A gate that waited for review passed on its figures; whether the reviews are done is
        # the risk's "awaiting review" status, computed from the ledger's review records.
        verdicts = {"pass" if r.verdict == "awaiting_review" else r.verdict for r in self.records}
        if "fail" in verdicts:
            return "fail"
        if verdicts - {"pass"}:
            return "no_data"
        return "pass"

    @property
    def failing_gates(self) -> list[EvidenceRecord]:
        return [r for r in self.records if r.verdict == "fail"]


@dataclass
class OtherTargetEvidence:
    """One other target's evidence for a risk, grouped by target identity."""

    label: str
    """``name (type, config FINGERPRINT)``: ``identity.identity_label``."""
    why: str
    """Why it does not count for the system (``SystemIdentity.mismatch``)."""
    runs: list[list[EvidenceRecord]]
    """Its runs' records, newest first."""

    @property
    def latest_verdict(self) -> str:
        verdicts = {r.verdict for r in self.runs[0]}
        return "fail" if "fail" in verdicts else "pass" if verdicts == {"pass"} else "no_data"


@dataclass
class RiskStatus:
    risk_id: str
    risk: Risk | None
    """None when the ledger holds evidence for an id the register does not have."""
    status: Status
    reasons: list[str]
    suites: list[SuiteEvidence]
    flags: list[str] = field(default_factory=list)
    """Points for the owner's review; the tool never changes a rating itself."""
    elsewhere: list[OtherTargetEvidence] = field(default_factory=list)
    """Evidence recorded (``--evidence-for``) from targets that are not the system: shown,
    never counted."""
    files_gone: list[str] = field(default_factory=list)
    """The runs the status rests on (each suite's latest) whose folder or files were deleted
    with no purge recorded (``run_presence``): their evidence cannot be checked, so the risk
    is never verified; its reasons say why and the way on."""
    unreviewable: dict[str, str] = field(default_factory=dict)
    """Run id -> why, for each suite's latest run whose flagged rows a recorded purge deleted
    before anyone reviewed them (``_purged_unreviewed``): untested, never awaiting a review
    nobody can give. The risk page's "verdict with reviews" column reads it so."""

    @property
    def last_evidence(self) -> dt.datetime | None:
        times = [s.evidence_time for s in self.suites if s.evidence_time]
        return max(times) if times else None

    @property
    def title(self) -> str:
        return self.risk.title if self.risk else NOT_IN_REGISTER


@dataclass
class RegisterStatus:
    register: Register
    register_path: Path
    ledger_path: Path
    risks: list[RiskStatus]
    integrity: VerifyReport
    generated_at: dt.datetime
    unknown_risk_ids: list[str] = field(default_factory=list)
    """Risk ids that evidence names but the register lacks."""
    identity: SystemIdentity | None = None
    """The target identity whose runs count (``register.identity``)."""
    reviewed: ReviewedGates | None = None
    """The gates that awaited review judged again with the reviews in, as the statuses were
    (measured once, kept for the views that show those figures: the risk page)."""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {s: 0 for s in STATUSES}
        for risk in self.risks:
            out[risk.status] += 1
        return out

    def files_gone_note(self) -> str | None:
        """What the views print beside "hash chain intact" where runs the status rests on lost
        files with no purge recorded: the chain is intact, but the evidence is not all there
        (``RiskStatus.files_gone``); None where nothing is lost."""
        runs = sorted({run for risk in self.risks for run in risk.files_gone})
        if not runs:
            return None
        return (
            f"{len(runs)} run(s) the status rests on lost their folder or files with no purge "
            f"recorded ({', '.join(runs)}): 'assurance evidence verify' fails on them, and no "
            "risk resting on them counts as verified (each says why)"
        )

    def get(self, risk_id: str) -> RiskStatus | None:
        return next((r for r in self.risks if r.risk_id == risk_id), None)

    def privacy_settings(self) -> dict[str, object]:
        """The privacy policy in force (``assurance.yaml``) and the runs purged under it."""
        from ..privacy.policy import load_project_config

        info: dict[str, object] = load_project_config().privacy.describe()
        info["purged_runs"] = self.integrity.purged
        return info

    def to_dict(self) -> dict[str, object]:
        """The JSON view printed by ``assurance register status --format json``."""
        return {
            "system": self.register.system.name,
            "identity": self.identity.describe() if self.identity else None,
            "generated_at": self.generated_at.isoformat(),
            "ledger": {
                "path": str(self.ledger_path),
                "records": self.integrity.records,
                "ok": self.integrity.ok,
                "issues": [i.format(self.ledger_path) for i in self.integrity.issues],
            },
            "counts": self.counts(),
            "privacy": self.privacy_settings(),
            "risks": [
                {
                    "id": rs.risk_id,
                    "title": rs.title,
                    "status": rs.status,
                    "reasons": rs.reasons,
                    "flags": rs.flags,
                    "inherent_rating": rs.risk.inherent_rating if rs.risk else None,
                    "residual_rating": rs.risk.residual_rating if rs.risk else None,
                    "last_evidence": rs.last_evidence.isoformat() if rs.last_evidence else None,
                    "evidence": [
                        {
                            "record": r.id,
                            "suite": r.suite_name,
                            "run_id": r.run_id,
                            "gate": r.gate_id,
                            "verdict": r.verdict,
                            "metric": r.metric,
                            "results_path": r.run.get("results_path"),
                        }
                        for s in rs.suites
                        for r in s.records
                    ],
                    "other_targets": [
                        {
                            "target": other.label,
                            "why_not_counted": other.why,
                            "runs": [run[0].run_id for run in other.runs],
                            "latest_verdict": other.latest_verdict,
                        }
                        for other in rs.elsewhere
                    ],
                }
                for rs in self.risks
            ],
        }


def _group_runs(records: list[EvidenceRecord]) -> list[list[EvidenceRecord]]:
    """Records of one suite for one risk, grouped by run, newest observation first."""
    by_run: dict[str, list[EvidenceRecord]] = {}
    for record in records:
        by_run.setdefault(record.run_id, []).append(record)
    return sorted(
        by_run.values(),
        key=lambda rs: recency(
            rs[0].run.get("finished_at"), rs[0].recorded_at, max(r.seq for r in rs)
        ),
        reverse=True,
    )


def _misnamed_gates(link: SuiteLink | None, records: list[EvidenceRecord]) -> str | None:
    """Why the risk cannot be verified from this suite, where its register entry names a gate
    none of the suite's runs has (``SuiteLink.unknown_gates``); None where every name matches
    or there is no run yet to tell."""
    gates = [(r.gate_id, r.gate.get("metric")) for r in records if r.gate is not None]
    if link is None or not link.gates or not gates:
        return None
    unknown = link.unknown_gates(gates)
    if not unknown:
        return None
    return link.unknown_gates_message(unknown, gates)


def _days(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 86400)


def risk_status(
    risk_id: str,
    risk: Risk | None,
    records: list[EvidenceRecord],
    *,
    now: dt.datetime,
    awaiting: Mapping[str, int | str] | None = None,
    trusted: bool = True,
    gone: Mapping[str, str] | None = None,
    reviewed: ReviewedGates | None = None,
) -> RiskStatus:
    """The status of one risk from the records that name it. ``awaiting`` counts, per run,
    the flagged rows that still have no human verdict, or says why they cannot be counted
    (``review.outstanding.Awaiting``). Not ``trusted`` (the ledger fails verification), a risk whose
    gates all pass as the records say is untested: a verdict edited from fail to pass reads the
    same. ``gone``: runs whose folder or files were deleted with no purge recorded, and why
    (``run_presence.MissingRunFiles``); a risk whose latest run is one is untested, never
    verified or stale, as its evidence cannot be checked (failing and awaiting review, worse,
    stay so), the loss said in its reasons whatever its status. ``reviewed``: the gates that
    awaited review, judged again with the reviews in (``review.outstanding.ReviewedGates``):
    a suite whose latest run has one that fails then is failing, not passed."""
    declared = risk.suite_names if risk else []
    seen = list(dict.fromkeys(r.suite_name for r in records))
    suites: list[SuiteEvidence] = []
    freshness = dt.timedelta(days=risk.freshness_days if risk else 30)
    unusable: list[str] = []
    for name in [*declared, *[s for s in seen if s not in declared]]:
        link = risk.suite_link(name) if risk else None
        mine = [r for r in records if r.suite_name == name]
        selected = [
            r
            for r in mine
            if link is None or r.gate is None or link.selects(r.gate_id, r.gate.get("metric"))
        ]
        misnamed = _misnamed_gates(link, mine)
        if misnamed is not None:
            unusable.append(misnamed)
        runs = _group_runs(selected)
        evidence = SuiteEvidence(name, declared=name in declared, history=runs)
        if runs:
            evidence.records = runs[0]
            evidence.dated_before = dated_before_latest(runs)
            evidence.stale = (
                now - runs[0][0].evidence_time > freshness or evidence.cache_note is not None
            )
        suites.append(evidence)

    reasons: list[str] = []
    status: Status
    gone = {} if gone is None else gone  # asked run by run, never its size (as ``counts``)
    # Asked run by run, never for its truth or size: ``review.Awaiting`` counts only the runs
    # asked for (a suite's latest), where its size counts every run in the ledger.
    counts: Mapping[str, int | str] = {} if awaiting is None else awaiting
    failed_reviewed, untold, unmeasured = _reviewed_gates(suites, reviewed, counts, gone)
    failing = [
        s
        for s in suites
        if s.verdict == "fail" or s.failing_dated_before or s.run_id in failed_reviewed
    ]
    missing = [s for s in suites if s.verdict == "missing"]
    no_data = [s for s in suites if s.verdict == "no_data"]
    stale = [s for s in suites if s.records and s.stale]
    unreviewable = _purged_unreviewed(suites, reviewed, counts)
    waiting = [
        s
        for s in suites
        if s.run_id
        and s.run_id not in unreviewable
        and (counts.get(s.run_id) or s.run_id in untold)
    ]
    lost = [s for s in suites if s.run_id in gone]
    purged = [s for s in suites if s.run_id in unmeasured]
    lost_why = [f"{s.suite}: {gone[s.run_id]}" for s in lost if s.run_id]
    if not suites:
        status = "untested"
        reasons.append("no suite covers this risk")
    elif failing:
        status = "failing"
        for s in failing:
            if s.verdict == "fail":
                gates = ", ".join(r.gate_label for r in s.failing_gates)
                reasons.append(f"{s.suite}: gate failed in run {s.run_id}: {gates}")
            if s.run_id in failed_reviewed:
                gates = ", ".join(failed_reviewed[s.run_id])
                reasons.append(
                    f"{s.suite}: gate failed with its flagged rows reviewed (it awaited review) "
                    f"in run {s.run_id}: {gates}"
                )
            for run in s.failing_dated_before:
                gates = ", ".join(r.gate_label for r in run if r.verdict == "fail")
                reasons.append(
                    f"{s.suite}: gate failed in run {run[0].run_id}, appended to the ledger "
                    f"after run {s.run_id} but dated before it (a clock went back between "
                    f"them), so it may be the latest run: {gates}"
                )
        reasons += unusable  # fixing the names may show more failing gates
    elif unusable:
        status = "untested"
        reasons += unusable
    elif waiting:
        status = "awaiting review"
        for s in waiting:
            assert s.run_id is not None
            if s.run_id in untold:
                reasons.append(
                    f"{s.suite}: run {s.run_id}'s gates awaited review, and whether they pass "
                    f"with the reviews in cannot be told: {untold[s.run_id]}; restore the run "
                    "folder, or run the suite again"
                )
                continue
            count = counts[s.run_id]
            reasons.append(
                f"{s.suite}: {count} flagged row(s) of run {s.run_id} await a human verdict"
                if isinstance(count, int)
                else f"{s.suite}: run {s.run_id}'s gates awaited review, and whether its "
                f"flagged rows were all reviewed cannot be told: {count}; restore the run "
                "folder, or run the suite again"
            )
    elif missing or no_data or lost or purged or unreviewable:
        status = "untested"
        for s in suites:
            if s.run_id in unreviewable:
                reasons.append(f"{s.suite}: {unreviewable[s.run_id]}")
        if missing:
            reasons.append("no evidence yet from " + ", ".join(s.suite for s in missing))
        for s in no_data:
            reasons.append(f"{s.suite}: run {s.run_id} gave no gate verdict (no data or no gates)")
        for s in purged:
            assert s.run_id is not None
            reasons.append(
                f"{s.suite}: run {s.run_id}'s flagged rows were all reviewed (the verdicts are "
                "in the ledger), but whether its gates that awaited review pass with the reviews "
                f"in cannot be told: {unmeasured[s.run_id]}; run the suite again"
            )
    elif stale:
        status = "stale"
        for s in stale:
            assert s.evidence_time is not None
            if s.cache_note is not None:
                reasons.append(s.cache_note)
                if now - s.evidence_time <= freshness:
                    continue
            age = _days(now - s.evidence_time)
            reasons.append(
                f"{s.suite}: latest evidence is {age} days old "
                f"(freshness {freshness.days} days), run {s.run_id}"
            )
    else:
        status = "verified" if trusted else "untested"
        reasons.append(
            "every linked gate passed in its latest run"
            + ("" if trusted else " as the ledger records it")
            + ": "
            + ", ".join(f"{s.suite} ({s.run_id})" for s in suites)
        )
    reasons += lost_why  # beside any status: a failure or a wait stays what it is
    if not trusted:
        reasons.insert(0, UNTRUSTED_REASON)
    result = RiskStatus(risk_id, risk, status, reasons, suites)
    result.files_gone = [s.run_id for s in lost if s.run_id]
    result.unreviewable = unreviewable
    result.flags = _flags(result, now=now)
    return result


def _scores(risk: Risk) -> str:
    return f"score {risk.residual_score}, below the inherent {risk.inherent_score}"


def _flags(status: RiskStatus, *, now: dt.datetime) -> list[str]:
    """What the owner should look at; ratings stay as they are."""
    flags: list[str] = []
    risk = status.risk
    if risk is None:
        flags.append(
            "evidence names this risk id but the register has no such risk: "
            "add it, or fix the suite's evidence_for"
        )
        return flags
    reduced = risk.residual_score < risk.inherent_score
    if status.status == "failing":
        if risk.residual_rating == "low":
            flags.append("residual rating is 'low' while a linked gate fails: review the rating")
        elif reduced:
            flags.append(
                f"residual rating '{risk.residual_rating}' ({_scores(risk)}) assumes the "
                "controls work, but a linked gate fails: review the rating and the controls"
            )
        if risk.treatment == "accept":
            flags.append("risk is accepted but a linked gate fails: check the acceptance criteria")
    if status.status == "untested" and reduced:
        flags.append(
            f"residual rating '{risk.residual_rating}' ({_scores(risk)}) "
            "has no technical evidence behind it"
        )
    if status.status == "stale":
        flags.append(
            "evidence is out of date: re-run "
            + ", ".join(s.suite for s in status.suites if s.stale)
        )
    versions = {
        str(s.records[0].target.get("model_version") or "not reported"): s.suite
        for s in status.suites
        if s.records
    }
    if len(versions) > 1:
        flags.append(
            "latest evidence comes from different model versions: "
            + ", ".join(f"{v} ({s})" for v, s in sorted(versions.items()))
        )
    for suite in status.suites:
        changed = suite_change(suite.suite, suite.history)
        if changed is not None:
            flags.append(changed)
        if len(suite.history) > 1:
            latest, before = (run[0] for run in suite.history[:2])
            new_v = latest.target.get("model_version") or "not reported"
            old_v = before.target.get("model_version") or "not reported"
            if new_v != old_v:
                flags.append(
                    f"{suite.suite}: the model version changed between runs: {old_v} (run "
                    f"{before.run_id}) -> {new_v} (run {latest.run_id}); earlier evidence "
                    "describes another model"
                )
    if status.status == "verified" and RATING_ORDER[risk.residual_rating] >= RATING_ORDER["high"]:
        flags.append(
            f"gates pass but the residual rating is still '{risk.residual_rating}': "
            "consider whether the evidence supports lowering it (an owner decision)"
        )
    return flags


def _purged_unreviewed(
    suites: list[SuiteEvidence], reviewed: ReviewedGates | None, awaiting: Mapping[str, int | str]
) -> dict[str, str]:
    """Run id -> why, for each suite whose latest run's flagged rows a recorded purge deleted
    while some still had no human verdict: nobody can review them now (``review adjudicate``
    refuses a purged run), so the risk is untested, never "awaiting review" asking for
    verdicts that cannot be given. Only running the suite again gives evidence."""
    out: dict[str, str] = {}
    if reviewed is None:
        return out
    for s in suites:
        count = awaiting.get(s.run_id) if s.run_id else None
        note = reviewed.purge_note(s.run_id) if s.run_id else None
        if isinstance(count, int) and count and note is not None:
            out[str(s.run_id)] = (
                f"{count} flagged row(s) of run {s.run_id} were {note} before anyone reviewed "
                "them, and can no longer be reviewed; run the suite again"
            )
    return out


def _reviewed_gates(
    suites: list[SuiteEvidence],
    reviewed: ReviewedGates | None,
    awaiting: Mapping[str, int | str],
    gone: Mapping[str, str],
) -> tuple[dict[str, list[str]], dict[str, str], dict[str, str]]:
    """For each suite whose latest run passed with gates that awaited review, and whose
    flagged rows all have a human label now: run id -> the gates that fail with the reviews
    in (for a run whose rows a recorded purge deleted, as the purge recorded them), run id ->
    why that cannot be told (its files cannot be measured again: restored, they can), and run
    id -> why it cannot be told of a purged run (nothing can restore its rows; its reviews are
    done, so it is untested, never "awaiting review"). A run whose files are gone is left to
    ``gone``'s reading."""
    failed: dict[str, list[str]] = {}
    untold: dict[str, str] = {}
    unmeasured: dict[str, str] = {}
    if reviewed is None:
        return failed, untold, unmeasured
    for s in suites:
        run_id = s.run_id
        if run_id is None or s.verdict != "pass" or awaiting.get(run_id) or run_id in gone:
            continue
        awaited = {r.gate_id for r in s.records if r.verdict == "awaiting_review"}
        if not awaited:
            continue
        outcome = reviewed.failing(run_id, awaited)  # the gates linked to this risk only
        if isinstance(outcome, str):
            (unmeasured if reviewed.purged(run_id) else untold)[run_id] = outcome
        elif outcome:
            failed[run_id] = outcome
    return failed, untold, unmeasured


def compute_status(
    register: Register,
    records: list[EvidenceRecord],
    *,
    now: dt.datetime | None = None,
    awaiting: Mapping[str, int | str] | None = None,
    identity: SystemIdentity | None = None,
    trusted: bool = True,
    gone: Mapping[str, str] | None = None,
    reviewed: ReviewedGates | None = None,
) -> tuple[list[RiskStatus], list[str]]:
    """Status of every register risk (register order), then of ids only the evidence names.

    Only records of the system's own target identity count; the others are listed per risk
    (``RiskStatus.elsewhere``) and change nothing. ``trusted``, ``gone``: as in
    ``risk_status``; ``reviewed`` too."""
    now = now or dt.datetime.now(dt.UTC)
    by_risk: dict[str, list[EvidenceRecord]] = {}
    others: dict[str, list[EvidenceRecord]] = {}
    for record in records:
        if record.risk_id == RETENTION:
            continue  # a purge under the retention policy, not evidence about a risk
        counted = identity is None or identity.mismatch(record.target) is None
        (by_risk if counted else others).setdefault(record.risk_id, []).append(record)
    statuses = [
        risk_status(
            r.id,
            r,
            by_risk.get(r.id, []),
            now=now,
            awaiting=awaiting,
            trusted=trusted,
            gone=gone,
            reviewed=reviewed,
        )
        for r in register.risks
    ]
    unknown = sorted(set(by_risk) - {r.id for r in register.risks})
    statuses += [
        risk_status(
            rid,
            None,
            by_risk[rid],
            now=now,
            awaiting=awaiting,
            trusted=trusted,
            gone=gone,
            reviewed=reviewed,
        )
        for rid in unknown
    ]
    for rs in statuses:
        rs.elsewhere = _other_targets(others.get(rs.risk_id, []), identity)
        if rs.elsewhere:
            rs.flags.append(
                "evidence from other targets is not counted: "
                + "; ".join(f"{o.label}, {len(o.runs)} run(s)" for o in rs.elsewhere)
            )
    if identity is not None and not identity.declared:
        _flag_undeclared(statuses, register)
    return statuses, unknown


def _other_targets(
    records: list[EvidenceRecord], identity: SystemIdentity | None
) -> list[OtherTargetEvidence]:
    groups: dict[str, list[EvidenceRecord]] = {}
    for record in records:
        groups.setdefault(identity_label(record.target), []).append(record)
    return [
        OtherTargetEvidence(
            label,
            (identity.mismatch(recs[0].target) if identity else None) or "",
            _group_runs(recs),
        )
        for label, recs in sorted(groups.items())
    ]


def _flag_undeclared(statuses: list[RiskStatus], register: Register) -> None:
    """A register that names no system target takes evidence from any target: say so wherever
    the evidence comes from more than one."""
    for rs in statuses:
        labels = sorted(
            {identity_label(r.target) for s in rs.suites for run in s.history for r in run}
        )
        if len(labels) > 1:
            rs.flags.append(
                f"the register declares no system.target, so evidence from {len(labels)} "
                f"different targets counts ({'; '.join(labels)}): declare the deployed "
                f"system's target file so only its runs count"
            )


def build_status(
    register_path: Path = DEFAULT_REGISTER,
    ledger_path: Path = DEFAULT_LEDGER,
    *,
    now: dt.datetime | None = None,
    check_files: bool = False,
) -> RegisterStatus:
    """Load the register, verify the ledger's chain, and compute every risk's status (none
    verified while the chain fails verification, nor one whose latest run's folder or files
    were deleted with no purge recorded)."""
    loaded = load_register(register_path)
    identity = system_identity(loaded.register, Path(register_path))
    ledger_path = Path(ledger_path)
    integrity = verify_ledger(ledger_path, check_files=check_files)
    now = now or dt.datetime.now(dt.UTC)
    from ..review.outstanding import Awaiting, ReviewedGates

    everything = integrity.entries  # the records the verification parsed: no second parse
    records = [r for r in everything if not r.is_review]
    reviewed = ReviewedGates(everything, ledger_path)
    risks, unknown = compute_status(
        loaded.register,
        records,
        now=now,
        awaiting=Awaiting(everything, ledger_path),
        identity=identity,
        trusted=integrity.ok,
        gone=MissingRunFiles(records, ledger_path),
        reviewed=reviewed,
    )
    return RegisterStatus(
        register=loaded.register,
        register_path=Path(register_path),
        ledger_path=ledger_path,
        risks=risks,
        integrity=integrity,
        generated_at=now,
        unknown_risk_ids=unknown,
        identity=identity,
        reviewed=reviewed,
    )
