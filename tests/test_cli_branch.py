"""``assurance NAME ...`` builds only NAME's branch of the command tree (``cli._branch``): the
same commands, options, help and errors as in the whole tree, without building the others."""

from __future__ import annotations

from typing import Any

from assurance_harness import cli
from tests.testing.cli import run_cli


def _shape(command: Any) -> Any:
    """What a user meets of ``command`` and everything under it: its help, its options (names,
    defaults, help, placeholders, what they accept) and its subcommands, by name."""
    params = [
        (p.name, p.opts, p.secondary_opts, p.required, repr(p.default), getattr(p, "help", None),
         p.metavar, p.nargs, p.multiple, getattr(p, "is_flag", None), _accepts(p))
        for p in command.params
    ]  # fmt: skip
    subcommands = {name: _shape(sub) for name, sub in getattr(command, "commands", {}).items()}
    return (type(command), command.help, command.short_help, params, subcommands)


def _accepts(param: Any) -> Any:
    return getattr(getattr(param, "type_descriptor", None), "annotation", None)


def test_each_branch_is_built_as_in_the_whole_tree() -> None:
    whole = cli.command()
    assert len(whole.commands) > 10
    for name, sub in whole.commands.items():
        branch = cli.command(name)
        assert list(branch.commands) == [name]
        assert _shape(branch.commands[name]) == _shape(sub), name
        assert [p.name for p in branch.params] == [p.name for p in whole.params]


def test_anything_but_a_command_name_builds_the_whole_tree() -> None:
    whole = set(cli.command().commands)
    for first in (None, "--help", "--store", "rn", "RUN", ""):
        assert set(cli.command(first).commands) == whole, first


def test_a_misspelt_command_is_still_matched_against_every_name() -> None:
    done = run_cli("rn")
    assert done.returncode == 2
    assert "did you mean 'run', 'runs'?" in done.stdout + done.stderr


def test_the_root_options_come_before_a_command_as_before() -> None:
    done = run_cli("--store", "sqlite", "runs", "list", "--help")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Usage: assurance runs list" in done.stdout
