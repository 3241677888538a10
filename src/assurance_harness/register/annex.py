"""The impact-assessment annex: the technical evidence behind an AI impact assessment
(ISO/IEC 42001 A.5.2-A.5.4), as one self-contained HTML page and a Markdown file.

It gathers, for the runs named: the system's context from the register, why each suite was run
(its description and the risks it evidences), results with intervals and plots, gate verdicts
with the worst responses (always shown as text), the linked risks' status, the limitations,
a manifest of hashes and the command that reproduces each run.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import os
import shutil
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import HarnessError, RunFailedError, UsageError
from ..formatting import (
    MISSING,
    coverage_notes,
    failing_groups_text,
    gate_level,
    gate_rule,
    group_name,
    md_code,
    md_code_block,
    md_table,
    md_text,
    metric_figure,
    no_case_text,
    num,
    num_beside,
    when,
)
from ..privacy.retention import PurgedFile, purges_by_run
from ..scorers.validity import gate_validity
from ..store.files import (
    LINKS_OUTSIDE,
    copy_hashed,
    interrupts_held,
    links_outside,
    sha256_bytes,
    unreadable_reason,
)
from ..store.runread import SUMMARY_CHANGED_EFFECT
from ..workspace import Workspace
from .drilldown import CaseRow, worst_rows
from .ledger import read_ledger
from .ledger_hashes import note_ledger_hashes, recorded_file_hashes
from .loader import DEFAULT_REGISTER

if TYPE_CHECKING:
    from ..scorers.reviewed import ReviewedFigures
from .runfiles import MANIFEST_HASHED, RunFiles, resolve_run, sha256_file
from .soa import build_soa
from .status import LEDGER_FAILED, RegisterStatus, RiskStatus, build_status

RUN_FILES = ("run.json", "cases.jsonl", "responses.jsonl", "results.jsonl", "summary.json",
             "manifest.json")  # fmt: skip
TRANSCRIPT_FILES = ("responses.jsonl", "results.jsonl")
"""Run files holding the target's responses: packed only with transcripts."""
SMALL_N = 100
"""Below this many responses an interval is wide; the limitations say so."""

GENERAL_LIMITATIONS = [
    "Passing tests do not prove the system is safe. The suites sample a finite set of prompts; "
    "they show how the system behaved on those prompts, at that time, with that model version, "
    "and nothing about inputs they do not contain.",
    "A gate checked on a confidence bound passes only when the data show the figure is within "
    "the threshold; a gate checked on the point estimate can pass by chance on small samples.",
    "Scores come from automated classifiers and rules, which have their own error rates and "
    "blind spots (dialects, sarcasm, languages other than the one they were trained on).",
    "Behaviour in long conversations, with images or files, in other languages, or after the "
    "model provider changes the model behind the same name is not measured unless a suite "
    "says so.",
    "Technical evidence covers only the testable part of the management system; policies, "
    "roles, incident handling and supplier controls are evidenced by documents, not by tests.",
]


@dataclass
class FileHash:
    name: str
    sha256: str | None
    recorded: str | None = None
    """What the run's manifest recorded, where it recorded one."""
    purged: PurgedFile | None = None
    """Where the file is gone and a retention purge recorded in the ledger deleted it: that
    record's note. A gone file without one is lost ("missing"), which a reader must be able to
    tell from a deletion the policy made and the ledger keeps."""
    ledger: str | None = None
    """What the run's evidence records in the ledger hold (results, summary, manifest), where
    they hold one: the manifest is rewritten as easily as the files it hashes, and a file
    edited with it read "matches manifest"."""

    @property
    def shown_hash(self) -> str:
        """The hash column: the file's hash, the one a purge recorded, or "missing"."""
        if self.sha256 is not None:
            return self.sha256
        return f"purged (was {self.purged.sha256})" if self.purged else "missing"

    @property
    def status(self) -> str:
        if self.sha256 is None:
            return "missing" if self.purged is None else self._purged_status(self.purged)
        checks = []
        if self.recorded is not None:
            same = self.recorded == self.sha256
            checks.append("matches manifest" if same else "DIFFERS from manifest")
        if self.ledger is not None and self.ledger != self.sha256:
            checks.append("DIFFERS from the evidence ledger")
        return "; ".join(checks) or MISSING

    def _purged_status(self, purged: PurgedFile) -> str:
        """The note of the purge that deleted the file, and how the hash it recorded compared
        with the manifest's and the evidence ledger's: a file edited before the purge (its
        manifest with it) read "matched manifest then" alone."""
        text = f"{purged.note} (recorded in the ledger)"
        if self.recorded is not None:
            same = self.recorded == purged.sha256
            text += "; matched manifest then" if same else "; DIFFERED from manifest then"
        if self.ledger is not None and self.ledger != purged.sha256:
            text += "; DIFFERED from the evidence ledger then"
        return text

    @property
    def gone(self) -> str | None:
        """Why the file is not in the run folder ("was purged ..." or "is missing"), None where
        it is."""
        if self.sha256 is not None:
            return None
        return "is missing" if self.purged is None else f"was {self.purged.note}"


@dataclass
class GateView:
    gate: dict[str, Any]
    worst: list[CaseRow] = field(default_factory=list)
    validity: list[dict[str, Any]] = field(default_factory=list)
    """Validity cards of the scorers the gate rests on (``scorers/validity.py``)."""
    worst_gone: str | None = None
    """Where the gate names worst cases but the run's results file is gone: a line naming
    them and saying it was purged (when) or is missing (``FileHash.gone``), since a section
    without them read as a gate that had none."""
    confidence: float | None = None
    """The level of the gated metric's interval: a gate's record holds none, and without it
    every gate's interval read 95% whatever level its metric was computed at."""

    @property
    def figure(self) -> str:
        """The gate's figure with its interval, labelled at its metric's level."""
        return metric_figure({**self.gate, "confidence": self.confidence}, beside=self.gate)

    @property
    def no_case(self) -> str:
        """Why a failed gate shows no worst case: none pushed its failing groups toward
        failing (``formatting.no_case_text``); empty otherwise."""
        return no_case_text(self.gate)


