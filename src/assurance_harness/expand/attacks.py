"""Instruction-level attacks: wrap each prompt in jailbreak and prompt-injection templates.

The wrappers live in a versioned YAML library (bundled as package data,
``assurance_harness/data/robustness/attack_wrappers.yaml``; a suite may name its own) with the
source of every technique, so evidence names exactly which attack text was sent.
A wrapper's template holds ``{payload}`` (the case's text, after the wrapper's ``transform``:
``base64``, ``rot13``, ``reverse``) or, for payload splitting, ``{part1}`` ... ``{partN}``.

Each base case yields its original (``perturbation: none``) and one case per wrapper, id
``<case_id>~<wrapper_id>#0``, with ``source_id``, ``perturbation`` (the wrapper id),
``perturbation_family: attack``, ``attack_category`` and ``perturbation_params`` (library name,
version, transform). Metrics pair each attacked response with its original.
``perturbation_changed`` is false where the wrapper's transform left the request as written
(rot13 of text with no Latin letters, the reverse of a palindrome): that variant is no
encoding attack, so the metrics leave it out, as they leave out a perturbation that changed
nothing; a wrapper whose transform changes none of the prompts is refused.
"""

from __future__ import annotations

import base64
import codecs
import re
from collections.abc import Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..datatypes import Case, WholeNumber
from ..errors import ConfigError
from ._common import (
    count_with_originals,
    derive,
    expand_with_originals,
    load_yaml_model,
    refuse_nothing_expanded,
    resolve_path,
    rewrite_user_text,
)
from .base import Expander, ExpanderParams, register_expander

DEFAULT_LIBRARY = "robustness/attack_wrappers.yaml"
"""The bundled library, relative to ``assurance_harness/data``."""

_SLOT = re.compile(r"\{(payload|part\d+)\}")


class Wrapper(BaseModel):
    """One attack template."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Stable id (used in case ids and per-attack metrics)."""
    category: str
    """Technique family: role-play, instruction-override, refusal-suppression, prefix-injection,
    payload-splitting, encoding, framing, prompt-injection, authority-claim."""
    description: str
    """What the attack tries, in one sentence."""
    source: str
    """Where the technique is documented (paper, report); the wording here is our own."""
    transform: Literal["none", "base64", "rot13", "reverse", "split"] = "none"
    """How the payload is encoded before it is put into the template."""
    parts: WholeNumber = Field(default=2, ge=2, le=6)
    """For ``transform: split``: how many pieces the payload is cut into."""
    template: str
    """The attack text with ``{payload}`` or ``{part1}``..``{partN}``."""

    @model_validator(mode="after")
    def _slots(self) -> Wrapper:
        slots = set(_SLOT.findall(self.template))
        if self.transform == "split":
            wanted = {f"part{i}" for i in range(1, self.parts + 1)}
            if not wanted <= slots:
                raise ValueError(f"a split wrapper needs {sorted(wanted)} in its template")
        elif "payload" not in slots:
            raise ValueError("the template needs a {payload} slot")
        else:
            wanted = {"payload"}
        unfilled = sorted(slots - wanted)
        if unfilled:  # it would be sent to the model as written
            raise ValueError(
                f"the template has {{{unfilled[0]}}}, which this wrapper never fills "
                f"(it fills {', '.join('{' + s + '}' for s in sorted(wanted))})"
            )
        return self


class AttackLibrary(BaseModel):
    """A versioned set of attack wrappers."""

    model_config = ConfigDict(extra="forbid")

    library: str
    version: str
    description: str | None = None
    licence: str | None = None
    provenance: str | None = None
    wrappers: list[Wrapper] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AttackLibrary:
        ids = [w.id for w in self.wrappers]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate wrapper id {duplicates[0]!r}")
        return self


