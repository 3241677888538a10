"""pytest integration: run assurance suites as test items, one per gate.

``pytest suites/ --assurance-target targets/staging.yaml`` collects every YAML file with a
top-level ``suite:`` key. Each suite runs once, on its first selected item (so ``-k`` and ``-x``
skip suites nobody asked for), and each of its gates becomes a test that passes or fails with
the gate's figures: the metric, threshold, checked bound, interval, n, failing groups and the
worst cases with a pointer into results.jsonl. ``--junitxml`` records the run id and report path
as test properties, and ``cached_answers`` when answers came from the response cache (said in
the session summary too). ``--assurance-baseline`` adds one more item per suite that fails on a
significant regression against the suite's accepted baseline.

pytest-timeout's ``timeout`` bounds a suite's run by its first selected item's limit: the run
stops as on Ctrl-C (its responses saved, resumable) and each of the suite's items fails saying
so. A target's ``timeout_s`` bounds each request, not the run.

An invalid suite is a collection error (file and line), so nothing is sent. Under pytest-xdist
each suite file stays on one worker. Without ``--assurance-target`` the plugin collects nothing,
so it is inert in other projects.
"""

from __future__ import annotations

import shlex
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .targets.base import Target

_RUNS = pytest.StashKey[dict[Path, "_SuiteRun"]]()
_NAMES = pytest.StashKey[dict[str, Path]]()
"""The first suite file collected under each suite name (``spec.suitenames``)."""
_WORKER_LINES = pytest.StashKey[list[str]]()
"""Under xdist, on the controller: the "assurance runs" lines the workers sent back."""
_WORKER_KEY = "assurance_runs"
_TARGET = pytest.StashKey["Target"]()
"""The target loaded and checked at configure time (``_check_target``), for each suite's
``check_params`` at collection."""
_STORE_FAULT = pytest.StashKey["str | None"]()
"""Why the configured team store cannot be used (checked once, before the first run)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("assurance", "assurance-harness suites")
    group.addoption(
        "--assurance-target",
        default=None,
        help="Target YAML: collect suite files and run them against this target.",
    )
    group.addoption(
        "--assurance-reports",
        default="reports",
        help="Directory for run folders and runs.db (default: reports).",
    )
    group.addoption(
        "--assurance-concurrency",
        type=int,
        default=None,
        help="Requests in flight (default: the target's).",
    )
    group.addoption(
        "--assurance-no-cache",
        action="store_true",
        default=False,
        help="Bypass the response cache.",
    )
    group.addoption(
        "--assurance-no-evidence",
        action="store_true",
        default=False,
        help="Do not append evidence records to the ledger.",
    )
    group.addoption(
        "--assurance-register",
        default=None,
        help="Risk register for evidence (default: register/risk_register.yaml if present).",
    )
    group.addoption(
        "--assurance-baseline",
        action="store_true",
        default=False,
        help="Add a test per suite that fails on a significant regression against its baseline.",
    )
    group.addoption(
        "--assurance-groups",
        action="store_true",
        default=False,
        help="With --assurance-baseline: also compare each group of metrics with by:.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_RUNS] = {}
    if config.getoption("assurance_target") is not None:
        _check_options(config)
        _keep_suites_whole(config)


# As ``assurance run --concurrency`` and a target's ``concurrency:`` allow.
_MAX_CONCURRENCY = 4096


def _check_options(config: pytest.Config) -> None:
    """Refuse option values ``assurance run`` refuses, before any suite is collected: one line
    naming the option (pytest's usage error), not a failed gate per suite blaming the runner."""
    from .workspace import reports_fault

    target = _given(config, "--assurance-target", "the target's YAML file")
    config.stash[_TARGET] = _check_target(Path(target))
    if config.getoption("assurance_groups") and not config.getoption("assurance_baseline"):
        # It only widens the baseline comparison: alone, a job meant to compare each group
        # would pass having compared nothing.
        raise pytest.UsageError(
            "--assurance-groups compares each group with the baseline: add "
            "--assurance-baseline, or leave --assurance-groups out"
        )
    concurrency = config.getoption("assurance_concurrency")
    if concurrency is not None and not 1 <= concurrency <= _MAX_CONCURRENCY:
        raise pytest.UsageError(
            f"--assurance-concurrency {concurrency}: give a number from 1 to {_MAX_CONCURRENCY}"
        )
    reports = _given(
        config, "--assurance-reports", "the folder for run folders and runs.db ('.' for this one)"
    )
    fault = reports_fault(Path(reports), "--assurance-reports")
    if fault is not None:
        raise pytest.UsageError(fault)
    if not config.getoption("assurance_no_evidence"):
        _check_register(reports, config.getoption("assurance_register"))


def _check_register(reports: str, given: str | None) -> None:
    """Refuse the register evidence would be attached for (the one given, else
    register/risk_register.yaml when present) when it is no file or does not load, as
    ``assurance run`` does (exit 2, its file and line): left to each suite's run, it failed
    every gate of every suite as "the suite could not run", which JUnit and the CI job read as
    the deployment's gates failing."""
    from .errors import HarnessError
    from .register.loader import validate_register
    from .store.files import check_register_file
    from .workspace import Workspace

    register = Workspace.at(reports, register=given).register_if_present()
    if register is None:
        return
    try:
        if given is not None:
            check_register_file(register, option="--assurance-register")
        validate_register(register)
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None


def _given(config: pytest.Config, option: str, what: str) -> str:
    """The path given with ``option``, refused when blank: an unset CI variable
    (``--assurance-reports "$REPORTS"``) is not the folder '.', where a run's folders, runs.db
    and evidence ledger would land, as ``assurance run --reports ''`` refuses it."""
    value = str(config.getoption(option.removeprefix("--").replace("-", "_")))
    if not value.strip():
        raise pytest.UsageError(f"{option} {value!r}: give {what}")
    return value


def _check_target(target: Path) -> Target:
    """Refuse a target file that cannot be loaded (missing, not a target, invalid), as
    ``assurance run`` does before any suite runs: failed here, it failed every gate of every
    suite as "the suite could not run", which JUnit and the CI job read as the deployment's
    gates failing. The target is checked as ``assurance validate`` checks it (``check``): a
    callable's module is found and its function looked for in its source, not imported (that
    may load a model), so what its import does, and an endpoint's key variables, are found when
    a suite starts, as in ``assurance run``."""
    from .crash import TargetOrigin, adapter_code
    from .errors import HarnessError
    from .spec.targets import load_target

    try:
        adapter = load_target(target)
        with adapter_code(TargetOrigin(str(target), type(adapter))):
            adapter.check()
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    return adapter


# xdist modes that hand a suite's gates to several workers: each would run the suite (twice the
# requests, the evidence recorded twice, each gate judged on another run).
_SPLITTING_DIST_MODES = ("each", "loadscope", "loadgroup", "worksteal")


def _keep_suites_whole(config: pytest.Config) -> None:
    """Under pytest-xdist, send all of a suite file's items to one worker, so it runs once.

    ``-n N`` alone distributes item by item (``--dist load``); that is switched to ``loadfile``,
    which keeps each file on one worker. A mode asked for that splits files is a usage error."""
    if hasattr(config, "workerinput"):  # a worker: the controller has scheduled already
        return
    dist = getattr(config.option, "dist", "no")
    if dist == "load":
        config.option.dist = "loadfile"
    elif dist in _SPLITTING_DIST_MODES:
        raise pytest.UsageError(
            f"--dist {dist} would run a suite once per worker that gets one of its gates; "
            "with --assurance-target use --dist loadfile (what -n N alone uses here)"
        )


def _is_suite_file(path: Path) -> bool:
    from .spec.loader import is_suite_file

    return is_suite_file(path)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if parent.config.getoption("assurance_target") is None or not _is_suite_file(file_path):
        return None
    return SuiteFile.from_parent(parent, path=file_path)


class AssuranceConfigError(Exception):
    """A suite file that cannot even be read for its gates: shown as one line at collection."""


@dataclass
class _SuiteRun:
    """The outcome of running one suite file, or the one-line error that stopped it."""

    outcome: Any = None
    error: str | None = None
    crash: BaseException | None = None
    """An unexpected exception (a bug): re-raised for every item, with its traceback."""

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.outcome.summary) if self.outcome is not None else {}

    @cached_property
    def errors(self) -> str | None:
        """Why its requests failed (``errors_line``: each kind and the first message), as
        ``assurance run`` prints it, else None; read once for its items and the summary."""
        from .runner.errorline import errors_line

        if self.outcome is None:
            return None
        return errors_line(self.summary.get("counts") or {}, Path(self.outcome.run_dir))

    @property
    def not_recorded(self) -> str | None:
        """Why a finished run is not fully recorded (its evidence, index or reports step
        failed, which makes ``assurance run`` exit 3), else None."""
        from .errors import RunFailedError

        if self.outcome is None or self.summary.get("status") == "run_failed":
            return None
        if self.outcome.exit_code < RunFailedError.exit_code:
            return None
        notes = [n for n in self.outcome.notes if not _is_routine_note(n)]
        return "; ".join(notes) or f"assurance run would exit {self.outcome.exit_code}"


