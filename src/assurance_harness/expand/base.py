"""The expander contract: turn a suite's base cases into the cases actually sent.

Expanders run in the order the suite lists them (``expand: [{use: counterfactual, ...},
{use: perturb, ...}]``). They must be deterministic for a given seed: the same suite and seed
give the same cases with the same ids, which resume and baseline comparison rely on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from .. import fielddocs
from ..datatypes import Case
from ..errors import ConfigError, ConfigIssue
from ..registry import Registry

MAX_EXPANDED_CASES = 1_000_000
"""The most cases an expander may make for one suite. Expanded cases are held in memory (about
1.7 kB each, 2.5 GB at ``validate`` for a million), and an expander multiplies: 20,000 cases
with twelve operators of 50 variants are 12 million, 20,000 templates over 50,000 groups a
billion. The loader checks each expander's ``count`` against it before the cases are made."""


class CaseError(ConfigError):
    """A problem in an input case itself (a data row an expander cannot read rightly): the
    loader puts it at the file and line where case ``case_id`` was written (a dataset's row, a
    suite's ``cases:`` entry), where the fix is made, rather than at the ``expand:`` entry.
    Raised outside a suite's loading it reads as the ``ConfigError`` it is, at ``path``."""

    def __init__(self, case_id: str, path: str, message: str, *, hint: str | None = None) -> None:
        self.case_id = case_id
        super().__init__(ConfigIssue(path=path, line=None, field=None, message=message, hint=hint))


class ExpanderParams(BaseModel):
    model_config = fielddocs.model_config(extra="forbid")


class Expander(ABC):
    name: ClassVar[str]
    version: ClassVar[str] = "1"
    Params: ClassVar[type[ExpanderParams]] = ExpanderParams

    def __init__(self, params: ExpanderParams, *, seed: int, base_dir: Path) -> None:
        self.params = params
        self.seed = seed
        self.base_dir = base_dir
        """Directory of the suite file: relative paths in params resolve against it."""

    @classmethod
    def parse_params(cls, raw: dict[str, Any] | None) -> ExpanderParams:
        return cls.Params.model_validate(raw or {})

    @abstractmethod
    def expand(self, cases: list[Case]) -> list[Case]:
        """Return the expanded cases. Derived cases keep a pointer to their source in
        ``metadata`` (e.g. ``source_id``) so metrics can pair them."""

    def count(self, cases: Sequence[Case]) -> int | None:
        """How many cases ``expand(cases)`` returns, worked out without making them, so that a
        suite past ``MAX_EXPANDED_CASES`` is refused before they take the memory. ``None``: not
        known (a plugin that does not say); the loader then counts the cases once made."""
        return None


expanders: Registry[type[Expander]] = Registry("expander")


def register_expander(cls: type[Expander]) -> type[Expander]:
    expanders.register(cls.name)(cls)
    return cls
