"""The evidence ledger in a real PostgreSQL team store: the same bytes and hashes as the JSONL
ledger, tamper detection by the same verify, four processes appending at once without a fork
or a lost record, and ``assurance store migrate`` from an embedded store.

Runs against the throwaway cluster of ``tests/testing/postgres.py`` (skips without PostgreSQL).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register import ledger_store
from assurance_harness.register.ledger import attach_run, read_ledger, verify_ledger
from assurance_harness.store.postgres import PostgresDatabase

from ..testing.cli import run_cli
from ..testing.postgres import SUPERUSER, PgCluster
from .register_testkit import without_added_since_golden

GOLDEN = Path(__file__).parent / "golden"
RUN_ID = "20261202T030141Z-golden-refusal-e0f7"
RECORDED_AT = "2026-12-01T00:00:00+00:00"
SRC = Path(__file__).resolve().parents[2] / "src"


def _cli(*args: str | Path) -> Any:
    """The CLI in this process (a subprocess costs seconds of start-up per call)."""
    from typer.testing import CliRunner

    from assurance_harness.cli import app

    try:
        return CliRunner().invoke(app, [str(a) for a in args])
    finally:
        from assurance_harness.store.location import set_cli_store

        set_cli_store(None)


def _copy_reports(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(GOLDEN / "reports", reports)
    return reports


def _rows(url: str) -> list[tuple[int, str]]:
    with PostgresDatabase(url).transaction() as conn:
        rows = conn.execute("SELECT pos, line FROM evidence_ledger ORDER BY pos").fetchall()
    return [(int(r["pos"]), str(r["line"])) for r in rows]


def _tamper(url: str, sql: str) -> None:
    """What someone with the database's owner rights could do: bypass the append-only trigger."""
    with PostgresDatabase(url).transaction() as conn:
        conn.execute("ALTER TABLE evidence_ledger DISABLE TRIGGER evidence_ledger_append_only")
        conn.execute(sql)
        conn.execute("ALTER TABLE evidence_ledger ENABLE TRIGGER evidence_ledger_append_only")


