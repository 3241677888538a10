"""Cases from BOLD prompt files (amazon-science/bold ``prompts/*_prompt.json``).

BOLD files are nested (``{group: {person_or_topic: [prompt, ...]}}``, one domain per file),
which a flat field mapping cannot express, so this expander reads them and appends one case per
prompt: id ``bold:<domain>:<group>:<name>#<i>``, metadata ``domain``, ``group``, ``name``,
``source: bold``. The domain is the file name without ``_prompt.json``. Sampling per group is
seeded, so the same suite seed sends the same prompts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from ..datatypes import Case, WholeNumber
from ..errors import ConfigError
from ._common import nested_too_deep, read_text, resolve_path, stable_rng
from .base import Expander, ExpanderParams, register_expander


class BoldParams(ExpanderParams):
    files: list[str] = Field(min_length=1)
    """BOLD JSON files, relative to the suite file or absolute
    (e.g. ``/data/bold/prompts/gender_prompt.json``)."""
    groups: list[str] | None = Field(default=None, min_length=1)
    """Keep only these groups (e.g. ``[American_actors, American_actresses]``)."""
    per_group: WholeNumber | None = Field(default=None, ge=1)
    """A seeded sample of at most this many prompts per group (default: all)."""
    template: str = "Finish this sentence: {prompt}"
    """How a BOLD prompt (the start of a sentence) is put to a chat model; holds ``{prompt}``."""

    @field_validator("template")
    @classmethod
    def _has_prompt(cls, value: str) -> str:
        if "{prompt}" not in value:  # else every case would send the same text
            raise ValueError("the template needs a {prompt} slot for the BOLD prompt")
        return value


@register_expander
class BoldExpander(Expander):
    """Append BOLD prompts as cases, tagged with domain and group."""

    name = "bold"
    version = "1"
    Params = BoldParams

    def expand(self, cases: list[Case]) -> list[Case]:
        params: BoldParams = self.params  # type: ignore[assignment]
        out = list(cases)
        for domain, group, name, i, text in self._prompts():
            out.append(
                Case(
                    id=f"bold:{domain}:{group}:{name}#{i}",
                    prompt=params.template.replace("{prompt}", text.strip()),
                    metadata={
                        "domain": domain,
                        "group": group,
                        "name": name,
                        "bold_prompt": text,
                        "source": "bold",
                    },
                )
            )
        return out

    def count(self, cases: Sequence[Case]) -> int:
        return len(cases) + sum(1 for _ in self._prompts())

    def _prompts(self) -> Iterator[tuple[str, str, str, int, str]]:
        """(domain, group, name, index, text) of each prompt kept, file by file: ``count``
        and ``expand`` read the files the same way, and neither keeps more than one."""
        params: BoldParams = self.params  # type: ignore[assignment]
        found: set[str] = set()
        domains: dict[str, tuple[Path, set[str]]] = {}
        for raw in params.files:
            path = resolve_path(self.base_dir, raw, what="BOLD prompt file")
            try:
                data: Any = json.loads(read_text(path, what="BOLD prompt file"))
            except json.JSONDecodeError as exc:
                raise ConfigError.single(
                    str(path), f"not valid JSON: {exc.msg}", line=exc.lineno
                ) from None
            except RecursionError:
                raise nested_too_deep(path) from None
            if not isinstance(data, dict):
                raise ConfigError.single(str(path), "a BOLD file maps groups to {name: [prompts]}")
            _check_shape(data, path)
            domain = path.name.removesuffix(".json").removesuffix("_prompt")
            kept = set(data) if params.groups is None else set(data) & set(params.groups)
            _one_file_a_group(domains, domain, path, kept)
            found.update(data)
            for group in sorted(data):
                if params.groups is not None and group not in params.groups:
                    continue
                items = [
                    (name, i, text)
                    for name, prompts in sorted(data[group].items())
                    for i, text in enumerate(prompts)
                ]
                blank = next(((name, i) for name, i, text in items if not text.strip()), None)
                if blank is not None:  # it sent the template alone, alike for every group
                    raise ConfigError.single(
                        str(path),
                        f"group '{group}' has a blank prompt ({blank[0]!r}, #{blank[1]}), so "
                        "it would send the template alone",
                        hint="remove it, or write the start of the sentence",
                    )
                if not items:  # left alone, the group was compared by its absence
                    raise ConfigError.single(
                        str(path),
                        f"group '{group}' has no prompt, so it would send nothing and a "
                        "disparity over the groups would leave it out",
                        hint="add its prompts, or leave it out with 'groups:'",
                    )
                if params.per_group is not None and len(items) > params.per_group:
                    rng = stable_rng(self.seed, "bold", domain, group)
                    keep = sorted(rng.sample(range(len(items)), params.per_group))
                    items = [items[k] for k in keep]
                for name, i, text in items:
                    yield domain, group, name, i, text
        missing = [g for g in params.groups or [] if g not in found]
        if missing:  # left alone, a misspelt group only sent fewer prompts
            raise ConfigError.single(
                str(self.base_dir),
                f"group '{missing[0]}' is in none of the BOLD files",
                field="expand.with.groups",
                hint=f"groups in them: {', '.join(sorted(found))}",
            )


def _one_file_a_group(
    domains: dict[str, tuple[Path, set[str]]], domain: str, path: Path, groups: set[str]
) -> None:
    """Refuse a file listed twice, or a second file of a domain (one name in two folders) with
    a group of the first: their cases would share ids (``bold:<domain>:<group>:...``, refused
    one by one as made twice, asking about operators) and the group one domain's figure
    reads. A domain split over two files by group stays one domain."""
    earlier, seen = domains.setdefault(domain, (path, set()))
    if earlier is not path:  # a second file of this domain
        again = None
        if earlier == path:
            again = "is listed twice"
        elif groups & seen:
            again = f"has the domain of {earlier} and its group '{min(groups & seen)}'"
        if again is not None:
            raise ConfigError.single(
                str(path),
                f"BOLD file {path} {again} ('{domain}' is its name without _prompt.json), "
                "so their cases would share ids",
                field="expand.with.files",
                hint="list each file once; copy one under another name to keep both",
            )
    seen.update(groups)


def _check_shape(data: dict[str, Any], path: Path) -> None:
    """Each group maps names to lists of prompt texts: anything else (a string where the list
    belongs would be read a character at a time) is refused, naming the group."""
    for group, names in data.items():
        if not isinstance(names, dict) or not all(
            isinstance(prompts, list) and all(isinstance(text, str) for text in prompts)
            for prompts in names.values()
        ):
            raise ConfigError.single(
                str(path),
                f"group '{group}' is not {{name: [prompt, ...]}} (a list of texts per name)",
                hint="a BOLD file maps groups to {name: [prompts]}",
            )
