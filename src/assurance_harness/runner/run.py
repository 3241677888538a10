"""Run one suite against one target: expand, send, journal, score, measure, judge, record.

Responses are journalled the moment they arrive, so an interrupted run (crash, ``kill -9``,
Ctrl-C) resumes with ``--resume RUN_ID`` and sends only what is missing; scoring and metrics
run over the complete journal, so a resumed run's results equal an uninterrupted one's.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shlex
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import HarnessError, RunFailedError, UsageError
from ..metrics.engine import compute_metrics, judge_gate
from ..model import Case, GenerationRequest, ResponseRecord
from ..privacy.policy import load_project_config
from ..privacy.stored import redact_run_inputs, stored_copy
from ..scorers.validity import attach_validity
from ..spec.loader import LoadedSuite, load_suite
from ..spec.targets import load_target
from ..store.index import RunIndex
from ..store.rundir import RunDir, write_json_atomic
from ..targets.base import Target
from . import provenance
from .executor import TargetUnusableError, run_sync
from .scoring import apply_scorers

ProgressFn = Callable[[int, int, int], None]


class RunInterrupted(Exception):
    """Ctrl-C during sending or scoring: what completed is in the journal; ``resume_command``
    continues."""

    def __init__(self, run_id: str, resume_command: str, done: int, total: int) -> None:
        super().__init__(run_id)
        self.run_id = run_id
        self.resume_command = resume_command
        self.done = done
        self.total = total


@dataclass
class RunOutcome:
    run_id: str
    run_dir: Path
    summary: dict[str, Any]
    exit_code: int
    notes: list[str] = field(default_factory=list)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id(suite_name: str) -> str:
    """``<UTC stamp>-<suite slug>-<4 hex>``: one safe folder name, whatever the suite is called.

    The suite name is free text ("bias/bbq", "toxicity core"); used verbatim, a slash or ``..``
    put the run folder somewhere else under (or outside) the reports directory.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", suite_name).strip(".-")[:60] or "suite"
    return f"{stamp}-{slug}-{secrets.token_hex(2)}"


def _create_run_dir(reports: Path, suite_name: str) -> RunDir:
    """A new run folder under a fresh id. The folder is made exclusively and a taken id is
    drawn again, so two runs of one suite in one second never share a folder (4 hex digits
    alone collide once in 65,536 pairs)."""
    for _ in range(100):
        run_dir = RunDir(reports / new_run_id(suite_name))
        try:
            run_dir.create()
        except FileExistsError:
            continue
        return run_dir
    raise RunFailedError(f"no free run id in {reports} after 100 tries")


