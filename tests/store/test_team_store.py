"""The run index, baselines and reviews behave the same in SQLite and in a real PostgreSQL.

The PostgreSQL cases run against the throwaway cluster of ``tests/testing/postgres.py`` (one per
test session, a fresh database per test) and skip, saying why, where PostgreSQL is missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from assurance_harness.compare.baseline import BaselineStore
from assurance_harness.errors import UsageError
from assurance_harness.review.store import ReviewStore
from assurance_harness.store.database import Database, SqliteDatabase
from assurance_harness.store.index import RunIndex

from ..testing.cli import one_line_refusal, run_cli
from ..testing.postgres import PASSWORD_ENV, PgCluster


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return SqliteDatabase(tmp_path / "runs.db")
    from assurance_harness.store.postgres import PostgresDatabase

    return PostgresDatabase(request.getfixturevalue("pg_url"))


def _run_row(run_id: str, started: str, suite: str = "tox") -> dict[str, object]:
    return {
        "run_id": run_id,
        "suite": suite,
        "suite_version": "1.0",
        "target_name": "demo",
        "target_fingerprint": "fp1",
        "status": "passed",
        "started_at": started,
        "n_requests": 10,
        "n_errors": 0,
        "gates_passed": 2,
        "gates_failed": 0,
        "run_dir": f"reports/{run_id}",
    }


def test_run_index(database: Database) -> None:
    index = RunIndex(database)
    index.upsert(_run_row("r1", "2026-01-01T00:00:00"))
    index.upsert(_run_row("r2", "2026-01-02T00:00:00"))
    index.upsert(_run_row("r3", "2026-01-03T00:00:00", suite="bias"))
    index.upsert({**_run_row("r1", "2026-01-01T00:00:00"), "status": "failed"})
    assert [r["run_id"] for r in index.list_runs()] == ["r3", "r2", "r1"]
    assert [r["run_id"] for r in index.list_runs(suite="tox", limit=1)] == ["r2"]
    got = index.get("r1")
    assert got is not None and got["status"] == "failed" and got["n_requests"] == 10
    assert index.get("nope") is None


def test_runs_without_a_start_time_list_last_in_both_stores(database: Database) -> None:
    """SQLite sorts NULL lowest and PostgreSQL highest: the same history must list in the
    same order whichever store holds it."""
    index = RunIndex(database)
    index.upsert({**_run_row("r0", "2026-01-01T00:00:00"), "started_at": None})
    index.upsert(_run_row("r1", "2026-01-01T00:00:00"))
    index.upsert(_run_row("r2", "2026-01-02T00:00:00"))
    assert [r["run_id"] for r in index.list_runs()] == ["r2", "r1", "r0"]
    assert [r["run_id"] for r in index.list_runs(limit=1)] == ["r2"]


def test_baselines(database: Database, tmp_path: Path) -> None:
    store = BaselineStore(database)
    run = SimpleNamespace(
        suite_name="tox",
        target_name="demo",
        run_id="r1",
        run_dir=tmp_path,
        summary={"target": {"fingerprint": "fp"}, "suite": {"sha256": "abc"}},
    )
    store.set(run, note="first")  # type: ignore[arg-type]
    store.set(SimpleNamespace(**{**run.__dict__, "run_id": "r2"}))  # type: ignore[arg-type]
    got = store.get("tox", "demo")
    assert got is not None and got.run_id == "r2" and got.target_fingerprint == "fp"
    assert [b.run_id for b in store.all()] == ["r2"]
    assert store.clear("tox", "demo") and not store.clear("tox", "demo")
    assert [(h["action"], h["run_id"]) for h in store.history()] == [
        ("set", "r1"),
        ("set", "r2"),
        ("clear", None),
    ]
    assert store.history()[0]["note"] == "first"


def test_reviews(database: Database) -> None:
    store = ReviewStore(database)
    rows = [
        {"case_id": "c1", "sample": 0, "prompt": "p", "response": "r", "scores": {"tox": 1}},
        {"case_id": "c2", "sample": 0, "prompt": "q", "response": "s", "scores": {}},
    ]
    items = [
        {"key": "c1#0", "reasons": ["flag"], "scorer_label": True},
        {"key": "c2#0", "reasons": ["qc_sample"], "scorer_label": False},
    ]
    assert store.enqueue("r1", items, rows) == 2
    assert store.enqueue("r1", items, rows) == 0  # the first queue stands
    queued = store.queue("r1")
    assert [q.row_key for q in queued] == ["c1#0", "c2#0"]
    assert queued[0].scores == {"tox": 1} and queued[0].scorer_label is True
    with pytest.raises(UsageError, match="not in the review queue"):
        store.item("r1", "c9#0")
    kwargs = {"run_id": "r1", "key": "c1#0", "reviewer": "ann", "scorer_label": True}
    first = store.add_verdict(
        **kwargs, decision="agree", label=True, note="", created_at="t1", ledger_ids=["EV-1"]
    )
    second = store.add_verdict(
        **kwargs, decision="correct", label=False, note="no", created_at="t2", ledger_ids=[]
    )
    assert first.supersedes is None and second.supersedes == first.id
    assert [v.label for v in store.history("r1")] == [True, False]
    assert store.current("r1")[("r1", "c1#0")]["ann"].id == second.id
    assert store.history("r1")[0].ledger_ids == ["EV-1"]
    store.add_reviewer("ann", "secret-token")
    store.check_reviewer("ann", "secret-token")
    with pytest.raises(UsageError, match="does not match"):
        store.check_reviewer("ann", "wrong")
    # Verdicts are append-only in both engines.
    with pytest.raises(Exception, match="append-only"), database.transaction() as conn:
        conn.execute("UPDATE review_verdicts SET label = 1")


def test_stream_gives_the_rows_execute_gives_one_at_a_time(database: Database) -> None:
    """``Connection.stream`` (the review queue read by the web app's page): every row, in
    the query's order, past one fetch of the cursor, with two streams open in one transaction."""
    store = ReviewStore(database)
    rows = [{"case_id": f"c{i:03d}", "prompt": "p", "response": "r"} for i in range(250)]
    items = [{"key": f"c{i:03d}#0", "reasons": ["flag"]} for i in range(250)]
    store.enqueue("r1", items, rows)
    query = "SELECT row_key FROM review_queue WHERE run_id = ? ORDER BY row_key"
    with database.transaction() as conn:
        want = conn.execute(query, ("r1",)).fetchall()
        first, second = conn.stream(query, ("r1",)), conn.stream(query, ("r1",))
        pairs = list(zip(first, second, strict=True))
    assert [a for a, _ in pairs] == [b for _, b in pairs] == want
    assert len(want) == 250 and want[0] == {"row_key": "c000#0"}
    assert [i.row_key for i in store.iter_queue("r1")] == [i.row_key for i in store.queue("r1")]
    # A reader that stops early (a page that failed half-way) leaves no lock behind.
    partly = store.iter_queue("r1")
    assert next(partly).row_key == "c000#0"
    assert store.enqueue("r2", items[:1], rows[:1]) == 1
    del partly
    assert store.enqueue("r3", items[:1], rows[:1]) == 1


def test_configured_team_store_takes_the_place_of_runs_db(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ASSURANCE_STORE set, every store object given the runs.db path uses PostgreSQL."""
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    RunIndex(tmp_path / "runs.db").upsert(_run_row("r1", "2026-01-01"))
    assert not (tmp_path / "runs.db").exists()
    monkeypatch.delenv("ASSURANCE_STORE")
    assert RunIndex(tmp_path / "other.db").get("r1") is None
    monkeypatch.chdir(tmp_path)
    Path("assurance.yaml").write_text(f"store: {pg_url}\n", encoding="utf-8")
    got = RunIndex(tmp_path / "runs.db").get("r1")
    assert got is not None and got["suite"] == "tox"


def test_a_password_in_the_url_is_refused_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assurance_harness.errors import ConfigError
    from assurance_harness.privacy.policy import load_project_config
    from assurance_harness.store.location import check_store_url
    from assurance_harness.store.postgres import StoreError

    with pytest.raises(StoreError, match="password_env=VAR") as caught:
        check_store_url("postgresql://ann:hunter2@db/assurance")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(StoreError, match="unknown store"):
        check_store_url("mysql://db/x")
    with pytest.raises(StoreError, match="name an environment variable"):
        check_store_url("postgresql://ann@db/x?password_env=hunter2!")
    monkeypatch.chdir(tmp_path)
    Path("assurance.yaml").write_text(
        "privacy: {}\nstore: postgresql://ann:hunter2@db/assurance\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as config_error:
        load_project_config()
    assert "assurance.yaml:2: store:" in str(config_error.value)
    assert "hunter2" not in str(config_error.value)


def test_a_parameter_given_twice_in_the_store_url_is_refused(tmp_path: Path) -> None:
    """``?password_env=A&password_env=B`` read the password from $A while messages still showed
    B; any parameter given twice is ambiguous, so it is refused in one line (exit 2), before
    anything connects."""
    url = "postgresql://ann@127.0.0.1:1/x?password_env=PW_A&password_env=PW_B"
    line = one_line_refusal(run_cli("--store", url, "runs", "list", cwd=tmp_path))
    assert "password_env" in line and "once" in line, line
    twice = "postgresql://ann@127.0.0.1:1/x?sslmode=disable&sslmode=require"
    line = one_line_refusal(run_cli("--store", twice, "runs", "list", cwd=tmp_path))
    assert "sslmode" in line and "once" in line, line


def test_connection_errors_are_one_line_without_the_password(
    postgres_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assurance_harness.store.postgres import PostgresDatabase, StoreError

    url = postgres_cluster.url()
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password-x9")
    with pytest.raises(StoreError) as caught:
        RunIndex(PostgresDatabase(url))
    message = str(caught.value)
    assert "password authentication failed" in message and "\n" not in message
    assert "not-the-password-x9" not in message
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(StoreError, match=f"reads its password from \\${PASSWORD_ENV}"):
        RunIndex(PostgresDatabase(url))
    assert os.environ.get(PASSWORD_ENV) is None


def test_transactions_in_one_process_reuse_a_pooled_connection(pg_url: str) -> None:
    """psycopg-pool keeps connections open: a connection costs tens of milliseconds to make."""
    pytest.importorskip("psycopg_pool")
    from assurance_harness.store.postgres import PostgresDatabase

    database = PostgresDatabase(pg_url)
    backends = set()
    for _ in range(8):
        with database.transaction() as conn:
            row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
            assert row is not None
            backends.add(row["pid"])
    # The pool's own first connection may still be opening when the first call wants one, so
    # two may exist; a connection per transaction would be eight.
    assert len(backends) <= 2


def test_a_url_without_a_host_reaches_the_server_through_its_socket(
    postgres_cluster: PgCluster, pg_url: str
) -> None:
    # libpq's own form for a local server, postgresql:///DB (no host: the Unix socket), was
    # rewritten to "postgresql:/DB", which libpq refused: 'missing "=" after ...'.
    from assurance_harness.store.postgres import PgUrl, PostgresDatabase

    database = pg_url.split("?")[0].rsplit("/", 1)[1]
    url = (
        f"postgresql:///{database}?host={postgres_cluster.root}&port={postgres_cluster.port}"
        "&user=assurance"
    )
    assert PgUrl(url).conninfo.startswith(f"postgresql:///{database}?")
    RunIndex(PostgresDatabase(url)).upsert(_run_row("r1", "2026-01-01"))
    assert RunIndex(PostgresDatabase(pg_url)).get("r1") is not None


def test_a_server_restart_costs_no_transaction_and_a_stopped_one_fails_at_once(
    postgres_cluster: PgCluster, pg_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """A restarted server (an upgrade, a failover) ends the pooled connections: the next
    transaction failed with 'terminating connection due to administrator command' though the
    server was back. A stopped one must fail at once with the cause (not the pool's timeout),
    and libpq must print nothing of its own (the CLI's one-line error is the whole report; the
    pool's log lines are tested through the CLI in ``tests/runner/test_team_store_run.py``)."""
    pytest.importorskip("psycopg_pool")
    import time

    from assurance_harness.store.postgres import PostgresDatabase, StoreError

    database = PostgresDatabase(pg_url)
    RunIndex(database).upsert(_run_row("r1", "2026-01-01"))
    postgres_cluster.stop_server()
    try:
        began = time.monotonic()
        with pytest.raises(StoreError) as caught:
            RunIndex(database).get("r1")
        assert time.monotonic() - began < 10
        assert "Connection refused" in str(caught.value) and "\n" not in str(caught.value)
        assert postgres_cluster.password not in str(caught.value)
    finally:
        postgres_cluster.start_server()
    got = RunIndex(database).get("r1")
    assert got is not None and got["suite"] == "tox"
    postgres_cluster.stop_server()
    postgres_cluster.start_server()  # a restart between two transactions
    RunIndex(database).upsert(_run_row("r2", "2026-01-02"))
    assert [r["run_id"] for r in RunIndex(database).list_runs()] == ["r2", "r1"]
    assert capfd.readouterr().err == ""
