"""The ``assurance`` command line. User-fixable errors print one line and exit 2; no tracebacks.

Exit codes: 0 all gates passed, 1 a gate failed, 2 configuration or usage error, 3 the run failed.
"""

import copy
import json
import os
import sys
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from . import cli_startup, fielddocs
from .cli_exit import exit_now
from .cli_help import use_help_classes
from .cli_interrupt import say_interrupts
from .cli_options import JsonAliasOpt, ReportsOpt, not_blank, not_stdout, output_format
from .cli_progress import RunProgress
from .cli_usage import one_line_usage_errors
from .compare.cli import baseline_app, compare, trend
from .console import err as console
from .console import fail, guard_streams, lost_output, out, print_error, print_warning, term
from .errors import (
    WORKING_FOLDER_GONE,
    ConfigError,
    ConfigIssue,
    ExitCode,
    HarnessError,
    RunFailedError,
    UsageError,
    issue_lines,
    working_folder_gone,
)
from .formatting import (
    gate_level,
    group_name,
    labelled_interval,
    num_beside,
    percent,
    percent_beside,
)
from .formatting.visible import one_line
from .register.cli import evidence_app, register_app
from .report.cli import report
from .review.cli import review_app
from .store_cli import store_app
from .ui.cli import ui_cmd
from .workspace import Workspace

if TYPE_CHECKING:  # tables are made after a command's work: rich.table is imported there
    from rich.table import Table

    from .register.loader import LoadedRegister
    from .register.model import GateName
    from .store.runlog import RunOptions
    from .targets.base import Target

app = typer.Typer(
    name="assurance",
    help="Behavioural assurance suites for deployed AI models, with evidence for the risk "
    "register.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
runs_app = typer.Typer(help="The run index (reports/runs.db).", no_args_is_help=True)
targets_app = typer.Typer(help="Target adapters.", no_args_is_help=True)
scorers_app = typer.Typer(help="Scorers.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
app.add_typer(targets_app, name="targets")
app.add_typer(scorers_app, name="scorers")


def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"assurance-harness {__version__}")
        raise typer.Exit(0)


STORE_WANTED = "sqlite or postgresql://USER@HOST/DB?password_env=VAR"
"""What ``--store`` takes, for the line that refuses it empty."""


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Where the run index, baselines, reviews and evidence ledger live: sqlite "
            "(default) or postgresql://USER@HOST/DB?password_env=VAR (also ASSURANCE_STORE, "
            "or store: in assurance.yaml).",
            metavar="URL",
        ),
    ] = None,
) -> None:
    """Behavioural assurance suites for deployed AI models, with evidence for the risk
    register."""
    from .store.location import set_cli_store

    not_blank("--store", store, STORE_WANTED)
    set_cli_store(store)


