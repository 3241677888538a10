"""Give a verdict on a queued row: check the reviewer, append the review record(s) to the
evidence ledger (chained like every record, so ``evidence verify`` covers them), then store the
verdict in ``runs.db``. The ledger is written first: a verdict is never stored without its
evidence. Both happen under the store's write lock, so two verdicts of one reviewer on one row
at once supersede one another in order, the same way in the ledger and in ``runs.db``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workspace import Workspace
from .store import QueueItem, ReviewStore, Verdict, review_note

NO_RISK = "(none)"
"""``risk_id`` of a review record for a run that evidences no risk."""


class RowChanged(UsageError):
    """The queued row changed since the page the verdict was given on showed it (its scorer
    label, prompt or response): nothing is recorded. The web app answers it 409 Conflict."""


@dataclass(frozen=True)
class ReviewPaths:
    """Where a reviewer's work goes: the run index (and review store) and the ledger."""

    reports: Path
    ledger: Path
    register: Path | None = None

    @property
    def db(self) -> Path:
        return self.reports / "runs.db"

    @classmethod
    def default(
        cls,
        reports: str | Path = "reports",
        ledger: str | Path | None = None,
        register: str | Path | None = None,
    ) -> ReviewPaths:
        """From the command's options; a ``register`` given must be a file (a verdict's
        records name the risks it maps the run's suite to)."""
        from ..store.files import check_register_file

        if register:
            check_register_file(Path(register))
        reports = Path(reports)
        return cls(
            reports=reports,
            ledger=Workspace.at(reports, ledger=ledger or None).ledger,
            register=Path(register) if register else None,
        )


def run_dir_of(paths: ReviewPaths, run_id: str) -> Path:
    """The run's folder, from the run index (falling back to ``reports/<run_id>``)."""
    from ..store.index import open_index
    from ..store.runread import check_indexed_folder, check_run_folder_present, locate_run_dir

    index = open_index(paths.db)
    row = None if index is None else index.get(run_id)
    check_run_folder_present(run_id, row["run_dir"] if row else None, paths.reports)
    candidate = locate_run_dir(row["run_dir"] if row else None, paths.reports)
    if candidate is not None:  # the index's folder holds this run, as for every other command
        check_indexed_folder(candidate, run_id, paths.reports)
    candidate = candidate or paths.reports / run_id
    if not (candidate / "summary.json").exists():
        raise UsageError(
            f"no finished run '{run_id}' in {paths.reports}; see 'assurance runs list'"
        )
    return candidate


def reviewer_from_env(name: str | None) -> tuple[str, str | None]:
    """The configured identity: ``--reviewer`` or ASSURANCE_REVIEWER, and the optional token
    from ASSURANCE_REVIEW_TOKEN (a secret: read from the environment, never stored)."""
    return (name or os.environ.get("ASSURANCE_REVIEWER", "")).strip(), os.environ.get(
        "ASSURANCE_REVIEW_TOKEN"
    )


