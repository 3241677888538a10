"""The commands printed for a run: the one that resumes it (as a run stopped by Ctrl-C or a
fault prints it, and as ``runs list`` and the web app's runs pages show it for a run killed
before it finished, from its run.json) and the one that starts a run anew. Here, below the
runner, so every view that lists runs names the same command (``store.runlisting``)."""

from __future__ import annotations

import shlex
from pathlib import Path

from .location import cli_store, same_store, store_url
from .runlog import RunOptions, RunState


def resume_command(
    suite_path: str | Path,
    target_path: str | Path,
    reports: Path,
    run_id: str,
    options: RunOptions,
    *,
    use_cache: bool | None,
    retry_errors: bool = False,
    store: str | None = None,
) -> str:
    """The one command that continues a run, with the same options as the interrupted one
    (``options``, from ``run_options`` or the run's run.json: so resuming behaves as the
    interrupted run would have, and its evidence goes where the run was told: the same register
    and ledger); ``use_cache``: the cache flag to repeat (None: neither), the one given or the
    choice run.json records; ``retry_errors``: with ``--retry-errors``. The store given with
    ``--store`` is named too: without it the run would be indexed and its evidence attached in
    the store the configuration names (the embedded one), splitting the history; ``store``:
    the store to name instead of the command line's (``resume_of``)."""
    cache_flag = {None: [], True: ["--cache"], False: ["--no-cache"]}[use_cache]
    store = store or cli_store()
    flags = [
        *(["--store", shlex.quote(store)] if store is not None else []),
        *(["--concurrency", str(options.concurrency)] if options.concurrency else []),
        *cache_flag,
        *([] if options.write_reports else ["--no-report"]),
        *([] if options.attach_evidence else ["--no-evidence"]),
        *([] if options.executor == "local" else ["--executor", shlex.quote(options.executor)]),
        *(["--ray-address", shlex.quote(options.ray_address)] if options.ray_address else []),
        *(["--evidence-for", shlex.quote(options.evidence_for)] if options.evidence_for else []),
        *(["--register", shlex.quote(options.register_path)] if options.register_path else []),
        *(["--ledger", shlex.quote(options.ledger_path)] if options.ledger_path else []),
    ]
    return " ".join(
        [
            "assurance run",
            shlex.quote(str(suite_path)),
            "--target",
            shlex.quote(str(target_path)),
            "--reports",
            shlex.quote(str(reports)),
            *flags,
            "--resume",
            run_id,
            *(["--retry-errors"] if retry_errors else []),
        ]
    )


def new_run_command(
    suite_path: str | Path, target_path: str | Path, reports: Path = Path("reports")
) -> str:
    """The command that starts a run of this suite against this target (``--reports`` only
    where it is not the default folder)."""
    return " ".join(
        [
            "assurance run",
            shlex.quote(str(suite_path)),
            "--target",
            shlex.quote(str(target_path)),
            *(["--reports", shlex.quote(str(reports))] if reports != Path("reports") else []),
        ]
    )


def resume_of(state: RunState, reports: Path) -> str:
    """The resume command of a recorded run, from its run.json (what ``runs list`` shows for a
    run stopped before it finished, whose printed command may be lost). It names the team store
    the run was started with where that is not the store in force: a resume in another store is
    refused (``runner.run._other_store``). Named as given, not by switching the store in
    force (``location.using_store``, one for the process): the web app lists runs on several
    threads, and another page would have read the run's store meanwhile."""
    other = state.store is not None and not same_store(state.store, store_url())
    return resume_command(
        state.suite.path,
        state.target.path,
        reports,
        state.run_id,
        state.options,
        use_cache=state.options.use_cache,
        store=state.store if other else None,
    )