@app.command()
def run(
    ctx: typer.Context,
    suites: Annotated[Path, typer.Argument(help="A suite file or a directory of suites.")],
    target: Annotated[Path, typer.Option("--target", "-t", help="Target file (YAML).")],
    concurrency: Annotated[
        int | None,
        typer.Option(help="Requests in flight (default: the target's).", min=1, max=4096),
    ] = None,
    resume: Annotated[str | None, typer.Option(help="Resume an interrupted run by its id.")] = None,
    retry_errors: Annotated[
        bool,
        typer.Option(
            "--retry-errors",
            help="With --resume: send again the requests whose latest response is an error "
            "(after fixing the target), then score the run anew. The error records stay in "
            "its journal.",
        ),
    ] = False,
    cache: Annotated[
        bool | None,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse answers from the response cache (--cache) or bypass it entirely "
            "(--no-cache). Default: reuse only in runs that write no evidence.",
            show_default=False,
        ),
    ] = None,
    reports: ReportsOpt = Path("reports"),
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Skip the HTML/Markdown/JUnit reports.")
    ] = False,
    register: Annotated[
        Path | None,
        typer.Option(
            help="Risk register for evidence (default: register/risk_register.yaml if present)."
        ),
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option(help="Evidence ledger (default: <reports>/evidence/ledger.jsonl)."),
    ] = None,
    no_evidence: Annotated[
        bool, typer.Option("--no-evidence", help="Do not append evidence records.")
    ] = False,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline",
            help="Compare each run with its accepted baseline (assurance baseline set); "
            "a significant regression makes the exit code 1.",
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            help="Smoke test: only the first N cases of each suite (writes no evidence); "
            "with --resume, only the run's own limit.",
            min=1,
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Team store for the run index and evidence (postgresql://...); "
            "same as assurance --store.",
            metavar="URL",
        ),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            help="Where requests are sent from and scorers run: local (this process) or ray "
            "(a Ray cluster; pip install 'assurance-harness[ray]'). Same results either way.",
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            help="The Ray cluster to join (ray://HEAD:10001, or auto for the one 'ray start' "
            "made here; default: RAY_ADDRESS, else a local Ray instance). Needs --executor ray.",
        ),
    ] = None,
    evidence_for: Annotated[
        str | None,
        typer.Option(
            "--evidence-for",
            metavar="SYSTEM",
            help="Record evidence even though the target is not the register's system.target "
            "(kept under this target's identity; the system's status is unchanged).",
        ),
    ] = None,
) -> None:
    """Run suites against a target and write reports/<run_id>/."""
    from .store.yaml_lines import gc_paused

    # The runner's imports build some 50 pydantic models and load numpy: with the collector
    # on, it walks the growing heap over and over meanwhile (about 60 ms of 0.4 s).
    with gc_paused():
        from .runner import forcestop

        # A Ctrl-C landing while pydantic's compiled core builds one of those models' validators
        # was lost there (the run went on) or came out as a SchemaError (an "internal error",
        # exit 3): it takes effect once the imports are done (about 0.15 s).
        with forcestop.deferred():
            from .runner.run import (
                RETRY_NEEDS_RESUME,
                RunInterrupted,
                command_line,
                resume_command,
                run_options,
                run_suite,
            )
            from .spec.loader import LoadedSuite, find_suite_files, load_suite
            from .spec.suitenames import name_clashes
            from .spec.targets import check_params, load_target
            from .store.location import set_cli_store, team_database
            from .store.runlog import RunOptions
            from .store.runread import resumed_run_id

    with _sigterm_as_ctrl_c():
        try:
            if resume is not None and not resume.strip():  # an empty $RUN_ID: not a new run
                raise UsageError("--resume needs a run id (see 'assurance runs list')")
            if resume is not None:
                resume = resumed_run_id(resume, reports)
            if retry_errors and resume is None:
                raise UsageError(RETRY_NEEDS_RESUME)
            if resume is not None and (reports / resume).is_dir():  # else run_suite says so
                kept = _as_started(
                    ctx,
                    reports,
                    resume,
                    RunOptions(
                        concurrency=concurrency,
                        write_reports=not no_report,
                        attach_evidence=not no_evidence,
                        register_path=str(register) if register is not None else None,
                        ledger_path=str(ledger) if ledger is not None else None,
                        evidence_for=evidence_for,
                        executor=executor,
                        ray_address=ray_address,
                    ),
                )
                concurrency, executor, ray_address = (
                    kept.concurrency,
                    kept.executor,
                    kept.ray_address,
                )
                no_report, no_evidence = not kept.write_reports, not kept.attach_evidence
                register = Path(kept.register_path) if kept.register_path else None
                ledger = Path(kept.ledger_path) if kept.ledger_path else None
                evidence_for = kept.evidence_for
            _check_executor(executor, ray_address)
            if store is not None:
                not_blank("--store", store, STORE_WANTED)
                set_cli_store(store)
            team_database()  # a configured team store must answer before anything is sent
            files = find_suite_files(suites)
            if not files:
                raise ConfigError.single(
                    str(suites),
                    "no suite files found",
                    hint="a suite file has a top-level 'suite:' key",
                )
            if resume and len(files) != 1:
                raise HarnessError("--resume takes one suite file, not a directory")
            issues = []
            validated: dict[Path, LoadedSuite] = {}
            generations = []
            named: list[tuple[Path, str]] = []
            for path in files:  # validate everything before sending anything
                try:
                    loaded = load_suite(path)
                except ConfigError as exc:
                    issues.extend(exc.issues)
                    continue
                generations.append(loaded.suite.generation)
                named.append((path, loaded.suite.suite))
                if len(files) == 1:  # kept, so the run does not load (and parse) it again
                    validated[path] = loaded
            issues.extend(name_clashes(named))
            if issues:
                raise ConfigError(issues)
            adapter = load_target(target)  # each suite's requests buildable, before any is sent
            for generation in generations:
                check_params(adapter, str(target), generation)
        except HarnessError as exc:
            raise fail(exc) from None

        # With --no-evidence no register is read, so a --register given is not checked either.
        register = (
            None if no_evidence else Workspace.at(reports, register=register).register_if_present()
        )
        codes = []
        ran: list[tuple[str, int]] = []  # (suite name, exit code) of each suite run
        for number, path in enumerate(files):
            try:
                with (
                    forcestop.epilogue(*_not_run_lines(files[number + 1 :])),
                    RunProgress(path.stem, console=console) as progress,
                ):
                    outcome = run_suite(
                        path,
                        target,
                        reports_dir=reports,
                        concurrency=concurrency,
                        resume=resume,
                        use_cache=cache,
                        progress=progress,
                        on_start=progress.started_run,
                        scoring_progress=progress.scoring,
                        write_reports=not no_report,
                        attach_evidence=not no_evidence,
                        register_path=register,
                        ledger_path=ledger,
                        command=command_line(),
                        limit=limit,
                        executor=executor,
                        ray_address=ray_address,
                        evidence_for=evidence_for,
                        loaded=validated.pop(path, None),
                        retry_errors=retry_errors,
                    )
            except RunInterrupted as stop:
                console.print(
                    term("interrupted: ", "yellow")
                    + term(
                        f"{stop.done}/{stop.total} responses are saved in run {stop.run_id}; "
                        f"continue with: {stop.resume_command}"
                    ),
                    soft_wrap=True,
                )
                _print_not_run(files[number + 1 :])
                raise typer.Exit(130) from None
            except KeyboardInterrupt:
                if resume:  # stopped while it read the run: the run is as it was
                    given = run_options(
                        concurrency=concurrency,
                        write_reports=not no_report,
                        attach_evidence=not no_evidence,
                        register_path=register,
                        ledger_path=ledger,
                        evidence_for=evidence_for,
                        executor=executor,
                        ray_address=ray_address,
                    )
                    again = resume_command(
                        path,
                        target,
                        reports,
                        resume,
                        given,
                        use_cache=cache,
                        retry_errors=retry_errors,
                    )
                    console.print(
                        term("interrupted", "yellow")
                        + term(f" before run {resume} continued; continue with: {again}"),
                        soft_wrap=True,
                    )
                else:
                    console.print(
                        term("interrupted", "yellow")
                        + term(" before sending started; nothing to resume")
                    )
                _print_not_run(files[number + 1 :])
                raise typer.Exit(130) from None
            except HarnessError as exc:
                _print_traceback_if_asked(exc)
                print_error(exc)
                _print_not_run(files[number + 1 :])
                raise typer.Exit(exc.exit_code) from None
            _print_outcome(outcome)
            code = outcome.exit_code
            if baseline and code != 3:
                from .compare.nightly import check_run

                code = max(code, check_run(outcome.run_dir, reports, console=out))
            codes.append(code)
            ran.append((str(outcome.summary["suite"]["name"]), code))
        if len(ran) > 1:
            out.print(term(_folder_summary(ran, regressions=baseline)), soft_wrap=True)
        raise typer.Exit(max(codes) if codes else 0)


def _folder_summary(ran: list[tuple[str, int]], *, regressions: bool) -> str:
    """One line closing a run of several suites: how many passed, failed a gate (or, with a
    baseline, regressed) and failed to run, naming the suites that did not pass, and the exit
    code: in a nightly's log the suites' own lines scroll far above it."""
    failed_gate = "with a failed gate or regression" if regressions else "with a failed gate"
    parts = [f"{sum(1 for _, code in ran if code == 0)} passed"]
    for code, words in ((1, failed_gate), (3, "failed to run")):
        names = [name for name, got in ran if got == code]
        if names:
            parts.append(f"{len(names)} {words} ({', '.join(names)})")
    return f"{len(ran)} suites: {', '.join(parts)}; exit {max(code for _, code in ran)}"


