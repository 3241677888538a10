"""The PostgreSQL team store under server faults, through the CLI: its disk full (a tablespace on
a small tmpfs: "could not extend file ...", SQLSTATE 53100), a read-only database
(``default_transaction_read_only``, 25006), a role without write grants (42501), a session
ended mid-command (57P01) and a lock another session holds. Each is a storage fault: exit 3
(never 2, a configuration mistake), one line naming the store (no password) and the fix, the
run's ``--resume`` where a run was in progress; once the cause is gone, the same command (or
the resume) completes, every row and ledger record there once, the chain verifying.

Real subprocesses against the throwaway cluster of ``tests/testing/postgres.py``."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.store.postgres import PostgresDatabase

from ..register.test_team_ledger import GOLDEN
from ..runner.test_team_store_kill import _project
from ..testing.cli import run_cli
from ..testing.postgres import PASSWORD_ENV, PgCluster
from ..testing.tmpfs import fill, tmpfs

pytestmark = pytest.mark.slow

GOLDEN_RUN = "20261202T030141Z-golden-refusal-e0f7"


def _admin(cluster: PgCluster, database: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        user="assurance",
        password=cluster.password,
        dbname=database,
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)


def _dbname(url: str) -> str:
    return url.split("/")[-1].split("?")[0]


@pytest.fixture
def full_disk(postgres_cluster: PgCluster, pg_url: str) -> Iterator[tuple[str, Path]]:
    """``pg_url``, whose new tables go to a tablespace on a 1 MiB tmpfs (the server's WAL and
    catalogue stay on its own disk, so it keeps running); the tmpfs folder, for ``fill``."""
    name = "ts_" + secrets.token_hex(4)
    folder = postgres_cluster.root / name  # the server's user can reach it; tmp_path is root's
    with tmpfs(folder, size="1m") as mounted:
        if postgres_cluster.as_user:
            shutil.chown(mounted, user=postgres_cluster.as_user)
        database = _dbname(pg_url)
        _admin(
            postgres_cluster,
            "postgres",
            f"CREATE TABLESPACE {name} LOCATION '{mounted}'",
            f'ALTER DATABASE "{database}" SET default_tablespace = {name}',
        )
        try:
            yield pg_url, mounted
        finally:
            (mounted / "fill").unlink(missing_ok=True)
            _admin(
                postgres_cluster,
                "postgres",
                f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
                f"DROP TABLESPACE IF EXISTS {name}",
            )


def _fault_line(done: subprocess.CompletedProcess[str], cluster: PgCluster, *words: str) -> str:
    """The command failed as a storage fault: exit 3, no traceback, no password, its first
    error line naming the store and holding ``words`` (the cause and the fix); that line."""
    text = done.stdout + done.stderr
    assert done.returncode == 3, text
    assert "Traceback" not in text and cluster.password not in text, text
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert errors, text
    assert "127.0.0.1" in errors[0] and f"password_env={PASSWORD_ENV}" in errors[0], text
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def _stored(url: str) -> dict[str, Any]:
    with PostgresDatabase(url).transaction() as conn:
        return {
            table: conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]  # type: ignore[index]
            for table in ("runs", "baselines", "review_verdicts", "evidence_ledger")
        } | {
            "ledger_ids": [
                json.loads(r["line"])["id"]
                for r in conn.execute("SELECT line FROM evidence_ledger ORDER BY pos").fetchall()
            ]
        }


def _verified(url: str, root: Path) -> None:
    done = run_cli("--store", url, "evidence", "verify", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_full_server_disk_fails_each_command_as_a_storage_fault_and_redoing_it_completes(
    postgres_cluster: PgCluster, full_disk: tuple[str, Path], tmp_path: Path
) -> None:
    """The server's disk full (``could not extend file``): a run exits 3 with its resume, and
    so do ``baseline set``, ``review adjudicate`` and ``evidence attach``: they said exit 2, a
    configuration mistake, with PostgreSQL's words and no fix. Once space is freed, the resume
    and the same commands complete, each row and record once."""
    url, disk = full_disk
    _project(tmp_path)
    PostgresDatabase(url).ensure_schema()  # its tables empty: every first row needs a new page
    filler = fill(disk)
    args = ("run", "s.yaml", "--target", "t.yaml", "--store", url, "--no-evidence")
    failed = run_cli(*args, cwd=tmp_path)
    _fault_line(failed, postgres_cluster, "disk is full", "free space")
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*/responses.jsonl")]
    resume = [x for x in failed.stderr.splitlines() if f"--resume {run_dir.name}" in x]
    assert len(resume) == 1, failed.stderr
    filler.unlink()

    printed = shlex.split(resume[0].split("finish with: ", 1)[1])
    resumed = run_cli(*printed[1:], cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr

    filler = fill(disk)  # baselines, verdicts and the ledger are still empty: each needs a page
    run_id = run_dir.name
    env = {"ASSURANCE_REVIEWER": "alice"}
    commands: list[tuple[str, ...]] = [
        ("baseline", "set", run_id),
        ("review", "adjudicate", run_id, "c00#0", "--agree"),
        ("evidence", "attach", run_id),
    ]
    for command in commands:
        done = run_cli("--store", url, *command, cwd=tmp_path, env=env)
        _fault_line(done, postgres_cluster, "disk is full", "free space")
    assert _stored(url) | {"ledger_ids": []} == {
        "runs": 1, "baselines": 0, "review_verdicts": 0, "evidence_ledger": 0, "ledger_ids": [],
    }  # fmt: skip
    filler.unlink()
    for command in commands:
        done = run_cli("--store", url, *command, cwd=tmp_path, env=env)
        assert done.returncode == 0, (command, done.stdout + done.stderr)
    stored = _stored(url)
    assert stored["runs"] == 1 and stored["baselines"] == 1 and stored["review_verdicts"] == 1
    assert len(stored["ledger_ids"]) == len(set(stored["ledger_ids"])) == 2  # verdict, gate
    _verified(url, tmp_path)


def test_store_migrate_into_a_full_server_is_a_storage_fault_and_completes_once_freed(
    postgres_cluster: PgCluster, full_disk: tuple[str, Path], tmp_path: Path
) -> None:
    """``store migrate`` into a store whose disk is full (its tables cannot even be made):
    exit 3 naming the fix, nothing copied; once freed, the same command copies the ledger
    once, and again copies nothing."""
    url, disk = full_disk
    shutil.copytree(GOLDEN / "reports", tmp_path / "reports")
    filler = fill(disk)
    done = run_cli("store", "migrate", "--to", url, cwd=tmp_path)
    _fault_line(done, postgres_cluster, "disk is full", "free space")
    filler.unlink()
    for _ in range(2):
        done = run_cli("store", "migrate", "--to", url, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    lines = (tmp_path / "reports" / "evidence" / "ledger.jsonl").read_text().splitlines()
    assert len(_stored(url)["ledger_ids"]) == len(lines)
    _verified(url, tmp_path)


def test_a_read_only_store_fails_each_write_as_a_storage_fault_and_redoing_it_completes(
    postgres_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    """A database set read-only (a standby, or ``default_transaction_read_only``): ``run``,
    ``baseline set``, ``review adjudicate``, ``evidence attach``, ``runs purge`` and ``store
    migrate`` exit 3 saying so, and complete once it is writable again (``run`` fails as it
    claims its id, before it sends anything: run again)."""
    _project(tmp_path)
    shutil.copytree(GOLDEN / "reports" / GOLDEN_RUN, tmp_path / "reports" / GOLDEN_RUN)
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--store", pg_url, "--no-evidence", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob("*team-kill*/summary.json")]
    database = _dbname(pg_url)
    _admin(
        postgres_cluster,
        "postgres",
        f'ALTER DATABASE "{database}" SET default_transaction_read_only = on',
    )
    env = {"ASSURANCE_REVIEWER": "alice"}
    commands: list[tuple[str, ...]] = [
        ("--store", pg_url, "baseline", "set", run_dir.name),
        ("--store", pg_url, "review", "adjudicate", run_dir.name, "c00#0", "--agree"),
        ("--store", pg_url, "evidence", "attach", run_dir.name),
        ("--store", pg_url, "runs", "purge", "--older-than", "1d"),
    ]
    try:
        failed = run_cli(
            "run", "s.yaml", "--target", "t.yaml", "--store", pg_url, "--no-evidence",
            cwd=tmp_path,
        )  # fmt: skip
        _fault_line(failed, postgres_cluster, "read-only")
        # The run's id cannot be claimed (``store.index.claim_run_id``): it stops before it
        # sends anything, and leaves no run folder behind.
        assert "nothing was sent" in failed.stderr, failed.stderr
        assert len(list((tmp_path / "reports").glob("*team-kill*"))) == 1
        for command in commands:
            _fault_line(run_cli(*command, cwd=tmp_path, env=env), postgres_cluster, "read-only")
        assert (tmp_path / "reports" / GOLDEN_RUN / "responses.jsonl").exists()  # not purged
    finally:
        _admin(
            postgres_cluster,
            "postgres",
            f'ALTER DATABASE "{database}" RESET default_transaction_read_only',
        )
    again = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--store", pg_url, "--no-evidence", cwd=tmp_path
    )
    assert again.returncode == 0, again.stdout + again.stderr
    for command in commands:
        done = run_cli(*command, cwd=tmp_path, env=env)
        assert done.returncode == 0, (command, done.stdout + done.stderr)
    assert not (tmp_path / "reports" / GOLDEN_RUN / "responses.jsonl").exists()
    stored = _stored(pg_url)
    assert stored["runs"] == 2 and stored["baselines"] == 1 and stored["review_verdicts"] == 1
    assert len(stored["ledger_ids"]) == len(set(stored["ledger_ids"])) == 3  # verdict, gate, purge
    _verified(pg_url, tmp_path)


def test_a_role_without_write_grants_is_a_storage_fault_without_the_password(
    postgres_cluster: PgCluster, pg_url: str, tmp_path: Path
) -> None:
    """A role that may read the store but not write it: permission denied (42501) is exit 3
    with the grant to ask for, not exit 2, and the password appears nowhere."""
    PostgresDatabase(pg_url).ensure_schema()
    role = "reader_" + secrets.token_hex(3)
    _admin(
        postgres_cluster,
        _dbname(pg_url),
        f"CREATE ROLE {role} LOGIN PASSWORD '{postgres_cluster.password}'",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    )
    url = pg_url.replace("assurance@", f"{role}@", 1)
    shutil.copytree(GOLDEN / "reports", tmp_path / "reports")
    (tmp_path / "reports" / "evidence").rename(tmp_path / "jsonl")
    done = run_cli("--store", url, "evidence", "attach", GOLDEN_RUN, cwd=tmp_path)
    _fault_line(done, postgres_cluster, "permission denied", "GRANT", role)


def test_a_session_ended_mid_command_is_a_storage_fault(pg_url: str) -> None:
    """The server ends the command's session (a restart, ``pg_terminate_backend``, a crash):
    a failed step (exit 3) that the same command redoes, not a configuration mistake (2)."""
    from assurance_harness.store.faults import StoreStorageError

    database = PostgresDatabase(pg_url)
    database.ensure_schema()
    with pytest.raises(StoreStorageError) as caught, database.transaction() as conn:
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    assert caught.value.exit_code == 3
    assert "run the same command again" in str(caught.value), caught.value
    assert database.where in str(caught.value)


def test_a_lock_held_by_another_session_is_waited_for_a_bounded_time_and_said(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The ledger's append waits for the lock another writer holds: it waited without a word
    and without end (a session left open in a psql shell hung every CI run's attach). It says
    that it waits, at once, and gives up after the store's lock timeout: exit 3, the same
    command to run again once the other session lets go."""
    import psycopg

    from assurance_harness.register.ledger_team import LOCK
    from assurance_harness.store import postgres
    from assurance_harness.store.faults import StoreBusyError

    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_S", 1, raising=False)
    database = PostgresDatabase(pg_url)
    database.ensure_schema()
    holder = psycopg.connect(database.url.conninfo, password=os.environ[PASSWORD_ENV])
    let_go = threading.Timer(5, holder.close)  # a wait without end must not hang the tests
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (postgres._advisory_key(LOCK),))
        let_go.start()
        with pytest.raises(StoreBusyError) as caught, database.transaction() as conn:
            conn.lock(LOCK)
    finally:
        let_go.cancel()
        holder.close()
    assert caught.value.exit_code == 3
    assert "another session" in str(caught.value) and database.where in str(caught.value)
    assert "waiting: " in capfd.readouterr().err
    with database.transaction() as conn:  # let go: the same lock is taken at once
        conn.lock(LOCK)


