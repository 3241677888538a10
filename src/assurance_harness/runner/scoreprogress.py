"""Scoring progress over the whole run: a streamed run scores chunk after chunk
(``rowstream``), and each chunk's session reports 0..n of that chunk only; a bar fed those
figures would restart at 0 for every chunk and read as going back. This counts each scorer's
responses across chunks and over the run's remaining rows, on either executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..datatypes import Case
from .executors.base import Row, ScoringProgress, ScoringSession


class RunScoringProgress:
    """Chunk-local ``(scorer, done, total)`` as the run's: ``done`` adds the responses scored in
    earlier chunks; ``total`` adds the rows not handed to scoring yet (an upper bound that
    shrinks to the exact count as failed requests, never scored, turn up)."""

    def __init__(self, progress: ScoringProgress, rows: int) -> None:
        self.progress = progress
        self.rows_left = rows
        self.earlier: dict[str, int] = {}
        self.this_chunk: dict[str, int] = {}

    def begin_chunk(self, rows: list[Row]) -> None:
        for scorer, total in self.this_chunk.items():
            self.earlier[scorer] = self.earlier.get(scorer, 0) + total
        self.this_chunk = {}
        self.rows_left = max(0, self.rows_left - len(rows))

    def __call__(self, scorer: str, done: int, total: int) -> None:
        self.this_chunk[scorer] = total
        before = self.earlier.get(scorer, 0)
        self.progress(scorer, before + done, before + total + self.rows_left)

    def wrap(self, session: ScoringSession) -> ScoringSession:
        """``session`` telling this tracker where each chunk starts."""
        return _ChunkedSession(session, self)


class _ChunkedSession:
    def __init__(self, session: ScoringSession, tracker: RunScoringProgress) -> None:
        self.session = session
        self.tracker = tracker
        # The session's own dict: filled when its scorers were set up.
        self.provenance: dict[str, dict[str, Any]] = session.provenance

    def score(self, rows: list[Row], cases: Mapping[str, Case]) -> None:
        self.tracker.begin_chunk(rows)
        self.session.score(rows, cases)

    def close(self) -> None:
        self.session.close()