@dataclass
class AnnexRun:
    run: RunFiles
    files: list[FileHash]
    gates: list[GateView]
    plot_png: bytes | None
    plot_name: str
    risks: list[str]
    added_for: list[str] = field(default_factory=list)
    """Risks whose status (section 5) rests on this run although it was not named: the pack
    includes it so that everything the annex cites is inside it."""
    superseded_by: dict[str, str] = field(default_factory=dict)
    """Risk id -> the newer run of this suite against the system's target that the risk's
    status rests on instead of this one (``_mark_superseded``): a named older run otherwise
    read as the current evidence."""
    plot_problem: str | None = None
    """Why the metrics figure was not drawn (a plugin's figure that is not a number)."""
    summary_changed: str | None = None
    """Why the run's summary.json is not the file it wrote (``RunLog.summary_changed``), None
    where it is: its figures and verdicts are shown with an "Edited" note, as ``report``
    shows them, since they would otherwise read as a measurement nobody made."""
    in_ledger: bool = True
    """Whether the evidence ledger holds records of the run (with its files' hashes): one it
    does not (made with --no-evidence, a folder put in the reports) read as one it did, beside
    "chain and run files verified", which covers only the runs the ledger holds."""

    @property
    def ledger_note(self) -> str | None:
        """What the run's section says where the ledger holds no record of it; None where it
        does."""
        if self.in_ledger:
            return None
        return (
            "The run is not recorded in the evidence ledger: its files are checked against its "
            "own manifest.json only, which whoever edits them can rewrite too."
        )

    def packed_files(self, include_transcripts: bool) -> list[str]:
        """The run files copied into the pack (``runs/<run_id>/``): all of them, or without
        the responses when transcripts are excluded."""
        return [
            f.name
            for f in self.files
            if f.sha256 is not None and (include_transcripts or f.name not in TRANSCRIPT_FILES)
        ]

    @property
    def plot_data_uri(self) -> str | None:
        if self.plot_png is None:
            return None
        return "data:image/png;base64," + base64.b64encode(self.plot_png).decode("ascii")

    @property
    def reproduce(self) -> str:
        """The run's own command, at the code version it ran with when that is known."""
        command = self.run.manifest_data.get("command") or "(the run did not record its command)"
        commit = self.run.manifest_data.get("git_commit")
        return f"git checkout {commit}\n{command}" if commit else command

    @property
    def counts(self) -> dict[str, Any]:
        return dict(self.run.summary.get("counts") or {})


@dataclass
class Annex:
    runs: list[AnnexRun]
    status: RegisterStatus | None
    linked: list[RiskStatus]
    limitations: list[str]
    generated_at: dt.datetime
    command: str
    tool_version: str = __version__
    include_transcripts: bool = False
    """Worst cases show their prompt and response; otherwise only their key and scores."""
    privacy: dict[str, Any] = field(default_factory=dict)
    """The privacy policy in force when the pack was written (``PrivacyPolicy.describe``)."""

    @property
    def system(self) -> Any:
        return self.status.register.system if self.status else None

    def risk_title(self, risk_id: str) -> str:
        """A risk's title from the register, every risk's: those of the named runs alone
        (``linked``) left a run added for a named risk's status reading "not in register"
        for another risk it evidences that the register holds."""
        found = self.status.get(risk_id) if self.status is not None else None
        return found.title if found is not None else "not in register"

    def run_label(self, ar: AnnexRun) -> str:
        """``(run ID)`` after a section heading's suite name where another run of that suite
        is in the annex too (a named older run beside the latest, added), else nothing: two
        headings alike, one over passing gates and one over failing ones, did not say which
        run was which. Plain text, escaped by each view."""
        name = ar.run.suite.get("name")
        repeated = sum(1 for other in self.runs if other.run.suite.get("name") == name) > 1
        return f"(run {ar.run.run_id})" if repeated else ""

    def heading(self, ar: AnnexRun, text: object) -> str:
        """``text`` (the suite's name) and ``run_label``."""
        return " ".join(part for part in (str(text), self.run_label(ar)) if part)


def _file_hashes(
    run: RunFiles, purged: dict[str, PurgedFile], reports: Path, ledger: dict[str, str]
) -> list[FileHash]:
    """Each run file's SHA-256 (None where it is missing; ``purged``: the files the ledger's
    purge records of this run name; ``ledger``: the hashes its evidence records hold). A file
    replaced by a pipe, a device or a folder is refused, naming it: hashed (and copied into
    the pack) it would be waited on forever or read without end. So is a link to a file
    outside the run and reports folders (``links_outside``, the web app's rule): copied into
    the pack, whatever file it names would go to the auditors, shown only as differing from
    the manifest."""
    manifest = run.manifest_data
    # Every file the manifest hashes, not the results alone: an edited responses.jsonl, or a
    # summary.json whose verdict was edited, read "–" (nothing recorded) in a pack that
    # carries it to the auditor.
    recorded = {
        name: entry.get("sha256")
        for key, name in MANIFEST_HASHED.items()
        if isinstance(entry := manifest.get(key), dict) and isinstance(entry.get("sha256"), str)
    }
    out = []
    for name in RUN_FILES:
        path = run.results_path if name == "results.jsonl" else run.dir / name
        name_ledger = ledger.get(name)
        if not path.exists():
            out.append(FileHash(name, None, recorded.get(name), purged.get(name), name_ledger))
            continue
        reason = unreadable_reason(path)
        if reason is not None:
            raise UsageError(f"{path}: {reason.lower()}; the run directory is damaged")
        if links_outside(path, run.dir, reports):
            raise UsageError(
                f"{path}: {LINKS_OUTSIDE} ({os.path.realpath(path)}); it is not packed: put "
                "the run's own file in the link's place (the pack checks it against the "
                "manifest's hash)"
            )
        out.append(FileHash(name, sha256_file(path), recorded.get(name), ledger=name_ledger))
    return out


def _run_caveats(suite: str, summary: dict[str, Any]) -> list[str]:
    """What a run's own reports say of its figures, as limitations: each ``--retry-errors``
    (answers measured after the run's first pass; "errors 0" alone read as a clean one) and
    the run's warnings (answers that were empty text, records that answer no case)."""
    out = []
    retries = summary.get("retries")
    for retry in retries if isinstance(retries, list) else []:
        if isinstance(retry, dict):
            out.append(
                f"{suite}: {retry.get('requests')} errored requests were sent again "
                f"(--retry-errors) at {when(retry.get('started_at'))}: "
                f"{retry.get('answered')} answered, {retry.get('errors')} errors; the figures "
                "count each request's latest answer."
            )
    warnings = summary.get("warnings")
    out += [f"{suite}: {w}" for w in (warnings if isinstance(warnings, list) else []) if w]
    return out


