"""What happens after a run is recorded: it enters the run index, its reports are written and
its evidence attached.

Each step only reads the finished run folder and is safe to redo (``--resume RUN`` of a finished
run redoes them all; ``assurance report RUN``, ``assurance evidence attach RUN`` redo one), so
they run as separate steps after the run log is complete: a bug in a report cannot cost a
finished run its verdict. A step that was due and failed is loud: the run exits 3 (evidence or
index missing is not a successful run), with the command that repairs it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HarnessError
from ..workspace import Workspace


@dataclass
class PostRunOptions:
    """Which post-run steps to take, and where the register and ledger are."""

    write_reports: bool = True
    attach_evidence: bool = True
    register_path: Path | None = None
    ledger_path: Path | None = None
    evidence_for: str | None = None
    """``--evidence-for SYSTEM``: record a run against another target as evidence anyway
    (under its own target's identity; ``register.identity``)."""


@dataclass
class PostRunResult:
    notes: list[str] = field(default_factory=list)
    evidence_failed: bool = False
    """Evidence was due but could not be attached (the run must not look complete)."""
    index_failed: bool = False
    """The run is not in runs.db (comparisons and ``runs list`` would not see it)."""
    reports_failed: bool = False
    """A storage fault (a full disk, a read-only folder) kept the reports from being written."""
    problems: list[str] = field(default_factory=list)
    """The notes among ``notes`` that say a step failed: said with a later step's fault too."""

    @property
    def failed(self) -> bool:
        return self.evidence_failed or self.index_failed or self.reports_failed


def _with_reports(command: str, reports: Path) -> str:
    """``command`` with ``--reports`` where it is not the default folder, and the run's
    ``--store``, so it works as printed."""
    from ..store.location import follow_up

    if reports == Path("reports"):
        return follow_up(command)
    return follow_up(f"{command} --reports {shlex.quote(str(reports))}")


def index_run_step(run_dir: Path, reports: Path, result: PostRunResult, *, repair: str) -> None:
    """Add the run's row to runs.db. A storage fault (sqlite3.Error, OSError) propagates: the
    runner turns it into exit 3 with ``repair`` (the ``--resume`` that redoes this step)."""
    from ..store.runread import read_run
    from .record import index_run

    index_run(reports, read_run(run_dir).info, run_dir)


def write_run_reports(
    run_dir: Path, run_id: str, result: PostRunResult, reports: Path = Path("reports")
) -> None:
    from ..report import write_reports

    retry = _with_reports(f"assurance report {run_id}", reports)
    try:
        written = write_reports(run_dir)
    except OSError as exc:  # a storage fault: exit 3, like any other (the verdict stands)
        result.reports_failed = True
        # A failed rename names its destination second: the report, not its temporary file.
        where = getattr(exc, "filename2", None) or getattr(exc, "filename", None) or run_dir
        reason = exc.strerror or str(exc)
        result.problems.append(
            f"reports not written: cannot write {where}: {reason}; "
            f"after fixing this, retry with: {retry}"
        )
        result.notes.append(result.problems[-1])
        return
    except Exception as exc:  # a report bug must not cost a finished run its verdict
        result.problems.append(
            f"reports not written ({exc.__class__.__name__}: {exc}); retry with: {retry}"
        )
        result.notes.append(result.problems[-1])
        return
    result.notes.append("reports: " + ", ".join(str(p) for p in written.values()))


def attach_run_evidence(
    run_dir: Path,
    run_id: str,
    register_path: Path | None,
    ledger_path: Path,
    result: PostRunResult,
    evidence_for: str | None = None,
    reports: Path = Path("reports"),
    *,
    summary_just_written: bool = False,
) -> None:
    from ..register.ledger import ExploratoryRunError, attach_run
    from ..register.ledger_store import LedgerFaultError
    from ..register.ledger_team import ledger_where

    try:
        records = attach_run(
            run_dir,
            register_path=register_path,
            ledger_path=ledger_path,
            evidence_for=evidence_for,
            summary_just_written=summary_just_written,
            notes=result.notes,
            done=result.notes,  # the anchor caught up: said where the run says "evidence:"
        )
    except ExploratoryRunError as exc:
        result.notes.append(str(exc))  # a run against another target: reported, not evidence
        return
    except LedgerFaultError as fault:
        # The ledger's disk or lock (full, read-only, held): a storage fault of the run, said
        # as one line with its --resume (runner.run), as an OSError of the append always was;
        # with the earlier steps' failures, whose notes this ends before they are printed.
        for problem in result.problems:
            fault.add_line(problem)
        raise
    except HarnessError as exc:
        # The run itself is complete and saved; evidence can be attached later by hand.
        result.evidence_failed = True
        attach = _with_reports(f"assurance evidence attach {run_id}", reports)
        attach += "".join(
            f" {flag} {shlex.quote(str(value))}"
            for flag, value in (
                ("--register", register_path),
                ("--ledger", ledger_path),
                ("--evidence-for", evidence_for),
            )
            if value is not None
        )
        result.notes.append(f"evidence not attached: {exc} (fix it, then: {attach})")
        return
    if records:
        where = ledger_where(ledger_path)  # the team store's table, or the file
        result.notes.append(f"evidence: {len(records)} records appended to {where}")


def run_post_steps(
    run_dir: Path,
    run_id: str,
    reports: Path,
    *,
    evidence_for: bool,
    options: PostRunOptions,
    repair: str,
    summary_just_written: bool = False,
) -> PostRunResult:
    """Reports, evidence, then the index. A suite evidences the risks it names, and those whose
    register entry names the suite (so evidence is due when either is given).
    ``summary_just_written``: this process wrote the run's summary.json a moment ago, so the
    evidence step does not measure it again (``register.evidence_map.attach_run``).

    The index comes last: a run is listed as finished once its steps are done. A run stopped
    in its evidence step (``kill -9`` while another process held the ledger's lock) was
    indexed already, and read as complete, with no resume and nothing to say its evidence was
    due; unindexed, it is listed from its folder with the resume that completes it."""
    result = PostRunResult()
    if options.write_reports:
        write_run_reports(run_dir, run_id, result, reports)
    if options.attach_evidence and (evidence_for or options.register_path):
        attach_run_evidence(
            run_dir,
            run_id,
            options.register_path,
            Workspace.at(reports, ledger=options.ledger_path).ledger,
            result,
            options.evidence_for,
            reports,
            summary_just_written=summary_just_written,
        )
    index_run_step(run_dir, reports, result, repair=repair)
    return result
