"""The options ``--resume`` continues a run with: the ones it was started with (run.json's
``options``), whatever the resuming command line left out.

A run started with ``--no-evidence`` (or ``--no-report``, ``--register other.yaml``, ``--ledger``,
``--evidence-for``) and resumed by hand with a plain ``--resume RUN_ID`` attached its evidence to
the default register's ledger, was scored against that register's audience and wrote the reports
it was told not to, without a word. So an option not typed takes the run's recorded value, and an
option typed with another value than the run's is refused before anything is sent: the run's
figures and where its evidence goes were decided when it started. How requests are sent
(``--concurrency``, ``--executor``, ``--ray-address``) changes no figure: typed, it is taken;
not typed, the run's own is kept.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Collection
from pathlib import Path

from ..errors import UsageError
from ..store.runlog import RunOptions, RunState
from ..workspace import DEFAULT_REGISTER, LEDGER_RELPATH

__all__ = ["continued_options"]

DECIDING = ("write_reports", "attach_evidence", "register_path", "ledger_path", "evidence_for")
"""The ``RunOptions`` fields that decide what the run writes and where its evidence goes."""

FLAGS = {
    "write_reports": "--no-report",
    "attach_evidence": "--no-evidence",
    "register_path": "--register",
    "ledger_path": "--ledger",
    "evidence_for": "--evidence-for",
    "executor": "--executor",
    "ray_address": "--ray-address",
}
"""The ``RunOptions`` fields that run.json has recorded since it records more than the
concurrency, the cache and the limit, by the option that sets each."""


def continued_options(
    state: RunState, given: RunOptions, typed: Collection[str], *, reports: Path
) -> RunOptions:
    """``given`` (the resuming command's options, as typed or defaulted; ``register_path`` and
    ``ledger_path`` as typed, None where not) with each field not in ``typed`` (the field names
    typed on the command line) taken from the run's run.json. A run from a version that did not
    record these options is resumed with ``given`` as it was before (``_recorded``): how it was
    started is not known, so nothing is refused against defaults it may never have had."""
    if not _recorded(state):
        return given
    recorded = state.options
    problem = _conflict(state.run_id, recorded, given, typed, reports)
    if problem is not None:
        raise UsageError(problem)
    kept = {name: getattr(recorded, name) for name in DECIDING if name not in typed}
    if "concurrency" not in typed:
        kept["concurrency"] = recorded.concurrency
    if not {"executor", "ray_address"} & set(typed):  # one typed: the other is its default
        kept.update(executor=recorded.executor, ray_address=recorded.ray_address)
    return given.model_copy(update=kept)


def _recorded(state: RunState) -> bool:
    """Whether run.json tells how the run was started. Its options are written only where they
    are not the defaults (so older runs keep their bytes), which makes a run of an older version
    read as one with the defaults: true if one is recorded, or if the command that started the
    run named none of them (it had the defaults, whichever version ran it). A command naming
    one that is not recorded is an older version's run (or one given its default explicitly):
    not known. A run made through the library (no command) with the defaults: not known."""
    options = state.options
    if any(getattr(options, name) != RunOptions.model_fields[name].default for name in FLAGS):
        return True
    if state.command is None:
        return False
    try:
        words = shlex.split(state.command)
    except ValueError:  # not one this version wrote
        return False
    return not any(w == flag or w.startswith(f"{flag}=") for w in words for flag in FLAGS.values())


def _conflict(
    run_id: str, recorded: RunOptions, given: RunOptions, typed: Collection[str], reports: Path
) -> str | None:
    """Why the typed options cannot continue the run as it was started, if they cannot."""

    def refused(what: str, started: str, fix: str) -> str:
        return (
            f"{what}: run '{run_id}' was started {started} ({reports / run_id / 'run.json'}); "
            f"--resume continues it as it was started: {fix}, or start a new run"
        )

    if "attach_evidence" in typed and given.attach_evidence != recorded.attach_evidence:
        return refused(
            "--no-evidence", "without --no-evidence (it attaches evidence)", "drop --no-evidence"
        )
    if "write_reports" in typed and given.write_reports != recorded.write_reports:
        return refused("--no-report", "without --no-report (it writes reports)", "drop --no-report")
    if not recorded.attach_evidence and not recorded.limit and "attach_evidence" not in typed:
        # With --no-evidence typed too they are not read, as in a new run; nor in a smoke test
        # (--limit), which attaches no evidence whatever its register.
        for name in ("register_path", "ledger_path"):
            flag = FLAGS[name]
            value = getattr(given, name)
            if name in typed and value is not None:
                return refused(
                    f"{flag} {shlex.quote(value)}",
                    "with --no-evidence (it attaches no evidence)",
                    f"drop {flag}",
                )
    if recorded.attach_evidence:
        for name, flag, default, kind in (
            ("register_path", "--register", DEFAULT_REGISTER, "register"),
            ("ledger_path", "--ledger", reports / LEDGER_RELPATH, "ledger"),
        ):
            value, own = getattr(given, name), getattr(recorded, name)
            if name in typed and value is not None and not _same_path(value, own or default):
                started = (
                    f"with {flag} {shlex.quote(own)}"
                    if own
                    else f"with the default {kind} {shlex.quote(str(default))}"
                )
                fix = f"drop {flag} (or give {flag} {shlex.quote(own)})" if own else f"drop {flag}"
                return refused(f"{flag} {shlex.quote(value)}", started, fix)
    if "evidence_for" in typed and given.evidence_for != recorded.evidence_for:
        own = recorded.evidence_for
        return refused(
            f"--evidence-for {shlex.quote(given.evidence_for or '')}",
            f"with --evidence-for {shlex.quote(own)}" if own else "without --evidence-for",
            f"drop --evidence-for (or give --evidence-for {shlex.quote(own)})"
            if own
            else "drop --evidence-for",
        )
    return None


def _same_path(given: str | Path, recorded: str | Path) -> bool:
    """The same file, however spelled (``./other.yaml`` is ``other.yaml``); both relative to
    where the command runs, as the run recorded them. Spelled out, not looked up: a path in a
    damaged run.json (a NUL) cannot make the comparison fail."""
    return os.path.abspath(given) == os.path.abspath(recorded)
