"""The scorer contract: every scorer scores a batch of responses and says what produced the score.

A scorer declares its parameters as a pydantic model (validated when the suite is loaded, so a
typo in ``with:`` is a file:line error before anything is sent), the fields it writes, the Python
packages it needs, and whether it scores responses one by one (``scope = "response"``) or needs
the whole run at once (``scope = "run"``, e.g. consistency between an original and its
perturbations). Heavy models load in :meth:`Scorer.setup`, once per run.
"""

from __future__ import annotations

import difflib
import importlib.util
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
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


@dataclass(frozen=True)
class Members:
    """The members of a ``mapping`` field that a scorer writes on every row it scores, and the
    type of their values: ``pii.by_type`` holds each entity type it looks for (0 where none was
    found). Declared, ``validate`` refuses a member it never writes (``pii.by_type.EMAIL``),
    and a metric on a member counts every row: a member left out where it does not apply would
    read null there, and the row would drop out of the figure (a rate of 1.0 over the two rows
    that had the key, where the truth was 2 of 4)."""

    kind: FieldType
    names: tuple[str, ...]


class ScorerParams(BaseModel):
    """Base for scorer parameters; unknown keys are errors."""

    model_config = fielddocs.model_config(extra="forbid")


def require_known(given: Iterable[str], known: Sequence[str], what: str) -> None:
    """Raise ValueError (in a parameter validator: a located issue at ``validate``) for the
    first of ``given`` that is not in ``known``. A scorer parameter naming a label or field the
    scorer never writes (``flag_labels: [toxic]`` where the field is ``toxicity``) is otherwise
    silently ignored: ``flagged`` stays false for every response and a gate on it passes."""
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            guess = f"did you mean '{close[0]}'? " if close else ""
            raise ValueError(f"'{name}' is not {what}; {guess}its names: {', '.join(known)}")


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
    field_members: ClassVar[dict[str, Members]] = {}
    """``mapping`` fields with a fixed set of members, each written on every scored row (its
    empty value, 0 or false, where nothing was found): :meth:`output_members`."""
    requires: ClassVar[dict[str, str]] = {}
    """Importable module -> pip requirement that provides it (checked before setup)."""
    finds_personal_data: ClassVar[bool] = False
    """The scorer looks for personal data in the response itself (``pii``, ``canary-leak``):
    a target that redacts responses before they are scored (``Target.redacts_responses``: a
    replay redacting on ingest) leaves it placeholders to read, so such a run is refused."""
    prerequisites: ClassVar[list[str]] = []
    """Other scorers (by registry name) whose outputs this one reads, if configured."""
    scope: ClassVar[Literal["response", "run"]] = "response"
    default_batch_size: ClassVar[int] = 64
    counters: ClassVar[tuple[tuple[str, ...], ...]] = ()
    """Paths in :meth:`describe` to counts of this instance's own work (a judge's cache hits):
    the run records the description once its rows are scored, and where several instances
    scored them (the Ray executor's actors), the sum of theirs."""

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
    def output_members(cls, params: ScorerParams) -> dict[str, Members]:
        """The members each ``mapping`` field holds on every row with these parameters
        (``field_members`` unless they depend on the parameters, as ``pii``'s entity types do);
        a mapping field not listed has members only the run knows (unchecked)."""
        return dict(cls.field_members)

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
    def pairs_cases_by(cls, params: ScorerParams) -> tuple[str, str] | None:
        """(metadata key by which a case names the case it is compared with, metadata key
        marking the cases that may be named), for a scorer that compares one case's answer with
        another case's (``consistency``'s variant and its original); None for any other.
        ``validate`` refuses a case naming no such case (``spec.pairedcases``): every run would
        compare it with nothing."""
        return None

    @classmethod  # noqa: B027 - optional hook
    def check_files(cls, params: ScorerParams, base_dir: Path) -> None:
        """Raise ValueError, or a ConfigError naming the file, where a file these parameters
        name (a model folder, a checkpoint, a judge's target) cannot be used. The loader asks
        before anything is sent (``validate`` and ``run``): found at ``setup`` instead, the run
        had sent every request first. ``base_dir``: the suite's folder. Nothing heavy here (no
        model loads), as for :meth:`output_fields`."""

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

    def reads_embeddings(self) -> bool:
        """Whether these parameters score through the packaged sentence-embedding model
        (``nlp.embeddings``): :meth:`describe` then records which release it read."""
        return False

    def describe(self) -> dict[str, Any]:
        """Name, version and parameters, recorded in the run's summary once its rows are
        scored (so its ``counters`` count the run's work); the embedding model's release
        where the scorer reads it, since another release scores otherwise."""
        info: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "params": self.params.model_dump(mode="json"),
        }
        if self.reads_embeddings():
            from ..nlp.embeddings import identity

            info["embedder"] = identity()
        return info