def _is_routine_note(note: str) -> bool:
    """A note that says a post-run step went well (the reports written, evidence appended)."""
    return note.startswith("reports: ") or (note.startswith("evidence: ") and "appended" in note)


class SuiteFile(pytest.File):
    """A suite YAML file: one item per gate (or one ``run`` item when it has no gates)."""

    gate_labels: list[str]
    """The gates found at collection, every one (not only those selected), in the suite's
    order: the run must judge these and no others (``_changed_after_collection``)."""

    def collect(self) -> list[pytest.Item]:
        from .errors import ConfigError, HarnessError
        from .formatting.names import unique_name
        from .spec.loader import load_suite
        from .spec.suitenames import name_clashes
        from .spec.targets import check_params
        from .store.yaml_lines import load_yaml_with_lines

        try:
            # The loader ``validate`` uses: bounded in size, nesting, aliases and values, and a
            # file that is not UTF-8 (or not YAML) is its one line, not a traceback.
            data, line_of = load_yaml_with_lines(self.path)
            # Validated whole (datasets too) before anything is sent, as ``assurance run``
            # validates every suite first: an invalid suite is a collection error, which stops
            # the session before the valid ones record evidence. Not kept: the run loads it
            # again, so a session of large suites does not hold them all.
            suite = load_suite(self.path, parsed=(data, line_of)).suite
            name = suite.suite
            # The target can build this suite's requests (an http body naming a value the
            # suite sets), as ``assurance run`` checks every suite's before sending any.
            check_params(
                self.config.stash[_TARGET],
                str(self.config.getoption("assurance_target")),
                suite.generation,
            )
            # One name per suite in a session, as ``assurance run DIR`` refuses two.
            first = self.config.stash.setdefault(_NAMES, {}).setdefault(name, self.path)
            clash = name_clashes([(first, name), (self.path, name)])
            if clash:
                raise ConfigError(clash)
        except HarnessError as exc:  # a ConfigError, or a target plugin's own failure
            raise AssuranceConfigError(str(exc)) from None
        if not isinstance(data, dict):
            raise AssuranceConfigError(f"{self.path}: a suite file is a mapping")
        items: list[pytest.Item] = []
        taken: set[str] = set()
        gates = data.get("gates")
        self.gate_labels = [
            _gate_label(gate, index)
            for index, gate in enumerate(gates if isinstance(gates, list) else [])
        ]
        # Gates that are no list make the one 'run' item, which fails with the loader's message.
        for index, gate in enumerate(gates if isinstance(gates, list) else []):
            label = _gate_label(gate, index)
            name = unique_name(label, f"gate {index}", taken)
            items.append(GateItem.from_parent(self, name=name, gate_index=index, label=label))
        if not items:
            items.append(RunItem.from_parent(self, name=unique_name("run", "run item", taken)))
        if self.config.getoption("assurance_baseline"):
            name = unique_name("no regression vs baseline", "baseline item", taken)
            items.append(BaselineItem.from_parent(self, name=name))
        return items

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str:
        if isinstance(excinfo.value, AssuranceConfigError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def suite_run(self) -> _SuiteRun:
        """Run the suite once per session; every item of this file shares the outcome."""
        runs = self.config.stash[_RUNS]
        if self.path not in runs:
            runs[self.path] = self._run()
        return runs[self.path]

    def _run(self) -> _SuiteRun:
        from .workspace import Workspace

        opt = self.config.getoption
        # As ``assurance run``: with no evidence no register is read (nor its audience applied).
        register = (
            None
            if opt("assurance_no_evidence")
            else Workspace.at(
                opt("assurance_reports"), register=opt("assurance_register")
            ).register_if_present()
        )
        fault = _store_fault(self.config)
        if fault is not None:
            return _SuiteRun(error=fault)
        with _timeout_as_interrupt() as timeout:
            try:
                return self._run_suite(register, timeout)
            except KeyboardInterrupt:
                if not timeout.fired:
                    raise
                return _SuiteRun(error=f"{timeout.stopped}, before any response was saved")

    def _run_suite(self, register: Path | None, timeout: _Timeout) -> _SuiteRun:
        from .errors import HarnessError
        from .runner.run import RunInterrupted, run_suite

        opt = self.config.getoption
        try:
            outcome = run_suite(
                _as_typed(self.path),
                opt("assurance_target"),
                reports_dir=opt("assurance_reports"),
                concurrency=opt("assurance_concurrency"),
                use_cache=False if opt("assurance_no_cache") else None,
                attach_evidence=not opt("assurance_no_evidence"),
                register_path=register,
                command=_command_line(self.config),
            )
        except HarnessError as exc:
            return _SuiteRun(error=str(exc))
        except RunInterrupted as stop:
            saved = (
                f"{stop.done}/{stop.total} responses of run {stop.run_id} are saved; "
                f"continue with: {stop.resume_command}"
            )
            if timeout.fired:  # pytest-timeout's: this suite's items fail, the session goes on
                return _SuiteRun(error=f"{timeout.stopped}: {saved}")
            pytest.exit(f"interrupted: {saved}", returncode=130)
        except Exception as exc:  # a bug: report it on every item, but run the suite only once
            return _SuiteRun(crash=exc)
        return _SuiteRun(outcome=outcome)


@dataclass
class _Timeout:
    """Whether pytest-timeout's timer went off during a suite run, and after how long."""

    started: float
    fired: float | None = None
    """Seconds into the run when it went off; None while it has not."""

    @property
    def stopped(self) -> str:
        return f"stopped by pytest-timeout after {self.fired or 0:.1f}s"


@contextmanager
def _timeout_as_interrupt() -> Iterator[_Timeout]:
    """While a suite runs, pytest-timeout's signal-method timer (``timeout = N``) stops it as
    Ctrl-C does: the journal closed, what is saved and the resume command said.

    Its own handler raises pytest's ``Failed`` from SIGALRM. The run sends on uvloop, which
    hands an exception a signal handler raises to the loop's exception handler (logged, then
    dropped): the run went on to the end and passed, ``timeout`` ignored. On asyncio's loop it
    left the run as an unexpected exception, reported as a bug in the harness, and the next
    gate of the suite ran it again. ``KeyboardInterrupt`` is what the runner stops cleanly on,
    wherever it lands. Its thread method needs nothing: it ends the process (a resumable run).
    """
    timeout = _Timeout(started=time.monotonic())
    if threading.current_thread() is not threading.main_thread():
        yield timeout
        return
    theirs = signal.getsignal(signal.SIGALRM)
    if getattr(theirs, "__module__", None) != "pytest_timeout":
        yield timeout  # no timer of pytest-timeout's; another SIGALRM handler is left alone
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        timeout.fired = time.monotonic() - timeout.started
        raise KeyboardInterrupt

    signal.signal(signal.SIGALRM, stop)
    try:
        yield timeout
    finally:
        # pytest-timeout cancels its timer (and resets the handler) when the item ends.
        if signal.getsignal(signal.SIGALRM) is stop:
            signal.signal(signal.SIGALRM, theirs)


def _store_fault(config: pytest.Config) -> str | None:
    """Why the team store (``ASSURANCE_STORE``, or ``store:`` in assurance.yaml) cannot be used,
    else None; checked once, before anything is sent, as ``assurance run`` does: found only at
    the index step, every suite's requests were sent and scored first."""
    if _STORE_FAULT not in config.stash:
        from .errors import HarnessError
        from .store.location import team_database

        try:
            team_database()
            config.stash[_STORE_FAULT] = None
        except HarnessError as exc:
            config.stash[_STORE_FAULT] = str(exc)
    return config.stash[_STORE_FAULT]


def _as_typed(path: Path) -> Path:
    """The suite's path as ``assurance run suites/`` records it: relative to the working folder
    when it lies inside (pytest holds it absolute), so evidence made on a CI runner still finds
    the suite in another checkout of the project."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _command_line(config: pytest.Config) -> str:
    """The pytest command as given, with every option the run was made with."""
    return shlex.join(["pytest", *config.invocation_params.args])


def _gate_label(gate: Any, index: int) -> str:
    """The gate's name as the engine writes it in summary.json (``GateSpec.label``)."""
    from pydantic import ValidationError

    from .spec.suite import GateSpec

    if isinstance(gate, dict):
        try:
            return GateSpec.model_validate(gate).label
        except ValidationError:
            pass
        if isinstance(gate.get("id"), str):
            return gate["id"]
        if isinstance(gate.get("metric"), str):
            return f"{gate['metric']} (gate {index})"
    return f"gate {index}"


class AssuranceFailure(Exception):
    """A failed gate (or baseline check): the message is the whole report, with no traceback.
    A run that could not measure fails its items' setup instead (``_AssuranceItem.setup``)."""


class _AssuranceItem(pytest.Item):
    parent: SuiteFile
    _run: _SuiteRun | None = None

    def setup(self) -> None:
        """Run the suite (once for all its items: ``SuiteFile.suite_run``) before this item's
        check. A run that measured nothing to judge (it could not run, or it failed on its
        error rate) fails here, so pytest reports an error of the item (E, a JUnit ``<error>``)
        rather than a failed gate: ``assurance run`` exits 3 for it, not 1, and its own
        junit.xml writes a failed run as an ``<error>``, so a CI view tells a run that could not
        measure from a deployment whose gates failed."""
        run = self.parent.suite_run()
        if run.crash is not None:
            raise run.crash
        if run.error is not None:
            pytest.fail(f"the suite could not run: {run.error}", pytrace=False)
        outcome = run.outcome
        self.user_properties.append(("run_id", outcome.run_id))
        self.user_properties.append(("run_dir", str(outcome.run_dir)))
        report = Path(outcome.run_dir) / "report.html"
        if report.exists():
            self.user_properties.append(("report", str(report)))
        cached = _cached_answers(run.summary.get("counts") or {})
        if cached:  # a CI view that reads only the JUnit XML still sees a measurement reused
            self.user_properties.append(("cached_answers", cached))
        failed_run = _run_failed_message(run)
        if failed_run:
            pytest.fail(failed_run, pytrace=False)
        changed = _changed_after_collection(self.parent.gate_labels, run)
        if changed:
            pytest.fail(changed, pytrace=False)
        self._run = run

    def _suite_run(self) -> _SuiteRun:
        """The suite's run, as :meth:`setup` found it usable."""
        assert self._run is not None, "setup() first"
        return self._run

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str:
        if isinstance(excinfo.value, AssuranceFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # Not "file::name": pytest rewrites dots in a domain that ends the node id ("0.01").
        return self.path, None, f"{_shown(self.path, self.config.rootpath)}: {self.name}"


def _shown(path: Path, root: Path) -> str:
    """A suite file as the output names it: from the rootdir, so two ``smoke.yaml`` in two
    folders are told apart (the name alone was ambiguous)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _run_failed_message(run: _SuiteRun) -> str | None:
    """What each item of a run that failed on its error rate says: how many requests failed
    and why (the kinds and the first message), as ``assurance run`` says it."""
    summary = run.summary
    if summary.get("status") != "run_failed":
        return None
    counts = summary.get("counts") or {}
    from .formatting import error_rate_and_limit
    from .store.runread import NOTHING_MEASURED, measured_nothing

    rate, allowed = error_rate_and_limit(counts)
    message = (
        f"the run failed: {counts.get('errors')} of {counts.get('requests')} requests ended in "
        f"error (error rate {rate}, allowed {allowed})"
    )
    if measured_nothing(counts):
        message += f": {NOTHING_MEASURED}"
    return message + (f"\n  {run.errors}" if run.errors else "")


def _changed_after_collection(collected: list[str], run: _SuiteRun) -> str | None:
    """Why the run is not of the suite collected, else None: the file was edited between
    collection and the run, so the run judged gates no item stands for (a failing gate added
    left every collected item green and pytest exiting 0 on a run whose status was
    gates_failed) or lacks gates an item stands for. Every item of the suite then fails
    setup: none of its verdicts is the collected gate's."""
    judged = [str(g.get("id")) for g in run.summary.get("gates") or []]
    if set(judged) == set(collected):
        return None
    added = [label for label in judged if label not in collected]
    gone = [label for label in collected if label not in judged]
    parts = [f"judged {_quoted(added)} (not collected)" if added else ""]
    parts.append(f"did not judge {_quoted(gone)}" if gone else "")
    return (
        f"the suite file changed after collection: run {run.outcome.run_id} "
        f"{'; '.join(p for p in parts if p)}; run pytest again"
    )


def _quoted(labels: list[str]) -> str:
    return ", ".join(f"'{label}'" for label in labels)


class GateItem(_AssuranceItem):
    """One gate of one suite."""

    def __init__(self, *, gate_index: int, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate_index = gate_index
        self.label = label
        """The gate's name in summary.json (the item's name adds its place when repeated)."""

    def runtest(self) -> None:
        run = self._suite_run()
        summary = run.summary
        gates = summary.get("gates") or []
        # The gate at this item's place in the suite, when it is the one named: two gates may
        # share an id, and the first of them must not stand for the second. Never another
        # gate's verdict: a suite edited after collection has another gate at this place.
        gate = gates[self.gate_index] if self.gate_index < len(gates) else None
        if gate is None or gate.get("id") != self.label:
            gate = next((g for g in gates if g.get("id") == self.label), None)
        if gate is None:
            raise AssuranceFailure(
                f"gate '{self.label}' is not in the run's summary.json (was the suite file "
                "changed after collection? run again)"
            )
        unrecorded = run.not_recorded
        if gate.get("verdict") == "awaiting_review":
            message = awaiting_review_message(
                gate, run, reports=self.config.getoption("assurance_reports")
            )
            if unrecorded:
                message += f"\n  not recorded: {unrecorded}"
            raise AssuranceFailure(message)
        if gate.get("verdict") != "pass":
            message = gate_failure_message(gate, run.outcome.run_dir)
            if unrecorded:
                message += f"\n  not recorded: {unrecorded}"
            raise AssuranceFailure(message)
        if unrecorded:
            # A green job must mean the verdict is in the ledger, as ``assurance run``'s exit 0.
            raise AssuranceFailure(
                f"gate '{self.label}' passed, but the run is not recorded: {unrecorded}"
            )


def awaiting_review_message(gate: dict[str, Any], run: _SuiteRun, *, reports: str) -> str:
    """What a gate that waits for a person says: its figure passes, but ``require_reviewed``
    holds it until every flagged row has a human verdict. Still a failed item (a CI job must
    not go green on an unreviewed gate), but never worded as a failed figure: what is missing
    is a review, and the message says how many rows and the command that lists them."""
    from .formatting import bound, num, threshold

    run_id = run.outcome.run_id
    # A fresh run: no row of it can have a verdict yet, so every required row waits.
    waiting = (run.summary.get("review") or {}).get("required")
    where = "" if Path(reports) == Path("reports") else f" --reports {shlex.quote(reports)}"
    return "\n".join(
        [
            f"gate '{gate.get('id')}' awaits human review (require_reviewed): its figure passes, "
            f"but {num(waiting)} flagged row(s) of run {run_id} have no human verdict yet",
            f"  metric:    {gate.get('metric')} = {num(gate.get('value'))}; threshold "
            f"{threshold(gate)} on the {bound(gate)}",
            f"  review:    assurance review queue --run {run_id} --pending{where}",
            f"  then:      assurance review adjudicate {run_id} ROW --agree | --label true|false"
            f"{where}",
        ]
    )


def gate_failure_message(gate: dict[str, Any], run_dir: Path) -> str:
    """What a failed gate says in pytest's output: figures first, then where to look."""
    from .formatting import (
        bound,
        failing_groups_text,
        gate_level,
        interval_note,
        labelled_interval,
        no_case_text,
        num,
        num_beside,
        threshold,
    )
    from .metrics.engine import no_data_reason
    from .store.runread import read_run, row_key

    run = read_run(run_dir)
    metric = run.metrics.get(str(gate.get("metric")))
    confidence = gate_level(gate, run.metrics)
    verdict = gate.get("verdict")
    head = "no data" if verdict == "no_data" else "failed"
    shown = labelled_interval(gate.get("ci_low"), gate.get("ci_high"), confidence, beside=gate)
    lines = [
        f"gate '{gate.get('id')}' {head}",
        f"  metric:    {gate.get('metric')} = {num_beside(gate.get('value'), gate)} (interval "
        f"{shown}, n={num(gate.get('n'))})",
        f"  threshold: {threshold(gate)} on the {bound(gate)}; "
        f"checked {num_beside(gate.get('checked'), gate)}",
    ]
    if gate.get("failing_groups"):
        lines.append(f"  failing groups: {failing_groups_text(gate)}")
    if none_pushed := no_case_text(gate):
        lines.append(f"  worst cases: none: {none_pushed}")
    reason = no_data_reason(gate, metric)
    if reason:
        lines.append(f"  no data:   {reason}")
    no_interval = interval_note(gate, metric)
    if no_interval:
        lines.append(f"  interval:  {no_interval}")
    worst = [str(k) for k in gate.get("worst_cases") or []]
    results = run.results_path
    if worst:
        lines.append(f"  worst cases ({len(worst)}):")
        wanted = set(worst)
        responses: dict[str, str] = {}
        for row in run.iter_results():
            key = row_key(row)
            if key in wanted:
                text = row.get("response")
                if text is None and row.get("error"):
                    text = f"<error: {row['error'].get('message')}>"
                snippet = " ".join(str(text or "").split())
                responses[key] = snippet[:160] + (" …" if len(snippet) > 160 else "")
        for key in worst:
            lines.append(f"    {key}: {responses.get(key, '')}")
    lines.append(f"  results:   {results}")
    report = Path(run_dir) / "report.html"
    if report.exists():
        lines.append(f"  report:    {report}")
    return "\n".join(lines)


class RunItem(_AssuranceItem):
    """A suite without gates still has to run to completion."""

    def runtest(self) -> None:
        run = self._suite_run()
        if run.not_recorded:
            raise AssuranceFailure(f"the run is not recorded: {run.not_recorded}")


class BaselineItem(_AssuranceItem):
    """Fails when the run regressed significantly against the accepted baseline, or when the
    comparison has no verdict (``Comparison.unmeasured``: the run failed, no metric has data in
    both runs, or a gated metric has none in this run)."""

    def runtest(self) -> None:
        from .compare.nightly import compare_with_baseline
        from .compare.render import comparison_text
        from .errors import HarnessError

        run = self._suite_run()
        try:
            comparison = compare_with_baseline(
                run.outcome.run_dir,
                self.config.getoption("assurance_reports"),
                groups=self.config.getoption("assurance_groups"),
            )
        except HarnessError as exc:
            # A baseline whose run is gone (or whose files changed) is the user's to fix: its
            # one line, as ``assurance run --baseline`` prints it, not a traceback through the
            # comparison's modules.
            raise AssuranceFailure(f"no verdict against the baseline: {exc}") from None
        if comparison is None:
            pytest.skip("no baseline for this suite and target (assurance baseline set RUN_ID)")
        self.user_properties.append(("baseline_run", comparison.baseline_run))
        if comparison.unmeasured is not None:
            raise AssuranceFailure(f"no verdict against the baseline: {comparison.unmeasured}")
        if comparison.regressions:
            raise AssuranceFailure(
                "significant regression against the baseline\n" + comparison_text(comparison)
            )


def _summary_lines(runs: dict[Path, _SuiteRun], root: Path) -> list[str]:
    """Each run's outcome and folder, why its requests failed, its notes (evidence,
    exploratory runs, smoke tests) and its warnings."""
    from .formatting import incomplete_line

    lines: list[str] = []
    for path, run in runs.items():
        shown = _shown(path, root)
        if run.error is not None or run.crash is not None:
            problem = run.error or f"{type(run.crash).__name__}: {run.crash}"
            lines.append(f"{shown}: could not run: {problem}")
            continue
        summary = run.summary
        report = Path(run.outcome.run_dir) / "report.html"
        where = report if report.exists() else run.outcome.run_dir
        lines.append(f"{shown}: {summary.get('status')} (run {run.outcome.run_id}) -> {where}")
        if run.errors:
            lines.append(f"  {run.errors}")
        cached = _cached_answers(summary.get("counts") or {})
        if cached:
            lines.append(
                f"  cached: {cached} answers came from the response cache, not from the target "
                "in this session (--assurance-no-cache sends every request)"
            )
        incomplete = incomplete_line(summary.get("counts") or {})
        if incomplete:  # answers cut off or filtered, scored as they came: as the run says
            lines.append(f"  {incomplete}")
        lines.extend(f"  {note}" for note in run.outcome.notes if not note.startswith("reports: "))
        # What went wrong without changing the results, as ``assurance run``'s warning lines.
        lines.extend(f"  warning: {warning}" for warning in run.outcome.warnings)
    return lines


def _cached_answers(counts: dict[str, Any]) -> str | None:
    """``6 of 6`` when some of a run's answers came from the response cache, else None: the
    gates were judged on answers measured by an earlier run, which ``assurance run`` says
    (``cached N``) and the session must not leave to look like a fresh measurement."""
    cached = counts.get("cached")
    if not isinstance(cached, int) or isinstance(cached, bool) or cached <= 0:
        return None
    return f"{cached} of {counts.get('requests')}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker: its runs' lines go back to the controller, which prints the summary.
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        runs = session.config.stash.get(_RUNS, {})
        output[_WORKER_KEY] = _summary_lines(runs, session.config.rootpath)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist, on the controller: keep a finished worker's summary lines."""
    lines = getattr(node, "workeroutput", {}).get(_WORKER_KEY) or []
    node.config.stash.setdefault(_WORKER_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = _summary_lines(config.stash.get(_RUNS, {}), config.rootpath)
    from_workers: list[str] = config.stash.get(_WORKER_LINES, [])
    lines += from_workers
    if not lines:
        return
    terminalreporter.section("assurance runs")
    for line in lines:
        terminalreporter.write_line(line)