def _limitations(
    annex_runs: list[AnnexRun], status: RegisterStatus | None, linked: set[str]
) -> list[str]:
    """The general limitations and each run's, and the register's risks the annex cannot
    vouch for: untested ones, and those not verified (failing, stale, awaiting review) that
    are not in section 5 (``linked``), since an annex of the passing runs alone read as a
    system whose every risk was verified."""
    out = list(GENERAL_LIMITATIONS)
    names = Counter(ar.run.suite.get("name", "?") for ar in annex_runs)
    for ar in annex_runs:
        suite = ar.run.suite.get("name", "?")
        if names[suite] > 1:  # two runs' lines alike but for their figures: which is which
            suite = f"{suite} (run {ar.run.run_id})"
        counts = ar.counts
        for view in ar.gates:
            n = view.gate.get("n")
            if isinstance(n, int) and n < SMALL_N:
                out.append(
                    f"{suite}: gate '{view.gate.get('id')}' rests on n={n} responses; its "
                    f"interval is [{num_beside(view.gate.get('ci_low'), view.gate)}, "
                    f"{num_beside(view.gate.get('ci_high'), view.gate)}]."
                )
            if view.gate.get("verdict") == "no_data":
                out.append(
                    f"{suite}: gate '{view.gate.get('id')}' had no data and was not checked."
                )
            elif view.gate.get("no_data_reason"):
                # Failed on its groups' figures: its overall figure was not checked, which the
                # verdict beside an overall value would otherwise read as.
                out.append(
                    f"{suite}: gate '{view.gate.get('id')}' failed on its groups' figures; its "
                    f"overall figure was not checked ({view.gate['no_data_reason']})."
                )
        if counts.get("errors"):
            out.append(
                f"{suite}: {counts['errors']} of {counts.get('requests')} requests failed and were "
                "not scored; the figures exclude them."
            )
        out += _run_caveats(suite, ar.run.summary)
        if ar.plot_problem:
            out.append(f"{suite}: the metrics figure was not drawn ({ar.plot_problem}).")
        if not ar.in_ledger:
            out.append(
                f"{suite}: run {ar.run.run_id} is not recorded in the evidence ledger: nothing "
                "outside its own folder vouches for its files and figures ('assurance evidence "
                "attach' records a run)."
            )
        if ar.summary_changed:
            out.append(
                f"{suite}: summary.json was edited since the run ({ar.run.run_id}); its figures "
                "and verdicts here are read from the file as it is now, not as the run recorded "
                "them."
            )
    if status is not None:
        system = status.register.system
        for use in system.out_of_scope:
            out.append(f"Out of scope for the system, and not tested: {use}.")
        for rs in status.risks:
            if rs.status == "untested":
                out.append(
                    f"Risk {rs.risk_id} ({rs.title}) has no current technical evidence: "
                    + "; ".join(rs.reasons)
                    + "."
                )
            elif rs.status != "verified" and rs.risk_id not in linked:
                out.append(
                    f"Risk {rs.risk_id} ({rs.title}) is {rs.status.upper()} in the register, "
                    "on evidence that is not in this pack ('assurance register status' says "
                    "why; name its runs to pack them)."
                )
        gaps = [row.control for row in build_soa(status) if row.note.startswith("gap")]
        if gaps:
            out.append(
                "Testable ISO/IEC 42001 Annex A controls without technical evidence: "
                + ", ".join(gaps)
                + "."
            )
        if not status.integrity.ok:
            out.append(f"{LEDGER_FAILED}; the linked-risk status may rest on altered records.")
    return out


class _ReviewedByTarget:
    """Per scorer id of a run, its figures against the human verdicts given on runs of the
    run's target, with the scorer configured as in that run (``scorers.reviewed``), that the
    ledger backs, shown beside its bundled card; read once per target, none when no store
    exists yet. ``left_out`` names the verdicts not counted."""

    def __init__(self, reports: Path, ledger: Path) -> None:
        self.reports = reports
        self.ledger = ledger
        self.figures: dict[str | None, ReviewedFigures] = {}
        self.left_out: list[str] = []

    def __call__(self, run: RunFiles) -> dict[str, str]:
        from ..review.backing import backed_validity

        fingerprint = run.target.get("fingerprint")
        scope = str(fingerprint) if fingerprint else None
        if scope not in self.figures:
            figures, unbacked = backed_validity(self.reports, target=scope, ledger=self.ledger)
            self.figures[scope] = figures
            lines = [f"Reviewed figures {u.left_out()}." for u in unbacked]
            if figures.gone:
                lines.append(f"Reviewed figures {figures.gone.left_out()}.")
            # Each target's lines are added to the others' (``--mixed-targets``), each once.
            self.left_out += [line for line in lines if line not in self.left_out]
        mine = self.figures[scope].for_summary(run.summary, run.run_id)
        return {sid: r.text() for sid, r in mine.figures.items()}


def build_annex(
    runs: list[str],
    *,
    reports: Path = Path("reports"),
    register_path: Path | None = DEFAULT_REGISTER,
    ledger_path: Path | None = None,
    command: str = "",
    now: dt.datetime | None = None,
    max_cases: int = 3,
    include_transcripts: bool | None = None,
    mixed_targets: bool = False,
) -> Annex:
    """Collect everything the annex shows; reads only (runs, register, ledger).

    Prompts and responses of the worst cases are left out unless ``include_transcripts`` (by
    default the project's ``privacy.evidence_packs_include_transcripts``): packs travel to
    auditors, transcripts of children's conversations need not. An annex is about one system:
    runs made against different targets (target fingerprints) are a UsageError unless
    ``mixed_targets``."""
    from ..privacy.policy import load_project_config

    policy = load_project_config().privacy
    if include_transcripts is None:
        include_transcripts = policy.evidence_packs_include_transcripts
    now = now or dt.datetime.now(dt.UTC)
    ledger_path = Workspace.at(reports, ledger=ledger_path).ledger
    status = None
    if register_path is not None and Path(register_path).exists():
        status = build_status(Path(register_path), ledger_path, now=now, check_files=True)
    reviewed = _ReviewedByTarget(reports, ledger_path)
    # Run files a recorded purge deleted read "purged", not "missing" (a loss); the others are
    # checked against the hashes the run's evidence records hold.
    records = read_ledger(ledger_path, strict=False)
    purges = purges_by_run(records)
    recorded = recorded_file_hashes(records)
    annex_runs = [
        _annex_run(
            RunFiles.load(resolve_run(reports, ref)),
            index,
            status,
            max_cases,
            reviewed,
            purges,
            recorded,
            reports=reports,
        )
        for index, ref in enumerate(runs, start=1)
    ]
    linked_ids = list(dict.fromkeys(r for ar in annex_runs for r in ar.risks))
    linked = [rs for rid in linked_ids if status and (rs := status.get(rid))]
    missing = _add_cited_runs(
        annex_runs, linked, ledger_path, status, max_cases, reviewed, purges, recorded,
        reports=reports,
    )  # fmt: skip
    _mark_superseded(annex_runs, linked)
    by_target: dict[str, list[str]] = {}
    for ar in annex_runs:
        target = ar.run.target
        label = f"{target.get('name') or '?'} (fingerprint {target.get('fingerprint') or '?'})"
        by_target.setdefault(label, []).append(ar.run.run_id)
    if len(by_target) > 1 and not mixed_targets:
        listing = "; ".join(f"{label}: {', '.join(ids)}" for label, ids in by_target.items())
        raise UsageError(
            f"the runs were made against different targets ({listing}); an annex is evidence "
            "about one system: pack one target's runs, or pass --mixed-targets to show them "
            "side by side"
        )
    return Annex(
        runs=annex_runs,
        status=status,
        linked=linked,
        limitations=(
            _limitations(annex_runs, status, {rs.risk_id for rs in linked})
            + missing
            + reviewed.left_out
        ),
        generated_at=now,
        command=command,
        include_transcripts=include_transcripts,
        privacy=policy.describe(),
    )