_ACCEPTED: dict[str, tuple[type, ...]] = {
    "bool": (bool,),
    "number": (int, float),  # a bool is an int: a flag in a number field counts as 0 or 1
    "label": (str,),
    "text": (str,),
    "mapping": (dict,),
    "list": (list, tuple),
}
"""The Python values a field of each :data:`FieldType` may hold (numpy's already made Python's,
``datatypes.plain_value``); any field may also be None."""


class OutputCheck:
    """What a scorer's outputs must be, from what it declares: each a mapping of fields, each
    declared field (with an open field type, every other field too) null or of its type.

    A figure reads an output as it is: a plugin's text ``"false"`` in a ``bool`` field counts as
    true in a rate, a number written as text is skipped as no figure, so every row would be
    measured wrong without a word. A scorer that declares no types is not checked."""

    def __init__(self, scorer: Scorer) -> None:
        cls = type(scorer)
        declared = cls.output_fields(scorer.params) or {}
        self._fields = [(name, kind, _ACCEPTED[kind]) for name, kind in declared.items()]
        self._declared = frozenset(declared)
        self._members = [
            (name, members.kind, _ACCEPTED[members.kind], members.names)
            for name, members in cls.output_members(scorer.params).items()
        ]
        open_kind = cls.open_field_type(scorer.params)
        self._open = None if open_kind is None else (open_kind, _ACCEPTED[open_kind])

    def problem(self, output: Any) -> str | None:
        """Why ``output`` (one response's) breaks the declaration, in words; None if it keeps it."""
        if not isinstance(output, dict):
            return (
                f"returned {_shown(output)} for a response, not a mapping of its fields; "
                "score() returns one dict per response"
            )
        for name, kind, accepted in self._fields:
            value = output.get(name)
            if value is not None and not isinstance(value, accepted):
                return _wrong_type(name, kind, value)
        for name, kind, accepted, members in self._members:
            value = output.get(name)
            if not isinstance(value, dict):
                continue  # null (or not a mapping: reported above)
            for member in members:
                if member not in value:
                    return (
                        f"returned {name!r} without {member!r}, a member it declares "
                        f"(field_members); a metric on it would drop this row: write every "
                        f"declared member, its empty value (0, false) where nothing was found"
                    )
                found = value[member]
                if found is not None and not isinstance(found, accepted):
                    return _wrong_type(f"{name}.{member}", kind, found, "field_members")
        if self._open is not None:
            kind, accepted = self._open
            for name, value in output.items():
                if name in self._declared or value is None or isinstance(value, accepted):
                    continue
                return _wrong_type(name, kind, value)
        return None


def _wrong_type(name: str, kind: str, value: object, declared_in: str = "field_types") -> str:
    return (
        f"returned {name!r}: {_shown(value)} where it declares a {kind} ({declared_in}); a figure "
        f"would read it as it is: return a {kind} or None"
    )


def _shown(value: object) -> str:
    text = repr(value)
    return f"{text if len(text) <= 40 else text[:37] + '...'} (a {type(value).__name__})"


scorers: Registry[type[Scorer]] = Registry("scorer")


def register_scorer(cls: type[Scorer]) -> type[Scorer]:
    """Class decorator: add a scorer to the registry under ``cls.name``."""
    scorers.register(cls.name)(cls)
    return cls
