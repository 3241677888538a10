"""The review store: tables beside the run index (``reports/runs.db``, or the team store).

``review_queue`` keeps each queued row as it was scored (prompt, response, how the answer
ended, every score, why it was queued); ``review_verdicts`` is append-only (triggers refuse
UPDATE and DELETE), so a changed verdict is a new row that names the one it supersedes and the
history stays. Automated scores are only ever read from the run; nothing here writes into a
run's files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Collection, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datatypes import key_problem
from ..errors import UsageError
from ..formatting.figures import incomplete_answer
from ..lookalikes import first_difference, prints_like
from ..store.database import Connection, Database
from ..store.faults import reported_reading, reported_transaction, store_faults
from ..store.files import check_changeable
from ..store.location import open_database
from ..store.nultext import kept_text
from ..store.reviews import (
    Standing,
    Verdict,
    composed_name,
    standing_verdicts,
    stored_flag,
    stored_json,
    stored_label,
    stored_text,
    verdict_history,
)

__all__ = [
    "FINISH_NOT_KNOWN",
    "QueueItem",
    "ReviewStore",
    "ReviewerRefused",
    "Verdict",
    "token_hash",
]

FINISH_NOT_KNOWN = (
    "not known if complete: queued before the review queue kept how answers ended "
    "(the run's results.jsonl row has its finish_reason)"
)
"""What a listing of the queue shows beside an answer queued before ``review_queue`` kept its
finish reason (schema version 3): it may have been cut off, so it must not read as whole."""


def reviewer_name(name: str, *, held: Collection[str] = ()) -> str:
    """``name`` stripped, or a UsageError where it is no name a person can be told apart by.
    A name is evidence (in the ledger) and the key a token guards: one holding an invisible
    character (a zero-width space, a bidirectional override, a control character, a line
    break, a space other than the plain one) prints as another name, e.g. a registered
    reviewer's, yet is a reviewer of its own, with no token and a vote of its own in the
    agreement figures. The rule is a key's (``datatypes.key_problem``), with code points that
    are no character (unassigned, a lone surrogate) refused too: a name is typed by a person.
    The name is kept in Unicode's composed form (NFC): "José" with its accent as a combining mark
    (as some keyboards and macOS file names write it) prints as the composed "José" and was
    another reviewer, needing no token and counted as a second person's vote. A run of spaces
    is one space: 'Alice  Smith' prints as 'Alice Smith' on every page (HTML folds spaces)
    and was another reviewer, with none of her token asked. At most ``REVIEWER_NAME_MAX``
    characters, unless ``held`` (the names the store already knows, composed) holds it: a
    reviewer registered, or judging, under a longer name before the limit keeps it, as
    ``_refuse_lookalike`` keeps a name the store holds (``ReviewerNameTooLong`` says to look)."""
    name = composed_name(name)
    if not name:
        raise UsageError("no reviewer name: pass --reviewer NAME or set ASSURANCE_REVIEWER")
    if len(name) > REVIEWER_NAME_MAX and name not in held:
        raise ReviewerNameTooLong(
            f"the reviewer name is {len(name):,} characters long; it may hold at most "
            f"{REVIEWER_NAME_MAX} characters: give a shorter name (--reviewer NAME or "
            "ASSURANCE_REVIEWER)"
        )
    problem = key_problem(name, unassigned=True)
    if problem is not None:
        raise UsageError(
            f"the reviewer name holds an invisible or look-alike character ({problem}), so it "
            "would print as another name; give the name without it (--reviewer NAME or "
            "ASSURANCE_REVIEWER)"
        )
    return name


class ReviewerNameTooLong(UsageError):
    """The name is over ``REVIEWER_NAME_MAX`` characters: refused unless the store already
    holds it (``_name_or_none``), which is read only then."""


class ReviewerRefused(UsageError):
    """The reviewer is registered with a token and the one given does not match: the person is
    not let act under that name (the web app answers it 403 Forbidden, the command line exit 2
    as any UsageError)."""


_REGISTERED = "SELECT name, token_sha256 FROM reviewers"


def _known_reviewers(conn: Connection, registered: list[Any]) -> set[str]:
    """Every name the store knows a reviewer by, composed: the registered ones (``registered``,
    rows of :data:`_REGISTERED`) and those that gave a verdict unregistered."""
    judged = conn.execute("SELECT DISTINCT reviewer FROM review_verdicts").fetchall()
    names = [str(row["name"]) for row in registered] + [str(row["reviewer"]) for row in judged]
    return {composed_name(known) for known in names}


def _name_or_none(name: str) -> str | None:
    """``reviewer_name(name)``, or None where it is only too long: whether the store already
    holds it (then it is kept) is told once the store is read. Every other fault is refused
    before the store is opened, as before."""
    try:
        return reviewer_name(name)
    except ReviewerNameTooLong:
        return None


def _refuse_lookalike(name: str, known: set[str]) -> None:
    """A UsageError where ``name`` is new to the store and prints like a name it knows (another
    script's letter, 1 for l, other case: ``lookalikes.prints_like``): the verdicts under it
    would print as that reviewer's, yet count as a second person's, with none of a registered
    reviewer's token asked. A name the store already holds is never refused, so a store with
    two such names from before this check keeps working for both."""
    if name in known:
        return
    for other in sorted(known):
        if prints_like(name, other):
            where = first_difference(name, other)
            raise UsageError(
                f"the reviewer name '{name}' looks like '{other}', a reviewer this store "
                f"already knows{f' ({where})' if where else ''}, so the verdicts would print as "
                "that person's yet count as a second reviewer's; give the name exactly as "
                f"'{other}' if it is that reviewer, else a name that differs in a letter "
                "anyone can see (--reviewer NAME or ASSURANCE_REVIEWER)"
            )


REVIEWER_NAME_MAX = 200
"""The most characters a reviewer's name holds (``reviewer_name``). A name is evidence: it is
written into every review record of the append-only ledger, for good, and shown on every page
and listing of verdicts; a name of 100,000 characters was taken, from the command line and the
web form alike. 200 holds any person's name with room to spare."""

NOTE_CONTROLS_KEPT = frozenset("\t\n\r")
"""The control characters a note may hold: those of text typed into a form's box."""


def review_note(note: str) -> str:
    """``note`` as given, or a UsageError where it holds a control character other than a tab
    or a line break. A note is evidence, written to the ledger before the store keeps the
    verdict: a NUL, which the team store cannot keep, was refused there only once its record
    was in the ledger; an escape sequence rewrote the terminal that printed it."""
    for position, char in enumerate(note, start=1):
        if unicodedata.category(char) == "Cc" and char not in NOTE_CONTROLS_KEPT:
            raise UsageError(
                f"the note holds a control character (U+{ord(char):04X} at position "
                f"{position}); nothing was recorded: give the note without it"
            )
    return note


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class QueueItem:
    run_id: str
    row_key: str
    reasons: list[str]
    required: bool
    scorer_label: bool | None
    prompt: str | None
    response: str | None
    scores: dict[str, Any]
    metadata: dict[str, Any]
    queued_at: str
    finish_reason: str | None
    """How the answer ended, as its results row records it (``stop``; ``length``: cut off);
    ``""`` where the row records none (the target reports no finish reason); None where not
    known: the row was queued before the store kept it."""

    @property
    def incomplete(self) -> str | None:
        """What a listing shows beside the answer: ``not complete (length): ...`` for one its
        endpoint did not complete (``formatting.incomplete_answer``, as every other view of a
        run marks it), :data:`FINISH_NOT_KNOWN` where that is not known; None otherwise."""
        if self.finish_reason is None:
            return FINISH_NOT_KNOWN
        return incomplete_answer(self.finish_reason)

    @property
    def shown(self) -> str:
        """A fingerprint of what a reviewer judges the row by: its prompt, response, how the
        answer ended and the scorer's label. The web app's form carries the one its page
        showed, and ``adjudicate`` refuses a verdict whose row has changed since: a retry's
        new queue gives a row its new scorer label, and "agree" then recorded that label,
        one the reviewer never saw, under their name."""
        seen = [self.prompt, self.response, self.finish_reason, self.scorer_label]
        return hashlib.sha256(json.dumps(seen).encode("utf-8", "surrogatepass")).hexdigest()

    @property
    def cut_off(self) -> bool | None:
        """Whether its endpoint did not complete the answer (None: not known)."""
        if self.finish_reason is None:
            return None
        return incomplete_answer(self.finish_reason) is not None

    @classmethod
    def from_row(cls, row: Mapping[str, Any], where: str) -> QueueItem:
        """``row`` of ``review_queue`` in the store at ``where`` (named if it is damaged)."""
        table = "review_queue"
        return cls(
            run_id=row["run_id"],
            row_key=row["row_key"],
            reasons=stored_json(where, table, row, "reasons", list),
            required=stored_flag(where, table, row, "required"),
            scorer_label=stored_label(where, table, row, "scorer_label"),
            prompt=stored_text(where, table, row, "prompt"),
            response=stored_text(where, table, row, "response"),
            scores=stored_json(where, table, row, "scores", dict),
            metadata=stored_json(where, table, row, "metadata", dict),
            queued_at=row["queued_at"],
            finish_reason=row["finish_reason"],
        )


def _finish_reason(row: Mapping[str, Any]) -> str | None:
    """What ``review_queue.finish_reason`` keeps of a results row: its ``finish_reason``, ``""``
    where it records none (a target that reports none), None where the row is not there to
    read (not known)."""
    if not row:
        return None
    reason = row.get("finish_reason")
    return reason if isinstance(reason, str) else ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ReviewStore:
    """Queue, verdicts and reviewers; every call is its own transaction (process-safe)."""

    def __init__(self, db: str | Path | Database, *, leave_out: Collection[int] = ()) -> None:
        """``db``: the embedded ``runs.db`` path (the team store when one is configured), or a
        ``Database``. ``leave_out``: ids of verdicts its readers do not count (ones the
        evidence ledger does not hold: ``review.backing``)."""
        self.db = open_database(db)
        self.leave_out = frozenset(leave_out)

    # -- queue ---------------------------------------------------------------------------------
    def enqueue(
        self,
        run_id: str,
        items: list[dict[str, Any]],
        rows: list[dict[str, Any]],
        *,
        replace: bool = False,
    ) -> int:
        """Store the queued rows with what a reviewer needs; return how many were added.
        Queueing a finished run again changes nothing (the first queue stands, like the run's
        own files). The runner is the one caller: a storage fault stays a sqlite3 error, which
        it reports as a failed run with the ``--resume`` that finishes it.

        ``replace``: the run's queue changed since it was stored (``--retry-errors`` measured
        it again): the stored queue becomes ``items``. A row no longer queued is deleted, unless
        a person gave a verdict on it: a verdict is a record of what a person did (append-only,
        and in the ledger), so its row stays, with the text it was given on, and is marked no
        longer queued (no reasons, not required). A row still queued takes its new reasons,
        ``required``, scorer label and scores, and keeps its prompt and response: a retry
        re-sends only errored requests, which are never queued, so the text a verdict was
        given on is the run's text still, and so is how it ended (``finish_reason``). The team
        store keeps each NUL of a prompt or response as ``␀`` (``store.nultext``): PostgreSQL
        cannot hold NUL."""
        from .policy import requires_review, row_key

        by_key = {row_key(r): r for r in rows}
        now = _now()
        added = 0
        self.db.ensure_schema()
        with self.db.transaction() as conn:
            stored: set[str] = set()
            if replace:
                stored = self._withdraw(conn, run_id, {str(item["key"]) for item in items})
            for item in items:
                row = by_key.get(item["key"], {})
                reasons = json.dumps(item["reasons"])
                required = int(requires_review(item["reasons"]))
                label = None if item.get("scorer_label") is None else int(item["scorer_label"])
                scores = json.dumps(row.get("scores") or {}, ensure_ascii=False, default=str)
                metadata = json.dumps(row.get("metadata") or {}, ensure_ascii=False, default=str)
                if item["key"] in stored:
                    conn.execute(
                        "UPDATE review_queue SET reasons = ?, required = ?, scorer_label = ?, "
                        "scores = ?, metadata = ? WHERE run_id = ? AND row_key = ?",
                        (reasons, required, label, scores, metadata, run_id, item["key"]),
                    )
                    continue
                cursor = conn.execute(
                    "INSERT INTO review_queue (run_id, row_key, reasons, required, scorer_label, "
                    "prompt, response, scores, metadata, queued_at, finish_reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (
                        run_id,
                        item["key"],
                        reasons,
                        required,
                        label,
                        kept_text(row.get("prompt"), self.db.dialect),
                        kept_text(row.get("response"), self.db.dialect),
                        scores,
                        metadata,
                        now,
                        kept_text(_finish_reason(row), self.db.dialect),
                    ),
                )
                added += cursor.rowcount
        return added

    @staticmethod
    def _withdraw(conn: Connection, run_id: str, keep: set[str]) -> set[str]:
        """Take the run's stored rows that are not in ``keep`` out of its queue (``enqueue``'s
        ``replace``); return the keys of the rows stored before."""
        stored = {
            str(r["row_key"])
            for r in conn.execute(
                "SELECT row_key FROM review_queue WHERE run_id = ?", (run_id,)
            ).fetchall()
        }
        reviewed = {
            str(r["row_key"])
            for r in conn.execute(
                "SELECT DISTINCT row_key FROM review_verdicts WHERE run_id = ?", (run_id,)
            ).fetchall()
        }
        for key in sorted(stored - keep):
            if key in reviewed:
                conn.execute(
                    "UPDATE review_queue SET reasons = ?, required = 0 "
                    "WHERE run_id = ? AND row_key = ?",
                    ("[]", run_id, key),
                )
            else:
                conn.execute(
                    "DELETE FROM review_queue WHERE run_id = ? AND row_key = ?", (run_id, key)
                )
        return stored

    def holds_run(self, run_id: str) -> bool:
        """Whether a row of ``run_id`` is queued or reviewed here: such an id is a whole run id,
        taken as it is, even once the run's folder is gone (its queue and verdicts still list).
        A store not made yet holds none, and is not made by asking."""
        if not self.db.exists():
            return False
        query = (
            "SELECT 1 FROM review_queue WHERE run_id = ? "
            "UNION ALL SELECT 1 FROM review_verdicts WHERE run_id = ? LIMIT 1"
        )
        with reported_reading(self.db) as conn:
            return conn.execute(query, (run_id, run_id)).fetchone() is not None

    def queue(self, run_id: str | None = None) -> list[QueueItem]:
        """The queued rows (of ``run_id``, or every run), the newest run first."""
        return list(self.iter_queue(run_id))

    def iter_queue(self, run_id: str | None = None) -> Generator[QueueItem, None, None]:
        """``queue``'s rows one at a time, read as they are asked for, in one transaction: a
        reader that keeps a few of them never holds them all (the web app's review page read
        the 90,000 queued rows of two 100,000-case runs into a list for its first 500, and
        peaked the app's process at 460-490 MB). A generator, so a reader that stops early
        can ``close()`` it (``contextlib.closing``) and end the transaction then. A store not
        made yet holds none, and is not made by asking (a typo in ``--reports``)."""
        if not self.db.exists():
            return
        query = "SELECT * FROM review_queue"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            query += " WHERE run_id = ?"
            args = (run_id,)
        query += " ORDER BY queued_at DESC, run_id DESC, rowid"
        with reported_reading(self.db) as conn:
            for row in conn.stream(query, args):
                yield QueueItem.from_row(row, self.db.where)

    def item(self, run_id: str, key: str) -> QueueItem:
        with reported_reading(self.db) as conn:
            row = conn.execute(
                "SELECT * FROM review_queue WHERE run_id = ? AND row_key = ?", (run_id, key)
            ).fetchone()
        if row is None:
            raise UsageError(
                f"row {key} of run {run_id} is not in the review queue; "
                f"see 'assurance review queue --run {run_id}'"
            )
        return QueueItem.from_row(row, self.db.where)

    def forget_texts(self, run_ids: list[str], *, dry_run: bool = False) -> int:
        """Delete (``dry_run``: count) the prompts and responses queued from these runs (``runs
        purge``); how many rows held one. The rows stay queued, with their scores and verdicts,
        as the purged run keeps its summary. A store that cannot be read or written is the
        StoreError :func:`store_faults` words (a damaged runs.db was a crash here), in the dry
        run too: it must not say "would purge" what the purge would refuse."""
        if not run_ids or not self.db.exists():
            return 0
        held = "run_id = ? AND (prompt IS NOT NULL OR response IS NOT NULL)"
        count = 0
        if dry_run:
            if self.db.dialect == "sqlite":
                # The count below reads, and passes where the deletion fails (an immutable
                # runs.db): a purge would record itself, then fail (``files.check_changeable``).
                with store_faults(self.db):
                    check_changeable(Path(self.db.where))
            with reported_reading(self.db) as conn:
                for run_id in run_ids:
                    row = conn.execute(
                        f"SELECT COUNT(*) AS held FROM review_queue WHERE {held}", (run_id,)
                    ).fetchone()
                    count += int(row["held"]) if row is not None else 0
            return count
        with reported_transaction(self.db) as conn:
            if conn.dialect == "sqlite":
                conn.execute("PRAGMA secure_delete = ON")  # no copy left in the freed pages
            for run_id in run_ids:
                count += conn.execute(
                    f"UPDATE review_queue SET prompt = NULL, response = NULL WHERE {held}",
                    (run_id,),
                ).rowcount
        return count

    # -- verdicts ------------------------------------------------------------------------------
    def history(self, run_id: str | None = None, key: str | None = None) -> list[Verdict]:
        """Every verdict ever given, oldest first."""
        with store_faults(self.db):
            return verdict_history(self.db, run_id, key, leave_out=self.leave_out)

    def current(self, run_id: str | None = None) -> Standing:
        """The standing verdict of each reviewer, per (run, row): the latest they gave."""
        with store_faults(self.db):
            return standing_verdicts(self.db, run_id, leave_out=self.leave_out)

    def add_verdict(
        self,
        *,
        run_id: str,
        key: str,
        reviewer: str,
        decision: str,
        label: bool | None,
        scorer_label: bool | None,
        note: str,
        created_at: str,
        ledger_ids: list[str] | Callable[[list[str]], list[str]],
    ) -> Verdict:
        """Store a verdict, superseding the reviewer's previous one on the row.

        ``ledger_ids`` may be the step that writes the verdict's evidence: it is given the
        previous verdict's ledger ids and returns the new records' ids. It runs inside this
        transaction, under the store's write lock, so two verdicts of one reviewer on one row
        at once are chained one after the other, the same way in the ledger and here (read
        before the lock, both superseded the same earlier verdict).
        """
        with reported_transaction(self.db) as conn:
            conn.lock("review-verdicts")
            prior = conn.execute(
                "SELECT * FROM review_verdicts "
                "WHERE run_id = ? AND row_key = ? AND reviewer = ? ORDER BY id DESC LIMIT 1",
                (run_id, key, reviewer),
            ).fetchone()
            if callable(ledger_ids):
                previous = Verdict.from_row(prior, self.db.where) if prior else None
                ledger_ids = ledger_ids(previous.ledger_ids if previous else [])
            new_id = conn.insert_id(
                "INSERT INTO review_verdicts (run_id, row_key, reviewer, decision, label, "
                "scorer_label, note, created_at, supersedes, ledger_ids) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    key,
                    reviewer,
                    decision,
                    None if label is None else int(label),
                    None if scorer_label is None else int(scorer_label),
                    note,
                    created_at,
                    prior["id"] if prior else None,
                    json.dumps(ledger_ids),
                ),
            )
            row = conn.execute("SELECT * FROM review_verdicts WHERE id = ?", (new_id,)).fetchone()
        assert row is not None
        return Verdict.from_row(row, self.db.where)

    # -- reviewers -----------------------------------------------------------------------------
    def add_reviewer(self, name: str, token: str | None, *, replace: bool = False) -> str:
        """Register ``name`` with ``token`` (none: verdicts under it need none). Returns what
        was done: ``"registered"``, ``"unchanged"`` (registered already, with this token) or
        ``"replaced"``.

        The token a registered name holds changes only with ``replace``: registering it again
        without one (a set-up script run where the variable is unset) removed the guard, and
        anyone's verdicts counted as that reviewer's; another token locked them out. Both were
        silent. ``replace`` for a name not registered is refused too: a typo would register a
        new reviewer while the one meant kept the old token."""
        # Verdicts are given under the stripped name (check_reviewer): register that one, so a
        # token guards the name in use; a blank one, which adjudicate refuses, never.
        if not name.strip():
            raise UsageError("no reviewer name: give the reviewer's name (add-reviewer NAME)")
        checked = _name_or_none(name)
        wanted = token_hash(token) if token else None
        with reported_transaction(self.db) as conn:
            registered = conn.execute(_REGISTERED).fetchall()
            known = _known_reviewers(conn, registered)
            name = checked if checked is not None else reviewer_name(name, held=known)
            _refuse_lookalike(name, known)
            # A store written before names were composed may hold this one decomposed.
            held = [r for r in registered if composed_name(str(r["name"])) == name]
            if not held and replace:
                raise UsageError(
                    f"reviewer '{name}' is not registered, so there is no token to replace; "
                    "check the name, or leave --replace out to register them"
                )
            if held and all((r["token_sha256"] or None) == wanted for r in held):
                return "unchanged"
            if held and not replace:
                has = "with a token" if any(r["token_sha256"] for r in held) else "without one"
                raise UsageError(
                    f"reviewer '{name}' is already registered {has}; give --replace to set "
                    f"{'this token' if token else 'no token'} in its place (verdicts under the "
                    "name will need the new one)"
                )
            conn.execute(
                "INSERT INTO reviewers (name, token_sha256, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET token_sha256 = excluded.token_sha256, "
                "created_at = excluded.created_at",
                (name, wanted, _now()),
            )
            for other in {str(r["name"]) for r in held} - {name}:  # the decomposed spelling
                conn.execute(
                    "UPDATE reviewers SET token_sha256 = ? WHERE name = ?", (wanted, other)
                )
        return "replaced" if held else "registered"

    def held_name(self, name: str) -> str:
        """``reviewer_name(name)``, a name over ``REVIEWER_NAME_MAX`` taken where the store
        already holds it (the store read only then): ``assurance ui --reviewer`` checks the
        name at start, and refused one its verdicts are kept under."""
        checked = _name_or_none(name)
        if checked is not None:
            return checked
        with reported_reading(self.db) as conn:
            known = _known_reviewers(conn, conn.execute(_REGISTERED).fetchall())
        return reviewer_name(name, held=known)

    def check_reviewer(self, name: str, token: str | None) -> str:
        """A reviewer registered with a token must give it; unregistered names need none.
        Returns the name as verdicts are kept under it (``reviewer_name``)."""
        checked = _name_or_none(name)
        with reported_reading(self.db) as conn:
            # Every registration of the name, composed: a store written before names were
            # composed (reviewer_name) may hold it decomposed, with the token that guards it.
            rows = conn.execute(_REGISTERED).fetchall()
            known = _known_reviewers(conn, rows)
        name = checked if checked is not None else reviewer_name(name, held=known)
        _refuse_lookalike(name, known)
        expected = [
            str(row["token_sha256"])
            for row in rows
            if row["token_sha256"] and composed_name(str(row["name"])) == name
        ]
        given = token_hash(token) if token else ""
        if expected and not any(hmac.compare_digest(e, given) for e in expected):
            raise ReviewerRefused(
                f"reviewer '{name}' is registered with a token and the token given does not "
                "match; set ASSURANCE_REVIEW_TOKEN to theirs"
            )
        return name