def _annex_run(
    run: RunFiles,
    index: int,
    status: RegisterStatus | None,
    max_cases: int,
    reviewed_by_target: _ReviewedByTarget,
    purges: dict[str, dict[str, PurgedFile]],
    recorded: dict[str, dict[str, str]],
    *,
    reports: Path,
) -> AnnexRun:
    gate_views = []
    reviewed = reviewed_by_target(run) if run.gates else {}
    files = _file_hashes(run, purges.get(run.run_id, {}), reports, recorded.get(run.run_id, {}))
    results_gone = next(f.gone for f in files if f.name == "results.jsonl")
    for gate in run.gates:
        keys = list(gate.get("worst_cases") or [])[:max_cases]
        validity = gate_validity(gate, run.summary)
        for card in validity:
            if str(card.get("id")) in reviewed:
                text = reviewed[str(card.get("id"))]
                card["reviewed"] = text[:1].upper() + text[1:]
        gate_views.append(
            GateView(
                gate,
                worst_rows(run.results_path, keys),
                validity,
                worst_gone=(
                    f"Worst cases for {gate.get('id')} ({', '.join(map(str, keys))}) not"
                    f" shown: results.jsonl {results_gone}."
                    if keys and results_gone
                    else None
                ),
                confidence=gate_level(gate, run.metrics),
            )
        )
    from .annex_plots import metrics_figure

    suite = run.suite
    png, problem = None, None
    try:
        png = metrics_figure(
            run.summary, title=f"{suite.get('name')} {suite.get('version')}: {run.run_id}"
        )
    except Exception as exc:  # as in the report: an odd plugin figure must not cost the annex
        problem = f"{type(exc).__name__}: {exc}"[:200]
    risk_ids = list(suite.get("evidence_for") or [])
    if status is not None:
        risk_ids += [
            r.id
            for r in status.register.risks_for_suite(str(suite.get("name")))
            if r.id not in risk_ids
        ]
    return AnnexRun(
        run,
        files,
        gate_views,
        png,
        f"plots/run-{index}.png",
        risk_ids,
        plot_problem=problem,
        summary_changed=note_ledger_hashes(run, recorded).summary_changed()
        or _summary_unmeasured(run, files, recorded),
        in_ledger=run.run_id in recorded,
    )


def _summary_unmeasured(
    run: RunFiles, files: list[FileHash], recorded: dict[str, dict[str, str]]
) -> str | None:
    """Why the summary.json of a run the ledger holds no record of is not what the run
    measured, where its manifest.json was rewritten to match it: its figures or verdicts are
    not what its results give, measured again as ``evidence attach`` does (``summary_check``).
    A run the ledger holds is checked against its evidence's hashes by the shared check
    (``RunLog.summary_changed`` told them: ``note_ledger_hashes``); this one has none, and
    reading its results again is the annex's own cost (compare and trend read many runs).
    None where nothing is found, or where the results it would be measured from are gone or
    differ from the manifest."""
    from . import evidence_map
    from .summary_check import SummaryChangedError

    if run.run_id in recorded:
        return None
    results = next(f for f in files if f.name == "results.jsonl")
    if results.sha256 is None or results.recorded != results.sha256:
        return None
    try:
        evidence_map.check_summary(run)  # the module's: a test kit's hand-made runs pass it
    except SummaryChangedError as exc:
        return exc.found
    except HarnessError:  # not measurable here (a plugin's metric kind): not known edited
        return None
    return None


def _add_cited_runs(
    annex_runs: list[AnnexRun],
    linked: list[RiskStatus],
    ledger_path: Path,
    status: RegisterStatus | None,
    max_cases: int,
    reviewed: _ReviewedByTarget,
    purges: dict[str, dict[str, PurgedFile]],
    recorded: dict[str, dict[str, str]],
    *,
    reports: Path,
) -> list[str]:
    """Add the runs that section 5's statuses rest on but that were not named, so the annex
    cites nothing outside itself; return a limitation for each such run that is gone."""
    missing: list[str] = []
    for rs in linked:
        for suite in rs.suites:
            if not suite.records:
                continue
            run_id = suite.records[0].run_id
            present = next((ar for ar in annex_runs if ar.run.run_id == run_id), None)
            if present is not None:
                if present.added_for and rs.risk_id not in present.added_for:
                    present.added_for.append(rs.risk_id)
                continue
            run_dir = suite.records[0].run_dir(ledger_path)
            if not (run_dir / "summary.json").exists():
                missing.append(
                    f"The status of {rs.risk_id} rests on run {run_id}, whose folder "
                    f"({run_dir}) is not available; it is not in this pack."
                )
                continue
            added = _annex_run(
                RunFiles.load(run_dir),
                len(annex_runs) + 1,
                status,
                max_cases,
                reviewed,
                purges,
                recorded,
                reports=reports,
            )
            added.added_for.append(rs.risk_id)
            annex_runs.append(added)
    return missing


