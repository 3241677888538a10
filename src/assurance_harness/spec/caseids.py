"""A suite's case ids must be unique: the check, and where a repeated id is (a dataset's file
and line, or the suite's line), worked out only once an id repeats."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..datatypes import Case
from ..errors import ConfigError, ConfigIssue
from ..store.spill import SpillArray, key64, repeated_in, repeated_keys
from ..store.yaml_lines import LineOf
from .datasets import dataset_lines
from .suite import DatasetSpec

HINT = "ids must be unique: change one of them or remove the repeat"

Repeat = tuple[int, int, str]
"""(position of a case, position of the first case with its id, the id)."""


@dataclass(frozen=True)
class Origin:
    """Where a case was written: a file, its line when known, and for a suite's inline case
    its field (``cases[3].id``)."""

    path: str
    line: int | None
    field: str | None = None


class CaseOrigins:
    """Where a suite's cases come from, by position: its inline cases, then each dataset's
    cases as loaded. Only positions: a position becomes a file and a line when an error asks
    (a dataset's file is then read again), so loading pays nothing for it."""

    def __init__(self, source: str, line_of: LineOf) -> None:
        self.source = source
        self._line_of = line_of
        self._parts: list[tuple[int, int, tuple[DatasetSpec, Path, int] | None]] = []
        self._size = 0

    def add_inline(self, count: int) -> None:
        """The suite's ``cases:`` (the first ``count`` positions)."""
        self._add(count, None)

    def add_dataset(self, count: int, spec: DatasetSpec, path: Path, *, seed: int) -> None:
        """The next ``count`` cases, loaded from ``path`` by ``load_dataset(spec, seed=seed)``."""
        self._add(count, (spec, path, seed))

    def _add(self, count: int, dataset: tuple[DatasetSpec, Path, int] | None) -> None:
        self._parts.append((self._size, self._size + count, dataset))
        self._size += count

    def in_suite(self, *loc: str | int) -> Origin:
        """A place in the suite file itself."""
        return Origin(self.source, self._line_of(loc), ".".join(str(part) for part in loc))

    def locate(self, positions: Iterable[int]) -> dict[int, Origin]:
        """Where the cases at these positions were written (a position past the parts, as an
        expanded case's, is left out)."""
        wanted = sorted(set(positions))
        found: dict[int, Origin] = {}
        for start, stop, dataset in self._parts:
            mine = [p for p in wanted if start <= p < stop]
            if not mine:
                continue
            if dataset is None:
                for position in mine:
                    i = position - start
                    line = self._line_of(("cases", i, "id"))
                    found[position] = Origin(self.source, line, f"cases[{i}].id")
                continue
            spec, path, seed = dataset
            try:
                lines = dataset_lines(spec, path, seed=seed)
            except ConfigError:  # the file changed since it loaded: name it without a line
                lines = array("q")
            for position in mine:
                i = position - start
                found[position] = Origin(str(path), lines[i] if i < len(lines) else None)
        return found


def check_unique_ids(
    cases: Sequence[Case],
    source: str,
    *,
    ids: Iterable[str] | None = None,
    keys: SpillArray | None = None,
    origins: CaseOrigins | None = None,
    base: Sequence[Case] | None = None,
) -> list[ConfigIssue]:
    """One issue per repeated id, in case order. The ids are first compared by 64-bit key
    (sorted on disk, ``store.spill.repeated_keys``: not a set of a million strings); only ids
    whose key repeats are compared as text. ``ids``: the cases' ids in order, when the caller
    reads them in a pass of its own; ``keys``: their ``key64``s, when it made them as the cases
    were read. ``origins``: where the cases come from, so that an issue names the repeat's file
    and line (else the suite's); ``base``: the cases ``cases`` were expanded from, which
    ``origins`` then describes."""
    repeats = _repeats(cases, ids=ids, keys=keys)
    if not repeats:
        return []
    if origins is None:
        return [ConfigIssue(source, None, None, _duplicate(i), HINT) for _, _, i in repeats]
    if base is None:
        return _located(repeats, origins)
    in_base = _repeats(base)
    if in_base:  # each repeat in the data, not again for each of its expanded copies
        return _located(in_base, origins)
    return _made_by_expanders(repeats, cases, base, origins)


def _repeats(
    cases: Sequence[Case], *, ids: Iterable[str] | None = None, keys: SpillArray | None = None
) -> list[Repeat]:
    if keys is not None:
        repeated = repeated_in(keys)
    else:
        repeated = repeated_keys(ids if ids is not None else (c.id for c in cases))
    if not repeated:
        return []
    first: dict[str, int] = {}
    repeats = []
    for position, case in enumerate(cases):
        if key64(case.id) not in repeated:
            continue
        earlier = first.setdefault(case.id, position)
        if earlier != position:
            repeats.append((position, earlier, case.id))
    return repeats


def _duplicate(case_id: str) -> str:
    return f"duplicate case id '{case_id}'"


def _first(first: Origin, here: Origin) -> str:
    """Where the first case with an id is, said from where its repeat is: "on line 3",
    "at other.jsonl:3" (or "" where nothing more than the repeat's own file is known)."""
    if first.path == here.path:
        return f"on line {first.line}" if first.line is not None else ""
    return f"at {first.path}:{first.line}" if first.line is not None else f"in {first.path}"


def _located(repeats: list[Repeat], origins: CaseOrigins) -> list[ConfigIssue]:
    where = origins.locate(p for repeat in repeats for p in repeat[:2])
    issues = []
    for position, earlier, case_id in repeats:
        here = where.get(position, Origin(origins.source, None))
        first = _first(where[earlier], here) if earlier in where else ""
        message = _duplicate(case_id) + (f" (first {first})" if first else "")
        issues.append(ConfigIssue(here.path, here.line, here.field, message, HINT))
    return issues


def _made_by_expanders(
    repeats: list[Repeat], cases: Sequence[Case], base: Sequence[Case], origins: CaseOrigins
) -> list[ConfigIssue]:
    """Repeats the expanders made, the cases they expanded having none: named at the case in
    the data that has the id (``a~typo#0`` written in a dataset, and made from ``a``), else at
    the suite's ``expand``."""
    repeated = dict.fromkeys(case_id for _, _, case_id in repeats)
    made_from: dict[str, str] = {}
    for case in cases:
        source_id = case.metadata.get("source_id") if case.id in repeated else None
        if isinstance(source_id, str) and source_id != case.id:
            made_from.setdefault(case.id, source_id)
    wanted = {*repeated, *made_from.values()}
    positions: dict[str, int] = {}
    for position, case in enumerate(base):
        if case.id in wanted:
            positions.setdefault(case.id, position)
    where = origins.locate(positions.values())
    issues = []
    for case_id in repeated:
        written = where.get(positions.get(case_id, -1))
        here = written if written is not None else origins.in_suite("expand")
        message = _duplicate(case_id) + (
            ": expand also makes it" if written is not None else ": the expanders make it twice"
        )
        made = made_from.get(case_id)
        if made is not None:
            origin = where.get(positions.get(made, -1))
            first = _first(origin, here) if origin is not None else ""
            message += f" (from case '{made}'" + (f" {first})" if first else ")")
        hint = (
            "rename this case"
            if written is not None
            else "does one operator appear in two expanders?"
        )
        issues.append(ConfigIssue(here.path, here.line, here.field, message, hint))
    return issues
