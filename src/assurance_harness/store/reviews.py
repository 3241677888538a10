"""The read side of the human-review verdicts (the ``review_verdicts`` table beside the run
index): each stored adjudication, each reviewer's standing verdict per row, and a row's human
label from them.

It lives here, below every view, so the run report, the runner's ``min_validity`` and the
review package read the same verdicts the same way (``review.store`` writes them).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .database import Database
from .postgres import StoreError

Standing = dict[tuple[str, str], dict[str, "Verdict"]]
"""(run id, row key) -> reviewer -> that reviewer's latest verdict."""


def _damaged(where: str, table: str, row: Mapping[str, Any], column: str, why: str) -> StoreError:
    return StoreError(
        f"{where}: {table}, run {row['run_id']!r}, row {row['row_key']}: {column}: {why}; the "
        "row was edited by hand or by another tool: restore runs.db from a backup (every "
        "verdict is also a review record in the evidence ledger)"
    )


def stored_json(
    where: str, table: str, row: Mapping[str, Any], column: str, kind: type | None = None
) -> Any:
    """A JSON column of a review row; one that does not parse is a StoreError naming the store
    (``where``), the row and the column: SQLite keeps whatever text is put in a column.
    ``kind``: the type its writers store there (``list``, ``dict``); JSON of another type is
    damage too, not a value its readers can list."""
    try:
        value = json.loads(row[column])
    except (TypeError, ValueError) as exc:
        raise _damaged(where, table, row, column, f"not JSON ({exc})") from None
    if kind is not None and not isinstance(value, kind):
        what = "a JSON list" if kind is list else "a JSON object" if kind is dict else kind.__name__
        raise _damaged(where, table, row, column, f"{row[column]!r:.40} is not {what}")
    return value


def stored_text(where: str, table: str, row: Mapping[str, Any], column: str) -> str | None:
    """A text column of a review row (a prompt, a response), or None where it is empty; bytes
    (SQLite keeps a BLOB in any column) are a StoreError: shown, they read as the text
    ``b'...'``, a response nobody gave."""
    value = row[column]
    if value is not None and not isinstance(value, str):
        raise _damaged(where, table, row, column, f"{value!r:.40} is not text")
    return value


def stored_flag(where: str, table: str, row: Mapping[str, Any], column: str) -> bool:
    """A yes/no column its writers store as 1 or 0 (never empty); any other value is a
    StoreError, not a flag: ``bool('no')`` is True."""
    value = row[column]
    if type(value) is not int or value not in (0, 1):
        raise _damaged(where, table, row, column, f"{value!r:.40} is not 1 or 0")
    return bool(value)


def stored_label(where: str, table: str, row: Mapping[str, Any], column: str) -> bool | None:
    """A label column as the writers store it (1, 0 or NULL); any other value is a StoreError,
    not a label: ``bool('no')`` is True."""
    value = row[column]
    if value is None:
        return None
    if type(value) is not int or value not in (0, 1):
        raise _damaged(where, table, row, column, f"{value!r:.40} is not 1, 0 or empty")
    return bool(value)


@dataclass(frozen=True)
class Verdict:
    """One stored adjudication."""

    id: int
    run_id: str
    row_key: str
    reviewer: str
    decision: str
    """``agree`` (the scorer's label stands) or ``correct`` (the reviewer gives the label)."""
    label: bool | None
    """The human label of the row."""
    scorer_label: bool | None
    note: str
    created_at: str
    supersedes: int | None
    ledger_ids: list[str]

    @classmethod
    def from_row(cls, row: Mapping[str, Any], where: str) -> Verdict:
        """``row`` of ``review_verdicts`` in the store at ``where`` (named if it is damaged)."""
        table = "review_verdicts"
        return cls(
            id=row["id"],
            run_id=row["run_id"],
            row_key=row["row_key"],
            reviewer=row["reviewer"],
            decision=row["decision"],
            label=stored_label(where, table, row, "label"),
            scorer_label=stored_label(where, table, row, "scorer_label"),
            note=row["note"],
            created_at=row["created_at"],
            supersedes=row["supersedes"],
            ledger_ids=stored_json(where, table, row, "ledger_ids"),
        )