def _mark_superseded(annex_runs: list[AnnexRun], linked: list[RiskStatus]) -> None:
    """Note, on each run that a risk counts among its suite's runs but not as the latest, the
    run that risk's status rests on instead: its verdicts are history, not the current
    evidence, though sections 2 and 4 show them as fully as the latest run's."""
    for ar in annex_runs:
        for rs in linked:
            for suite in rs.suites:
                latest = suite.run_id
                if latest is None or latest == ar.run.run_id:
                    continue
                # A run dated before the latest but appended after it (a clock went back)
                # may be the latest: section 5 says so, and it is not called replaced here.
                older = [run[0].run_id for run in suite.history[1:]]
                maybe = {run[0].run_id for run in suite.dated_before}
                if ar.run.run_id in older and ar.run.run_id not in maybe:
                    ar.superseded_by[rs.risk_id] = latest


def superseded_text(ar: AnnexRun) -> list[str]:
    """The lines section 2 gives a run that newer runs replaced, one per newer run (plain
    text: the Markdown and HTML views escape it their own way)."""
    by_run: dict[str, list[str]] = {}
    for risk_id, run_id in ar.superseded_by.items():
        by_run.setdefault(run_id, []).append(risk_id)
    return [
        f"Not the latest: run {run_id} of this suite against the system's target is newer; "
        f"the status of {', '.join(risks)} (section 5) rests on it, not on this run"
        for run_id, risks in by_run.items()
    ]


# ---------------------------------------------------------------------------------------------
# Markdown


WITHHELD = (
    "Prompt and response withheld: evidence packs exclude transcripts under the privacy policy "
    "(pass --include-transcripts, or set privacy.evidence_packs_include_transcripts); they are "
    "in the run's results.jsonl at the line given."
)


def _md_case(case: CaseRow, *, transcripts: bool = True) -> list[str]:
    response = case.response if case.response is not None else f"(request failed: {case.error})"
    scores = ", ".join(
        f"{sid}.{k}={num(v)}"
        for sid, fields in case.scores.items()
        for k, v in (fields or {}).items()
        if not isinstance(v, (dict, list))
    )
    return [
        f"Case {md_code(case.key)} (results.jsonl line {num(case.line)}); scores: "
        f"{md_text(scores or MISSING)}",
        "",
        *([] if transcripts else [WITHHELD, ""]),
    ] + (
        []
        if not transcripts
        else [
            "Prompt:",
            "",
            md_code_block(case.prompt),
            "",
            "Response (shown as text)"
            + (f", {md_text(case.incomplete)}:" if case.incomplete else ":"),
            "",
            md_code_block(response),
            "",
        ]
    )


def _md_edited(ar: AnnexRun) -> list[str]:
    """The "Edited" note (with a blank line after it) where the run's summary.json is not the
    file it wrote, in the words ``report`` uses; nothing where it is."""
    if not ar.summary_changed:
        return []
    return [f"**Edited**: {md_text(ar.summary_changed)}. {SUMMARY_CHANGED_EFFECT}", ""]


