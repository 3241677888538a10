"""Seeded surface perturbations of each prompt (typos, case, leetspeak, homoglyphs ...).

Every base case yields its unperturbed original (``perturbation: none``, ``original: true``,
same id) followed by ``variants`` perturbed copies per operator with ids
``<case_id>~<operator>#<k>``. Each copy records ``source_id``, ``perturbation`` (the operator
name), ``perturbation_family``, ``perturbation_params`` (rate, variant, seed) and
``perturbation_changed`` (false when the copy is a text already sent for the case: the
operator had nothing to change, e.g. ``lowercase`` on lower-case text, or it drew an earlier
variant's text again), so metrics can pair a response with the response to its original.

A copy is an observation only if its text is new. An operator that ignores its seed
(``uppercase``, ``lowercase``) makes one variant whatever ``variants`` says (asked for several
by name, it is refused), and a seeded one that draws an earlier variant's text again (a
``synonym`` with one word in its table) draws again, up to ``REDRAWS`` times, recording the
draw in ``perturbation_params.redraw``; a text that is still a repeat is flagged unchanged, so
the copies of one prompt are never counted as independent answers.

Variants an earlier robustness expander produced pass through unchanged, and its originals are
expanded without being copied again, so ``perturb`` and ``attack`` can be listed one after the
other and share the originals.
"""

from __future__ import annotations

import difflib
import random
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ..datatypes import Case, Number, WholeNumber
from ..errors import ConfigError
from ._common import (
    count_with_originals,
    derive,
    expand_with_originals,
    refuse_nothing_expanded,
    rewrite_user_text,
    stable_rng,
)
from .base import Expander, ExpanderParams, register_expander
from .operators import OPERATORS, Operator

REDRAWS = 8
"""Further seeded draws a variant gets when it repeats an earlier variant's text."""


