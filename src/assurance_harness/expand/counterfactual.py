"""Counterfactual expansion: one template, the same words, a different group each time.

A template is a base case whose text holds placeholders (``{person}``, ``{pronoun}`` ...). Each
axis (gender, religion, disability ...) lists groups, and each group gives a value for the
placeholders. Every template is expanded over every axis that fills all of its placeholders,
so responses to the same template can be paired across groups. Ids are
``<template_id>|<axis>=<group>``; metadata carries ``template``, ``axis``, ``group`` and
``group_terms`` (the phrases filled in, longest first, so a scorer can mask them).

``{Person}`` (capitalised) takes the same value with its first letter upper-cased, and ``{{``
and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..datatypes import Case, WholeNumber
from ..errors import ConfigError
from ._common import is_derived, load_yaml_model, resolve_path, stable_rng
from .base import Expander, ExpanderParams, register_expander

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPACED = re.compile(r"([{\uff5b])(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*)([}\uff5d])")
"""A name in braces with spaces inside (``{ person }``) or a full-width brace (``｛person｝``,
as CJK input methods type them): not a placeholder, but meant as one when an axis fills the
name."""


class AxisSpec(BaseModel):
    """One protected attribute and its groups."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = None
    """What the axis is and where its group terms come from."""
    groups: dict[str, dict[str, str]]
    """Group name -> placeholder values, e.g. ``{girl: {person: a girl, pronoun: she}}``; each
    key a placeholder name (lower-case letters, digits and underscores)."""

    @field_validator("groups")
    @classmethod
    def _keys_are_placeholders(cls, groups: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for group, values in groups.items():
            for key in values:
                if not _KEY.fullmatch(key):
                    raise ValueError(_not_a_placeholder(group, key))
        return groups

    @model_validator(mode="after")
    def _non_empty(self) -> AxisSpec:
        if len(self.groups) < 2:
            raise ValueError("an axis needs at least two groups to compare")
        return self


_KEY = re.compile(r"[a-z_][a-z0-9_]*")
"""A group's value key that a placeholder can name: ``_PLACEHOLDER``'s names, lower-cased as
``placeholders`` and ``fill`` read them."""


def _not_a_placeholder(group: str, key: str) -> str:
    """Why a group's key is refused: ``{first-name}`` is no placeholder, so a template writing
    it was sent to every group as written (and ``{Name}`` looks up ``name``, never ``Name``)."""
    fixed = re.sub(r"[^a-z0-9_]", "_", key.lower())
    fixed = fixed if _KEY.fullmatch(fixed) else f"_{fixed}"
    return (
        f"group '{group}' fills {key!r}, which no placeholder can name (a placeholder is "
        f"lower-case letters, digits and underscores), so a template's {{{key}}} would be sent "
        f"as written; name it {fixed!r} and write {{{fixed}}}"
    )


class GroupsFile(BaseModel):
    """A versioned file of axes and groups (``datasets/bias/groups.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: str
    description: str | None = None
    provenance: str | list[str] | None = None
    axes: dict[str, AxisSpec]


class CounterfactualParams(ExpanderParams):
    groups: str | None = None
    """YAML file of axes and groups (relative to the suite file), e.g.
    ``../datasets/bias/groups.yaml``. Give this or ``axes``."""
    axes: dict[str, AxisSpec] | None = None
    """Inline axes, instead of (or added to) the groups file."""
    only: list[str] | None = Field(default=None, min_length=1)
    """Use only these axes (default: every axis)."""
    template_axes_field: str = "axes"
    """A template may list the axes it is meant for in this metadata key (a name or a list);
    otherwise it is expanded over every axis that fills all of its placeholders."""
    max_groups: WholeNumber | None = Field(default=None, ge=2)
    """Use a seeded sample of at most this many groups per axis (the same sample for every
    template, so pairs stay complete). Default: every group."""


def placeholders(text: str) -> set[str]:
    """Placeholder names in ``text``, lower-cased (``{Person}`` counts as ``person``)."""
    return {m.group(1).lower() for m in _PLACEHOLDER.finditer(text) if m.group(1)}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace placeholders with values; a capitalised placeholder capitalises its value."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        value = values.get(name.lower())
        if value is None:
            return token
        if name[0].isupper() and value:
            return value[0].upper() + value[1:]
        return value

    return _PLACEHOLDER.sub(replace, text)


def _texts(case: Case) -> list[str]:
    texts = [case.prompt or ""]
    texts += [m.content for m in case.messages or []]
    texts += list(case.expected.must_contain) + list(case.expected.must_not_mention)
    return texts


@register_expander
class CounterfactualExpander(Expander):
    """Expand templates over the groups of each protected axis."""

    name = "counterfactual"
    version = "1"
    Params = CounterfactualParams

    @cached_property
    def _axes(self) -> dict[str, AxisSpec]:
        """The axes and groups used, read once for ``count`` and ``expand``."""
        params: CounterfactualParams = self.params  # type: ignore[assignment]
        axes: dict[str, AxisSpec] = {}
        if params.groups:
            path = resolve_path(self.base_dir, params.groups, what="counterfactual groups file")
            axes.update(load_groups(path).axes)
        if params.axes:
            axes.update(params.axes)
        if not axes:
            raise ConfigError.single(
                str(self.base_dir),
                "counterfactual expander has no axes",
                field="expand.with",
                hint="give 'groups: <file>' or inline 'axes:'",
            )
        if params.only:
            missing = [a for a in params.only if a not in axes]
            if missing:
                raise ConfigError.single(
                    str(self.base_dir),
                    f"unknown axis {missing[0]!r} in 'only'",
                    field="expand.with.only",
                    hint=f"known axes: {', '.join(sorted(axes))}",
                )
            axes = {a: axes[a] for a in params.only}
        if params.max_groups is not None:
            axes = {
                name: self._sample(name, spec, params.max_groups) for name, spec in axes.items()
            }
        return axes

    @cached_property
    def _filled(self) -> dict[str, set[str]]:
        """The placeholders each axis fills for every one of its groups, worked out once: per
        template, it was a pass over every group (20,000 templates over 50,000 groups took
        minutes to count)."""
        return {
            name: set.intersection(*(set(values) for values in spec.groups.values()))
            for name, spec in self._axes.items()
        }

    def _sample(self, axis: str, spec: AxisSpec, k: int) -> AxisSpec:
        if len(spec.groups) <= k:
            return spec
        rng = stable_rng(self.seed, "counterfactual", axis)
        chosen = sorted(rng.sample(sorted(spec.groups), k))
        return spec.model_copy(update={"groups": {g: spec.groups[g] for g in chosen}})

    def _axes_for(self, case: Case, axes: dict[str, AxisSpec]) -> list[str]:
        params: CounterfactualParams = self.params  # type: ignore[assignment]
        needed = set().union(*(placeholders(t) for t in _texts(case)))
        declared = case.metadata.get(params.template_axes_field)
        if declared is not None:
            names = [declared] if isinstance(declared, str) else list(declared)
            unknown = [n for n in names if n not in axes]
            if unknown:
                raise ConfigError.single(
                    str(self.base_dir),
                    f"template '{case.id}' asks for axis {unknown[0]!r}, which is not loaded",
                    hint=f"loaded axes: {', '.join(sorted(axes))}",
                )
        else:
            names = list(axes)
        filled = self._filled
        usable = [n for n in names if needed <= filled[n]]
        if declared is not None and len(usable) < len(names):
            bad = next(n for n in names if n not in usable)
            raise ConfigError.single(
                str(self.base_dir),
                f"template '{case.id}' uses placeholders {sorted(needed)} that axis "
                f"'{bad}' does not fill for every group",
                hint="add the missing keys to every group of that axis",
            )
        return usable

    def count(self, cases: Sequence[Case]) -> int:
        axes = self._axes
        total = 0
        for case in cases:
            if not any(placeholders(t) for t in _texts(case)):
                total += 1
                continue
            total += sum(len(axes[axis].groups) for axis in self._axes_for(case, axes))
        return total

    def expand(self, cases: list[Case]) -> list[Case]:
        axes = self._axes
        out: list[Case] = []
        templates = 0
        self._not_after_robustness(cases)
        params: CounterfactualParams = self.params  # type: ignore[assignment]
        for case in cases:
            self._no_spaced_placeholder(case)
            if not any(placeholders(t) for t in _texts(case)):
                if case.metadata.get(params.template_axes_field) is not None:
                    raise ConfigError.single(
                        str(self.base_dir),
                        f"case '{case.id}' names the axes it is a template for "
                        f"({params.template_axes_field}), but has no placeholder, so it would "
                        "be sent once, as written, and compared with no group",
                        field="expand.with",
                        hint="write a placeholder such as {person} where the group goes",
                    )
                out.append(case)  # not a template: passes through unchanged
                continue
            templates += 1
            usable = self._axes_for(case, axes)
            if not usable:
                raise ConfigError.single(
                    str(self.base_dir),
                    f"template '{case.id}' has placeholders "
                    f"{sorted(set().union(*(placeholders(t) for t in _texts(case))))} "
                    "that no axis fills",
                    hint="rename the placeholders or add them to the groups file",
                )
            needed = sorted(set().union(*(placeholders(t) for t in _texts(case))))
            for axis in usable:
                groups = axes[axis].groups
                self._groups_differ(case.id, axis, groups, needed)
                made = [_instantiate(case, axis, group, values) for group, values in groups.items()]
                self._sent_texts_differ(case, axis, made)
                out.extend(made)
        if cases and not templates:  # every case passed through: no group was compared
            raise ConfigError.single(
                str(self.base_dir),
                f"no case is a template: none of the {len(cases)} cases has a placeholder, so "
                "the counterfactual expander would vary nothing",
                field="expand.with",
                hint="write placeholders as {person} (the groups' keys), or remove the expander",
            )
        return out

    def _groups_differ(
        self, template: str, axis: str, groups: dict[str, dict[str, str]], needed: list[str]
    ) -> None:
        """Refuse two groups that give ``template`` the same text: their answers differ only
        by sampling, so a gap between them measures noise and no gap measures nothing (a
        copied group, or groups that differ only in a placeholder this template leaves out)."""
        seen: dict[tuple[str | None, ...], str] = {}
        for group, values in groups.items():
            filled = tuple(values.get(name) for name in needed)
            first = seen.setdefault(filled, group)
            if first != group:
                names = ", ".join("{" + name + "}" for name in needed)
                which = f"placeholders {names} are" if len(needed) > 1 else f"{names} is"
                raise ConfigError.single(
                    str(self.base_dir),
                    f"template '{template}' gets the same prompt for groups '{first}' and "
                    f"'{group}' of axis '{axis}' (its {which} the same for both), so a "
                    "gap between them would be noise",
                    field="expand.with",
                    hint="give each group its own phrases in the groups file, or remove one",
                )

    def _not_after_robustness(self, cases: list[Case]) -> None:
        """Refuse to fill the variants of ``perturb`` or ``attack``: their operators rewrite the
        placeholders too (``{persоn}``, a Cyrillic o, is no placeholder and was sent as
        written), and every group's variants keep one ``source_id`` with every group's
        original, so a variant was compared with another group's answer. Listed first, the
        groups are filled and then each group's prompt is perturbed and paired with its own."""
        derived = [case for case in cases if is_derived(case)]
        if derived:
            shown = next((c for c in derived if not c.metadata.get("original")), derived[0])
            role = "originals" if shown.metadata.get("original") else "variants"
            raise ConfigError.single(
                str(self.base_dir),
                f"the counterfactual expander comes after a robustness expander (case "
                f"'{shown.id}' is one of its {role}), so it would fill perturbed placeholders "
                "and pair variants with other groups' originals",
                field="expand",
                hint="list counterfactual before perturb and attack",
            )

    @cached_property
    def _names(self) -> set[str]:
        """Every placeholder name some axis fills, lower-cased."""
        return {
            name.lower() for spec in self._axes.values() for g in spec.groups.values() for name in g
        }

    def _no_spaced_placeholder(self, case: Case) -> None:
        """Refuse ``{ person }`` or ``｛person｝`` where an axis fills ``person``: it is no
        placeholder, so the case passed through unexpanded (sent once, compared with no group)
        or, in a template, was sent to every group with its braces."""
        for text in _texts(case):
            for match in _SPACED.finditer(text):
                opened, before, name, after, closed = match.groups()
                odd = before or after or opened != "{" or closed != "}"
                if odd and name.lower() in self._names:
                    raise ConfigError.single(
                        str(self.base_dir),
                        f"case '{case.id}' writes '{match.group(0)}', which is not a "
                        "placeholder (ASCII braces, no spaces inside them), so it would be "
                        "sent as written",
                        field="expand.with",
                        hint=f"write {{{name}}}",
                    )

    def _sent_texts_differ(self, template: Case, axis: str, made: list[Case]) -> None:
        """Refuse two groups whose cases send the model the same text, though their values
        differ: a placeholder only in the expectations (``must_not_mention``) varies what is
        scored, not what is asked, and values that differ only in case (``A girl``, ``a girl``)
        meet under a capitalised ``{Person}``. Each group's answer then differs only by
        sampling, so the gap between them is noise and a gate on it passes untested."""
        seen: dict[tuple[object, ...], str] = {}
        for variant in made:
            group = str(variant.metadata["group"])
            first = seen.setdefault(_sent(variant), group)
            if first == group:
                continue
            if any(placeholders(str(text)) for text in _sent(template)[1::2] if text):
                why = "their values differ only in what the template does not show, e.g. case"
                hint = "give each group a value that differs in the text sent"
            else:
                why = "its placeholders are only in its expectations, not in the text sent"
                hint = "put a placeholder in the prompt or a message, or remove the expander"
            raise ConfigError.single(
                str(self.base_dir),
                f"template '{template.id}' sends the same text to groups '{first}' and "
                f"'{group}' of axis '{axis}' ({why}), so a gap between them would be noise",
                field="expand.with",
                hint=hint,
            )


def _sent(case: Case) -> tuple[object, ...]:
    """What the model is sent for ``case``: its prompt, and each message's role and text."""
    sent: list[object] = ["prompt", case.prompt]
    for message in case.messages or []:
        sent += [message.role, message.content]
    return tuple(sent)


def _instantiate(case: Case, axis: str, group: str, values: dict[str, str]) -> Case:
    messages = None
    if case.messages is not None:
        messages = [
            m.model_copy(update={"content": fill(m.content, values)}) for m in case.messages
        ]
    expected = case.expected.model_copy(
        update={
            "must_contain": [fill(t, values) for t in case.expected.must_contain],
            "must_not_mention": [fill(t, values) for t in case.expected.must_not_mention],
        },
        deep=True,
    )
    metadata: dict[str, Any] = {
        **case.metadata,
        "template": case.id,
        "axis": axis,
        "group": group,
        # Longest first, ties by text: a set's own order follows the process's hash seed.
        "group_terms": sorted(set(values.values()), key=lambda term: (-len(term), term)),
    }
    return Case(
        id=f"{case.id}|{axis}={group}",
        prompt=fill(case.prompt, values) if case.prompt is not None else None,
        messages=messages,
        expected=expected,
        metadata=metadata,
    )


def load_groups(path: Path) -> GroupsFile:
    """Read and validate a groups file; errors name the file and the offending key."""
    return load_yaml_model(path, GroupsFile, what="groups file")