def render_annex_md(annex: Annex) -> str:
    system = annex.system
    out = [
        "# AI impact assessment annex: technical evidence"
        + (f" for {md_text(system.name)}" if system else ""),
        "",
        f"Generated {when(annex.generated_at)} by assurance-harness {md_text(annex.tool_version)}"
        + (f" with {md_code(annex.command)}" if annex.command else "")
        + ".",
        "",
        "## 1. System context",
        "",
    ]
    if system is None:
        out.append("No risk register was given; system context and risk status are not shown.")
    else:
        out += [
            f"- System: {md_text(system.name)}"
            + (f": {md_text(system.description)}" if system.description else ""),
            f"- Intended use: {md_text(system.intended_use)}",
            f"- Audience: {md_text(system.audience.label())}",
            f"- Owner: {md_text(system.owner)}",
        ]
        if system.deployment:
            out.append(f"- Deployment: {md_text(system.deployment)}")
        if annex.status is not None and annex.status.identity is not None:
            out.append(
                "- System target (only runs against it count as evidence): "
                + md_text(annex.status.identity.describe())
            )
        for use in system.out_of_scope:
            out.append(f"- Out of scope: {md_text(use)}")
    out += ["", "## 2. Suites run and why", ""]
    for ar in annex.runs:
        suite = ar.run.suite
        risks = ", ".join(f"{r} ({annex.risk_title(r)})" for r in ar.risks) or "none"
        out += [
            f"### {md_text(suite.get('name'))} {md_text(suite.get('version'))}"
            + (f" {md_text(label)}" if (label := annex.run_label(ar)) else ""),
            "",
            md_text(suite.get("description") or "No description."),
            "",
            f"- Evidence for: {md_text(risks)}",
            *(
                [
                    f"- Not named for this pack; included because the status of "
                    f"{md_text(', '.join(ar.added_for))} (section 5) rests on it"
                ]
                if ar.added_for
                else []
            ),
            *(f"- {md_text(line)}" for line in superseded_text(ar)),
            f"- Run: {md_code(ar.run.run_id)}, {when(ar.run.summary.get('started_at'))} to "
            f"{when(ar.run.summary.get('finished_at'))}, "
            f"status {md_text(ar.run.summary.get('status'))}",
            *([f"- Evidence ledger: {md_text(ar.ledger_note)}"] if ar.ledger_note else []),
            f"- Target: {md_text(ar.run.target.get('name'))} (fingerprint "
            f"{md_code(ar.run.target.get('fingerprint'))}, model version "
            f"{_model_version_md(ar.run.target.get('model_version'))})"
            + md_text(identity_note(annex, ar)),
            f"- Requests: {num(ar.counts.get('requests'))}, "
            f"errors {num(ar.counts.get('errors'))}, cases {num(ar.counts.get('cases'))}, "
            f"samples per case {num(ar.run.summary.get('samples'))}",
            "",
        ]
    out += ["## 3. Results", ""]
    for ar in annex.runs:
        name = md_text(annex.heading(ar, ar.run.suite.get("name")))
        out += [f"### {name}: metrics", "", *_md_edited(ar)]
        rows = []
        for name, metric in ar.run.metrics.items():
            rows.append(
                [
                    md_text(name),
                    md_text(metric.get("kind")),
                    md_text(metric_figure(metric)),
                    md_text(metric.get("method") or MISSING),
                ]
            )
            for group, value in (metric.get("groups") or {}).items():
                label = f"{name} [{group_name(group)}]"
                rows.append([md_text(label), "", md_text(metric_figure(value)), ""])
        out.append(
            md_table(["metric", "kind", "value [CI] (n)", "interval method"], rows)
            if rows
            else "No metrics."
        )
        notes = [
            f"- {md_code(name)}: {md_text(note)}"
            for name, metric in ar.run.metrics.items()
            for note in coverage_notes(metric)
        ]
        if notes:
            out += ["", *notes]
        if ar.plot_png is not None:
            out += ["", f"![metrics of {md_text(ar.run.suite.get('name'))}]({ar.plot_name})"]
        out.append("")
    out += ["## 4. Gate verdicts", ""]
    for ar in annex.runs:
        name = md_text(annex.heading(ar, ar.run.suite.get("name")))
        out += [f"### {name}", "", *_md_edited(ar)]
        rows = [
            [
                md_text(v.gate.get("id")),
                md_text(gate_rule(v.gate)),
                num_beside(v.gate.get("checked"), v.gate),
                md_text(v.figure),
                f"**{md_text(v.gate.get('verdict'))}**",
                md_text(failing_groups_text(v.gate) or MISSING),
            ]
            for v in ar.gates
        ]
        out.append(
            md_table(
                ["gate", "threshold", "checked", "value [CI] (n)", "verdict", "failing groups"],
                rows,
            )
            if rows
            else "The suite has no gates."
        )
        out.append("")
        for view in ar.gates:
            for card in view.validity:
                weak = "; ".join(card.get("weak_spots") or []) or "none recorded"
                out.append(
                    f"- Scorer validity for {md_text(view.gate.get('id'))}: "
                    f"{md_code(str(card.get('id')))} = {md_text(card.get('scorer'))}: "
                    f"{md_text(card.get('headline'))}. Known weak spots: {md_text(weak)}"
                    + (f". {md_text(card['reviewed'])}" if card.get("reviewed") else "")
                )
            for reason in view.gate.get("validity_unmet") or []:
                out.append(
                    f"- Minimum validity not met for {md_text(view.gate.get('id'))}: "
                    f"{md_text(reason)}"
                )
        if any(view.validity or view.gate.get("validity_unmet") for view in ar.gates):
            out.append("")
        for view in ar.gates:
            if view.no_case:
                out += [f"{md_text(view.gate.get('id'))}: {md_text(view.no_case)}.", ""]
            if view.worst:
                out += [f"Worst cases for {md_text(view.gate.get('id'))}:", ""]
                for case in view.worst:
                    out += _md_case(case, transcripts=annex.include_transcripts)
            elif view.worst_gone:
                out += [md_text(view.worst_gone), ""]
    out += ["## 5. Linked risks and their status", ""]
    if annex.status is None:
        out.append("No register given.")
    else:
        rows = [
            [
                md_text(rs.risk_id),
                md_text(rs.title),
                f"**{rs.status.upper()}**",
                md_text("; ".join(rs.reasons)),
                md_text("; ".join(rs.flags) or MISSING),
            ]
            for rs in annex.linked
        ]
        out.append(
            md_table(["risk", "title", "status", "why", "for review"], rows)
            if rows
            else "The runs name no risks."
        )
        integrity = annex.status.integrity
        out += [
            "",
            f"Evidence ledger: {integrity.records} records, "
            + (
                "chain and run files verified."
                if integrity.ok
                else f"VERIFICATION FAILED ({len(integrity.issues)} issues)."
            ),
        ]
    out += ["", "## 6. Limitations", ""]
    out += [f"- {md_text(item)}" for item in annex.limitations]
    out += ["", "## 7. Manifest of hashes", ""]
    for ar in annex.runs:
        out += [f"Run {md_code(ar.run.run_id)} ({md_code(ar.run.dir)}):", ""]
        packed = ar.packed_files(annex.include_transcripts)
        rows = [
            [
                md_text(f.name),
                md_text(f.shown_hash),
                md_text(f.status),
                md_text(
                    f"runs/{ar.run.run_id}/{f.name}"
                    if f.name in packed
                    else "not packed (transcripts excluded)"
                    if f.sha256
                    else "not packed (purged)"
                    if f.purged
                    else MISSING
                ),
            ]
            for f in ar.files
        ]
        suite = ar.run.suite
        rows.append(
            [
                md_text(f"suite {suite.get('path')}"),
                md_text(suite.get("sha256") or MISSING),
                MISSING,
                MISSING,
            ]
        )
        for dataset in ar.run.manifest_data.get("datasets") or []:
            rows.append(
                [
                    md_text(f"dataset {dataset.get('path')}"),
                    md_text(dataset.get("sha256")),
                    MISSING,
                    MISSING,
                ]
            )
        target = ar.run.manifest_data.get("target") or {}
        rows.append(
            [
                md_text(f"target config {target.get('path')}"),
                md_text(target.get("sha256") or MISSING),
                MISSING,
                MISSING,
            ]
        )
        out += [md_table(["file", "sha256", "check", "in this pack"], rows), ""]
        out.append(f"Code version: {md_code(ar.run.manifest_data.get('git_commit') or 'unknown')}")
        out.append("")
    out += ["## 8. Reproduce", ""]
    for ar in annex.runs:
        out += [
            f"{md_text(ar.run.suite.get('name'))}:",
            "",
            md_code_block(ar.reproduce, info="sh"),
            "",
        ]
    out += [
        "Check the evidence has not been altered since:",
        "",
        md_code_block("assurance evidence verify", info="sh"),
        "",
    ]
    out += ["## 9. Data protection", ""]
    out += [f"- {md_text(line)}" for line in data_protection_lines(annex)]
    out.append("")
    return "\n".join(out)