def _known_operator(value: str) -> str:
    """An operator name, checked where it is written (by name or as ``op:``), so a typo is
    reported at its own list position with the close name."""
    if value not in OPERATORS:
        close = difflib.get_close_matches(value, list(OPERATORS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"valid: {', '.join(sorted(OPERATORS))}"
        raise ValueError(f"unknown perturbation operator {value!r}; {hint}")
    return value


OperatorName = Annotated[str, AfterValidator(_known_operator)]


class OperatorUse(BaseModel):
    """One operator with its own settings."""

    model_config = ConfigDict(extra="forbid")

    op: OperatorName
    """Operator name (see ``assurance_harness.expand.operators.OPERATORS``)."""
    rate: Number | None = Field(default=None, gt=0, le=1)
    """Share of eligible words or letters to change (default: the operator's own)."""
    variants: WholeNumber | None = Field(default=None, ge=1, le=50)
    """Perturbed copies per case for this operator (default: the expander's ``variants``; one
    for ``uppercase`` and ``lowercase``, which give the same text every time)."""

    @field_validator("variants")
    @classmethod
    def _one_text_one_variant(cls, value: int | None, info: Any) -> int | None:
        op = info.data.get("op")
        if value is not None and value > 1 and op in OPERATORS and not OPERATORS[op].seeded:
            raise ValueError(
                f"operator {op!r} gives the same text every time: its {value} variants would "
                f"be one prompt sent {value} times and counted as {value} answers; "
                "leave variants out for it (it makes one)"
            )
        return value

    def variant_count(self, default: int) -> int:
        """How many copies this operator makes of each case."""
        return (self.variants or default) if OPERATORS[self.op].seeded else 1


class PerturbParams(ExpanderParams):
    operators: list[OperatorName | OperatorUse] = Field(min_length=1)
    """Operators to apply, by name or as ``{op, rate, variants}``: typo, char_swap, char_drop,
    uppercase, lowercase, random_case, whitespace, punctuation, leetspeak, homoglyph,
    invisible, synonym."""
    variants: WholeNumber = Field(default=1, ge=1, le=50)
    """Perturbed copies per case and operator (each with its own seed; one for ``uppercase``
    and ``lowercase``, which give the same text every time)."""
    keep_original: bool = True
    """Keep each unperturbed case (``perturbation: none``) so every variant has a pair."""

    @field_validator("operators")
    @classmethod
    def _normalise(cls, value: list[str | OperatorUse]) -> list[str | OperatorUse]:
        out: list[str | OperatorUse] = []
        seen: set[str] = set()
        for item in value:
            use = OperatorUse(op=item) if isinstance(item, str) else item
            if use.op in seen:
                raise ValueError(f"operator {use.op!r} is listed twice")
            seen.add(use.op)
            out.append(use)
        return out


@register_expander
class PerturbExpander(Expander):
    """Seeded, recorded surface perturbations of each case's user text."""

    name = "perturb"
    version = "1"
    Params = PerturbParams

    def expand(self, cases: list[Case]) -> list[Case]:
        params: PerturbParams = self.params  # type: ignore[assignment]

        changed: Counter[str] = Counter()
        expanded = 0

        def variants(case: Case) -> list[Case]:
            nonlocal expanded
            expanded += 1
            produced: list[Case] = []
            for use in params.operators:
                assert isinstance(use, OperatorUse)
                made = self._variants(case, use, params.variants)
                changed[use.op] += sum(bool(v.metadata["perturbation_changed"]) for v in made)
                produced.extend(made)
            return produced

        out = expand_with_originals(
            cases, variants, keep_original=params.keep_original, base_dir=self.base_dir
        )
        refuse_nothing_expanded(self.name, cases, expanded, self.base_dir)
        self._each_changes_something(params, changed, expanded)
        return out

    def _each_changes_something(
        self, params: PerturbParams, changed: Counter[str], expanded: int
    ) -> None:
        """Refuse an operator that left every prompt as it was (``lowercase`` on lower-case
        text, ``synonym`` on words outside its table): its variants are the originals sent
        again, so a by-operator metric has no data for it (unchanged variants are skipped by
        default) or, told to keep them, counts a flip rate of zero that tested nothing."""
        if not expanded:
            return
        for use in params.operators:
            assert isinstance(use, OperatorUse)
            if not changed[use.op]:
                what = (
                    "did not change the one prompt"
                    if expanded == 1
                    else f"changed none of the {expanded} prompts"
                )
                raise ConfigError.single(
                    str(self.base_dir),
                    f"perturbation operator '{use.op}' {what} "
                    "(each variant is its original sent again), so it would measure nothing",
                    field="expand.with.operators",
                    hint="remove it, raise its rate, or add prompts it applies to",
                )

    def count(self, cases: Sequence[Case]) -> int:
        params: PerturbParams = self.params  # type: ignore[assignment]
        per_case = 0
        for use in params.operators:
            assert isinstance(use, OperatorUse)
            per_case += use.variant_count(params.variants)
        return count_with_originals(cases, per_case, keep_original=params.keep_original)

    def _variants(self, case: Case, use: OperatorUse, default_variants: int) -> list[Case]:
        info = OPERATORS[use.op]
        rate = use.rate if use.rate is not None else info.default_rate
        before = case.text()
        sent = {before}
        produced: list[Case] = []
        for k in range(use.variant_count(default_variants)):
            for redraw in range(REDRAWS + 1 if info.seeded else 1):
                parts = (self.seed, case.id, use.op, k) + ((redraw,) if redraw else ())
                rewrite = partial(_apply, info.func, rng=stable_rng(*parts), rate=rate)
                prompt, messages = rewrite_user_text(case, rewrite, base_dir=self.base_dir)
                after = prompt if prompt is not None else _last_user(messages)
                if after not in sent or after == before:
                    break
            drawn: dict[str, Any] = {"rate": rate, "variant": k, "seed": self.seed}
            if redraw:
                drawn["redraw"] = redraw
            meta: dict[str, Any] = {
                "source_id": case.id,
                "perturbation": use.op,
                "perturbation_family": info.family,
                "perturbation_params": drawn,
                "perturbation_changed": after not in sent,
                "original": False,
            }
            sent.add(after)
            produced.append(
                derive(
                    case,
                    new_id=f"{case.id}~{use.op}#{k}",
                    prompt=prompt,
                    messages=messages,
                    meta=meta,
                )
            )
        return produced


def _apply(func: Operator, text: str, *, rng: random.Random, rate: float) -> str:
    return func(text, rng, rate)


def _last_user(messages: Any) -> str:
    for message in reversed(messages or []):
        if message.role == "user":
            return str(message.content)
    return ""
