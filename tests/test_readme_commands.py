"""Every ``assurance`` command and option the README shows exists in the real command tree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assurance_harness.cli import command

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(text: str) -> list[str]:
    """Fenced blocks that hold shell commands (no info string, or bash)."""
    blocks: list[str] = []
    current: list[str] | None = None
    keep = False
    for line in text.splitlines():
        if line.startswith("```"):
            if current is None:
                current, keep = [], line[3:].strip() in ("", "bash", "sh")
            else:
                if keep:
                    blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _invocations() -> list[str]:
    found = []
    for block in _blocks(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.split("#", 1)[0]
            # "assurance a | assurance b": each part on its own
            for part in re.split(r"\|\s*(?=assurance\b)", line):
                match = re.search(r"(?:^|\s)assurance\s+(.*)", part)
                if match:
                    found.append(match.group(1).strip())
    return found


def _check(tokens: list[str], root: Any) -> None:
    cmd = root
    rest = list(tokens)
    while rest and hasattr(cmd, "commands"):
        token = rest[0]
        names = token.split("|")
        if all(name in cmd.commands for name in names):
            if len(names) > 1:  # alternatives: each must exist; check options of none
                return
            cmd = cmd.commands[token]
            rest.pop(0)
        else:
            break
    if hasattr(cmd, "commands"):
        known_opts = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        assert all(t in known_opts for t in rest if t.startswith("-")), f"assurance {tokens}"
        return
    known = {opt for p in cmd.params for opt in [*getattr(p, "opts", []), *p.secondary_opts]}
    known |= {"--help"}
    for token in rest:
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", token):
            assert option in known, f"assurance {' '.join(tokens)}: {option} is not an option"


def test_readme_commands_exist() -> None:
    root = command()
    invocations = _invocations()
    assert len(invocations) >= 15
    for text in invocations:
        tokens = [t.strip("[]") for t in text.split() if t.strip("[]")]
        _check(tokens, root)


def test_make_demo_writes_the_index_and_ends_by_naming_the_report_to_open() -> None:
    """Issue 13 item 5: after ``make demo`` a new user was left with eight report.html files
    and no word on which to open."""
    makefile = README.with_name("Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    commands = [
        line.strip() for line in recipe if line.strip() and not line.strip().startswith("@#")
    ]
    assert "ui --index --reports reports" in commands[-2]
    assert commands[-1].startswith("@echo") and "reports/index.html" in commands[-1]
    invocation = commands[-2].split("assurance ", 1)[1]
    _check(invocation.split(), command())
