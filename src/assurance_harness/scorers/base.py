"""The scorer contract: every scorer scores a batch of responses and says what produced the score.

A scorer declares its parameters as a pydantic model (validated when the suite is loaded, so a
typo in ``with:`` is a file:line error before anything is sent), the fields it writes, the Python
packages it needs, and whether it scores responses one by one (``scope = "response"``) or needs
the whole run at once (``scope = "run"``, e.g. consistency between an original and its
perturbations). Heavy models load in :meth:`Scorer.setup`, once per run.
"""

from __future__ import annotations

import importlib.util
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal, get_args

from pydantic import BaseModel

from .. import fielddocs
from ..datatypes import ScoreInput, SuiteContext
from ..errors import MissingDependencyError
from ..registry import Registry

FieldType = Literal["bool", "number", "label", "text", "mapping", "list"]
"""The type of a scorer output field, as metric expressions see it. ``bool``: a condition (null
when it does not apply); ``number``: a score or count; ``label``: one of a few words; ``text``:
free text; ``mapping``: name -> value; ``list``: several values. Any field may be null."""

FIELD_TYPES: tuple[str, ...] = get_args(FieldType)


class ScorerParams(BaseModel):
    """Base for scorer parameters; unknown keys are errors."""

    model_config = fielddocs.model_config(extra="forbid")


class Scorer(ABC):
    """Base class. Subclasses set the class attributes and implement :meth:`score`."""

    name: ClassVar[str]
    """Registry name, used as ``use:`` in suites."""
    version: ClassVar[str] = "1"
    """Bump when scores change for the same input, so evidence says which scorer produced it."""
    Params: ClassVar[type[ScorerParams]] = ScorerParams
    fields: ClassVar[dict[str, str]] = {}
    """Output field -> one-line description."""
    field_types: ClassVar[dict[str, FieldType]] = {}
    """Output field -> type, so ``validate`` type-checks metric expressions (an unknown field,
    a probability used as a condition) before anything is sent. Every key of ``fields``."""
    field_labels: ClassVar[dict[str, tuple[str, ...]]] = {}
    """``label`` fields with a fixed set of values: ``ref.label == 'refused'`` fails at validate."""
    requires: ClassVar[dict[str, str]] = {}
    """Importable module -> pip requirement that provides it (checked before setup)."""
    prerequisites: ClassVar[list[str]] = []
    """Other scorers (by registry name) whose outputs this one reads, if configured."""
    scope: ClassVar[Literal["response", "run"]] = "response"
    default_batch_size: ClassVar[int] = 64

    def __init__(self, params: ScorerParams, context: SuiteContext) -> None:
        self.params = params
        self.context = context

    @classmethod
    def parse_params(cls, raw: dict[str, Any] | None) -> ScorerParams:
        return cls.Params.model_validate(raw or {})

    @classmethod
    def output_fields(cls, params: ScorerParams) -> dict[str, FieldType] | None:
        """The fields these parameters make the scorer write, with their types; None when the
        scorer declares none (a third-party scorer written before declarations: unchecked)."""
        return dict(cls.field_types) if cls.field_types else None

    @classmethod
    def open_field_type(cls, params: ScorerParams) -> FieldType | None:
        """The type of fields not listed by :meth:`output_fields` when the set depends on
        something only known at run time (a model's labels); None: the list is complete."""
        return None

    @classmethod
    def scorer_references(cls, params: ScorerParams) -> list[str]:
        """Ids of other scorers in the suite whose outputs these parameters read; the loader
        checks each is configured earlier in the list, so a typo fails at file:line before any
        request is sent rather than after the whole run."""
        return []

    @classmethod
    def check_requirements(cls) -> None:
        """Raise a one-line install hint when a required module is missing."""
        for module, requirement in cls.requires.items():
            if importlib.util.find_spec(module) is None:
                raise MissingDependencyError(
                    f"scorer '{cls.name}' needs the Python package '{requirement}'; "
                    f"install it with: pip install '{requirement}'"
                )

    def setup(self) -> None:  # noqa: B027 - optional hook
        """Load models and resources. Called once per run, before the first batch."""

    @abstractmethod
    def score(self, batch: list[ScoreInput]) -> list[dict[str, Any]]:
        """Score a batch; return one dict of fields per input, in the same order.

        An empty batch returns an empty list. A score must depend only on its input (the same
        input gives the same output), so that resumed and repeated runs agree.
        """

    def describe(self) -> dict[str, Any]:
        """Name, version and parameters, recorded on every scored case."""
        return {
            "name": self.name,
            "version": self.version,
            "params": self.params.model_dump(mode="json"),
        }


scorers: Registry[type[Scorer]] = Registry("scorer")


def register_scorer(cls: type[Scorer]) -> type[Scorer]:
    """Class decorator: add a scorer to the registry under ``cls.name``."""
    scorers.register(cls.name)(cls)
    return cls
