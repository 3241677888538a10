"""Cases a scorer compares with another case's answer (``consistency``'s variant and its
original, ``Scorer.pairs_cases_by``) must name a case that can be compared with: one marked as
such. A variant naming no such case (a typo in its ``source_id``, an original renamed or not
marked ``original: true``) is compared with nothing in every run; ``validate`` accepted it and
a figure over the variants then measured fewer than were written, or nothing. Gathered case by
case in the loader's pass over the cases: the marked cases' ids and, for each name, the first
case naming it, so memory grows with the originals, not with their variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..datatypes import Case
from ..errors import ConfigIssue
from .caseids import CaseOrigins, Origin

if TYPE_CHECKING:
    from .loader import ScorerConfig

SHOWN = 3
"""Cases named in one issue; the rest are counted."""


@dataclass
class _Pairing:
    scorer: str
    names_by: str
    marked_by: str
    marked: set[str] = field(default_factory=set)
    first_naming: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Each name a case gives (its ``names_by`` value): the first such case's position and id."""


class PairedCases:
    """What each pairing scorer's cases name and which are marked, gathered by ``add``."""

    def __init__(self, scorers: list[ScorerConfig]) -> None:
        self._pairings: list[_Pairing] = []
        for config in scorers:
            keys = config.cls.pairs_cases_by(config.params)
            if keys is not None:
                self._pairings.append(_Pairing(config.id, *keys))
        self._position = 0

    def __bool__(self) -> bool:
        return bool(self._pairings)

    def add(self, case: Case) -> None:
        position, self._position = self._position, self._position + 1
        meta = case.metadata
        for pairing in self._pairings:
            if meta.get(pairing.marked_by):
                pairing.marked.add(case.id)
                continue
            name = meta.get(pairing.names_by)
            if name is not None:
                pairing.first_naming.setdefault(_shown(name), (position, case.id))

    def issues(self, source: str, origins: CaseOrigins | None) -> list[ConfigIssue]:
        """One issue per pairing scorer with cases naming no marked case, at the first such
        case's file and line where ``origins`` knows it (else the suite's)."""
        issues: list[ConfigIssue] = []
        for pairing in self._pairings:
            missing = [
                (position, case_id, name)
                for name, (position, case_id) in pairing.first_naming.items()
                if name not in pairing.marked
            ]
            if not missing:
                continue
            missing.sort()
            position, case_id, name = missing[0]
            where = (
                origins.locate([position]).get(position) if origins is not None else None
            ) or Origin(source, None)
            more = len(missing) - 1
            others = ", ".join(f"'{n}'" for _, _, n in missing[1:SHOWN])
            also = (
                f" (and {more} other name{'s' if more > 1 else ''} no case has: {others}"
                f"{', ...' if more >= SHOWN else ''})"
                if more
                else ""
            )
            issues.append(
                ConfigIssue(
                    where.path,
                    where.line,
                    where.field,
                    f"case '{case_id}' names '{name}' ({pairing.names_by}) as the case scorer "
                    f"'{pairing.scorer}' compares its answer with, but no case '{name}' is "
                    f"marked {pairing.marked_by}: true{also}, so every run would compare it "
                    "with nothing",
                    f"set its {pairing.names_by} to the id of its {pairing.marked_by} case, or "
                    f"mark that case {pairing.marked_by}: true",
                )
            )
        return issues


def _shown(name: Any) -> str:
    """A name as the scorer reads it (``str`` of the metadata value)."""
    return str(name)
