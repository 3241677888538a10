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

A run of a version that did not record these options in run.json is continued as the command
that started it (run.json's ``command``) tells: read as click read it. Where that does not tell
them either (a run made through the library or pytest, a command that cannot be read), the
options typed are taken as given, nothing is refused, and a warning says so.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.runlog import RunOptions, RunState
from ..workspace import DEFAULT_REGISTER, LEDGER_RELPATH
from .run import run_options

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

SWITCHES = frozenset({"write_reports", "attach_evidence"})
"""The ``FLAGS`` fields whose option takes no value: given, it sets the field false."""

PATHS = frozenset({"register_path", "ledger_path"})
"""The ``FLAGS`` fields whose option is a path (recorded as ``str(Path(value))``)."""

GLOBAL_OPTIONS = ("--store",)
"""``assurance``'s own options, which may come before ``run`` in a command; each takes a value."""


def continued_options(
    state: RunState,
    given: RunOptions,
    typed: Collection[str],
    *,
    reports: Path,
    warn: Callable[[str], object] | None = None,
) -> RunOptions:
    """``given`` (the resuming command's options, as typed or defaulted; ``register_path`` and
    ``ledger_path`` as typed, None where not) with each field not in ``typed`` (the field names
    typed on the command line) taken from how the run was started (``_as_started``). A run
    whose options are not known is resumed with ``given`` as it was before, ``warn`` told why:
    nothing is refused against defaults it may never have had."""
    recorded = _as_started(state)
    if recorded is None:
        if warn is not None:
            warn(
                f"the options run '{state.run_id}' was started with are not known "
                f"({reports / state.run_id / 'run.json'} records neither them nor the "
                "'assurance run' command that started it): it continues with the options given; "
                f"type those of {', '.join(FLAGS[name] for name in DECIDING)} it was started with"
            )
        return given
    problem = _conflict(state.run_id, recorded, given, typed, reports)
    if problem is not None:
        raise UsageError(problem)
    kept = {name: getattr(recorded, name) for name in DECIDING if name not in typed}
    if "concurrency" not in typed:
        kept["concurrency"] = recorded.concurrency
    if not {"executor", "ray_address"} & set(typed):  # one typed: the other is its default
        kept.update(executor=recorded.executor, ray_address=recorded.ray_address)
    return given.model_copy(update=kept)


def _as_started(state: RunState) -> RunOptions | None:
    """The options the run was started with, or None where that is not known. run.json writes
    them only where they are not the defaults (so older runs keep their bytes), which makes a
    run of an older version, which wrote none, read as one with the defaults: so where none is
    recorded they are read from the command that started the run, whichever version ran it."""
    options = state.options
    if any(getattr(options, name) != RunOptions.model_fields[name].default for name in FLAGS):
        return options
    named = _named_in(state.command)
    if named is None:
        return None
    return run_options(
        concurrency=options.concurrency, use_cache=options.use_cache, limit=options.limit, **named
    )


def _named_in(command: str | None) -> dict[str, Any] | None:
    """The ``FLAGS`` options an ``assurance run`` command line sets, by field, as click reads
    them: exact names (no abbreviations), ``--flag value`` or ``--flag=value`` (the value the
    next word, whatever it is), none after ``--``, the last one given winning. None where the
    command does not tell them: none (the library), another program's (pytest, whose options
    may come from its ini file), or one click would have refused (unbalanced quotes, a value
    missing, or given to a flag that takes none), which no run was started by."""
    if command is None:
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if words[:1] != ["assurance"]:
        return None
    rest = words[1:]
    while rest and rest[0].partition("=")[0] in GLOBAL_OPTIONS:
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    if rest[:1] != ["run"]:
        return None
    fields = {flag: name for name, flag in FLAGS.items()}
    named: dict[str, Any] = {}
    following = iter(rest[1:])
    for word in following:
        if word == "--":
            break
        flag, equals, value = word.partition("=")
        name = fields.get(flag)
        if name is None:
            continue
        if name in SWITCHES:
            if equals:
                return None
            named[name] = False
            continue
        if not equals:
            given = next(following, None)
            if given is None:
                return None
            value = given
        named[name] = Path(value) if name in PATHS else value
    return named


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
