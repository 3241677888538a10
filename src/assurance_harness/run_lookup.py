"""A mapping from run id to what a check of the ledger's runs finds for one run, worked out the
first time that run is asked for and kept.

The register shows each suite's latest run only, and checking every run of a ledger of 6,025
runs (each run folder's files read) took most of a register page: 21 s to count rows awaiting
review (``review.outstanding.Awaiting``), 3.9 s to look for lost files
(``register.run_presence.MissingRunFiles``). Both are this mapping; iterating it checks every
run, as the whole-ledger callers want."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TypeVar

V = TypeVar("V")


class RunLookup(Mapping[str, V]):
    """Run id -> ``_look(run_id)`` for each run ``_runs`` names whose look finds something
    (None: not a key). Subclasses call ``__init__`` and define both methods."""

    def __init__(self) -> None:
        self._found: dict[str, V | None] = {}

    def _runs(self) -> Iterable[str]:
        """The runs that may be keys, in the order iteration gives them."""
        raise NotImplementedError

    def _look(self, run_id: str) -> V | None:
        """What the check finds for ``run_id``, or None (nothing, or not a run it checks)."""
        raise NotImplementedError

    def __getitem__(self, run_id: str) -> V:
        if run_id not in self._found:
            self._found[run_id] = self._look(run_id)
        found = self._found[run_id]
        if found is None:
            raise KeyError(run_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return (run_id for run_id in self._runs() if run_id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)