def _storage_failure(exc: Exception, where: Path | str, then: str) -> RunFailedError:
    """A storage fault (read-only folder, full disk, a database that cannot be written) as one
    line with the way on, instead of an OS or sqlite traceback."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return RunFailedError(f"cannot write {where}: {reason}\n{then}")


def _fault_path(exc: Exception, reports: Path) -> Path | str:
    if isinstance(exc, sqlite3.Error):
        return reports / "runs.db"
    return getattr(exc, "filename", None) or reports


def _index_row(summary: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    """The runs.db row of a finished run, from its summary (a resumed run whose index write
    failed gets the same row the run would have written)."""
    gates_failed = sum(1 for g in summary["gates"] if g["verdict"] != "pass")
    return {
        "run_id": summary["run_id"],
        "suite": summary["suite"]["name"],
        "suite_version": summary["suite"]["version"],
        "suite_sha256": summary["suite"]["sha256"],
        "target_name": summary["target"]["name"],
        "target_fingerprint": summary["target"]["fingerprint"],
        "model_version": summary["target"]["model_version"],
        "status": summary["status"],
        "started_at": summary["started_at"],
        "finished_at": summary["finished_at"],
        "n_requests": summary["counts"]["requests"],
        "n_errors": summary["counts"]["errors"],
        "gates_passed": len(summary["gates"]) - gates_failed,
        "gates_failed": gates_failed,
        "run_dir": str(run_dir),
    }


def derive_seed(suite_seed: int, case_id: str, sample: int) -> int:
    """A per-request seed that depends only on the suite seed, the case and the sample."""
    digest = hashlib.sha256(f"{suite_seed}:{case_id}:{sample}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def build_requests(loaded: LoadedSuite, cases: list[Case]) -> list[GenerationRequest]:
    suite = loaded.suite
    requests = []
    for case in cases:
        messages = case.chat()
        if suite.system_prompt and not any(m["role"] == "system" for m in messages):
            messages = [{"role": "system", "content": suite.system_prompt}, *messages]
        for sample in range(suite.samples):
            seed = derive_seed(suite.seed, case.id, sample)
            params = {**suite.generation, "seed": seed}
            requests.append(
                GenerationRequest(
                    case_id=case.id,
                    sample=sample,
                    seed=seed,
                    messages=messages,
                    params=params,
                    metadata=case.metadata,
                )
            )
    return requests


def _row(case: Case, record: ResponseRecord) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "sample": record.sample,
        "seed": record.seed,
        "prompt": case.text(),
        "messages": case.chat() if case.messages is not None else None,
        "response": record.response,
        "error": record.error.__dict__ if record.error else None,
        "metadata": case.metadata,
        "expected": case.expected.model_dump(exclude_none=True, exclude_defaults=True),
        "scores": {},
        "latency_s": record.latency_s,
        "attempts": record.attempts,
        "cached": record.cached,
        "model_version": record.model_version,
    }


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _send(
    target: Target,
    requests: list[GenerationRequest],
    run_dir: RunDir,
    *,
    concurrency: int,
    use_cache: bool,
    cache_path: Path,
    progress: ProgressFn | None,
) -> None:
    from ..store.cache import ResponseCache
    from .executor import execute

    cache = ResponseCache(cache_path) if use_cache else None
    # The connection pool is sized from the spec at start(): apply a --concurrency override first.
    target.spec.concurrency = concurrency
    await target.start()
    try:
        await execute(
            target,
            requests,
            concurrency=concurrency,
            requests_per_second=target.spec.requests_per_second,
            timeout_s=target.spec.timeout_s,
            retry=target.spec.retry,
            on_record=run_dir.append_response,
            cache=cache,
            progress=progress,
            probe=True,
        )
    finally:
        await target.close()
        if cache is not None:
            cache.close()


def run_suite(
    suite_path: str | Path,
    target_path: str | Path,
    *,
    reports_dir: str | Path = "reports",
    concurrency: int | None = None,
    resume: str | None = None,
    use_cache: bool = True,
    progress: ProgressFn | None = None,
    write_reports: bool = True,
    attach_evidence: bool = True,
    register_path: str | Path | None = None,
    ledger_path: str | Path | None = None,
    command: str | None = None,
    limit: int | None = None,
) -> RunOutcome:
    """Run a suite end to end and return its outcome (the summary and the exit code).

    ``limit``: a smoke test on the suite's first ``limit`` cases; it writes no evidence (a
    subset's verdicts say nothing about the suite's risks)."""
    if limit is not None and limit < 1:
        raise UsageError("--limit must be at least 1")
    if limit is not None:
        attach_evidence = False
    reports = Path(reports_dir)
    loaded = load_suite(suite_path)
    target = load_target(target_path)
    target_public = target.public_config()
    fingerprint = target.fingerprint()
    started_at = now()
    if use_cache and load_project_config().privacy.redaction.enabled:
        use_cache = False  # the response cache would keep the original, unredacted responses

    if resume:
        run_dir = RunDir(reports / resume)
        if not run_dir.exists():
            raise UsageError(f"no run '{resume}' in {reports}; see 'assurance runs list'")
        state = run_dir.read_json(run_dir.run_json)
        if state["suite"]["sha256"] != loaded.sha256:
            raise UsageError(
                f"run '{resume}' was made with a different version of {suite_path} "
                "(its SHA-256 changed); start a new run instead of resuming"
            )
        if state["target"]["fingerprint"] != fingerprint:
            raise UsageError(
                f"run '{resume}' was made against a different target configuration; "
                "resume with the same --target file"
            )
        if state.get("status") != "running" and run_dir.summary.exists():
            # Already finished: rewriting summary.json and manifest.json would change the
            # hashes its evidence records hold and make the ledger report tampering.
            summary = run_dir.read_json(run_dir.summary)
            outcome = RunOutcome(run_dir.run_id, run_dir.path, summary, int(summary["exit_code"]))
            outcome.notes.append(f"run {resume} was already complete; its results are unchanged")
            try:  # the index entry too, in case writing it was what failed
                RunIndex(reports / "runs.db").upsert(_index_row(summary, run_dir.path))
                _publish(
                    outcome,
                    reports,
                    evidence_for=bool(loaded.suite.evidence_for),
                    write_reports=write_reports,
                    attach_evidence=attach_evidence,
                    register_path=register_path,
                    ledger_path=ledger_path,
                )
            except (OSError, sqlite3.Error) as exc:
                raise _storage_failure(
                    exc, _fault_path(exc, reports), "after fixing this, run the same command again"
                ) from None
            return outcome
        cases = run_dir.read_cases()
        started_at = state.get("started_at", started_at)
    else:
        try:
            run_dir = _create_run_dir(reports, loaded.suite.suite)
        except OSError as exc:
            raise _storage_failure(exc, reports, "nothing was sent; fix it and run again") from None
        run_id = run_dir.run_id
        cases = loaded.cases[:limit] if limit else loaded.cases
        state = {
            "run_id": run_id,
            "status": "running",
            "started_at": started_at,
            "suite": {"path": str(suite_path), "name": loaded.suite.suite, "sha256": loaded.sha256},
            "target": {
                "path": str(target_path),
                "name": target.spec.name,
                "fingerprint": fingerprint,
            },
            "options": {"concurrency": concurrency, "use_cache": use_cache}
            | ({"limit": limit} if limit else {}),
            "command": command,
        }
        try:
            run_dir.write_cases(cases)
            write_json_atomic(run_dir.run_json, state)
        except (OSError, ValueError) as exc:
            shutil.rmtree(run_dir.path, ignore_errors=True)  # nothing sent: nothing to keep
            raise _storage_failure(
                exc, run_dir.path, "nothing was sent; fix it and run again"
            ) from None

    requests = build_requests(loaded, cases)
    done = run_dir.read_responses()
    pending = [r for r in requests if (r.case_id, r.sample) not in done]
    total = len(requests)
    offset = len(done)
    wrapped: ProgressFn | None = None
    if progress is not None:
        progress(offset, total, sum(1 for r in done.values() if r.error))
        base_errors = sum(1 for r in done.values() if r.error)

        def wrapped(finished: int, _total: int, errors: int) -> None:
            progress(offset + finished, total, base_errors + errors)

    # The same options as this run, so resuming behaves as the interrupted run would have.
    options = [
        *(["--concurrency", str(concurrency)] if concurrency else []),
        *([] if use_cache else ["--no-cache"]),
        *([] if write_reports else ["--no-report"]),
        *([] if attach_evidence else ["--no-evidence"]),
    ]
    resume_cmd = " ".join(
        [
            "assurance run",
            shlex.quote(str(suite_path)),
            "--target",
            shlex.quote(str(target_path)),
            "--reports",
            shlex.quote(str(reports)),
            *options,
            "--resume",
            run_dir.run_id,
        ]
    )
    run_dir.open_journal()
    try:
        if pending:
            run_sync(
                _send(
                    target,
                    pending,
                    run_dir,
                    concurrency=concurrency or target.spec.concurrency,
                    use_cache=use_cache,
                    cache_path=reports / "cache.sqlite",
                    progress=wrapped,
                )
            )
    except TargetUnusableError as exc:
        # A broken target, found by the probe: the run folder stays (its cases are written)
        # so that once the endpoint is fixed outside the target file, resuming sends it all.
        run_dir.close_journal()
        exc.args = (
            f"{exc}\nnothing else was sent; after fixing the endpoint (same target file) "
            f"continue with: {resume_cmd}\nor, after changing the target file, run again; "
            f"'assurance targets check {target_path}' tests it with one request",
        )
        raise
    except HarnessError as exc:
        run_dir.close_journal()
        if not resume and not run_dir.read_responses():
            # Nothing was sent (a key not exported, a module not found): leave no half-made
            # run folder behind that 'runs' and '--resume' would have to explain.
            shutil.rmtree(run_dir.path, ignore_errors=True)
        else:
            exc.args = (f"{exc}\nthe responses so far are saved; continue with: {resume_cmd}",)
        raise
    except KeyboardInterrupt:
        run_dir.close_journal()
        raise RunInterrupted(
            run_dir.run_id, resume_cmd, len(run_dir.read_responses()), total
        ) from None
    except (OSError, sqlite3.Error) as exc:  # the journal or the cache: disk full, read-only
        run_dir.close_journal()
        raise _storage_failure(
            exc,
            run_dir.path if isinstance(exc, OSError) else reports / "cache.sqlite",
            f"the responses so far are saved; after fixing this, continue with: {resume_cmd}",
        ) from None
    finally:
        run_dir.close_journal()

    try:
        outcome = _finish(
            loaded,
            target_public,
            fingerprint,
            target,
            run_dir,
            cases,
            requests,
            state,
            started_at,
            reports,
            write_reports=write_reports,
            attach_evidence=attach_evidence,
            register_path=register_path,
            ledger_path=ledger_path,
            command=command,
        )
        if state.get("options", {}).get("limit"):
            outcome.notes.append(
                f"smoke test: the first {len(cases)} of {len(loaded.cases)} cases; "
                "no evidence was written"
            )
        return outcome
    except KeyboardInterrupt:
        # Ctrl-C while scoring: every response is in the journal, so resuming only re-scores.
        raise RunInterrupted(run_dir.run_id, resume_cmd, total, total) from None
    except (OSError, sqlite3.Error) as exc:
        raise _storage_failure(
            exc,
            _fault_path(exc, reports),
            f"the responses are saved in run {run_dir.run_id}; after fixing this, "
            f"finish with: {resume_cmd}",
        ) from None
    except HarnessError as exc:
        # The responses are safe in the journal: say how to finish without re-sending anything.
        exc.args = (
            f"{exc}\nthe responses are saved in run {run_dir.run_id}; after fixing this, "
            f"finish with: {resume_cmd}",
        )
        raise


def _finish(
    loaded: LoadedSuite,
    target_public: dict[str, Any],
    fingerprint: str,
    target: Target,
    run_dir: RunDir,
    cases: list[Case],
    requests: list[GenerationRequest],
    state: dict[str, Any],
    started_at: str,
    reports: Path,
    *,
    write_reports: bool,
    attach_evidence: bool,
    register_path: str | Path | None,
    ledger_path: str | Path | None,
    command: str | None,
) -> RunOutcome:
    suite = loaded.suite
    records = run_dir.read_responses()
    by_id = {c.id: c for c in cases}
    missing = [r for r in requests if (r.case_id, r.sample) not in records]
    if missing:
        raise UsageError(
            f"{len(missing)} requests have no response yet; resume with "
            f"'assurance run {state['suite']['path']} --target {state['target']['path']} "
            f"--resume {run_dir.run_id}'"
        )
    rows = [_row(by_id[r.case_id], records[(r.case_id, r.sample)]) for r in requests]
    context = loaded.context()
    if context.audience is None:
        context.audience = _register_audience(register_path)
    scorer_info = apply_scorers(loaded.scorers, rows, by_id, context)
    metric_values = compute_metrics(loaded.metrics, rows, seed=suite.seed)
    specs = {m.id: m for m in loaded.metrics}
    gates = [
        attach_validity(
            judge_gate(g, metric_values.get(g.metric), specs.get(g.metric), rows),
            g,
            specs.get(g.metric),
            loaded.scorers,
        )
        for g in suite.gates
    ]
    review = _review_queue(suite, rows, gates)
    n_errors = sum(1 for r in rows if r["error"] is not None)
    error_rate = n_errors / len(rows) if rows else 0.0
    run_failed = error_rate > suite.max_error_rate
    gates_failed = sum(1 for g in gates if g["verdict"] != "pass")
    if run_failed:
        status, exit_code = "run_failed", 3
    elif gates_failed:
        status, exit_code = "gates_failed", 1
    else:
        status, exit_code = "passed", 0
    finished_at = now()
    model_versions = sorted({r["model_version"] for r in rows if r.get("model_version")})
    model_version = ", ".join(model_versions) if model_versions else None

    # Scored on the original text above; stored redacted under the project's privacy policy.
    privacy_policy = load_project_config().privacy
    stored_rows, privacy_info = stored_copy(rows, privacy_policy)
    run_dir.write_results(stored_rows)
    if privacy_info is not None:
        inputs = redact_run_inputs(run_dir.path, privacy_policy)
        privacy_info["redacted_inputs"] = inputs
    results_sha = _sha256_bytes(run_dir.results.read_bytes())
    summary = {
        "run_id": run_dir.run_id,
        "suite": {
            "name": suite.suite,
            "version": suite.version,
            "path": str(loaded.path),
            "sha256": loaded.sha256,
            "evidence_for": suite.evidence_for,
            "description": suite.description,
            "audience": context.audience,
        },
        "target": {
            "name": target.spec.name,
            "type": target.spec.type,
            "fingerprint": fingerprint,
            "model_version": model_version,
        },
        "status": status,
        "started_at": started_at,
        "finished_at": finished_at,
        "counts": {
            "cases": len(cases),
            "requests": len(rows),
            "responses": len(rows) - n_errors,
            "errors": n_errors,
            "error_rate": error_rate,
            "max_error_rate": suite.max_error_rate,
            "cached": sum(1 for r in rows if r["cached"]),
            "errors_by_type": _count_by(r["error"]["type"] for r in rows if r["error"]),
        },
        "seed": suite.seed,
        "samples": suite.samples,
        "scorers": scorer_info,
        "metrics": {
            spec.id: {
                "kind": spec.kind,
                "spec": {k: v for k, v in spec.raw.items() if k != "id"},
                "description": spec.description,
                **metric_values[spec.id].to_dict(),
            }
            for spec in loaded.metrics
        },
        "gates": gates,
        **({"review": review} if review is not None else {}),
        "exit_code": exit_code,
    }
    if privacy_info is not None:
        summary["privacy"] = privacy_info
    write_json_atomic(run_dir.summary, summary)
    git = provenance.git_state(loaded.path.resolve().parent)
    target_blob = json.dumps(target_public, sort_keys=True).encode()
    manifest = {
        "run_id": run_dir.run_id,
        "tool": {"name": "assurance-harness", "version": _tool_version()},
        "suite": {
            "path": str(loaded.path),
            "sha256": loaded.sha256,
            "name": suite.suite,
            "version": suite.version,
        },
        "datasets": [{"path": str(p), "sha256": h} for p, h in loaded.dataset_files],
        "cases": {
            "path": "cases.jsonl",
            "sha256": _sha256_bytes(run_dir.cases.read_bytes()),
            "count": len(cases),
        },
        "target": {
            "path": state["target"]["path"],
            "sha256": _sha256_bytes(target_blob),
            "config": target_public,
            "fingerprint": fingerprint,
        },
        "results": {"path": "results.jsonl", "sha256": results_sha},
        "responses": {
            "path": "responses.jsonl",
            "sha256": _sha256_bytes(run_dir.responses.read_bytes()),
        },
        "scorers": scorer_info,
        "seed": suite.seed,
        **provenance.environment(),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "command": command or state.get("command") or _default_command(state),
        "started_at": started_at,
        "finished_at": finished_at,
    }
    if privacy_info is not None:
        manifest["privacy"] = privacy_info
    write_json_atomic(run_dir.manifest, manifest)
    state.update(status=status, finished_at=finished_at)
    write_json_atomic(run_dir.run_json, state)
    RunIndex(reports / "runs.db").upsert(
        {
            "run_id": run_dir.run_id,
            "suite": suite.suite,
            "suite_version": suite.version,
            "suite_sha256": loaded.sha256,
            "target_name": target.spec.name,
            "target_fingerprint": fingerprint,
            "model_version": model_version,
            "status": status,
            "started_at": started_at,
            "finished_at": finished_at,
            "n_requests": len(rows),
            "n_errors": n_errors,
            "gates_passed": len(gates) - gates_failed,
            "gates_failed": gates_failed,
            "run_dir": str(run_dir.path),
        }
    )
    if review is not None:
        from ..review.store import ReviewStore

        # The queue keeps prompts and responses in runs.db: the stored (redacted) copies.
        ReviewStore(reports / "runs.db").enqueue(run_dir.run_id, review["queue"], stored_rows)
    outcome = RunOutcome(run_dir.run_id, run_dir.path, summary, exit_code)
    _publish(
        outcome,
        reports,
        evidence_for=bool(suite.evidence_for),
        write_reports=write_reports,
        attach_evidence=attach_evidence,
        register_path=register_path,
        ledger_path=ledger_path,
    )
    return outcome


def _publish(
    outcome: RunOutcome,
    reports: Path,
    *,
    evidence_for: bool,
    write_reports: bool,
    attach_evidence: bool,
    register_path: str | Path | None,
    ledger_path: str | Path | None,
) -> None:
    """Reports and evidence for a finished run; both are safe to redo."""
    if write_reports:
        _write_reports(outcome.run_dir, outcome)
    # A suite evidences the risks it names, and those whose register entry names the suite.
    if attach_evidence and (evidence_for or register_path):
        _attach(
            outcome.run_dir,
            outcome,
            register_path,
            ledger_path or reports / "evidence" / "ledger.jsonl",
        )


def _register_audience(register_path: str | Path | None) -> dict[str, Any] | None:
    """The register's audience, for a suite that names none: an answer for adults must not be
    rated suitable because the suite forgot to say the product is for children."""
    if register_path is None or not Path(register_path).exists():
        return None
    from ..register.loader import load_register

    try:
        audience = load_register(register_path).register.system.audience
    except HarnessError:
        return None  # attaching evidence reports a broken register; the run goes on
    if audience.min_age is None and audience.max_age is None:
        return None
    # Unset ages are left out, so a scorer's own default applies to them.
    return {**audience.model_dump(exclude_none=True), "source": str(register_path)}


def _review_queue(
    suite: Any, rows: list[dict[str, Any]], gates: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The rows a person must see (the suite's ``review:`` policy); gates that require review
    wait for it: ``awaiting_review`` until every flagged row has a verdict."""
    if suite.review is None:
        return None
    from ..review.policy import build_queue, queue_summary

    queue = build_queue(suite.review, rows, gates, seed=suite.seed)
    summary = queue_summary(suite.review, queue)
    for spec, gate in zip(suite.gates, gates, strict=True):
        if spec.require_reviewed:
            gate["require_reviewed"] = True
            if gate["verdict"] == "pass" and summary["required"]:
                gate["verdict"] = "awaiting_review"
    return summary


