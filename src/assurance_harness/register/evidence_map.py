"""Which evidence a finished run gives: one record body per (risk, gate) of the run.

Risks are the suite's ``evidence_for`` plus the register's risks that list the suite; each body
carries the gate, the gated metric, and the SHA-256 of the run files ``evidence verify``
re-checks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
from pathlib import Path
from typing import Any, NoReturn

from ..errors import ConfigError, RunFailedError, UsageError
from ..privacy.run_end import FINISHED_AT_TOLERANCE
from ..store.location import follow_up
from ..store.runread import link_words, smoke_test_limit
from .evidence_record import EvidenceError, EvidenceRecord, parse_time
from .ledger_store import DEFAULT_LEDGER, append_bodies, check_ledger_file
from .run_origin import origin_entry
from .runfiles import HASHED_FILES, RunFiles, sha256_file
from .summary_check import check_summary


def _relpath(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def _metric_for_gate(run: RunFiles, gate: dict[str, Any]) -> dict[str, Any] | None:
    metric = run.metrics.get(str(gate.get("metric")))
    source = metric or gate
    keys = ("value", "ci_low", "ci_high", "n")
    if not any(k in source for k in keys):
        return None
    out = {k: source.get(k) for k in keys}
    # As the metric recorded it; null where summary.json lacks the metric: the level is
    # unknown, and a 0.95 written here read "95% CI" in every view. Records already in a
    # ledger keep what they hold (their hashes cover it).
    out["confidence"] = (metric or {}).get("confidence")
    out["method"] = (metric or {}).get("method")
    out["kind"] = (metric or {}).get("kind")
    # The gate's own figures win: they are what the verdict was computed on.
    for k in keys:
        if gate.get(k) is not None:
            out[k] = gate[k]
    return out


def _gate_fields(gate: dict[str, Any]) -> dict[str, Any]:
    """The gate as a ledger record holds it. ``groups_without_data`` (those of its failing
    groups that failed for having no figure on its bound, not for their figure) only where
    there are any, so other records keep their shape: without it every view of the record
    called such a group failing, as if its figure broke the limit."""
    keys = ("id", "metric", "max", "min", "bound", "checked", "failing_groups", "worst_cases")
    fields = {k: gate.get(k) for k in keys}
    if gate.get("groups_without_data"):
        fields["groups_without_data"] = gate["groups_without_data"]
    return fields


def _risk_ids(run: RunFiles, register_path: Path | None) -> list[str]:
    ids = [str(r) for r in run.suite.get("evidence_for") or []]
    _check_recorded_ids(run, ids)
    if register_path is not None and Path(register_path).exists():
        # Imported here so that the runner's import of this module stays light.
        from .loader import load_register

        loaded = load_register(register_path)
        ids += [r.id for r in loaded.register.risks_for_suite(str(run.suite.get("name")))]
    return sorted(dict.fromkeys(ids))


def _misnamed_gate_notes(run: RunFiles, register_path: Path | None) -> list[str]:
    """A warning per register risk whose entry for this run's suite names a gate the run does
    not have: the records are appended all the same (they hold every gate), but ``register
    status`` cannot verify that risk until the name is fixed (``SuiteLink.unknown_gates``)."""
    if register_path is None or not register_path.exists():
        return []
    from .loader import load_register

    gates = [(str(g.get("id")), g.get("metric")) for g in run.gates if isinstance(g, dict)]
    suite = str(run.suite.get("name"))
    notes = []
    for risk in load_register(register_path).register.risks_for_suite(suite):
        link = risk.suite_link(suite)
        unknown = link.unknown_gates(gates) if link is not None and gates else []
        if unknown:
            assert link is not None
            why = link.unknown_gates_message(unknown, gates)
            notes.append(f"{register_path}: {risk.id}: {why}; until then it cannot be verified")
    return notes


def _check_recorded_ids(run: RunFiles, ids: list[str]) -> None:
    """A run made before a suite's ``evidence_for`` was held to what a key may hold
    (``datatypes.key_text``) records its ids as written: ``R-001`` + U+200B would append records
    for a risk of its own, for good in the hash-chained ledger, that prints as ``R-001``. Such a
    run is refused (exit 2) before anything is appended; a ledger holding such records from
    before still reads and verifies (its records' ids are not checked here)."""
    from ..datatypes import key_problem  # here: datatypes imports pydantic, the ledger must not

    for index, risk_id in enumerate(ids):
        problem = key_problem(risk_id)
        if problem is not None:
            raise ConfigError.single(
                str(run.dir / "summary.json"),
                f"{problem}: the suite that ran named a risk id no register can hold",
                field=f"suite.evidence_for[{index}]",
                hint="nothing attached; fix evidence_for in the suite file and run it again",
            )


class ExploratoryRunError(EvidenceError):
    """A run against a target other than the register's system: it writes no evidence unless
    asked with ``--evidence-for SYSTEM`` (exit 2 when evidence was asked for by hand)."""

    exit_code = 2


def check_evidence_for(register_path: Path | None, evidence_for: str) -> str:
    """``--evidence-for SYSTEM`` must name the register's system (checked before a run sends
    anything); returns the system's name. UsageError otherwise."""
    if register_path is None or not Path(register_path).exists():
        from ..workspace import DEFAULT_REGISTER

        where = register_path if register_path is not None else DEFAULT_REGISTER
        raise UsageError(
            f"--evidence-for '{evidence_for}': no risk register at {where}; give the register "
            "whose system that is with --register FILE"
        )
    from .loader import load_register

    name = load_register(register_path).register.system.name
    if evidence_for.strip().casefold() != name.strip().casefold():
        raise UsageError(
            f"--evidence-for '{evidence_for}': the register {register_path} is about "
            f"'{name}'; name that system, or give its register with --register"
        )
    return name


def check_scope(run: RunFiles, register_path: Path | None, evidence_for: str | None) -> None:
    """Raise ExploratoryRunError when the run is not of the register's system and nobody asked
    for it to be recorded anyway; UsageError when ``evidence_for`` names another system."""
    if evidence_for is not None:
        check_evidence_for(register_path, evidence_for)
        return
    if register_path is None or not Path(register_path).exists():
        return
    from .identity import system_identity
    from .loader import load_register

    register = load_register(register_path).register
    why = system_identity(register, Path(register_path)).mismatch(run.target)
    if why is not None:
        raise ExploratoryRunError(
            f"exploratory run, no evidence written: {why}; to record it anyway, under its own "
            f"target's identity (it will not change {register.system.name}'s status): "
            + follow_up(
                f"assurance evidence attach {run.run_id} --evidence-for "
                f"{shlex.quote(register.system.name)}"
            )
        )


def _refuse_gone(run: RunFiles, path: Path, ledger_path: Path) -> NoReturn:
    """The line for a run file that is gone: purged under the retention policy (when, as the
    ledger's purge record says: the run's rows are gone for good, and so is the evidence they
    would give), else missing. Purged is exit 3, as ``baseline set`` refuses such a run: the
    run cannot give what is asked, and nothing failed verification (1, which CI reads as a
    failed gate) or was mistyped (2); missing, with no purge to account for it, is 1."""
    from .purges import run_purges

    purged = (run_purges(ledger_path, run.run_id) or {}).get(path.name)
    if purged is not None and path.parent == run.dir:
        raise RunFailedError(
            f"{path}: {purged.note} (recorded in the evidence ledger), so the run cannot be "
            "attached as evidence: run the suite again for new evidence"
        )
    raise EvidenceError(f"{path}: missing; a finished run has {', '.join(HASHED_FILES)}")


def _record_bodies(
    run: RunFiles,
    risk_ids: list[str],
    ledger_path: Path,
    *,
    check: bool = True,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    files = {}
    for name in HASHED_FILES:
        path = run.dir / name if name != "results.jsonl" else run.results_path
        if (linked := link_words(path)) is not None:
            raise EvidenceError(
                f"{path}: {linked}, so it cannot be attached as evidence: put the run's own "
                "file back in the link's place (manifest.json records its SHA-256)"
            )
        if not path.exists():
            _refuse_gone(run, path, ledger_path)
        files[name] = sha256_file(path)
    recorded = (run.manifest_data.get("results") or {}).get("sha256")
    if recorded and recorded != files["results.jsonl"]:
        raise EvidenceError(
            f"{run.results_path}: does not match the SHA-256 in its manifest.json; the results "
            "changed after the run and cannot be attached as evidence"
        )
    # The verdicts and figures recorded below are summary.json's: they must be the results'.
    if check:
        note = check_summary(run)
        if note is not None and notes is not None:
            notes.append(note)
    _check_finished_at(run)
    # The records take summary.json's target, run id and dates as well as its figures: a file
    # not the one the run wrote (its manifest.json's SHA-256), or of another run than the
    # manifest's, is refused as ``compare`` and ``baseline set`` refuse it. The re-measurement
    # above compares figures and verdicts only (and names the first it finds wrong), so an
    # edited model version passed it.
    edited = run.misnamed() or run.summary_changed()
    if edited is not None:
        raise EvidenceError(
            f"{edited}; it cannot be attached as evidence (attach an unedited run, or run the "
            "suite again)"
        )
    suite = run.suite
    target = run.target
    run_info = {
        "status": run.summary.get("status"),
        "started_at": run.summary.get("started_at"),
        "finished_at": run.summary.get("finished_at"),
        "dir": _relpath(run.dir, ledger_path.parent),
        "results_path": _relpath(run.results_path, ledger_path.parent),
        "results_sha256": files["results.jsonl"],
        "files": files,
        "command": run.manifest_data.get("command"),
        # Where the folder lives (``run_origin``): with the team store, the machine whose disk
        # holds it. Absent from older records, whose bytes stay as they were.
        **origin_entry(run.dir),
    }
    if run.manifest_data.get("generation") is not None:
        # What was sent (recorded since issue 10); absent for older runs, whose records keep
        # their exact form.
        run_info["generation"] = run.manifest_data["generation"]
    if run.manifest_data.get("cache") is not None:
        run_info["cache"] = run.manifest_data["cache"]
    if (cases := _cases_info(run.manifest_data.get("cases"))) is not None:
        # The cases the run measured: a dataset edited under an unchanged suite file changes
        # them and nothing else the record holds (``suite_changes``). Recorded since the
        # dataset check; absent from older records, whose bytes stay as they were.
        run_info["cases"] = cases
    suite_info = {k: suite.get(k) for k in ("name", "version", "sha256", "path")}
    target_info = {k: target.get(k) for k in ("name", "type", "fingerprint", "model_version")}
    gates = run.gates
    bodies = []
    for risk_id in risk_ids:
        if not gates:
            bodies.append(
                {
                    "risk_id": risk_id,
                    "run_id": run.run_id,
                    "verdict": "no_gate",
                    "suite": suite_info,
                    "target": target_info,
                    "gate": None,
                    "metric": None,
                    "run": run_info,
                }
            )
        for gate in gates:
            bodies.append(
                {
                    "risk_id": risk_id,
                    "run_id": run.run_id,
                    "verdict": str(gate.get("verdict") or "no_data"),
                    "suite": suite_info,
                    "target": target_info,
                    "gate": _gate_fields(gate),
                    "metric": _metric_for_gate(run, gate),
                    "run": run_info,
                }
            )
    return bodies


def _cases_info(entry: object) -> dict[str, Any] | None:
    """``{sha256, count}`` of the manifest's cases.jsonl entry; None where the manifest has
    none or it is malformed (a record holds what it can vouch for, or nothing)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return None
    count = entry.get("count")
    valid = isinstance(count, int) and not isinstance(count, bool)
    return {"sha256": entry["sha256"], "count": count if valid else None}


def _check_finished_at(run: RunFiles) -> None:
    """Evidence is as fresh as its run's end (``finished_at``): an end in the future never
    goes stale, and one that is no time would be dated when attached, so an old run would
    look new. Neither is a run the runner wrote; a summary without the field (an older run)
    is dated as before."""
    written = run.summary.get("finished_at")
    if written is None:
        return
    finished = parse_time(written) if isinstance(written, str) else None
    now = dt.datetime.now(dt.UTC)
    if finished is None or finished > now + FINISHED_AT_TOLERANCE:
        what = "is no time" if finished is None else "is later than now"
        raise EvidenceError(
            f"{run.dir / 'summary.json'}: finished_at {json.dumps(written)} {what}, so the "
            "evidence would be dated wrongly; it cannot be attached (attach an unedited run, "
            "or run the suite again)"
        )


def _refuse_smoke_test(run: RunFiles) -> None:
    """A run made with ``--limit N`` (its run.json, or the command its manifest.json records,
    says so) measured the suite's first N cases only: the runner writes no evidence for it,
    and neither may an attach by hand."""
    limit = smoke_test_limit(run.run_info, run.manifest_data)
    if limit:
        raise UsageError(
            f"{run.run_id}: a smoke test (--limit {limit}), not evidence: it ran the suite's "
            "first cases only; run the suite in full and attach that run"
        )


def attach_run(
    run_dir: Path,
    *,
    register_path: Path | None = None,
    ledger_path: Path = DEFAULT_LEDGER,
    evidence_for: str | None = None,
    summary_just_written: bool = False,
    notes: list[str] | None = None,
    done: list[str] | None = None,
) -> list[EvidenceRecord]:
    """Append one record per (risk, gate) of a finished run; return the records appended.

    Risks are the suite's ``evidence_for`` plus, when ``register_path`` exists, the register's
    risks that list the suite. Attaching the same run again appends nothing (idempotent), and a
    run that failed as a whole (``status: run_failed``) is not evidence, so nothing is appended.
    Raises EvidenceError when the run's results or summary.json no longer match its manifest
    (or the two name different runs), or its summary.json does not state what those results
    give (``summary_check``: the records' verdicts and figures are summary.json's), UsageError
    when its metrics cannot be measured here to check that, and ExploratoryRunError when the
    run is not of the register's system (``register.identity``) unless ``evidence_for`` names
    the register's system explicitly.

    ``summary_just_written``: the caller is the run that wrote summary.json a moment ago, in
    this process (``run --register``); the summary check is then skipped, as it would only
    repeat the run's own metrics (seconds on a large run) on the file this process just wrote.
    The check is for the time between a run and a later attach, when the files sat on disk.

    ``notes``: where to add a line the caller should show (a warning): the suite file that ran
    was not at hand, so the specs were checked against summary.json only (``summary_check``).
    ``done``: where to add a line saying what was done besides appending (an anchor the run's
    earlier append left behind brought up to date: ``ledger_store.append_bodies``).
    """
    ledger_path = Path(ledger_path)
    check_ledger_file(ledger_path)  # its folder names the run's in each record: a loop there too
    run = RunFiles.load(Path(run_dir))
    if run.summary.get("status") == "run_failed":
        return []
    _refuse_smoke_test(run)
    risk_ids = _risk_ids(run, Path(register_path) if register_path else None)
    if not risk_ids:
        return []
    check_scope(run, Path(register_path) if register_path else None, evidence_for)
    bodies = _record_bodies(run, risk_ids, ledger_path, check=not summary_just_written, notes=notes)
    if notes is not None:
        notes += _misnamed_gate_notes(run, Path(register_path) if register_path else None)
    return append_bodies(ledger_path, bodies, done=done)