def test_repair_anchor_on_the_team_store_has_nothing_to_do_and_verifies(
    pg_url: str, tmp_path: Path
) -> None:
    """``evidence verify --repair-anchor`` with the team store, whose anchor moves in each
    append's transaction: it exited 1 ("nothing to repair"), the status of a tampered ledger,
    without verifying anything. Nothing is wrong and nothing is to do: it says so and
    verifies, exit 0 for a sound chain."""
    shutil.copytree(GOLDEN / "reports", tmp_path / "reports")
    migrated = run_cli("store", "migrate", "--to", pg_url, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    done = run_cli("--store", pg_url, "evidence", "verify", "--repair-anchor", cwd=tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    assert "nothing to repair" in text and "OK" in text, text


def test_a_server_gone_is_said_at_once_not_after_the_pools_wait(
    postgres_cluster: PgCluster, pg_url: str
) -> None:
    """The server stopped between two commands' transactions of one process (a run's index
    write after its answers, the web app's next page): the pool's connections are gone and its
    reconnections fail, and ``pool.connection()`` waited its whole timeout (30 s) for one before
    the store said anything. Each transaction now fails at once, naming the store and the refused
    connection, and works again, through the same pool, once the server is back."""
    import time

    from assurance_harness.store.postgres import StoreError

    database = PostgresDatabase(pg_url)
    database.ensure_schema()
    with database.transaction() as conn:
        conn.execute("SELECT 1")
    postgres_cluster.stop_server()
    try:
        for _ in range(4):  # the first ones find the pooled connections dead, the last none
            began = time.monotonic()
            with pytest.raises(StoreError) as caught, database.transaction() as conn:
                conn.execute("SELECT 1")
            assert time.monotonic() - began < 10, "waited for the pool instead of saying it"
            assert database.where in str(caught.value) and "refused" in str(caught.value)
    finally:
        postgres_cluster.start_server()
    with database.transaction() as conn:
        assert conn.execute("SELECT 1 AS one").fetchall()[0]["one"] == 1