def _count_by(items: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def _tool_version() -> str:
    from .. import __version__

    return __version__


def _default_command(state: dict[str, Any]) -> str:
    return (
        f"assurance run {shlex.quote(state['suite']['path'])} "
        f"--target {shlex.quote(state['target']['path'])}"
    )


def _write_reports(path: Path, outcome: RunOutcome) -> None:
    from ..report import write_reports

    try:
        written = write_reports(path)
    except Exception as exc:  # a report bug must not cost a finished run its verdict
        outcome.notes.append(
            f"reports not written ({exc.__class__.__name__}: {exc}); retry with: "
            f"assurance report {outcome.run_id}"
        )
        return
    outcome.notes.append("reports: " + ", ".join(str(p) for p in written.values()))


def _attach(
    path: Path, outcome: RunOutcome, register_path: str | Path | None, ledger_path: str | Path
) -> None:
    from ..register.ledger import attach_run

    try:
        records = attach_run(
            path,
            register_path=Path(register_path) if register_path else None,
            ledger_path=Path(ledger_path),
        )
    except HarnessError as exc:
        # The run itself is complete and saved; evidence can be attached later by hand.
        outcome.notes.append(
            f"evidence not attached: {exc} (fix it, then: assurance evidence attach "
            f"{outcome.run_id})"
        )
        return
    if records:
        outcome.notes.append(f"evidence: {len(records)} records appended to {ledger_path}")


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in ["assurance", *sys.argv[1:]])