_RESUMED_OPTIONS = {
    "concurrency": "concurrency",
    "no_report": "write_reports",
    "no_evidence": "attach_evidence",
    "register": "register_path",
    "ledger": "ledger_path",
    "evidence_for": "evidence_for",
    "executor": "executor",
    "ray_address": "ray_address",
}
"""``run``'s parameters that run.json records, by the ``RunOptions`` field each sets."""


def _as_started(
    ctx: typer.Context, reports: Path, run_id: str, given: "RunOptions"
) -> "RunOptions":
    """The options that resume run ``run_id``: those typed, the rest as the run was started
    (``runner.resumeoptions``); typed ones that differ from the run's are refused, and a run
    whose options are not known is resumed with those given, with a warning. Typed means
    on the command line: click tells that from a default only through the context, as a
    ``ParameterSource`` of typer's own copy of click (named, not imported from it)."""
    from .runner.resumeoptions import continued_options
    from .store.runread import read_state

    typed = {
        field
        for param, field in _RESUMED_OPTIONS.items()
        if getattr(ctx.get_parameter_source(param), "name", None) == "COMMANDLINE"
    }
    return continued_options(
        read_state(reports / run_id), given, typed, reports=reports, warn=print_warning
    )


def _not_run(rest: list[Path]) -> list[str]:
    """The line naming the suites of a directory run that an error or an interrupt stopped
    before they ran (none if there are none): finishing the one stopped does not finish them."""
    if not rest:
        return []
    return [
        "not run (the run stopped at this error): "
        + ", ".join(str(p) for p in rest)
        + "; run them once it is fixed"
    ]


def _print_not_run(rest: list[Path]) -> None:
    """Says :func:`_not_run` as an error."""
    for line in _not_run(rest):
        print_error(line)


def _not_run_lines(rest: list[Path]) -> list[str]:
    """:func:`_not_run` as ``print_error`` writes it to a file, for a forced stop to write
    itself: it exits at once, before this command could print anything."""
    from .formatting.visible import one_line

    return [f"error: {one_line(line)}" for line in _not_run(rest)]


@contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """While ``run`` lasts, SIGTERM (CI timeouts, ``timeout``, ``docker stop``) stops a run as
    Ctrl-C does: the journal is closed, the resume command printed, exit 130; by default it
    killed the process without a word. In the ``assurance`` process it stays so to the end:
    restored as the command returned, a second SIGTERM while the process exited killed it
    (-15, a shell's 143) after it had said the run was interrupted and how to continue, where a
    second Ctrl-C is a quiet 130 (``cli_startup.quiet``). Left alone where something else
    handles SIGTERM, or off the main thread. A second interrupt while a run stops forces the
    stop (``forcestop.watching``, held until the command has said how to continue the run)."""
    import signal
    import threading

    from .runner import forcestop

    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        with forcestop.watching():
            yield
        return

    def terminate(_signum: int, _frame: object) -> None:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            raise KeyboardInterrupt
        # An event loop handles Ctrl-C itself (it cancels its tasks cleanly), a run counts it
        # (forcestop), the quiet exit ends the process: let them.
        if callable(signal.getsignal(signal.SIGINT)):
            signal.raise_signal(signal.SIGINT)
            return
        raise KeyboardInterrupt  # SIGINT ignored (a background job): stop all the same

    signal.signal(signal.SIGTERM, terminate)
    try:
        with forcestop.watching():
            yield
    finally:
        if not cli_startup.is_the_command():  # a caller's process (tests): given back
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _check_executor(executor: str, ray_address: str | None) -> None:
    """An unknown executor, or Ray not installed: one line before anything is validated or
    sent."""
    from .runner.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor '{executor}'; choose one of: {', '.join(EXECUTORS)}")
    if ray_address is not None and executor != "ray":
        raise UsageError("--ray-address needs --executor ray")
    if executor == "ray":
        from .runner.executors.ray_executor import import_ray

        import_ray()


def requests_line(counts: dict[str, Any]) -> str:
    """The run's requests, errors and cached answers, its error rate beside its limit, each
    read on its side of the other (``formatting.percent_beside``)."""
    limit = float(counts["max_error_rate"])
    return (
        f"requests {counts['requests']}, errors {counts['errors']} "
        f"({percent_beside(float(counts['error_rate']), limit)}, max {percent(limit)}), "
        f"cached {counts['cached']}"
    )


def _print_outcome(outcome: object) -> None:
    from .formatting import coverage_notes, failing_groups_text, incomplete_line, interval_note
    from .metrics.engine import failing_group_figures, no_data_reason, overall_label
    from .runner.errorline import errors_line
    from .runner.run import RunOutcome

    assert isinstance(outcome, RunOutcome)
    summary = outcome.summary
    counts = summary["counts"]
    from rich.table import Table

    table = Table(
        title=term(f"{summary['suite']['name']} — {outcome.run_id}"), title_justify="left"
    )
    for column in ("gate", "verdict", "value", "CI", "n"):
        table.add_column(column)
    reasons: list[str] = []
    for gate in summary["gates"]:
        colour = {"pass": "green", "fail": "red"}.get(gate["verdict"], "yellow")
        metric = summary["metrics"].get(gate["metric"]) or {}
        # A metric may set its own confidence level: label each interval with it.
        level = gate_level(gate, summary["metrics"])
        values = [num_beside(gate["value"], gate)]
        cis = [labelled_interval(gate["ci_low"], gate["ci_high"], level, beside=gate)]
        ns = [str(gate["n"])]
        extra = ""
        figures = failing_group_figures(gate, metric)
        label = overall_label(metric)
        if figures or label != "overall":
            # Labelled beside failing groups (an overall 0.005 beside one must not read as a
            # pass), and always where the figure is one group's (a paired delta's furthest):
            # bare beside n of every row, it read as a mean over all of them.
            values[0] = f"{label} {values[0]}"
        if figures:
            extra = f" groups: {failing_groups_text(gate)}"
            # Each failing group's own figures under the overall ones.
            for f in figures:
                values.append(f"{group_name(f['name'])} {num_beside(f['value'], gate)}")
                cis.append(labelled_interval(f["ci_low"], f["ci_high"], level, beside=gate))
                ns.append(str(f["n"]))
        reason = no_data_reason(gate, metric)
        if reason:
            reasons.append(f"{gate['id']}: no data: {reason}")
        reasons += [f"{gate['id']}: {note}" for note in coverage_notes(metric)]
        no_interval = interval_note(gate, metric)
        if no_interval:
            reasons.append(f"{gate['id']}: {no_interval}")
        table.add_row(
            term(gate["id"]),
            term(gate["verdict"], colour) + term(extra),
            term("\n".join(values)),
            term("\n".join(cis)),
            term("\n".join(ns)),
        )
    out.print(table)
    for line in reasons:
        out.print(term(line), soft_wrap=True)
    out.print(
        term(requests_line(counts) + "; status ")
        + term(summary["status"], "bold")
        + term(_nothing_measured_note(summary))
        + term(f"; results in {outcome.run_dir}"),
        soft_wrap=True,
    )
    # Say why requests failed (a wrong URL, a template placeholder), not only how many.
    errors = errors_line(counts, outcome.run_dir)
    if errors:
        out.print(term(errors), soft_wrap=True)
    incomplete = incomplete_line(counts)
    if incomplete:
        out.print(term(incomplete), soft_wrap=True)
    for note in outcome.notes:
        out.print(term(note), soft_wrap=True)
    for warning in outcome.warnings:
        print_warning(warning)