def adjudicate(
    paths: ReviewPaths,
    *,
    run_id: str,
    key: str,
    reviewer: str,
    token: str | None,
    agree: bool,
    label: bool | None = None,
    note: str = "",
    shown: str | None = None,
) -> Verdict:
    """Record one reviewer's verdict on one queued row; returns the stored verdict.

    ``agree`` keeps the scorer's label as the human label; otherwise ``label`` is the
    correction. The row's automated scores are not touched. ``shown``: the row's
    ``QueueItem.shown`` when the reviewer was shown it (the web app's page); a row changed
    since records nothing.
    """
    from ..store.runlock import reading_run_folder

    review_note(note)  # before the ledger is written: no record of a verdict the store refuses
    # Held shared: the record hashes results.jsonl and summary.json, which a --retry-errors
    # starting meanwhile would rewrite (the ledger would then fail verification).
    with reading_run_folder(run_dir_of(paths, run_id), then="give the verdict"):
        from ..register.evidence_record import EvidenceError, RunFilesChanged
        from ..register.ledger import _risk_ids, append_records
        from ..register.run_origin import origin_entry
        from ..register.runfiles import RunFiles, sha256_file

        store = ReviewStore(paths.db)
        reviewer = store.check_reviewer(reviewer, token)
        item: QueueItem = store.item(run_id, key)
        if shown is not None and shown != item.shown:
            raise RowChanged(
                f"row {key} of run {run_id} has changed since the page was loaded (its scorer "
                "label, prompt or response); nothing was recorded: reload the page and judge "
                "the row as it is now"
            )
        if agree and item.scorer_label is None:
            # Its review.label was null on the row: agreeing confirms nothing, and the row
            # would count as reviewed (a require_reviewed gate stopped waiting for it).
            raise UsageError(
                f"the scorer gave row {key} no label, so there is nothing to agree with; "
                "nothing was recorded: give the label (--label true or --label false, or "
                "choose one on the page)"
            )
        if agree:
            human = item.scorer_label
        elif label is None:
            raise UsageError("a correction needs the label: --label true or --label false")
        else:
            human = label
        run = RunFiles.load(run_dir_of(paths, run_id))
        from ..register.purges import note_purges

        # Purged under the retention policy (when, from the ledger) or lost: the verdict would
        # judge text no one can see, and its record would hash a file that is gone.
        gone = note_purges(run, paths.ledger).results_missing()
        if gone is not None:
            # Purged is exit 3, as evidence attach and baseline set refuse it (the run cannot
            # give what is asked); missing with no purge to account for it is 1, as there.
            purged = run.purges is not None and run.results_path.name in run.purges.notes
            refusal = RunFilesChanged if purged else EvidenceError
            raise refusal(f"{gone}; no verdict can be recorded on its rows")
        from ..register.ledger_hashes import ledger_run_hashes, note_ledger_hashes

        # Against the hashes its evidence in the ledger holds too, as compare checks: a file
        # edited with its manifest.json rewritten to match is not the run's either.
        note_ledger_hashes(run, ledger_run_hashes(paths.ledger))
        changed = run.summary_changed() or run.results_changed()
        if changed is not None:
            # The record below hashes results.jsonl and summary.json as they are now (and copies
            # the summary's status): the ledger would vouch for rows or verdicts the run never
            # wrote, as 'evidence attach' refuses to.
            raise RunFilesChanged(f"{changed}; no verdict can be recorded as evidence on it")
        risks = _risk_ids(run, paths.register) or [NO_RISK]
        note = stored_note(note, run.summary)
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run_info = {
            "status": run.summary.get("status"),
            "started_at": run.summary.get("started_at"),
            "finished_at": run.summary.get("finished_at"),
            "dir": _rel(run.dir, paths.ledger.parent),
            "results_path": _rel(run.results_path, paths.ledger.parent),
            "results_sha256": sha256_file(run.results_path),
            "files": {
                "results.jsonl": sha256_file(run.results_path),
                "summary.json": sha256_file(run.dir / "summary.json"),
            },
            **origin_entry(run.dir),  # the team store's: the machine whose disk holds them
        }
        suite = run.suite
        target = run.target

        def record(supersedes: list[str]) -> list[str]:
            """Append the verdict's records, superseding the reviewer's previous verdict's
            (``supersedes``, read by the store under its write lock); their ids."""
            review = {
                "row": key,
                "reviewer": reviewer,
                "decision": "agree" if agree else "correct",
                "label": human,
                "scorer_label": item.scorer_label,
                "note": note,
                "reasons": item.reasons,
                "given_at": now,
                "supersedes": supersedes,
            }
            bodies = [
                {
                    "risk_id": risk,
                    "run_id": run_id,
                    "verdict": "review",
                    "suite": {k: suite.get(k) for k in ("name", "version", "sha256", "path")},
                    "target": {
                        k: target.get(k) for k in ("name", "type", "fingerprint", "model_version")
                    },
                    "gate": None,
                    "metric": None,
                    "run": run_info,
                    "review": review,
                }
                for risk in risks
            ]
            unstored = _unstored_records(paths.ledger, run_id, review, risks)
            if unstored:
                return unstored
            return [r.id for r in append_records(paths.ledger, bodies)]

        # The ledger is written inside the store's transaction, before the verdict row:
        # a verdict is never stored without its evidence.
        return store.add_verdict(
            run_id=run_id,
            key=key,
            reviewer=reviewer,
            decision="agree" if agree else "correct",
            label=human,
            scorer_label=item.scorer_label,
            note=note,
            created_at=now,
            ledger_ids=record,
        )


def stored_note(note: str, summary: Mapping[str, Any]) -> str:
    """``note`` as it is stored: redacted where the run's rows are stored redacted, under the
    policy they were (its ``summary.json`` records it). The reviewer sees redacted rows, but
    may type what they know; the ledger keeps the note for good, where neither redaction nor
    ``runs purge`` reaches."""
    recorded = (summary.get("privacy") or {}).get("redaction")
    if not note or not isinstance(recorded, Mapping) or recorded.get("enabled") is not True:
        return note
    from pydantic import ValidationError

    from ..privacy.policy import RedactionPolicy
    from ..privacy.redact import redact_text

    fields = {k: recorded[k] for k in ("entities", "min_score") if k in recorded}
    try:
        policy = RedactionPolicy(enabled=True, **fields)
    except ValidationError:  # a type a later version knows: every type this one does
        policy = RedactionPolicy(enabled=True)
    return redact_text(note, policy)


_SAME_VERDICT = ("row", "reviewer", "decision", "label", "scorer_label", "note", "supersedes")


def _unstored_records(
    ledger: Path, run_id: str, review: Mapping[str, Any], risks: list[str]
) -> list[str]:
    """The ids of this very verdict's records, appended by an earlier try whose runs.db row
    then failed (its disk full, its lock held), or []: the redo the failure asks for stores
    the verdict on them instead of appending a second record of the same adjudication.

    Such records supersede what the store's latest verdict of this reviewer on this row is
    (``review["supersedes"]``): a stored verdict's records are superseded by the next one's,
    so records still naming the same predecessor were never stored. Only records that say
    the same verdict, for the same risks, are taken; any other is left as it is and a new
    record appended."""
    from ..register.ledger_store import run_records

    stored = set(review["supersedes"])
    mine = [
        (r.id, r.risk_id, str(r.review.get("given_at")))
        for r in run_records(ledger, run_id)
        if r.review is not None
        and r.id not in stored
        and all(r.review.get(k) == review[k] for k in _SAME_VERDICT)
    ]
    if not mine:
        return []
    last = [(rid, risk) for rid, risk, given in mine if given == mine[-1][2]]
    return [rid for rid, _ in last] if sorted(risk for _, risk in last) == sorted(risks) else []


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()
