"""Run the ``assurance`` CLI in a real subprocess, the way a user or CI runs it, or in this process
where a test invokes it hundreds of times."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "assurance_harness.cli"]


def cli_command(*args: str | Path) -> list[str]:
    """The argv that runs ``assurance ARGS...`` with this interpreter (for ``Popen``)."""
    return [*CLI, *(str(a) for a in args)]


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
    ctrl_c: bool = False,
    file_size_limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``assurance ARGS...`` to completion, capturing text output (never raises on rc).
    ``env``: variables set on top of this process's environment (an API key, ``COLUMNS``).
    ``ctrl_c``: the run takes SIGINT (sent by its target, say) as a user's Ctrl-C however the
    test run was started (:func:`default_sigint`). ``file_size_limit``: no file of the run may
    grow past these bytes, a real write failure (:func:`tmpfs.file_size_limited`). Started from
    a warm interpreter (:mod:`.zygote`) where nothing of that start-up can differ (``ctrl_c``
    and ``file_size_limit`` too: the forked child sets them as a fresh start's ``preexec_fn``
    does); a fresh one otherwise."""
    from .signals import default_sigint
    from .tmpfs import file_size_limited
    from .zygote import ZygoteUnavailable, zygote

    warm = zygote()
    environment = {**os.environ, **env} if env else dict(os.environ)
    if warm is not None and warm.can_fork_for(environment):
        with contextlib.suppress(ZygoteUnavailable):  # then a fresh process, below
            return warm.run(
                [str(a) for a in args],
                str(cwd) if cwd else None,
                environment,
                timeout,
                ctrl_c=ctrl_c,
                file_size_limit=file_size_limit,
            )
    steps = [default_sigint] if ctrl_c else []
    if file_size_limit is not None:
        steps.append(file_size_limited(file_size_limit))
    return subprocess.run(
        cli_command(*args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        preexec_fn=(lambda: [step() for step in steps]) if steps else None,
    )


def start_cli(
    *args: str | Path, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start ``assurance ARGS...`` without waiting, its output captured as text, taking SIGINT
    as a user's Ctrl-C (:func:`default_sigint`): for tests that signal or kill a run.
    ``env``: variables set on top of this process's environment."""
    from .signals import default_sigint

    return subprocess.Popen(
        cli_command(*args),
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )


def validate_problem(folder: Path, name: str = "s.yaml") -> str:
    """``assurance validate NAME`` in ``folder``, asserted to exit 2 with exactly one located
    line about NAME; that line."""
    done = run_cli("validate", name, cwd=folder)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    problems = [line for line in text.splitlines() if f"{name}:" in line]
    assert len(problems) == 1, text
    return problems[0]


def refused_at_validate_and_run(root: Path, where: str, field: str, named: str) -> str:
    """``validate s.yaml`` and ``run s.yaml --target t.yaml`` in ``root`` each end in one line
    located at ``where`` (``s.yaml:4``, ``d.jsonl:2``) naming ``field`` and ``named``, exit 2,
    no traceback, and nothing sent (``root/SENT``: ``testing.project.sent_marking_project``);
    validate's line."""
    checked = run_cli("validate", "s.yaml", cwd=root)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    problems = [line for line in checked.stderr.splitlines() if "problem(s) in" not in line]
    assert len(problems) == 1, text
    (line,) = problems
    assert where in line and f"{field}:" in line and named in line, line

    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=root)
    text = ran.stdout + ran.stderr
    assert ran.returncode == 2, text
    assert "Traceback" not in text and where in text and named in text, text
    assert not (root / "SENT").exists()  # refused before anything was sent
    return line


def one_line_refusal(proc: subprocess.CompletedProcess[str]) -> str:
    """The one line a usage error prints (exit 2, no traceback), asserted to be all there is."""
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "Traceback" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def into_the_next_second() -> None:
    """Wait until the wall clock's second changes: a run's start is recorded to the second, and
    runs begun in one second have no newest (they order by their ids' random suffixes), so a
    test that needs one run to be the latest starts it in a later second."""
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


def run_id_of(done: subprocess.CompletedProcess[str]) -> str:
    """The id of the run an ``assurance run`` names in its last line ("results in
    reports/<id>"), asserted to be there."""
    found = re.search(r"results in reports/(\S+)", done.stdout)
    assert found, done.stdout + done.stderr
    return found.group(1)


@functools.cache
def _command() -> Any:
    from assurance_harness import cli

    return cli.command()


_KEPT_MODULE_ROOTS = tuple(
    str(Path(root).resolve())
    for root in {sys.prefix, sys.base_prefix, Path(__file__).resolve().parents[2]}
)
"""Folders whose modules an in-process command may import for good: Python's, the installed
packages' and this checkout's (the harness, its tests)."""


@contextlib.contextmanager
def _forgetting_targets_modules(before: set[str]) -> Iterator[None]:
    """Forget, once the command is done, the modules it imported from elsewhere (a callable
    target's ``bot.py`` in a test's folder), as its own process would have: Python holds one
    module per name, and a callable target refuses a module name that a different file in
    another folder already holds."""
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            source = getattr(sys.modules.get(name), "__file__", None)
            if source and not str(Path(source).resolve()).startswith(_KEPT_MODULE_ROOTS):
                del sys.modules[name]


@dataclass
class InProcessResult:
    exit_code: int
    output: str
    exception: BaseException | None


def invoke_in_process(args: Sequence[str]) -> InProcessResult:
    """Run ``assurance ARGS...`` in this process, as typer's ``CliRunner`` does, but with the
    command tree built once: ``CliRunner.invoke`` rebuilds it from the app on every call (0.1 to
    0.2 s), which was a third of a test that invokes the CLI a few hundred times."""
    from typer.testing import CliRunner

    exception: BaseException | None = None
    code = 0
    before = set(sys.modules)
    with _forgetting_targets_modules(before), CliRunner().isolation() as (_stdout, _stderr, output):
        try:
            _command().main(args=list(args), prog_name="assurance")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if code:
                exception = exc
        except Exception as exc:  # the caller decides whether this is a failure
            exception, code = exc, 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        text = output.getvalue().decode("utf-8", errors="replace")
    return InProcessResult(code, text, exception)


def run_project(root: Path, *options: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``assurance run root/s.yaml --target root/t.yaml --reports root/reports OPTIONS...``: the
    one-suite, one-target project most CLI tests write; ``kwargs`` as :func:`run_cli` takes."""
    return run_cli(
        "run",
        root / "s.yaml",
        "--target",
        root / "t.yaml",
        "--reports",
        root / "reports",
        *options,
        **kwargs,
    )
