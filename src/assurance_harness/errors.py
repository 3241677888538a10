"""Error types a user can act on. The CLI prints these as one line, never as a traceback."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Self


class ExitCode(IntEnum):
    """The CLI's exit statuses (README: 0 passed, 1 a gate failed, 2 bad input, 3 the run
    failed as a whole, 130 interrupted)."""

    OK = 0
    GATES_FAILED = 1
    CONFIG = 2
    RUN_FAILED = 3
    INTERRUPTED = 130


class HarnessError(Exception):
    """Base class for every error the harness raises on purpose; the CLI prints it as one line
    and exits with ``exit_code`` (2: the input or the command line is wrong).

    An error of more than one line (what failed, then the way on) takes one argument per line,
    ``RunFailedError(what, way_on)``, or gains one with :meth:`add_line`: a line break inside an
    argument is part of a name (``--resume $'a\\nb'``), printed escaped, so that one error never
    reads as two."""

    exit_code: int = ExitCode.CONFIG

    def __str__(self) -> str:
        return "\n".join(str(arg) for arg in self.args)

    def lines(self) -> list[str]:
        """The error's lines, one ``error:`` line each on the terminal."""
        return [str(arg) for arg in self.args] or [""]

    def add_line(self, line: str) -> None:
        """One more line under the message (the way on, once the caller knows it)."""
        self.args = (*self.args, line)


@dataclass
class ConfigIssue:
    """One problem in one configuration file, located as precisely as the YAML allows."""

    path: str
    line: int | None
    field: str | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f"; {self.hint}"
        return text


SHOWN_ISSUES = 20
"""The most problems an error lists one by one; the rest are counted on one line."""


def issue_lines(issues: list[ConfigIssue]) -> list[str]:
    """One line per issue, at most :data:`SHOWN_ISSUES` of them, then ``... and N more problems
    in FILE``. Every command that prints a configuration error's problems prints them through
    this: one line per bad cell of a 200,000-row CSV was 400,000 lines, over a minute of
    terminal output that hid the first (and usually only) mistake repeated."""
    lines = [str(issue) for issue in issues[:SHOWN_ISSUES]]
    rest = issues[SHOWN_ISSUES:]
    if rest:
        lines.append(more_problems(len(rest), dict.fromkeys(issue.path for issue in rest)))
    return lines


def more_problems(count: int, files: Iterable[str]) -> str:
    """The line that counts the problems left unlisted past :data:`SHOWN_ISSUES` (by
    :func:`issue_lines`, and by any other list of problems: a damaged ledger's)."""
    return f"... and {count:,} more problem{'s' if count > 1 else ''} in {', '.join(files)}"


class ConfigError(HarnessError):
    """One or more problems in suite, target, dataset or register files."""

    def __init__(self, issues: list[ConfigIssue] | ConfigIssue) -> None:
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("\n".join(issue_lines(self.issues)))

    def lines(self) -> list[str]:
        """One line per issue, bounded (:func:`issue_lines`), and any added with
        :meth:`add_line`."""
        return issue_lines(self.issues) + [str(arg) for arg in self.args[1:]] or [""]

    @classmethod
    def single(
        cls,
        path: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> Self:
        return cls(ConfigIssue(path=path, line=line, field=field, message=message, hint=hint))


class UsageError(HarnessError):
    """The command line itself is wrong (unknown run id, conflicting options ...)."""


class MissingDependencyError(HarnessError):
    """A heavy dependency or model file is not available; the message says how to get it."""


class RunFailedError(HarnessError):
    """The run as a whole failed (for example the error rate exceeded ``max_error_rate``)."""

    exit_code = ExitCode.RUN_FAILED


class SuiteFaultError(RunFailedError):
    """The run failed on something only a change to the suite fixes (a scorer's pattern that
    never finishes on an answer): ``--resume`` refuses a changed suite, so the way on is a new
    run, and the runner says so instead of offering the resume."""


def yaml_problem(exc: Exception, text: str) -> tuple[str, int | None]:
    """A PyYAML error as one line of text and the line it is on (None where unknown).

    The one reading of PyYAML's errors for every YAML file the harness reads (suites, targets,
    registers, ``assurance.yaml``). A character YAML refuses (a NUL, ESC, U+FFFE) raises a
    ``ReaderError`` that carries no line, only a position in the text, and whose text adds
    a second line ``in "<unicode string>", position N``: the position is made a line here."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return " ".join(str(getattr(exc, "problem", None) or exc).split()), mark.line + 1
    position, character = getattr(exc, "position", None), getattr(exc, "character", None)
    if isinstance(position, int) and isinstance(character, int):  # yaml.reader.ReaderError
        reason = getattr(exc, "reason", "not allowed")
        line = text.count("\n", 0, position) + 1
        return f"unacceptable character #x{character:04x} ({reason})", line
    return " ".join(str(exc).split()), None


_SHOWN_NAME = 120
"""The most of a file name an error line shows."""

_NO_TEMPORARY_FOLDER = "No usable temporary directory"
"""How ``tempfile.gettempdir`` begins its error where none of its folders can be written."""


def storage_fault(exc: OSError) -> HarnessError:
    """An OSError no command handled itself (an output file in a folder's place, a full or
    read-only disk) as one line naming the file, exit 3: the environment failed the command,
    which is not a bug of ours to report with a traceback. A name too long for the file system
    (a 5,000-character run id) is the command line's fault instead: exit 2, the name cut short
    (it filled the line). Where no folder for temporary files could be written at all
    (``tempfile``'s "No usable temporary directory", naming the folders it tried), the way on is
    TMPDIR."""
    where = exc.filename2 or exc.filename
    reason = exc.strerror or str(exc)
    if where is None and reason.startswith(_NO_TEMPORARY_FOLDER):
        return RunFailedError(f"{reason}; set TMPDIR to a folder that can be written")
    if where is None:
        return RunFailedError(f"cannot read or write a file: {reason}")
    shown = str(where)
    if len(shown) > _SHOWN_NAME:
        shown = f"{shown[:_SHOWN_NAME]}... ({len(shown):,} characters)"
    if exc.errno == errno.ENAMETOOLONG:
        return UsageError(f"{shown}: {reason}; give a shorter path or run id")
    return RunFailedError(f"{shown}: {reason}")


WORKING_FOLDER_GONE = (
    "the current folder no longer exists (it was deleted, or replaced by a new folder of the "
    "same name, after the shell went into it); cd into a folder that exists "
    '(cd "$PWD" where it was made again)'
)
"""What a command says where Python cannot name its working folder (``os.getcwd`` fails), and
so cannot read ``assurance.yaml`` or any relative path there."""


def working_folder_gone() -> bool:
    """Whether the working folder was deleted under this process."""
    import os

    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False
