"""The CI examples only use commands and options that exist (checked against the real CLI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from assurance_harness import cli, pytest_plugin

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ci"


SCRIPT_KEYS = {"run", "script", "before_script", "after_script"}


def _scripts(document: object, key: str | None = None) -> list[str]:
    """The shell in run: (GitHub) and script: (GitLab) entries, line continuations joined."""
    out: list[str] = []
    if isinstance(document, dict):
        for name, value in document.items():
            out.extend(_scripts(value, str(name)))
    elif isinstance(document, list):
        for value in document:
            out.extend(_scripts(value, key))
    elif isinstance(document, str) and key in SCRIPT_KEYS:
        out.append(document.replace("\\\n", " "))
    return out


def _invocations(text: str) -> list[list[str]]:
    found = []
    for line in text.splitlines():
        for match in re.finditer(r"(?:^\s*|[;&|(]\s*|\b(?:then|do)\s+)assurance\s+(.*)", line):
            rest = re.split(r"\s(?:\|\||&&|>|\|)\s", match.group(1))[0]
            try:
                found.append(shlex.split(rest))
            except ValueError:
                found.append(rest.split())
    return found


@pytest.fixture(scope="module")
def root_command() -> Any:
    """The full ``assurance`` command tree, as the entry point runs it."""
    return cli.command()


@pytest.mark.parametrize("name", ["github-nightly.yml", "gitlab-ci.yml"])
def test_ci_example_commands_exist(name: str, root_command: Any) -> None:
    document = yaml.safe_load((EXAMPLES / name).read_text())
    invocations = [inv for text in _scripts(document) for inv in _invocations(text)]
    assert invocations, "the example runs assurance commands"
    for tokens in invocations:
        command = root_command
        for token in tokens:
            if token in getattr(command, "commands", {}):
                command = command.commands[token]
            else:
                break
        assert not hasattr(command, "commands"), f"incomplete command: assurance {tokens}"
        known = {
            opt
            for param in command.params
            for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
        }
        for token in tokens:
            if token.startswith("--"):
                assert token.split("=")[0] in known, f"{name}: assurance {' '.join(tokens)}"


def test_pytest_options_in_examples_exist() -> None:
    source = Path(pytest_plugin.__file__).read_text()
    for name in ("github-nightly.yml", "gitlab-ci.yml"):
        for option in set(re.findall(r"--assurance-[a-z-]+", (EXAMPLES / name).read_text())):
            assert f'"{option}"' in source, f"{name}: {option}"