def _nothing_measured_note(summary: dict[str, Any]) -> str:
    """Beside ``run_failed`` when every request failed: its error rate may be one its
    ``max_error_rate`` allows, so the status alone would not say why it failed."""
    from .store.runread import NOTHING_MEASURED, measured_nothing

    if summary.get("status") == "run_failed" and measured_nothing(summary.get("counts") or {}):
        return f" ({NOTHING_MEASURED})"
    return ""


_NO_YAML_HINT = "give suite, target, register or project files, or directories holding them"


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Suite, target, register or project files, or directories."),
    ],
) -> None:
    """Check suite, target, register and project files, printing every problem found.

    Suites, targets, registers and project files (assurance.yaml), or the directories holding
    them; each problem is one line, file:line: field: message."""
    from .spec.loader import load_suite
    from .spec.targets import load_target
    from .store.location import PROJECT_FILE
    from .store.yaml_lines import load_yaml_with_lines

    issues: list[ConfigIssue] = []
    checked = 0
    adapters: list[tuple[Path, Target]] = []
    suite_params: set[str] | None = None  # the generation parameters of the suites given
    files: list[Path] = []
    registers: list[LoadedRegister] = []
    suite_gates: dict[str, list[GateName]] = {}  # validated with the registers
    empty: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            files.extend(found)
            if not found:
                empty.append(path)
        else:
            files.append(path)
    if empty and files:  # a folder named among others: checked nothing, so say so
        issues.extend(
            ConfigIssue(str(p), None, None, "no YAML files found", hint=_NO_YAML_HINT)
            for p in empty
        )
    if not files:  # as 'run' does: checking nothing must not read as "all valid"
        raise fail(
            ConfigError.single(
                " ".join(str(p) for p in paths),
                "no YAML files found",
                hint=_NO_YAML_HINT,
            )
        )
    for path in files:
        try:
            if path.name == PROJECT_FILE:  # the settings 'run' reads from its folder
                from .privacy.policy import load_project_config

                load_project_config(path.parent)
                checked += 1
                continue
            data, line_of = load_yaml_with_lines(path)
            if isinstance(data, dict) and "suite" in data:
                suite = load_suite(path, parsed=(data, line_of)).suite
                suite_params = {*(suite_params or ()), *suite.generation}
                suite_gates[suite.suite] = [(g.label, g.metric) for g in suite.gates]
            elif isinstance(data, dict) and "type" in data:
                from .crash import TargetOrigin, adapter_code

                adapter = load_target(path)
                with adapter_code(TargetOrigin(str(path), type(adapter))):
                    adapter.check()
                adapters.append((path, adapter))
            elif isinstance(data, dict) and "risks" in data:
                from .register.loader import validate_register

                registers.append(validate_register(path))
            else:
                raise ConfigError.single(
                    str(path),
                    "not a suite (suite:), target (type:) or register (risks:) file",
                    line=1,
                )
            checked += 1
        except ConfigError as exc:
            issues.extend(exc.issues)
        except HarnessError as exc:  # its text may name the file already (a plugin's failure)
            text = str(exc).removeprefix(f"{path}: ")
            issues.append(ConfigIssue(str(path), None, None, text))
    issues.extend(_params_issues(adapters, suite_params))
    issues += _gate_filter_issues(registers, suite_gates)
    for line in issue_lines(issues):
        console.print(term(one_line(line)), soft_wrap=True)
    if issues:
        console.print(f"{len(issues)} problem(s) in {len(files)} file(s)")
        raise typer.Exit(2)
    out.print(f"{checked} file(s) valid")


def _params_issues(
    adapters: "list[tuple[Path, Target]]", suite_params: set[str] | None
) -> list[ConfigIssue]:
    """Each target checked against the generation parameters the suites validated with it
    set (any of them: a folder of suites and targets is not told which runs with which). A
    target validated alone is not: a suite may set what its body template names."""
    from .spec.targets import check_params

    issues: list[ConfigIssue] = []
    if suite_params is None:
        return issues
    for path, adapter in adapters:
        try:
            check_params(adapter, str(path), suite_params)
        except ConfigError as exc:
            issues.extend(exc.issues)
    return issues


def _gate_filter_issues(
    registers: list["LoadedRegister"], suite_gates: dict[str, list["GateName"]]
) -> list[ConfigIssue]:
    """The registers' gate names that no gate of a suite validated with them has."""
    if not registers or not suite_gates:
        return []
    from .register.loader import gate_filter_issues

    return [i for loaded in registers for i in gate_filter_issues(loaded, suite_gates)]


@app.command()
def schema(
    kind: Annotated[str, typer.Option(help="suite, target or register")] = "suite",
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            callback=not_stdout,
            help="Write to this file (ending .json) instead of stdout.",
        ),
    ] = None,
) -> None:
    """Write the JSON Schema for suite, target or register files (for editor completion)."""
    from .register.model import register_schema
    from .spec.schema import suite_schema, target_schema
    from .store.files import check_output_file, write_output

    builders = {"suite": suite_schema, "target": target_schema, "register": register_schema}
    if kind not in builders:
        raise fail(HarnessError(f"unknown schema kind '{kind}'; use suite, target or register"))
    if out_path:  # `schema -o suite.yaml` replaced the suite with its schema
        check_output_file(out_path, suffixes=(".json",), writes="schema writes JSON")
    text = json.dumps(builders[kind](), indent=2)
    if out_path:
        write_output(out_path, text + "\n")
        out.print(f"wrote {out_path}")
    else:
        sys.stdout.write(text + "\n")


