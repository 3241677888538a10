"""The evidence ledger in the PostgreSQL team store, used instead of the JSONL file when a team
store is configured (``store.location``).

Each record is stored as the very line the JSONL ledger would hold (its canonical JSON), at a
position that plays the line number, so records hash to the same bytes and ``evidence verify``
checks both the same way; ``evidence_head`` is the ``.head`` anchor. An append is one
transaction that takes ``pg_advisory_xact_lock`` before it reads the last hash, so concurrent
writers (CI runners, reviewers) queue and never fork the chain; the primary key on the position
refuses a fork even from a writer that skipped the lock. Record paths stay relative to the
ledger's logical location (``<reports>/evidence/ledger.jsonl``), as in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..store.database import Connection, Database
from .evidence_record import EvidenceRecord, canonical_json, parse_record_line

LOCK = "assurance-evidence-ledger"

Chain = Callable[[EvidenceRecord | None, list[EvidenceRecord]], list[EvidenceRecord]]
"""Given the last record and the records of the runs being attached, the records to append."""


class TeamLedger:
    """The ledger's rows in one PostgreSQL database."""

    def __init__(self, db: Database, ledger_path: Path) -> None:
        self.db = db
        self.ledger_path = ledger_path

    @property
    def where(self) -> str:
        return f"{self.db.where} (evidence_ledger)"

    def iter_lines(self) -> Iterator[tuple[int, str, EvidenceRecord | None]]:
        """(position, line, record or None) in chain order, like the file's lines."""
        with self.db.transaction() as conn:
            rows = conn.execute("SELECT pos, line FROM evidence_ledger ORDER BY pos").fetchall()
        for row in rows:
            yield int(row["pos"]), str(row["line"]), parse_record_line(str(row["line"]))

    def snapshot(self) -> tuple[list[tuple[int, str, EvidenceRecord | None]], str | None]:
        """:meth:`iter_lines` and :meth:`head_text` as of one moment: one statement sees one
        snapshot. Read in two transactions, an append committed between them left the head
        past the rows read, which verify reported as records removed."""
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT 0 AS head, pos, line FROM evidence_ledger "
                "UNION ALL SELECT 1 AS head, 0 AS pos, line FROM evidence_head ORDER BY head, pos"
            ).fetchall()
        lines = [
            (int(r["pos"]), str(r["line"]), parse_record_line(str(r["line"])))
            for r in rows
            if not r["head"]
        ]
        heads = [str(r["line"]) for r in rows if r["head"]]
        return lines, heads[0] if heads else None

    def version(self) -> tuple[int, int, int]:
        """(rows, last position, newest writing transaction): it changes with every append,
        and with a row rewritten or removed past the append-only trigger (a rewritten row's
        ``xmin`` is its new transaction's), so a reader may keep what it read of the rows while
        it is unchanged (``ledger_hashes``), as it keeps the file's while its stat is."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT count(*) AS n, coalesce(max(pos), 0) AS last, "
                "coalesce(max(xmin::text::bigint), 0) AS tx FROM evidence_ledger"
            ).fetchone()
        return (0, 0, 0) if row is None else (int(row["n"]), int(row["last"]), int(row["tx"]))

    def head_text(self) -> str | None:
        """The anchor (``{"seq", "id", "hash", "updated_at"}``), or None before any append."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT line FROM evidence_head").fetchone()
        return None if row is None else str(row["line"])

    def append(self, run_ids: set[str], chain: Chain) -> list[EvidenceRecord]:
        """Under the ledger's lock: read the tail and these runs' records, chain, insert.
        ``chain`` reads the clock (``recorded_at``) here, under the lock, so a writer that
        waited for it is never dated before the one that held it; the head's ``updated_at``
        is the same moment, the last new record's ``recorded_at``."""
        with self.db.transaction() as conn:
            conn.lock(LOCK)
            last = conn.execute(
                "SELECT pos, line FROM evidence_ledger ORDER BY pos DESC LIMIT 1"
            ).fetchone()
            existing: list[EvidenceRecord] = []
            if run_ids:
                marks = ", ".join("?" for _ in run_ids)
                for row in conn.execute(
                    f"SELECT line FROM evidence_ledger WHERE run_id IN ({marks}) ORDER BY pos",
                    sorted(run_ids),
                ).fetchall():
                    record = parse_record_line(str(row["line"]))
                    if record is not None:
                        existing.append(record)
            tail = parse_record_line(str(last["line"])) if last else None
            if last is not None and tail is None:
                from ..store.location import follow_up
                from .evidence_record import EvidenceError

                raise EvidenceError(
                    f"{self.where}:{last['pos']}: not a valid evidence record; nothing can be "
                    f"chained to it. Run '{follow_up('assurance evidence verify')}' to see what "
                    "was changed"
                )
            self._refuse_head_disagreeing(conn, tail)
            new = chain(tail, existing)
            if new:
                lines = [r.to_line() for r in new]
                self._insert(conn, int(last["pos"]) if last else 0, lines, new[-1].recorded_at)
            return new

    def _refuse_head_disagreeing(self, conn: Connection, tail: EvidenceRecord | None) -> None:
        """An EvidenceError where ``evidence_head`` is not the last row's record. The head
        moves in the same transaction as each append, so a disagreement is never a crash: rows
        were inserted past it (the append-only trigger lets anyone with INSERT rights add
        them), or removed or rewritten with the trigger disabled. An append would chain onto
        the rows as they are and move the head to itself, and 'evidence verify', which reports
        it now, would find nothing wrong; the file ledger refuses the same
        (``ledger_store._refuse_behind_anchor``, ``_refuse_unanchored``)."""
        from ..store.location import follow_up
        from .evidence_record import EvidenceError
        from .ledger_store import parse_anchor

        row = conn.execute("SELECT line FROM evidence_head").fetchone()
        if row is None and tail is None:
            return
        try:
            head = parse_anchor(str(row["line"])) if row is not None else None
        except (ValueError, KeyError, TypeError):
            head = None
        if head is not None and tail is not None and head == (tail.seq, tail.hash):
            return
        kept = (
            "no evidence_head row"
            if row is None
            else "an evidence_head that cannot be read"
            if head is None
            else f"evidence_head at {head[0]} records (head {head[1][:12]})"
        )
        last = f"the last row is {tail.id}" if tail is not None else "it holds no records"
        raise EvidenceError(
            f"{self.where}: {kept}, but {last}: records were added, removed or rewritten "
            "outside the evidence tools, and appending would hide it; nothing was appended. "
            f"See '{follow_up('assurance evidence verify')}'"
        )

    def import_lines(self, lines: list[str], now: str, *, after: int) -> int:
        """Append these lines as they are (``store migrate``) after the first ``after`` rows;
        StoreError when another writer appended in the meantime."""
        from ..store.postgres import StoreError

        with self.db.transaction() as conn:
            conn.lock(LOCK)
            count = conn.execute("SELECT count(*) AS n FROM evidence_ledger").fetchone()
            if int((count or {}).get("n") or 0) != after:
                raise StoreError(f"{self.where}: records were appended meanwhile; run it again")
            self._insert(conn, after, lines, now)
        return len(lines)

    @staticmethod
    def _insert(conn: Connection, after: int, lines: list[str], now: str) -> None:
        if not lines:
            return
        record = None
        for offset, line in enumerate(lines, start=1):
            text = line.rstrip("\n")
            record = parse_record_line(text)
            conn.execute(
                "INSERT INTO evidence_ledger (pos, run_id, line) VALUES (?, ?, ?)",
                (after + offset, record.run_id if record else None, text),
            )
        if record is not None:
            head = {"seq": record.seq, "id": record.id, "hash": record.hash, "updated_at": now}
            conn.execute(
                "INSERT INTO evidence_head (one, line) VALUES (TRUE, ?) "
                "ON CONFLICT (one) DO UPDATE SET line = excluded.line",
                (canonical_json(head),),
            )


