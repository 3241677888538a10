"""Error types a user can act on. The CLI prints these as one line, never as a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class HarnessError(Exception):
    """Base class for errors the user can fix; ``exit_code`` is the CLI's exit status."""

    exit_code = 2


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


class ConfigError(HarnessError):
    """One or more problems in suite, target, dataset or register files."""

    def __init__(self, issues: list[ConfigIssue] | ConfigIssue) -> None:
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def single(
        cls,
        path: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> ConfigError:
        return cls(ConfigIssue(path=path, line=line, field=field, message=message, hint=hint))


class UsageError(HarnessError):
    """The command line itself is wrong (unknown run id, conflicting options ...)."""


class MissingDependencyError(HarnessError):
    """A heavy dependency or model file is not available; the message says how to get it."""


class RunFailedError(HarnessError):
    """The run as a whole failed (for example the error rate exceeded ``max_error_rate``)."""

    exit_code = 3