@runs_app.command("list")
def runs_list(
    reports: ReportsOpt = Path("reports"),
    suite: Annotated[str | None, typer.Option(help="Only this suite.")] = None,
    limit: Annotated[int, typer.Option(help="Newest N runs.", min=1)] = 20,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, or json (one JSON object per run and line).",
            metavar="table|json",
        ),
    ] = "table",
    as_json: JsonAliasOpt = False,
) -> None:
    """List runs, newest first."""
    from .store.index import open_index
    from .store.location import store_url
    from .store.runlisting import with_run_folders
    from .store.runread import mark_missing_folders

    db = Workspace.at(reports).index
    try:
        chosen = output_format(format, as_json)
        # The team store unreachable or runs.db damaged: one line, not a traceback.
        index = open_index(db)
        rows = [] if index is None else index.list_runs(suite=suite, limit=limit)
        # This machine's run folders the index lacks, with either store: a team store's other
        # runs lie on other machines, but a folder here whose row never reached it (unreachable
        # as the run finished, or a run from before the move) is as unindexed, and a run
        # stopped before it finished has no row anywhere.
        # A folder that cannot be read is warned of, not listed (store.runlisting).
        indexed = set() if index is None else index.run_ids()
        listing = with_run_folders(rows, reports, indexed, suite=suite, limit=limit)
        for problem in listing.unlisted:
            print_warning(f"not listed: {problem}")
        rows, unindexed = listing.rows, listing.unindexed
    except HarnessError as exc:
        raise fail(exc) from None
    if index is None and not rows:  # with JSON, stdout holds only JSON: no line there
        note = term(f"no runs yet ({db} does not exist)")
        (console if chosen == "json" else out).print(note, soft_wrap=True)
        return
    mark_missing_folders(rows, reports)  # the row stays; the listing says its folder went
    if unindexed:
        _warn_unindexed(unindexed, str(db) if index is None else index.db.where, db, store_url())
    if chosen == "json":
        for row in rows:
            sys.stdout.write(json.dumps(row) + "\n")
        return
    out.print(runs_table(rows))
    for row in rows:  # the command whole on one line, to be copied (the table folds cells)
        if row.get("resume"):
            line = f"{row['run_id']} did not finish; resume it with: {row['resume']}"
            out.print(term(line), soft_wrap=True)


def _warn_unindexed(count: int, where: str, embedded: Path, team: str | None) -> None:
    """One warning that ``count`` listed runs are not in the index ``where``, and what indexes
    them; with a team store beside a ``runs.db`` from before it, the command that copies that
    file's runs (and their baselines and reviews) in one go too."""
    runs = (
        f"{count} runs listed from their folders are"
        if count > 1
        else "1 run listed from its folder is"
    )
    from .store.location import follow_up

    fix = f"'{follow_up('assurance run SUITE --target TARGET --resume RUN_ID')}' indexes one"
    if team is not None and embedded.is_file():
        fix += (
            f"; 'assurance store migrate --to URL --reports {embedded.parent}' copies those "
            f"{embedded} holds"
        )
    print_warning(f"{runs} not in the run index {where}; {fix}")


def runs_table(rows: list[dict[str, Any]]) -> "Table":
    """The run id is never cut (it is what every other command takes); the other columns
    fold onto more lines when the terminal is narrow."""
    from rich.table import Table

    from .store.runlisting import is_unfinished

    table = Table()
    longest = max((len(str(r["run_id"])) for r in rows), default=6)
    table.add_column("run id", no_wrap=True, min_width=longest)
    for column in ("suite", "target", "model", "status", "gates", "errors", "started"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["run_id"],
            " ".join(str(v) for v in (row["suite"], row["suite_version"]) if v is not None),
            row["target_name"] or "",
            row["model_version"] or "",
            _listed_status(row),
            *(("", "") if is_unfinished(row) else _figures(row)),
            row["started_at"] or "",
        )
    return table


def _figures(row: dict[str, Any]) -> tuple[str, str]:
    """The gates and errors cells."""
    return (
        f"{_count(row['gates_passed'])}/{_count(_total(row))} passed",
        f"{_count(row['n_errors'])}/{_count(row['n_requests'])}",
    )


def _listed_status(row: dict[str, Any]) -> str:
    if row.get("folder_missing"):
        return "folder missing"
    return f"{row['status']} (not indexed)" if row.get("indexed") is False else row["status"]


def _count(value: int | None) -> str:
    """A figure of the run index; ``?`` where the row has none (the columns allow NULL)."""
    return "?" if value is None else str(value)


def _total(row: dict[str, Any]) -> int | None:
    passed, failed = row["gates_passed"], row["gates_failed"]
    return None if passed is None or failed is None else passed + failed


def _check_purge_ledger(ledger_path: Path) -> None:
    """The ledger a purge records in is checked as every ledger-taking command checks it
    (``check_ledger_file``: a pipe, a folder, a loop is one line, exit 2), before the runs are
    looked at: the append checked it only when a run was old enough, so a dry run, or a purge
    with nothing to do, said 'would purge' or 'recorded in' a ledger the purge would refuse."""
    from .register.ledger_store import check_ledger_file
    from .register.ledger_team import team_ledger

    if team_ledger(ledger_path) is None:  # the team store's ledger is no file
        check_ledger_file(ledger_path)


