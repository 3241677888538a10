"""The expander contract: turn a suite's base cases into the cases actually sent.

Expanders run in the order the suite lists them (``expand: [{use: counterfactual, ...},
{use: perturb, ...}]``). They must be deterministic for a given seed: the same suite and seed
give the same cases with the same ids, which resume and baseline comparison rely on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from .. import fielddocs
from ..datatypes import Case
from ..registry import Registry


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


expanders: Registry[type[Expander]] = Registry("expander")


def register_expander(cls: type[Expander]) -> type[Expander]:
    expanders.register(cls.name)(cls)
    return cls