def data_protection_lines(annex: Annex) -> list[str]:
    """The privacy policy in force, how each run's stored text was treated, and purges."""
    policy = annex.privacy
    redaction = policy.get("redaction") or {}
    lines = [
        f"Privacy policy in force (assurance.yaml): version {policy.get('policy_version')}, "
        f"SHA-256 {str(policy.get('policy_sha256'))[:16]}.",
        (
            "Redaction of stored prompts and responses: on, typed placeholders for "
            + ", ".join(redaction.get("entities") or [])
            + f" at detector confidence {redaction.get('min_score')} or more "
            f"(rules version {redaction.get('rules_version')}); scores are computed on the "
            "original text in memory, and the hashes are of the redacted files."
            if redaction.get("enabled")
            else "Redaction of stored prompts and responses: off (no privacy policy enables it)."
        ),
        (
            f"Retention: run payloads older than {policy.get('retention_days')} days are purged "
            "with 'assurance runs purge'; each purge is a ledger record."
            if policy.get("retention_days")
            else "Retention: no retention period configured; run payloads are kept."
        ),
        "Transcripts in this pack: "
        + ("included (asked for)." if annex.include_transcripts else "excluded."),
    ]
    for ar in annex.runs:
        record = ar.run.summary.get("privacy")
        if record:
            counts = record.get("redacted") or {}
            replaced = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing found"
            lines.append(
                f"Run {ar.run.run_id}: stored redacted under policy version "
                f"{record.get('policy_version')} (replaced: {replaced})."
            )
        else:
            lines.append(f"Run {ar.run.run_id}: stored without redaction.")
    if annex.status is not None and annex.status.integrity.purged:
        lines.append(
            "Runs purged under the retention policy (payloads deleted as recorded in the "
            "ledger): " + ", ".join(annex.status.integrity.purged) + "."
        )
    privacy_risks = [
        rs
        for rs in (annex.status.risks if annex.status else [])
        if rs.risk and rs.risk.category == "privacy"
    ]
    for rs in privacy_risks:
        lines.append(
            f"Privacy risk {rs.risk_id} ({rs.title}): {rs.status.upper()}; "
            + "; ".join(rs.reasons)
            + "."
        )
    return lines


ANNEX_TEXTS = ("the runs' text (prompts, responses, group names)", "each run's results.jsonl")
"""What annex.html's NUL note says of the texts it shows, and where their exact text is."""


def _shown_texts(annex: Annex) -> Iterator[str]:
    """The texts from the runs' rows annex.html shows (what ``page_note`` reads): the worst
    cases' prompts and answers where transcripts are included, and the group names."""
    for ar in annex.runs:
        for metric in ar.run.metrics.values():
            yield from (str(group) for group in (metric.get("groups") or {}))
        for view in ar.gates:
            yield from (str(group) for group in view.gate.get("failing_groups") or [])
            for case in view.worst if annex.include_transcripts else []:
                yield from (case.prompt or "", case.response or "", str(case.error or ""))


def render_annex_html(annex: Annex) -> str:
    from ..store.nultext import page_note
    from .html import render

    return render(
        "annex.html",
        annex=annex,
        nul_note=page_note(None, *_shown_texts(annex), of=ANNEX_TEXTS),
        withheld=WITHHELD,
        data_protection=data_protection_lines(annex),
        identity_note=lambda ar: identity_note(annex, ar),
        superseded_text=superseded_text,
        summary_changed_effect=SUMMARY_CHANGED_EFFECT,
    )


def write_annex(annex: Annex, out_dir: Path) -> dict[str, Path]:
    """Write annex.html (plots inline), annex.md (plots beside it) and SHA256SUMS, which lists
    every file in ``out_dir``: an earlier pack there is replaced whole, or not at all.

    The pack is written whole in a staging folder beside ``out_dir`` first, and only then put in
    its place by renames, which need no space: the earlier pack renamed aside, the new one in,
    the earlier one deleted, a Ctrl-C held until the three are done (``interrupts_held``) and a
    failed rename putting the earlier pack back. Deleted first and written file by file, a disk
    that could not hold the new pack left a partial one and the earlier gone; moved in file by
    file, a Ctrl-C or a failed rename between two moves did (SHA256SUMS naming files not there).
    What a killed pack left beside ``out_dir`` is cleared first (``_recover_pack``). On failure
    the staging folder is removed.

    Where ``out_dir`` can be written but the folder holding it cannot (its own mount in a
    read-only share, a folder given to one user), nothing can be staged beside it: the pack is
    staged inside it and moved in file by file (``_move_in``), as before, Ctrl-C held over the
    moves; only a kill, or a rename failing (renames in one folder need no space), between
    two of them can leave a mix there, which the next pack replaces."""
    _recover_pack(out_dir)
    _check_previous_pack(out_dir)
    if out_dir.is_symlink() and not out_dir.exists():  # a link to nothing: refused, not made
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(out_dir))
    place = _place(out_dir)
    place.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging, inside = _make_staging(place), False
    except OSError as exc:
        if exc.errno not in _CANNOT_WRITE_BESIDE or not place.is_dir():
            raise
        staging, inside = _make_staging(place, inside=True), True
    try:
        names = _write_pack(annex, staging)
        with interrupts_held():
            if inside:
                _move_in(staging, place)
            else:
                _swap_in(staging, place)
    except BaseException as exc:
        if isinstance(exc, OSError) and exc.filename is not None:
            # the file of the pack that failed, not its staging path (removed next)
            exc.filename = str(exc.filename).replace(str(staging), str(out_dir), 1)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {name: out_dir / name for name in names}


_STAGING_PREFIX = ".pack-"
_STAGING_SUFFIX = ".tmp"


def _place(out_dir: Path) -> Path:
    """The folder renamed over: ``out_dir``, or the folder a link there names (the link stays,
    naming the new pack)."""
    return Path(os.path.realpath(out_dir))


def _aside(place: Path) -> Path:
    """Where the earlier pack in ``place`` is while the new one is renamed in."""
    return place.parent / f".{place.name}.pack-old{_STAGING_SUFFIX}"


def _is_staging_beside(name: str, place: Path) -> bool:
    """A staging folder of a pack into ``place`` (``_make_staging``'s names)."""
    head = f".{place.name}.pack-"
    middle = name[len(head) : -len(_STAGING_SUFFIX)]
    return (
        name.startswith(head)
        and name.endswith(_STAGING_SUFFIX)
        and len(middle) == 8
        and all(c in "0123456789abcdef" for c in middle)
    )


_CANNOT_WRITE_BESIDE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
"""Why no staging folder could be made beside the pack folder, where one inside it may be."""


def _make_staging(place: Path, *, inside: bool = False) -> Path:
    """A new empty folder beside ``place`` (or, ``inside``, in it) to write the pack in, with
    the mode an ordinary ``mkdir`` gives (``tempfile.mkdtemp``'s 0700 would become the pack
    folder's)."""
    for _ in range(100):
        token = os.urandom(4).hex()
        staging = (
            place / f"{_STAGING_PREFIX}{token}{_STAGING_SUFFIX}"
            if inside
            else place.parent / f".{place.name}.pack-{token}{_STAGING_SUFFIX}"
        )
        try:
            staging.mkdir()
        except FileExistsError:
            continue  # another's: draw again
        return staging
    raise FileExistsError(errno.EEXIST, "no unused staging folder name", str(place))