@runs_app.command("purge")
def runs_purge(
    reports: ReportsOpt = Path("reports"),
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help=(
                "Age: a whole number of days, weeks or hours such as 90d, 12w or 36h (a bare "
                "number is days; default: privacy.retention_days in assurance.yaml)."
            ),
        ),
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger", help="Evidence ledger (default: <reports>/evidence/ledger.jsonl)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be purged; delete nothing.")
    ] = False,
) -> None:
    """Delete old runs' prompts, responses, results and reports; keep what the ledger needs.

    Their summaries, manifests and ledger records are kept, and the purge is recorded in the
    ledger. The answers a purged run received or read are deleted from the response cache and
    from the llm-judge and guard-model cache files its summary names, even those a kept run
    used too (the kept run keeps its own copy in its results; scoring it again asks the judge
    again)."""
    import datetime as dt

    from .privacy.policy import load_project_config
    from .privacy.retention import describe_age, parse_age, purge_runs

    try:
        policy = load_project_config().privacy
        if older_than is not None:
            age = parse_age(older_than)
        elif policy.retention_days is not None:
            age = dt.timedelta(days=policy.retention_days)
        else:
            raise UsageError(
                "no retention period: pass --older-than (e.g. 90d) or set "
                "privacy.retention_days in assurance.yaml"
            )
        from .privacy.retention import purged_files_by_run
        from .register.ledger import append_records
        from .register.ledger_store import run_records
        from .review.outstanding import gates_with_reviews
        from .review.store import ReviewStore

        ledger_path = ledger or reports / "evidence" / "ledger.jsonl"
        _check_purge_ledger(ledger_path)
        left: list[tuple[str, str]] = []
        cached: dict[Path, int] = {}
        gone: dict[Path, list[str]] = {}

        purging = not dry_run

        def forget(run_ids: list[str], *, dry_run: bool = False) -> None:
            """Delete (``dry_run``: count) the copies of their texts kept elsewhere; counted
            for the output only in the pass that does what the command says (a purge first
            tries its deletion without deleting, and that count is not the purge's)."""
            counted = dry_run != purging
            counts = cached if counted else {}
            queued = ReviewStore(reports / "runs.db").forget_texts(run_ids, dry_run=dry_run)
            if queued:
                index = reports / "runs.db"
                counts[index] = counts.get(index, 0) + queued
            _forget_cached(
                reports, run_ids, counts, dry_run=dry_run, gone=gone if counted else None
            )

        purged = purge_runs(
            reports,
            ledger_path,
            age,
            record=lambda bodies: append_records(ledger_path, bodies),
            recorded=lambda run_id: purged_files_by_run(run_records(ledger_path, run_id)).get(
                run_id, {}
            ),
            ended=lambda run_id: _recorded_ends(ledger_path, run_id),
            forget=forget,
            kept=lambda run_id, why: left.append((run_id, why)),
            policy_version=policy.policy_version,
            dry_run=dry_run,
            measure=lambda run_dir: gates_with_reviews(
                run_dir, run_records(ledger_path, run_dir.name)
            ),
        )
        if dry_run:
            forget([run.run_id for run in purged], dry_run=True)
    except HarnessError as exc:
        raise fail(exc) from None
    verb = "would purge" if dry_run else "purged"
    for run in purged:
        out.print(f"{verb} {run.run_id} (finished {run.finished_at}): {', '.join(run.listed)}")
    for path, count in cached.items():
        what = "queued text(s)" if path == reports / "runs.db" else "cached answer(s)"
        out.print(
            f"{'would delete' if dry_run else 'deleted'} {count} {what} of the purged runs "
            f"from {path}"
        )
    for path, ids in gone.items():
        print_warning(
            f"{path}, the scorer cache file run(s) {', '.join(ids)} used, is not there (moved "
            "or deleted): wherever it is now, its copies of their answers were not deleted; "
            "purge from where the runs were made, or delete that file"
        )
    out.print(
        f"{verb} {len(purged)} run(s) older than {describe_age(age)}"
        + ("" if dry_run or not purged else f"; recorded in {ledger_path}")
    )
    if left:  # older than the period and still holding prompts and responses: say so
        kept = RunFailedError(*(_kept_by_purge(reports, run_id, why) for run_id, why in left))
        if dry_run:
            for line in kept.lines():
                print_warning(line)
            return
        raise fail(kept)


def _forget_cached(
    reports: Path,
    run_ids: list[str],
    counts: dict[Path, int],
    *,
    dry_run: bool,
    gone: dict[Path, list[str]] | None = None,
) -> None:
    """Delete (``dry_run``: count) the answers these runs put in or read from a cache: the
    response cache, and the cache files of the model scorers each run's summary names; each
    file's count added to ``counts``, where not nought. A named file that is not there (moved
    with its project, deleted) goes into ``gone`` with its runs, for the purge to say so: it
    may hold their texts wherever it is now."""
    from .store import cache, scorercache

    responses = Workspace.at(reports).cache
    done = {responses: cache.forget_runs(responses, run_ids, dry_run=dry_run)}
    files: dict[Path, list[str]] = {}
    for run_id in run_ids:
        for path in scorercache.files_of_run(reports / run_id):
            files.setdefault(path, []).append(run_id)
    for path, ids in files.items():
        if not path.is_file() and gone is not None:
            gone[path] = ids
        done[path] = scorercache.forget_runs(path, ids, dry_run=dry_run)
    for path, count in done.items():
        if count:
            counts[path] = counts.get(path, 0) + count


def _recorded_ends(ledger_path: Path, run_id: str) -> list[str | None]:
    """The end (``run.finished_at``) each evidence record of ``run_id`` in the ledger holds,
    under its hash chain: what ``runs purge`` checks the run's own files' dates against.
    Purge records are passed over: they copied the end from run.json, which nothing hashes."""
    from .privacy.retention import RETENTION
    from .register.ledger_store import run_records

    return [
        record.run.get("finished_at")
        for record in run_records(ledger_path, run_id)
        if record.risk_id != RETENTION and not record.is_review
    ]


def _kept_by_purge(reports: Path, run_id: str, why: str) -> str:
    """The line for a run ``runs purge`` left with its prompts and responses, and the way on."""
    from .privacy.retention import IN_USE, UNDATED, UNFINISHED
    from .store.runcommands import resume_of
    from .store.runread import read_state

    if why == UNDATED:
        folder = reports / run_id
        return (
            f"not purged: {folder} holds prompts and responses, but neither its run.json nor "
            "its summary.json says when it ran (damaged or gone), so its age is unknown: "
            "restore them, or delete the folder if it is past the retention period"
        )
    if why not in (IN_USE, UNFINISHED):  # a dry run's line of what the purge would fail on
        return why
    if why == IN_USE:
        return (
            f"not purged: run {run_id} is in use by another process (being resumed, or its "
            "evidence or a verdict being recorded); run the same purge again once it has finished"
        )
    try:
        again = f"'{resume_of(read_state(reports / run_id), reports)}'"
    except HarnessError:  # its run.json unreadable: 'runs list' says why
        again = "--resume (see 'assurance runs list')"
    return (
        f"not purged: run {run_id} did not finish, and its journal keeps its prompts and "
        f"responses until it does: complete it with {again}, then purge again, or delete its "
        "folder"
    )