def split_payload(text: str, parts: int) -> list[str]:
    """Cut ``text`` into ``parts`` contiguous pieces at spaces, as even as the words allow.

    Joining the pieces gives back the text exactly, which is what the attack asks the model
    to do.
    """
    cuts = [m.start() for m in re.finditer(r" ", text)]
    if len(cuts) >= parts - 1:
        # (i * L) // parts is strictly increasing in i when L >= parts - 1: distinct cuts.
        inner = [cuts[(i * len(cuts)) // parts] for i in range(1, parts)]
    else:
        size = max(1, -(-len(text) // parts))
        inner = [min(len(text), i * size) for i in range(1, parts)]
    bounds = [0, *inner, len(text)]
    pieces = [text[bounds[i] : bounds[i + 1]] for i in range(parts)]
    return pieces


def apply_wrapper(wrapper: Wrapper, payload: str) -> str:
    """The attack text for one payload."""
    if wrapper.transform == "split":
        pieces = split_payload(payload, wrapper.parts)
        values = {f"part{i + 1}": piece for i, piece in enumerate(pieces)}
    else:
        if wrapper.transform == "base64":
            encoded = base64.b64encode(payload.encode("utf-8")).decode("ascii")
        elif wrapper.transform == "rot13":
            encoded = codecs.encode(payload, "rot13")
        elif wrapper.transform == "reverse":
            encoded = payload[::-1]
        else:
            encoded = payload
        values = {"payload": encoded}
    return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), wrapper.template)


def encodes(wrapper: Wrapper, payload: str) -> bool:
    """Whether the wrapper's transform changes ``payload``: rot13 of text with no Latin
    letters, or the reverse of a palindrome, is the request as written, so the variant is no
    encoding attack (the wrapper's words around it aside)."""
    if wrapper.transform == "rot13":
        return codecs.encode(payload, "rot13") != payload
    if wrapper.transform == "reverse":
        return payload[::-1] != payload
    return True


def load_library(path: Path) -> AttackLibrary:
    """Read and validate an attack library; errors name the file and the field."""
    return load_yaml_model(path, AttackLibrary, what="attack library")


class AttackParams(ExpanderParams):
    library: str | None = None
    """Attack library YAML, relative to the suite file (default: the library bundled with the
    package, 16 wrappers in 9 technique families)."""
    wrappers: list[str] | None = None
    """Use only these wrapper ids (default: all)."""
    categories: list[str] | None = None
    """Use only wrappers of these categories (default: all)."""
    keep_original: bool = True
    """Keep each unwrapped case (``perturbation: none``) so every attack has a pair."""


@register_expander
class AttackExpander(Expander):
    """Wrap each case in every selected jailbreak / prompt-injection template."""

    name = "attack"
    version = "1"
    Params = AttackParams

    @cached_property
    def _selected(self) -> tuple[AttackLibrary, list[Wrapper]]:
        """The library and the wrappers chosen from it, read once for ``count`` and ``expand``."""
        params: AttackParams = self.params  # type: ignore[assignment]
        if params.library is None:
            from ..data import bundled

            path = bundled(DEFAULT_LIBRARY)
        else:
            path = resolve_path(self.base_dir, params.library, what="attack library")
        library = load_library(path)
        chosen = library.wrappers
        if params.wrappers is not None:
            known = {w.id for w in chosen}
            unknown = [w for w in params.wrappers if w not in known]
            if unknown:
                raise ConfigError.single(
                    str(path),
                    f"unknown wrapper id {unknown[0]!r}",
                    field="expand.with.wrappers",
                    hint=f"ids in this library: {', '.join(sorted(known))}",
                )
            chosen = [w for w in chosen if w.id in params.wrappers]
        if params.categories is not None:
            known = {w.category for w in library.wrappers}
            unknown = [c for c in params.categories if c not in known]
            if unknown:  # left alone, a misspelt category only dropped its wrappers
                raise ConfigError.single(
                    str(path),
                    f"unknown attack category {unknown[0]!r}",
                    field="expand.with.categories",
                    hint=f"categories in this library: {', '.join(sorted(known))}",
                )
            chosen = [w for w in chosen if w.category in params.categories]
        if not chosen:
            raise ConfigError.single(
                str(path), "no attack wrapper matches the selection", field="expand.with"
            )
        return library, chosen

    def expand(self, cases: list[Case]) -> list[Case]:
        params: AttackParams = self.params  # type: ignore[assignment]
        library, chosen = self._selected
        encoded: dict[str, int] = dict.fromkeys((w.id for w in chosen), 0)
        expanded = 0

        def wrapped(case: Case) -> list[Case]:
            nonlocal expanded
            expanded += 1
            sent = case.prompt is not None or any(m.role == "user" for m in case.messages or [])
            if sent and not case.text().strip():  # every wrapper would wrap no request
                raise ConfigError.single(
                    str(self.base_dir),
                    f"case '{case.id}' has a blank prompt, so its attacks would wrap no "
                    "request and test nothing",
                    field="expand.with",
                    hint="give the case the request to attack, or leave it out of this suite",
                )
            produced: list[Case] = []
            for wrapper in chosen:
                changed = encodes(wrapper, case.text())
                encoded[wrapper.id] += changed
                prompt, messages = rewrite_user_text(
                    case, partial(apply_wrapper, wrapper), base_dir=self.base_dir
                )
                meta: dict[str, Any] = {
                    "source_id": case.id,
                    "perturbation": wrapper.id,
                    "perturbation_family": "attack",
                    "attack_category": wrapper.category,
                    "perturbation_params": {
                        "library": library.library,
                        "library_version": library.version,
                        "transform": wrapper.transform,
                        "seed": self.seed,
                    },
                    "perturbation_changed": changed,
                    "original": False,
                }
                produced.append(
                    derive(
                        case,
                        new_id=f"{case.id}~{wrapper.id}#0",
                        prompt=prompt,
                        messages=messages,
                        meta=meta,
                    )
                )
            return produced

        out = expand_with_originals(
            cases, wrapped, keep_original=params.keep_original, base_dir=self.base_dir
        )
        refuse_nothing_expanded(self.name, cases, expanded, self.base_dir)
        for wrapper in chosen:
            if expanded and not encoded[wrapper.id]:
                what = "the one prompt" if expanded == 1 else f"any of the {expanded} prompts"
                raise ConfigError.single(
                    str(self.base_dir),
                    f"attack wrapper '{wrapper.id}' (transform {wrapper.transform}) does not "
                    f"change {what} (no Latin letters to rot13, or text that reads the same "
                    "reversed), so it would send each request as written under its name",
                    field="expand.with",
                    hint="leave it out (wrappers: or categories:), or add prompts it applies to",
                )
        return out

    def count(self, cases: Sequence[Case]) -> int:
        params: AttackParams = self.params  # type: ignore[assignment]
        _library, chosen = self._selected
        return count_with_originals(cases, len(chosen), keep_original=params.keep_original)
