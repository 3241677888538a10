"""Turn a run's scored rows into its record: summary.json, manifest.json, run.json and its row
in the run index, all written through the run log (``store.runlog``).

The runner decides *what* happened (rows, metrics, gates); this module only writes it down, in
one place, so the files' shape is the run log's models and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ExitCode, RunFailedError
from ..privacy.stored import as_stored
from ..spec.loader import LoadedSuite
from ..store.files import sha256_bytes, sha256_file
from ..store.index import RunIndex
from ..store.rundir import RunDir
from ..store.runlog import (
    SUMMARY,
    IndexRow,
    Manifest,
    RunLogWriter,
    RunState,
    Summary,
    run_status,
)
from ..store.runread import measured_nothing, relative_run_dir
from ..workspace import Workspace
from . import provenance
from .rowstream import RowTotals

STATUS_EXIT_CODES: dict[str, int] = {
    "passed": ExitCode.OK,
    "gates_failed": ExitCode.GATES_FAILED,
    "run_failed": RunFailedError.exit_code,
}
"""The exit code of a finished run, by its status (docs/FORMATS.md)."""


@dataclass
class Verdict:
    """What scoring decided, ready to be recorded."""

    totals: RowTotals
    """What the rows came to (counts, the results file's SHA-256): the rows themselves were
    streamed to results.jsonl as they were scored (``rowstream``)."""
    scorer_info: dict[str, dict[str, Any]]
    metrics: dict[str, dict[str, Any]]
    gates: list[dict[str, Any]]
    review: dict[str, Any] | None = None
    """The suite's review queue summary (``review:`` policy), when it has one."""
    cache: dict[str, Any] | None = None
    """Whether the cache was read, how many answers came from it, and from which runs."""
    privacy: dict[str, Any] | None = None
    """The privacy policy applied to the stored files (absent without one)."""
    audience: dict[str, Any] | None = None
    """The audience scored against: the suite's, else the register's (with its ``source``)."""
    executor: str | None = None
    """The executor, when not the local one (``ray``): recorded in the manifest."""


def model_version_of(versions: Iterable[str]) -> str | None:
    """The model version(s) the endpoint reported, comma-separated when more than one."""
    ordered = sorted(set(versions))
    return ", ".join(ordered) if ordered else None


def build_summary(
    *,
    run_id: str,
    loaded: LoadedSuite,
    target: dict[str, Any],
    verdict: Verdict,
    n_cases: int,
    started_at: str,
    finished_at: str,
    retries: list[dict[str, Any]] | None = None,
    warnings: list[str] | None = None,
) -> Summary:
    """``retries``: run.json's rounds of ``--retry-errors``, recorded with the counts they
    explain (None: the run's errors were never retried, and the key is left out).
    ``warnings``: the run's ``warning:`` lines (none: the key is left out)."""
    suite = loaded.suite
    totals = verdict.totals
    n_rows, n_errors = totals.rows, totals.errors
    error_rate = n_errors / n_rows if n_rows else 0.0
    answered = {"requests": n_rows, "responses": n_rows - n_errors}
    status = run_status(
        error_rate, suite.max_error_rate, verdict.gates, nothing_answered=measured_nothing(answered)
    )
    return Summary.model_validate(
        {
            "run_id": run_id,
            "suite": {
                "name": suite.suite,
                "version": suite.version,
                "path": str(loaded.path),
                "sha256": loaded.sha256,
                "evidence_for": suite.evidence_for,
                "description": suite.description,
                "audience": verdict.audience,
            },
            "target": {**target, "model_version": model_version_of(totals.model_versions)},
            "status": status,
            "started_at": started_at,
            "finished_at": finished_at,
            "counts": {
                "cases": n_cases,
                "requests": n_rows,
                "responses": n_rows - n_errors,
                "errors": n_errors,
                "error_rate": error_rate,
                "max_error_rate": suite.max_error_rate,
                "cached": totals.cached,
                "errors_by_type": totals.errors_by_type,
                "finish_reasons": totals.finish_reasons,
            },
            "seed": suite.seed,
            "samples": suite.samples,
            "scorers": verdict.scorer_info,
            "metrics": verdict.metrics,
            "gates": verdict.gates,
            "review": verdict.review,
            "exit_code": STATUS_EXIT_CODES[status],
            "privacy": verdict.privacy,
            "retries": retries,
            "warnings": list(warnings) if warnings else None,
        }
    )


def sent_generation(
    loaded: LoadedSuite, suite_path: str, target_path: str, target_public: dict[str, Any]
) -> dict[str, Any]:
    """What the target was actually sent: the target's ``generation`` overridden by the suite's
    (the adapters merge ``{**target, **request}``), the file that set each parameter, and the
    system prompt that applies (the suite's, else the target's; a case's own system turn wins
    over both), by SHA-256 so a prompt change shows without copying the prompt into evidence."""
    suite = loaded.suite
    target_params = dict(target_public.get("generation") or {})
    suite_params = dict(suite.generation)
    params = {**target_params, **suite_params}
    set_by = {k: suite_path if k in suite_params else target_path for k in params}
    overridden = {
        k: {target_path: target_params[k]}
        for k in suite_params
        if k in target_params and target_params[k] != suite_params[k]
    }
    prompt, source = suite.system_prompt, suite_path
    if not prompt:
        prompt, source = target_public.get("system_prompt"), target_path
    return {
        "params": params,
        "set_by": set_by,
        "overridden": overridden,
        "seed": f"per request, derived from the suite seed {suite.seed}",
        "system_prompt": (
            {"sha256": sha256_bytes(str(prompt).encode("utf-8")), "set_by": source}
            if prompt
            else None
        ),
    }


def build_manifest(
    *,
    summary: Summary,
    loaded: LoadedSuite,
    run_dir: RunDir,
    state: RunState,
    target_public: dict[str, Any],
    results_sha256: str,
    command: str,
    summary_sha256: str | None = None,
    cache: dict[str, Any] | None = None,
    privacy: dict[str, Any] | None = None,
    executor: str | None = None,
    environment: dict[str, Any] | None = None,
) -> Manifest:
    """``environment``: :func:`provenance.environment` read earlier in the run, else read now.
    ``summary_sha256``: the SHA-256 of the summary.json bytes written (``write_summary``)."""
    suite = loaded.suite
    git = provenance.git_state(loaded.path.resolve().parent)
    target_blob = json.dumps(target_public, sort_keys=True).encode()
    return Manifest.model_validate(
        {
            "run_id": summary.run_id,
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
                "sha256": sha256_file(as_stored(run_dir.cases)),
                "count": summary.counts.cases,
            },
            "target": {
                "path": state.target.path,
                "sha256": sha256_bytes(target_blob),
                "config": target_public,
                "fingerprint": state.target.fingerprint,
            },
            "results": {"path": "results.jsonl", "sha256": results_sha256},
            "responses": {
                "path": "responses.jsonl",
                "sha256": sha256_file(as_stored(run_dir.responses)),
            },
            "scorers": summary.scorers,
            "seed": suite.seed,
            **(environment if environment is not None else provenance.environment()),
            "git_commit": git["commit"],
            "git_dirty": git["dirty"],
            "command": command,
            "started_at": summary.started_at,
            "finished_at": summary.finished_at,
            "generation": sent_generation(
                loaded, state.suite.path, state.target.path, target_public
            ),
            "cache": cache,
            "privacy": privacy,
            "executor": executor,
            "summary": (
                None if summary_sha256 is None else {"path": SUMMARY, "sha256": summary_sha256}
            ),
        }
    )


