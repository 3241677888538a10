"""``--help`` prints as typer prints it, without typer.rich_utils' imports (``cli_help``).

``cli_help.format_help`` follows typer's ``rich_utils.rich_format_help`` (Rich markup mode) so
that ``assurance --help`` does not import markdown-it, rich.traceback and attrs (about 0.1 s of
start-up). Here both print every command's help at several widths, with and without colour, and
must agree byte for byte; a typer upgrade that changes its layout fails here.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
import typer

from assurance_harness import cli, cli_help


def _contexts() -> list[tuple[str, Any, Any]]:
    """(path, command, context) for the root and every group and command under it."""
    root = cli.command()
    found: list[tuple[str, Any, Any]] = []

    def walk(command: Any, ctx: Any, path: str) -> None:
        found.append((path, command, ctx))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True), path + name)

    walk(root, root.make_context("assurance", [], resilient_parsing=True), "assurance ")
    return found


def test_every_group_and_command_prints_its_help_through_cli_help() -> None:
    for path, command, _ in _contexts():
        expected = cli_help.HelpGroup if hasattr(command, "commands") else cli_help.HelpCommand
        assert type(command) is expected, path


def test_this_typer_is_one_cli_help_follows() -> None:
    """Otherwise ``--help`` falls back to typer's own (same text, 0.1 s slower): check this
    file's comparison passes with the new typer, then add its version to ``FOLLOWS_TYPER``."""
    assert typer.__version__ in cli_help.FOLLOWS_TYPER


@pytest.mark.parametrize(
    ("width", "colour"),
    [(60, "plain"), (100, "plain"), (200, "plain"), (100, "forced"), (200, "forced-dumb")],
)
def test_help_is_typers_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], width: int, colour: str
) -> None:
    from typer import rich_utils

    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("TERM", "dumb" if colour == "forced-dumb" else "xterm-256color")
    force = None if colour == "plain" else True
    monkeypatch.setattr(rich_utils, "FORCE_TERMINAL", force)
    monkeypatch.setattr(cli_help, "FORCE_TERMINAL", force)
    contexts = _contexts()
    assert len(contexts) > 40
    for path, command, ctx in contexts:
        rich_utils.rich_format_help(obj=command, ctx=ctx, markup_mode="rich")
        typers = capsys.readouterr()
        cli_help.format_help(command, ctx)
        ours = capsys.readouterr()
        assert ours.out == typers.out, path
        assert ours.err == typers.err == "", path
        if colour == "forced":
            assert "\x1b[" in ours.out
        else:
            assert "\x1b[" not in ours.out


def test_cli_help_stays_off_when_typer_rich_utils_is_loaded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Once typer.rich_utils is imported (its styles may have been changed), typer prints."""
    import typer.rich_utils  # noqa: F401

    _, command, ctx = _contexts()[1]
    assert not cli_help._own_help(command)
    command.format_help(ctx, ctx.make_formatter())
    assert "Usage: assurance" in capsys.readouterr().out


def test_cli_help_stays_off_for_another_typer_or_markup_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, command, _ = _contexts()[1]
    monkeypatch.delitem(sys.modules, "typer.rich_utils", raising=False)
    assert cli_help._own_help(command)
    monkeypatch.setattr(cli_help, "FOLLOWS_TYPER", ("0.0.0",))
    assert not cli_help._own_help(command)
    monkeypatch.undo()
    monkeypatch.delitem(sys.modules, "typer.rich_utils", raising=False)
    monkeypatch.setattr(command, "rich_markup_mode", None)
    assert not cli_help._own_help(command)


@pytest.mark.parametrize("width", ["abc", "80px", "0", "-1"])
def test_a_terminal_width_that_is_no_width_is_ignored(width: str, tmp_path: Any) -> None:
    """Was: ``TERMINAL_WIDTH=abc`` ended every command (``cli_help`` reads it on import) in a
    Python traceback and exit 1, the code of a failed gate; ``0`` or ``-1`` printed ``--help``
    as nothing at all."""
    from tests.testing.cli import run_cli

    listed = run_cli("runs", "list", "--reports", tmp_path, env={"TERMINAL_WIDTH": width})
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    helped = run_cli("runs", "--help", env={"TERMINAL_WIDTH": width})
    assert helped.returncode == 0 and "Usage: assurance runs" in helped.stdout, helped.stdout


def test_each_command_lists_under_its_group_in_one_line() -> None:
    """A group's command list shows each command's first paragraph as written: a summary broken
    over two lines of its docstring showed as two lines, the second wrapped on its own ("print
    every problem" / "as file:line: ..." under ``assurance --help``). Each summary is one line,
    and the rest of the docstring a paragraph of its own, shown by the command's own ``--help``."""
    broken = [
        path.strip()
        for path, command, _ in _contexts()
        if "\n" in (command.short_help or command.help or "").strip().split("\n\n")[0]
    ]
    assert broken == []


_TYPERS_OWN_HELP = """\
import sys
from assurance_harness import cli_help
cli_help.FOLLOWS_TYPER = ()  # a typer cli_help does not follow: typer prints its own help
from assurance_harness.cli import main
sys.argv = ["assurance", "runs", "--help"]
main()
"""


@pytest.mark.parametrize(
    "setting",
    [
        *(f"TERMINAL_WIDTH={w}" for w in ("1000000000", "abc", "-5", "0", "1")),
        *(f"COLUMNS={w}" for w in ("1000000000", "-5", "abc", "0", "1")),
    ],
)
def test_typers_own_help_is_given_a_width_a_screen_could_have(setting: str) -> None:
    """Was, where ``--help`` is typer's own (a typer release ``cli_help`` does not follow yet,
    as after a fresh install): ``TERMINAL_WIDTH=1000000000`` padded every line to a billion
    columns (gigabytes written, or a MemoryError internal error), ``TERMINAL_WIDTH=abc`` was an
    internal error (typer's ``int()``), ``0`` and ``-5`` printed nothing, and a width of 1 (either
    variable) printed a column of box corners without the usage line. ``cli_help`` has its own
    guard; typer reads the variables itself."""
    import os
    import subprocess

    name, _, value = setting.partition("=")
    environment = {**os.environ, name: value}
    environment.pop("TERMINAL_WIDTH" if name == "COLUMNS" else "COLUMNS", None)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TYPERS_OWN_HELP],
            capture_output=True,
            text=True,
            env=environment,
            timeout=10,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{setting}: --help still printing after 10 s ({len(exc.stdout or b'')} bytes)")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "Usage: assurance runs" in done.stdout, done.stdout
    assert len(done.stdout) < 20_000


@pytest.mark.parametrize("setting", ["TERMINAL_WIDTH=1", "COLUMNS=3"])
def test_cli_helps_own_help_is_given_a_width_a_screen_could_have(setting: str) -> None:
    """Was: a width of 1 or 3 printed ``--help`` as a column of box corners, no usage line.
    (A fresh process, not ``run_cli``: the first command of a session starts its warm
    interpreter, seconds on a loaded machine.)"""
    import os
    import subprocess

    from tests.testing.cli import cli_command

    name, _, value = setting.partition("=")
    helped = subprocess.run(
        cli_command("runs", "--help"),
        capture_output=True,
        text=True,
        env={**os.environ, name: value},
        timeout=30,
    )
    assert helped.returncode == 0, helped.stderr
    assert "Usage: assurance runs" in helped.stdout, helped.stdout