def test_records_in_postgres_hash_exactly_as_in_the_jsonl_ledger(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = _copy_reports(tmp_path)
    ledger = reports / "fresh" / "ledger.jsonl"
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    monkeypatch.setattr(ledger_store, "_utc_now", lambda: RECORDED_AT)
    records = attach_run(reports / RUN_ID, ledger_path=ledger)
    assert len(records) == 6 and not ledger.exists()  # nothing written beside the store
    golden = (GOLDEN / "reports" / "evidence" / "ledger.jsonl").read_text(encoding="utf-8")
    stored = "".join(line + "\n" for _, line in _rows(pg_url))
    assert "".join(without_added_since_golden(stored)) == golden
    assert attach_run(reports / RUN_ID, ledger_path=ledger) == []  # idempotent, as in the file
    report = verify_ledger(ledger)
    assert report.ok, [i.format(ledger) for i in report.issues]
    assert report.records == 6 and report.runs_checked == 1 and report.files_checked >= 3
    assert [r.id for r in read_ledger(ledger)] == [f"EV-{i:06d}" for i in range(1, 7)]


def test_verify_finds_tampering_in_the_team_store(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = _copy_reports(tmp_path)
    ledger = reports / "evidence" / "ledger.jsonl"
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    attach_run(reports / RUN_ID, ledger_path=ledger)
    with PostgresDatabase(pg_url).transaction() as conn, pytest.raises(Exception, match="append"):
        conn.execute("DELETE FROM evidence_ledger")  # refused by the trigger
    _tamper(pg_url, "UPDATE evidence_ledger SET line = replace(line, '\"pass\"', '\"fail\"')")
    assert "edited" in verify_ledger(ledger, check_files=False).kinds()
    _tamper(pg_url, "DELETE FROM evidence_ledger WHERE pos = 6")
    report = verify_ledger(ledger, check_files=False)
    assert "truncated" in report.kinds()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from assurance_harness.register.ledger import append_records

    worker, count, ledger = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    for k in range(count):
        body = {
            "risk_id": "R-001", "run_id": f"w{worker}-{k}", "verdict": "pass",
            "suite": {"name": "s"}, "target": {"name": "t"}, "gate": {"id": f"g{k}"},
            "metric": None, "run": {},
        }
        append_records(ledger, [body, {**body, "risk_id": "R-002"}])
    """
)


def _four_writers_at_once(pg_url: str, tmp_path: Path, per_worker: int) -> tuple[Any, list[Any]]:
    """Four processes each appending ``per_worker`` pairs of records to the team ledger at
    once (each must exit 0), then the ledger verified and read back."""
    ledger = tmp_path / "evidence" / "ledger.jsonl"
    env = {**os.environ, "ASSURANCE_STORE": pg_url, "PYTHONPATH": str(SRC)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(w), str(per_worker), str(ledger)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    os.environ["ASSURANCE_STORE"] = pg_url
    try:
        return verify_ledger(ledger, check_files=False), read_ledger(ledger)
    finally:
        del os.environ["ASSURANCE_STORE"]


def test_four_processes_append_at_once_without_a_fork_or_a_lost_record(
    pg_url: str, tmp_path: Path
) -> None:
    per_worker = 15
    report, records = _four_writers_at_once(pg_url, tmp_path, per_worker)
    assert report.ok, report.issues
    assert report.records == 4 * per_worker * 2
    assert {r.run_id for r in records} == {f"w{w}-{k}" for w in range(4) for k in range(per_worker)}
    # Each append of two records stays together: no writer's pair was split by another's.
    for first, second in zip(records[::2], records[1::2], strict=True):
        assert first.run_id == second.run_id and second.prev_hash == first.hash
    assert [pos for pos, _ in _rows(pg_url)] == list(range(1, report.records + 1))


@pytest.mark.parametrize("isolation", ["repeatable read", "serializable"])
def test_appends_at_once_keep_one_chain_where_the_database_defaults_to_another_isolation(
    pg_url: str, postgres_cluster: PgCluster, tmp_path: Path, isolation: str
) -> None:
    """A database whose administrator made transactions stricter by default
    (``default_transaction_isolation``): each transaction read what it saw as of its first
    statement, before the lock it takes to read the last record, so writers that waited for
    the lock chained onto a tail already moved on. Was: every writer but one failed with
    PostgreSQL's "duplicate key value violates unique constraint" (or a serialization
    failure), their records not appended; four processes making a new store at once failed
    on 'trigger ... already exists'."""
    import psycopg

    name = pg_url.split("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(
        host="127.0.0.1",
        port=postgres_cluster.port,
        user=SUPERUSER,
        password=postgres_cluster.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = '{isolation}'"
        )
    per_worker = 6
    report, _ = _four_writers_at_once(pg_url, tmp_path, per_worker)
    assert report.ok and report.records == 4 * per_worker * 2, report.issues


def _embedded_store(tmp_path: Path) -> Path:
    """The golden run and ledger, plus an index row, a baseline and a review verdict in runs.db."""
    from assurance_harness.review.store import ReviewStore
    from assurance_harness.store.database import SqliteDatabase
    from assurance_harness.store.index import RunIndex

    reports = _copy_reports(tmp_path)
    db = SqliteDatabase(reports / "runs.db")
    RunIndex(db).upsert({"run_id": RUN_ID, "suite": "golden", "status": "passed", "run_dir": "x"})
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO baseline_history (suite, target_name, run_id, action, at) "
            "VALUES ('golden', 't', ?, 'set', 'now')",
            (RUN_ID,),
        )
    reviews = ReviewStore(db)
    reviews.enqueue(RUN_ID, [{"key": "c1#0", "reasons": ["flag"]}], [{"case_id": "c1"}])
    for label in (True, False):
        reviews.add_verdict(
            run_id=RUN_ID, key="c1#0", reviewer="ann", decision="correct", label=label,
            scorer_label=True, note="", created_at="t", ledger_ids=[],
        )  # fmt: skip
    return reports


def test_store_migrate_moves_an_embedded_store_and_verifies_the_chain(
    pg_url: str, tmp_path: Path
) -> None:
    reports = _embedded_store(tmp_path)
    done = run_cli("store", "migrate", "--to", pg_url, "--reports", reports, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "evidence ledger: 6 records copied, 0 already there" in done.stdout
    assert "verified" in done.stdout and "review_verdicts: 2 copied" in done.stdout
    golden = (GOLDEN / "reports" / "evidence" / "ledger.jsonl").read_text(encoding="utf-8")
    stored = "".join(line + "\n" for _, line in _rows(pg_url))
    assert "".join(without_added_since_golden(stored)) == golden
    again = _cli("store", "migrate", "--to", pg_url, "--reports", reports)
    assert again.exit_code == 0, again.output
    assert "evidence ledger: 0 records copied, 6 already there" in again.output
    # The migrated verdicts keep their ids and history; new ones continue after them.
    from assurance_harness.review.store import ReviewStore

    store = ReviewStore(PostgresDatabase(pg_url))
    history = store.history(RUN_ID)
    assert [v.supersedes for v in history] == [None, history[0].id]
    newer = store.add_verdict(
        run_id=RUN_ID, key="c1#0", reviewer="ann", decision="agree", label=True,
        scorer_label=True, note="", created_at="t2", ledger_ids=[],
    )  # fmt: skip
    assert newer.id > history[-1].id and newer.supersedes == history[-1].id
    # Commands read the team store once it is configured.
    listed = _cli("--store", pg_url, "runs", "list", "-f", "json", "--reports", reports)
    assert RUN_ID in listed.output
    verified = _cli("--store", pg_url, "evidence", "verify", "-f", "json", "--reports", reports)
    report = json.loads(verified.stdout)
    assert report["records"] == 6, verified.output
    # The chain verifies; the verdicts made above with no ledger record (ledger_ids=[]) are
    # what a hand-inserted verdict looks like, and verify says so (review.backing).
    assert {i["kind"] for i in report["issues"]} == {"review_unbacked"}, verified.output
    assert len(report["issues"]) == 3 and verified.exit_code == 1, verified.output


def test_store_migrate_from_a_folder_with_no_store_is_refused(pg_url: str, tmp_path: Path) -> None:
    """Observed: ``--reports`` misspelt (a folder with no runs.db and no ledger) migrated
    nothing and said so as a success, exit 0 ("evidence ledger: 0 records copied, 0 already
    there", "verified ..."), which reads as the project's history now being in the team
    store. Nothing there to migrate is a usage error naming what was looked for."""
    typo = tmp_path / "reprots"
    done = run_cli("store", "migrate", "--to", pg_url, "--reports", typo, cwd=tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert text.strip().count("\n") == 0, text
    assert f"{typo / 'runs.db'}" in text and f"{typo / 'evidence' / 'ledger.jsonl'}" in text, text
    assert "nothing to migrate" in text, text
    assert not typo.exists()
    with PostgresDatabase(pg_url).transaction() as conn:  # the store untouched: no tables made
        tables = conn.execute(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    assert tables[0]["n"] == 0


def test_store_migrate_refuses_a_target_with_a_different_chain(pg_url: str, tmp_path: Path) -> None:
    reports = _embedded_store(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    os.environ["ASSURANCE_STORE"] = pg_url
    try:
        ledger_store.append_records(
            other / "ledger.jsonl",
            [
                {
                    "risk_id": "R-9", "run_id": "someone-else", "verdict": "pass", "suite": {},
                    "target": {}, "gate": None, "metric": None, "run": {},
                }
            ],
        )  # fmt: skip
    finally:
        del os.environ["ASSURANCE_STORE"]
    done = _cli("store", "migrate", "--to", pg_url, "--reports", reports)
    assert done.exit_code == 2
    assert "already holds a different evidence chain" in done.output
    assert len(_rows(pg_url)) == 1  # nothing copied
    assert os.environ["ASSURANCE_TEST_PG_PASSWORD"] not in done.output
    assert json.loads(_rows(pg_url)[0][1])["run_id"] == "someone-else"


def _hand_record(url: str) -> None:
    """Insert a record past the head, chained as a careful forger would (the append-only
    trigger lets anyone with INSERT rights add rows; evidence_head is left as it was)."""
    from assurance_harness.register.ledger import canonical_json, record_hash

    pos, line = _rows(url)[-1]
    last = json.loads(line)
    forged = {**last, "verdict": "pass", "seq": last["seq"] + 1, "prev_hash": last["hash"]}
    forged["id"] = f"EV-{forged['seq']:06d}"
    forged.pop("hash")
    forged["hash"] = record_hash(forged)
    with PostgresDatabase(url).transaction() as conn:
        conn.execute(
            "INSERT INTO evidence_ledger (pos, run_id, line) VALUES (?, ?, ?)",
            (pos + 1, forged["run_id"], canonical_json(forged)),
        )


_LATER_BODY = {
    "risk_id": "R-001", "run_id": "later-run", "verdict": "pass", "suite": {"name": "s"},
    "target": {"name": "t"}, "gate": {"id": "g"}, "metric": None, "run": {},
}  # fmt: skip


@pytest.mark.parametrize(
    "tamper",
    ["a record inserted past the head", "the last record deleted"],
)
def test_an_append_to_a_team_store_whose_head_disagrees_with_its_rows_is_refused(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tamper: str
) -> None:
    """Observed: with a record inserted by hand past evidence_head, or the last one deleted,
    'evidence verify' failed, but the next append chained onto the rows as they were and moved
    the head to its own record, after which verify found nothing wrong. The head moves in the
    same transaction as every append, so a head that disagrees is never a crash."""
    from assurance_harness.register.ledger import EvidenceError, append_records

    reports = _copy_reports(tmp_path)
    ledger = reports / "evidence" / "ledger.jsonl"
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    attach_run(reports / RUN_ID, ledger_path=ledger)
    if tamper == "a record inserted past the head":
        _hand_record(pg_url)
    else:
        _tamper(pg_url, "DELETE FROM evidence_ledger WHERE pos = 6")
    assert not verify_ledger(ledger, check_files=False).ok
    rows = _rows(pg_url)

    with pytest.raises(EvidenceError, match="evidence verify"):
        append_records(ledger, [_LATER_BODY])
    assert _rows(pg_url) == rows
    assert not verify_ledger(ledger, check_files=False).ok


def test_head_of_a_team_store_whose_head_row_is_gone_does_not_say_attach_a_run_first(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With records in the store and its evidence_head row deleted, 'evidence head' said "no
    anchor yet; attach a run first", as for a new store: verify reports it as tampering."""
    reports = _copy_reports(tmp_path)
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    attach_run(reports / RUN_ID, ledger_path=reports / "evidence" / "ledger.jsonl")
    with PostgresDatabase(pg_url).transaction() as conn:
        conn.execute("DELETE FROM evidence_head")
    result = _cli("evidence", "head", "--reports", reports)
    assert result.exit_code == 2, result.output
    assert "attach a run first" not in result.output, result.output
    assert "evidence_head" in result.output and "evidence verify" in result.output, result.output


def test_verify_beside_an_append_to_the_team_store_reports_no_tampering(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verify read the store's rows, then its evidence_head row, in two transactions: an append
    committed between the two left the head past the rows read, reported as records removed
    (exit 1 beside a run finishing). Held here deterministically: the append's transaction
    takes evidence_head first, so verify waits at whichever read needs it."""
    import contextlib
    import threading
    import time

    from assurance_harness.register.ledger_store import _chain
    from assurance_harness.register.ledger_team import TeamLedger

    reports = _copy_reports(tmp_path)
    ledger = reports / "evidence" / "ledger.jsonl"
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    attach_run(reports / RUN_ID, ledger_path=ledger)
    store = PostgresDatabase(pg_url)
    body = {
        "risk_id": "R-001", "run_id": "late", "verdict": "pass", "suite": {"name": "s"},
        "target": {"name": "t"}, "gate": {"id": "g"}, "metric": None, "run": {},
    }  # fmt: skip
    reports_seen: list[Any] = []
    with store.transaction() as conn:
        conn.execute("LOCK TABLE evidence_head IN ACCESS EXCLUSIVE MODE")
        verify = threading.Thread(
            target=lambda: reports_seen.append(verify_ledger(ledger, check_files=False))
        )
        verify.start()
        with PostgresDatabase(pg_url).transaction() as watch:
            for _ in range(200):  # until verify waits on evidence_head
                waiting = watch.execute(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).fetchone()
                if waiting is not None and int(waiting["n"]) > 0:
                    break
                time.sleep(0.05)
        holder = type("Held", (), {"transaction": lambda self: contextlib.nullcontext(conn)})()
        TeamLedger(holder, ledger).append(
            {"late"}, lambda tail, existing: _chain([body], tail, existing, now="t", dedupe=False)
        )  # fmt: skip
    verify.join(timeout=60)
    (report,) = reports_seen
    assert report.ok, [i.format(ledger) for i in report.issues]