@targets_app.command("check")
def targets_check(
    target: Annotated[Path, typer.Argument(help="Target YAML file.")],
) -> None:
    """Send one request to a target and explain what came back (URL, status, models, hint)."""
    from .runner.executor import run_sync
    from .spec.targets import load_target
    from .targets.check import check_target

    loaded = None
    try:
        loaded = load_target(target)
        report = run_sync(check_target(loaded))
    except HarnessError as exc:
        raise fail(exc) from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the adapter's bug (or a plugin's, SystemExit too): exit 3
        from .crash import TargetOrigin, internal_error

        # Its traceback saved, scrubbed of the target's secrets, and the target file named:
        # the CLI's last resort said which exception, not which target it came from.
        origin = TargetOrigin(str(target), type(loaded)) if loaded is not None else None
        error = internal_error(
            exc, scrub=loaded.scrub if loaded is not None else None, origin=origin
        )
        if not str(error.args[0]).startswith(f"{target}: "):
            error.args = (f"{target}: {error.args[0]}", *error.args[1:])
        raise fail(error) from None
    for line in report.lines:
        out.print(term(line), soft_wrap=True)
    raise typer.Exit(0 if report.ok else 3)


@targets_app.command("list")
def targets_list() -> None:
    """List the target adapters."""
    from . import builtin_plugins  # noqa: F401
    from .targets.base import targets

    for name in targets.names():
        try:
            doc = (targets.get(name).__doc__ or "").strip().splitlines()[0]
        except Exception as exc:
            doc = f"(cannot load: {exc})"
        out.print(f"{name:14} {doc}")


@scorers_app.command("list")
def scorers_list() -> None:
    """List the scorers and the fields they write."""
    from . import builtin_plugins  # noqa: F401
    from .scorers.base import scorers

    for name in scorers.names():
        try:
            cls = scorers.get(name)
            doc = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            types = cls.field_types
            fields = ", ".join(f"{f} ({types[f]})" if f in types else f for f in cls.fields)
            reads = ", ".join(cls.prerequisites)
        except Exception as exc:
            doc, fields, reads = f"(cannot load: {exc})", "", ""
        out.print(f"{name:22} {doc}\n{'':22} fields: {fields}")
        if reads:
            out.print(f"{'':22} can read (when configured earlier): {reads}")


@scorers_app.command("check")
def scorers_check(
    scorer: Annotated[str, typer.Argument(help="Scorer name (as in 'use:') or a scorer id.")],
    labels: Annotated[Path, typer.Option("--labels", help="JSONL or CSV of text + label.")],
    suite: Annotated[
        Path | None,
        typer.Option(help="Take the scorer's parameters and audience from this suite."),
    ] = None,
    score: Annotated[str | None, typer.Option(help="Output field holding the score.")] = None,
    flag: Annotated[str | None, typer.Option(help="Output field holding the decision.")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Decide by score >= threshold instead of the flag.")
    ] = None,
    text_field: Annotated[str, typer.Option(help="Column/key of the text.")] = "text",
    label_field: Annotated[str, typer.Option(help="Column/key of the yes/no label.")] = "label",
    write_card: Annotated[
        Path | None,
        typer.Option(help="Write the figures as this scorer's validity card (JSON)."),
    ] = None,
) -> None:
    """Validate a scorer on your own labels, with 95% intervals; optionally write its card.

    ROC-AUC, accuracy, precision and recall, each with its 95% interval, at the suite's
    threshold; the validity card, where asked for, records them."""
    from .runner.scorer_check import run_check

    try:
        lines = run_check(
            scorer,
            labels,
            suite=suite,
            score=score,
            flag=flag,
            threshold=threshold,
            text_field=text_field,
            label_field=label_field,
            write_card=write_card,
        )
    except HarnessError as exc:
        raise fail(exc) from None
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)


# The command tree, assembled here and nowhere else: importing this module gives the whole
# ``assurance`` command (tests, the pytest plugin and the entry point all see the same tree).
app.command("report")(report)
app.command("compare")(compare)
app.add_typer(baseline_app, name="baseline")
app.command("trend")(trend)
app.add_typer(register_app, name="register")
app.add_typer(evidence_app, name="evidence")
app.add_typer(review_app, name="review")
app.add_typer(store_app, name="store")
app.command("ui")(ui_cmd)
# --help printed without typer.rich_utils' imports (Markdown, tracebacks): cli_help.
use_help_classes(app)


def command(invoked: str | None = None) -> Any:
    """The click command for :data:`app`, as the ``assurance`` entry point runs it.

    Typer shows a value placeholder (``<bool>``) after every flag, which reads as if
    ``--no-cache`` took a value; flags here are shown bare. Usage errors are one line
    (``cli_usage``), and so is a Ctrl-C in a command (``cli_interrupt``). ``invoked``: the
    command line's first argument; see :func:`_branch`."""
    root = typer.main.get_command(_branch(invoked))

    def bare_flags(cmd: Any) -> None:
        helper = cmd.get_help_option(typer.Context(cmd))
        for param in [*cmd.params, *([helper] if helper is not None else [])]:
            if getattr(param, "is_flag", False):
                param.metavar = ""
            _refuse_empty_path(param)
        one_line_usage_errors(cmd)
        for sub in getattr(cmd, "commands", {}).values():
            bare_flags(sub)

    bare_flags(root)
    say_interrupts(root)  # Ctrl-C in a command: one line saying so, exit 130
    return root


def _branch(invoked: str | None) -> typer.Typer:
    """:data:`app` with only the command or group named ``invoked``, when it names one: typer
    builds every command it is given (each signature read, each option made), and the 14 not
    run were about 8 ms of every command's start-up. The root's options and callback are kept,
    and the branch is built as in the whole tree, so what runs, its help and its errors are the
    same. Anything else (an option, a misspelt name, nothing) gives the whole tree, whose
    names click's messages list."""
    if invoked is None:
        return app
    commands = [
        info
        for info in app.registered_commands
        if info.callback is not None
        and (info.name or typer.main.get_command_name(info.callback.__name__)) == invoked
    ]
    groups = [info for info in app.registered_groups if info.name == invoked]
    if not commands and not groups:
        return app
    branch = copy.copy(app)
    branch.registered_commands = commands
    branch.registered_groups = groups
    return branch