def team_ledger(ledger_path: Path) -> TeamLedger | None:
    """The team store's ledger when one is configured, else None (the JSONL file is used)."""
    from ..store.location import team_database

    database = team_database()
    return None if database is None else TeamLedger(database, Path(ledger_path))


def ledger_where(ledger_path: Path) -> str:
    """Where the ledger's records are, for messages: the team store's table when one is
    configured (the file at ``ledger_path`` is then never written), else the file."""
    team = team_ledger(ledger_path)
    return str(ledger_path) if team is None else team.where


def migrate_ledger(ledger_path: Path, url: str, now: str) -> tuple[int, int]:
    """Copy the JSONL ledger's records, line for line, into the team store at ``url``; return
    (copied, already there). The file's chain must verify (tampering is not carried over), and
    the target must be empty or hold exactly a prefix of this chain; otherwise nothing is
    written (StoreError)."""
    from ..store.location import team_database, using_store
    from ..store.postgres import StoreError
    from .ledger_store import iter_lines
    from .ledger_verify import verify_ledger

    ledger_path = Path(ledger_path)
    with using_store(None):
        report = verify_ledger(ledger_path, check_files=False)
        lines = [raw for _, raw, _ in iter_lines(ledger_path)]
    if not report.ok:
        first = report.issues[0].format(ledger_path)
        raise StoreError(
            f"{ledger_path} does not verify, so it is not carried into the team store ({first}); "
            "see 'assurance evidence verify'"
        )
    with using_store(url):
        database = team_database()
        assert database is not None
        team = TeamLedger(database, ledger_path)
        there = [raw for _, raw, _ in team.iter_lines()]
        prefix = len(there) <= len(lines) and there == lines[: len(there)]
        if not prefix:
            at = next(
                (i for i, (a, b) in enumerate(zip(there, lines, strict=False), 1) if a != b),
                min(len(there), len(lines)) + 1,
            )
            raise StoreError(
                f"{team.where} already holds a different evidence chain (they differ at record "
                f"{at}); nothing was copied. Migrate into an empty database, or one that holds "
                "a prefix of this ledger"
            )
        copied = team.import_lines(lines[len(there) :], now, after=len(there))
    return copied, len(there)