def _swap_in(staging: Path, place: Path) -> None:
    """Rename the full pack in ``staging`` to ``place``, over the earlier pack there (renamed
    aside, then deleted; renamed back where the new one cannot be renamed in). An earlier
    folder's mode is kept: a user's 0700 pack folder must not become readable by all."""
    if not os.path.lexists(place):
        os.replace(staging, place)
        return
    os.chmod(staging, stat.S_IMODE(place.stat().st_mode))
    aside = _aside(place)
    os.replace(place, aside)
    try:
        os.replace(staging, place)
    except OSError:
        os.replace(aside, place)
        raise
    shutil.rmtree(aside)


def _move_in(staging: Path, place: Path) -> None:
    """Put the full pack in ``staging``, a folder inside ``place``, in the earlier pack's
    stead: the earlier pack's files (checked: ``_check_previous_pack``) and what killed packs
    staged there deleted, then the new files renamed up one by one, SHA256SUMS among them."""
    for name in _held(place):
        (place / name).unlink()
    for entry in place.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry != staging:
            shutil.rmtree(entry)
    for entry in sorted(staging.iterdir()):
        os.replace(entry, place / entry.name)
    staging.rmdir()


def _recover_pack(out_dir: Path) -> None:
    """Clear what a pack into ``out_dir`` killed mid-way (SIGKILL, a power cut) left beside it:
    an earlier pack renamed aside is deleted where the new one was renamed in after it, and put
    back where it was not (the folder is then the earlier pack, whole); staging folders are
    deleted (a pack is only ever the whole of one)."""
    place = _place(out_dir)
    aside = _aside(place)
    if aside.is_dir() and not aside.is_symlink():
        if os.path.lexists(place):
            shutil.rmtree(aside)
        else:
            os.replace(aside, place)
    try:
        entries = list(os.scandir(place.parent))
    except OSError:
        return  # no folder yet, or one the pack's write fails in next, naming it
    for entry in entries:
        if _is_staging_beside(entry.name, place) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)


def _write_pack(annex: Annex, out_dir: Path) -> list[str]:
    """The pack's files in the empty folder ``out_dir``; their names, SHA256SUMS last. Each
    run file is hashed as it is copied (``_copy_run_file``), and SHA256SUMS lists the hashes
    of the bytes written: a second read could be of another file than the copy."""
    written: dict[str, str] = {}
    for ar in annex.runs:
        if ar.plot_png is not None:
            path = out_dir / ar.plot_name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(ar.plot_png)
            written[ar.plot_name] = sha256_bytes(ar.plot_png)
    for ar in annex.runs:
        stated = {f.name: f.sha256 for f in ar.files}
        for name in ar.packed_files(annex.include_transcripts):
            source = ar.run.results_path if name == "results.jsonl" else ar.run.dir / name
            rel = f"runs/{ar.run.run_id}/{name}"
            written[rel] = _copy_run_file(source, out_dir / rel, stated.get(name))
    texts = {"annex.html": render_annex_html(annex), "annex.md": render_annex_md(annex)}
    for name, text in texts.items():
        data = text.encode("utf-8")
        (out_dir / name).write_bytes(data)
        texts[name] = sha256_bytes(data)
    written = {**texts, **written}
    sums = "".join(f"{sha}  {name}\n" for name, sha in written.items())
    (out_dir / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return [*written, "SHA256SUMS"]


def _copy_run_file(source: Path, path: Path, stated: str | None) -> str:
    """Copy a run file into the pack; the SHA-256 of the copy. Refused (exit 3) where the copy
    is not the file whose hash the annex's table states (``stated``, taken when the annex was
    built): the file changed in between, and the pack would carry one file under another's
    hash, its SHA256SUMS agreeing with the copy. ``write_annex`` then removes what was
    staged, so no part of the pack is left in its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    copied = copy_hashed(source, path)
    if copied != stated:
        raise RunFailedError(
            f"{source}: changed while the pack was written (its SHA-256 is now "
            f"{copied[:16]}…, the annex states {(stated or 'none')[:16]}…): nothing was "
            "packed; write the pack again once nothing changes the run's files, and check the "
            "run with 'assurance evidence verify'"
        )
    return copied


def _is_staging(name: str) -> bool:
    """A pack's staging folder (or a file in it) inside ``out_dir`` (``_make_staging(...,
    inside=True)``, and every pack of earlier versions), as a pack being written holds it or
    one killed mid-way left it: no part of a pack, and replaced with the folder."""
    top = Path(name).parts[0]
    return top.startswith(_STAGING_PREFIX) and top.endswith(_STAGING_SUFFIX)


def _check_previous_pack(out_dir: Path) -> None:
    """Refuse, before anything is written or deleted, a folder holding any file that is no
    earlier pack's (its SHA256SUMS lists every one) and no pack's staging."""
    others = [name for name in _held(out_dir) if name not in _listed(out_dir)]
    if others:
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise UsageError(
            f"--out {out_dir}: holds files that are no earlier pack's ({shown}); give an empty "
            "or new folder: a pack's SHA256SUMS lists every file in it"
        )


def _held(out_dir: Path) -> list[str]:
    """The files in ``out_dir`` (relative names), staging folders left out."""
    if not out_dir.is_dir():
        return []
    files = (p for p in out_dir.rglob("*") if not p.is_dir())
    return sorted(n for n in (str(p.relative_to(out_dir)) for p in files) if not _is_staging(n))


def _listed(out_dir: Path) -> set[str]:
    """The files an earlier pack's SHA256SUMS in ``out_dir`` lists, itself among them."""
    sums = out_dir / "SHA256SUMS"
    listed = {"SHA256SUMS"}
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
            _, sep, name = line.partition("  ")
            if sep:
                listed.add(name)
    return listed


def identity_note(annex: Annex, ar: AnnexRun) -> str:
    """Whether the run is of the system under assessment (``register.identity``), as plain
    text to append to the run's target line."""
    identity = annex.status.identity if annex.status is not None else None
    if identity is None or not identity.declared:
        return ""
    why = identity.mismatch(ar.run.target)
    if why is None:
        return "; the system's own target"
    return f"; NOT the system's target, so not counted for its risks: {why}"


def _model_version_md(version: object) -> str:
    """The model version as code, or a plain statement that the endpoint reported none (an
    empty code span renders as two stray backticks)."""
    return md_code(version) if version else "not reported by the endpoint"