def verdict_history(
    db: Database,
    run_id: str | None = None,
    key: str | None = None,
    *,
    leave_out: Collection[int] = (),
) -> list[Verdict]:
    """Every verdict ever given, oldest first; none where the store holds nothing yet (a
    reader never creates an empty store). ``leave_out``: ids of verdicts not to count (ones
    the evidence ledger does not hold: ``review.backing``)."""
    if not db.exists():
        return []
    db.ensure_schema()
    clauses, args = [], []
    if run_id is not None:
        clauses.append("run_id = ?")
        args.append(run_id)
    if key is not None:
        clauses.append("row_key = ?")
        args.append(key)
    query = "SELECT * FROM review_verdicts"
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    with db.reading() as conn:
        rows = conn.execute(query + " ORDER BY id", args).fetchall()
    return [Verdict.from_row(r, db.where) for r in rows if r["id"] not in leave_out]


def composed_name(name: str) -> str:
    """A reviewer name as verdicts are kept under it and known names are compared: stripped,
    each run of spaces one space, Unicode's composed form (NFC)."""
    return unicodedata.normalize("NFC", _SPACES.sub(" ", name.strip()))


_SPACES = re.compile(" {2,}")


def standing_verdicts(
    db: Database, run_id: str | None = None, *, leave_out: Collection[int] = ()
) -> Standing:
    """The standing verdict of each reviewer, per (run, row): the latest they gave. A reviewer
    is their name composed (:func:`composed_name`): a store written before names were kept so
    holds verdicts under 'Alice  Smith' or a decomposed 'José', which were a second reviewer
    beside the same person's later verdicts (her old label outvoting her correction)."""
    out: Standing = {}
    for verdict in verdict_history(db, run_id, leave_out=leave_out):
        out.setdefault((verdict.run_id, verdict.row_key), {})[composed_name(verdict.reviewer)] = (
            verdict
        )
    return out


def answer_digests(db: Database) -> dict[tuple[str, str], str | None]:
    """(run id, row key) -> a SHA-256 of the prompt and response a verdict was given on, for
    every queued row with a verdict; None where the text is gone (``runs purge`` empties both),
    so a reader can tell the same answer reviewed in two runs (a cached answer, a deterministic
    target) from two answers. Only digests are kept, never the texts."""
    if not db.exists():
        return {}
    db.ensure_schema()
    query = (
        "SELECT run_id, row_key, prompt, response FROM review_queue q WHERE EXISTS (SELECT 1 "
        "FROM review_verdicts v WHERE v.run_id = q.run_id AND v.row_key = q.row_key)"
    )
    out: dict[tuple[str, str], str | None] = {}
    with db.reading() as conn:
        for row in conn.stream(query):
            prompt, response = row["prompt"], row["response"]
            digest = None
            if response is not None:
                text = json.dumps([prompt, response], ensure_ascii=False)
                digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            out[(row["run_id"], row["row_key"])] = digest
    return out


def majority(labels: Collection[bool]) -> bool | None:
    """The label most of ``labels`` give (one reviewer's standing label each); None where
    there are none, or as many say True as False: a tie is no label, the row is disputed
    until another reviewer's verdict settles it. It went to the most recent verdict, so a
    reviewer saving the very same verdict again flipped the row's label (and the metrics and
    scorer figures read from it), with no one having changed their mind."""
    yes = sum(1 for label in labels if label)
    no = len(labels) - yes
    return None if yes == no else yes > no


def consensus(verdicts: Mapping[str, Verdict]) -> bool | None:
    """The human label of a row: the majority of its reviewers' standing labels
    (:func:`majority`: None on a tie)."""
    return majority([v.label for v in verdicts.values() if v.label is not None])


def disputed(verdicts: Mapping[str, Verdict]) -> bool:
    """Whether a row's reviewers gave labels that tie: reviewed, yet with no human label."""
    return consensus(verdicts) is None and any(v.label is not None for v in verdicts.values())


def waiting(standing: Standing, run_id: str, key: str) -> bool:
    """Whether a queued row still waits for a person: no verdict, or only verdicts that tie
    (the queue's "pending": a disputed row needs another reviewer to find it)."""
    verdicts = standing.get((run_id, key))
    return not verdicts or disputed(verdicts)