def record_run(
    *,
    run_dir: RunDir,
    reports: Path,
    loaded: LoadedSuite,
    state: RunState,
    target: dict[str, Any],
    target_public: dict[str, Any],
    endpoint: str | None,
    verdict: Verdict,
    n_cases: int,
    started_at: str,
    finished_at: str,
    command: str,
    environment: dict[str, Any] | None = None,
    warnings: list[str] | None = None,
) -> Summary:
    """Write results, summary, manifest and the final run.json, in that order, so a crash
    leaves either a resumable run (run.json still ``running``) or a complete one. Under a
    redaction policy the redacted journal and cases file take the originals' place only after
    that (``privacy.stored``): a resumed run scores what the run sent and received. The index
    row is a post-run step (``poststeps.index_run_step``): ``--resume`` of a finished run redoes
    it."""
    from ..privacy.policy import load_project_config
    from ..privacy.redact import endpoint_kept
    from ..privacy.stored import commit_redacted_inputs, redact_run_inputs

    writer = RunLogWriter(run_dir.path)
    # results.jsonl is written already, redacted under the policy, as the rows were scored.
    policy = load_project_config().privacy
    results_sha = verdict.totals.results_sha256
    if verdict.privacy is not None:
        # An error names the target's URL: kept as written, as in the stored results.
        keep = endpoint_kept(endpoint)
        verdict.privacy["redacted_inputs"] = redact_run_inputs(run_dir.path, policy, keep)
    summary = build_summary(
        run_id=run_dir.run_id,
        loaded=loaded,
        target=target,
        verdict=verdict,
        n_cases=n_cases,
        started_at=started_at,
        finished_at=finished_at,
        retries=[r.model_dump() for r in state.retries] if state.retries else None,
        warnings=warnings,
    )
    summary_sha = writer.write_summary(summary)
    writer.write_manifest(
        build_manifest(
            summary=summary,
            summary_sha256=summary_sha,
            loaded=loaded,
            run_dir=run_dir,
            state=state,
            target_public=target_public,
            results_sha256=results_sha,
            command=command,
            cache=verdict.cache,
            privacy=verdict.privacy,
            executor=verdict.executor,
            environment=environment,
        )
    )
    state.status = "passed" if summary.status == "unknown" else summary.status
    state.finished_at = finished_at
    writer.write_state(state)
    commit_redacted_inputs(run_dir.path)
    return summary


def index_run(reports: Path, summary: Summary, run_dir: Path) -> None:
    """Add (or refresh) the run's row in ``runs.db``."""
    # The folder relative to the reports directory, so a shared team store finds it on every
    # machine (store.runread.locate_run_dir reads both this and older rows).
    row = IndexRow.from_summary(summary, run_dir)
    row.run_dir = relative_run_dir(run_dir, reports)
    RunIndex(Workspace.at(reports).index).upsert(row)


def _tool_version() -> str:
    from .. import __version__

    return __version__