def _refuse_empty_path(param: Any) -> None:
    """An empty string given for a path (an unset ``$SUITE``) is a usage error: read as
    ``Path("")``, that is ``.``, so ``run ""`` ran every suite under the current folder and
    ``--reports ""`` wrote runs into it."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if Path not in (annotation, *typing.get_args(annotation)):
        return
    process = param.process_value

    def checked(ctx: Any, value: Any) -> Any:
        given = value if isinstance(value, (list, tuple)) else [value]
        if "" in given:
            raise typer.BadParameter("an empty path; give a file or folder ('.' for this one)")
        return process(ctx, value)

    param.process_value = checked


def _print_traceback_if_asked(exc: HarnessError) -> None:
    """A crash's traceback on stderr too, when ``ASSURANCE_TRACEBACK`` is set."""
    from .crash import InternalError, shows_traceback

    if isinstance(exc, InternalError) and shows_traceback():
        sys.stderr.write(exc.traceback_text)


_LOCALE_NOT_UTF8 = (
    "{what} is UTF-8 text this locale cannot read (its encoding is {encoding}); run with "
    "PYTHONUTF8=1 or a UTF-8 locale (LC_ALL=C.UTF-8)"
)


_LOCALE = {"encoding": sys.getfilesystemencoding()}


def _locale_not_utf8(text: str) -> bool:
    """Whether ``text`` is UTF-8 that Python decoded with a locale's other encoding (LC_ALL=C
    with PYTHONUTF8=0: ASCII): the fix is the locale, not renaming the file."""
    if _LOCALE["encoding"].lower().replace("-", "") == "utf8":
        return False
    try:
        os.fsencode(text).decode("utf-8")
    except (UnicodeError, ValueError):
        return False
    return True


def _refuse_arguments_not_utf8(arguments: list[str]) -> None:
    """Every argument ends up in a run's records, the ledger or a report, all UTF-8: one that
    is not (a file name or text holding other bytes) is refused before anything is done."""
    from .utf8 import is_utf8, shown

    for argument in arguments:
        if not is_utf8(argument):
            if _locale_not_utf8(argument):
                text = os.fsencode(argument).decode("utf-8")
                raise UsageError(_LOCALE_NOT_UTF8.format(what=f"argument '{text}'", **_LOCALE))
            raise UsageError(
                f"argument '{shown(argument)}' is not UTF-8 text; rename the file (or retype "
                "the text) in UTF-8: runs, reports and evidence record it as text"
            )


def _refuse_settings_not_utf8(environ: dict[str, str]) -> None:
    """The ``ASSURANCE_*`` settings are text the harness stores (a reviewer's name), prints or
    sends (a store URL): one holding bytes that are not UTF-8 is refused before anything is
    done, naming it, as an argument is (it crashed where it was first written)."""
    from .utf8 import is_utf8, shown

    for name, value in sorted(environ.items()):
        if name.startswith("ASSURANCE_") and not is_utf8(value):
            from .scrub import is_secret_name

            what = "the value is not shown" if is_secret_name(name) else f"'{shown(value)}'"
            if _locale_not_utf8(value):
                raise UsageError(
                    _LOCALE_NOT_UTF8.format(what=f"environment variable {name}", **_LOCALE)
                )
            raise UsageError(
                f"environment variable {name} ({what}) is not UTF-8 text; set it again in UTF-8"
            )


_ONLY_PRINTS = frozenset({"--help", "--version"})
"""Options that print and exit before a command does anything (click handles them eagerly)."""


def _refuse_a_working_folder_gone(arguments: list[str]) -> None:
    """A command started in a folder deleted under the shell (``cd d; rm -rf ../d``, a build
    that makes its folder again) is refused before it does anything: ``assurance.yaml`` (the
    privacy and store settings) and every relative path are read from the working folder, which
    Python cannot name. Was: "cannot read or write a file" naming no file, in ``run`` only after
    every case was sent where the response cache was off (blaming ``--reports``), and "file not
    found" for a suite that was in the folder. ``--help`` and ``--version`` read nothing."""
    if not _ONLY_PRINTS.intersection(arguments) and working_folder_gone():
        raise UsageError(f"{WORKING_FOLDER_GONE} and run the command again")


def main() -> None:
    """The ``assurance`` entry point: runs the command, then ends the process (``cli_exit``:
    atexit handlers run and open files are flushed, the interpreter is not torn down)."""
    if "schema" not in sys.argv[1:]:
        # Only the JSON Schemas ('schema', 'register schema') read the models' field
        # docstrings: other commands make their models without reading the source for them.
        fielddocs.defer()
    guard_streams()
    try:
        cli_startup.interrupts()  # from here a Ctrl-C is caught, as a run needs it to be
        _refuse_arguments_not_utf8(sys.argv[1:])
        _refuse_settings_not_utf8(dict(os.environ))
        _refuse_a_working_folder_gone(sys.argv[1:])
        command(sys.argv[1] if len(sys.argv) > 1 else None)(prog_name="assurance")
    except HarnessError as exc:
        _print_traceback_if_asked(exc)
        print_error(exc)
        code: Any = exc.exit_code
    except SystemExit as stop:
        code = stop.code
    except OSError as exc:  # the disk or a path, not a bug: one line naming the file, exit 3
        from .errors import storage_fault

        fault = storage_fault(exc)
        print_error(fault)
        code = fault.exit_code
    except KeyboardInterrupt:  # Ctrl-C outside a command (the tree being built): no traceback
        code = ExitCode.INTERRUPTED
    except BaseException as exc:  # a bug (a plugin's BaseException too): one line and exit 3,
        from .crash import internal_error  # never a traceback that exits 1

        error = internal_error(exc)
        _print_traceback_if_asked(error)
        print_error(error)
        code = error.exit_code
    else:
        code = 0
    try:
        cli_startup.quiet()  # the command is done: Ctrl-C while it exits ends it as it stands
    except KeyboardInterrupt:  # one landing as quiet() was called (a second, as the first ended
        code = ExitCode.INTERRUPTED  # the command): the quiet exit's status, no traceback
        cli_startup.quiet()
    lost = lost_output()
    if lost is not None and code in (None, 0, 1):  # a failed command has said why already
        print_error(lost)
        code = lost.exit_code
    if code is not None and not isinstance(code, int):
        sys.exit(code)  # a message as the status: printed by the interpreter, exit 1
    exit_now(code)


if __name__ == "__main__":
    main()
