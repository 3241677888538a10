"""A throwaway PostgreSQL cluster for the team-store tests: a real server, started by the tests.

``postgres_cluster`` (session scope) runs ``initdb`` and ``pg_ctl`` from the PostgreSQL found on
this machine (``PATH``, ``/usr/local/bin``, Debian's ``/usr/lib/postgresql/<version>/bin``) in
a temporary directory, listening on 127.0.0.1 only, on a free port, with its unix socket in that
directory, and stops it at the end of the session whatever happened. Tests that need it skip
with the reason when no PostgreSQL can be found (``.ci/run`` installs Debian's ``postgresql``).

``initdb`` refuses to run as root, so under root (containers, CI) the cluster is owned by and run
as an unprivileged user (``nobody``) through ``runuser``. Password authentication is on for TCP
(scram-sha-256): the tests connect with the password in an environment variable, as users do.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD_ENV = "ASSURANCE_TEST_PG_PASSWORD"
"""The environment variable the tests' store URLs name for the password."""
SUPERUSER = "assurance"
UNPRIVILEGED = "nobody"


def find_pg_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest Debian version first."""
    candidates: list[Path] = []
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    candidates.append(Path("/usr/local/bin"))

    def version(path: Path) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in path.parent.name.split("."))
        except ValueError:
            return (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    """A running throwaway cluster; ``url(db)`` names a database with the password by variable."""

    bin_dir: Path
    root: Path
    port: int
    password: str
    as_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return (
            f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}?password_env={PASSWORD_ENV}"
        )

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_user:
            return ["runuser", "-u", self.as_user, "--", *cmd]
        return cmd

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(*args), capture_output=True, text=True, timeout=timeout, check=False
        )

    def create_database(self, name: str) -> str:
        """A fresh, empty database (one per test keeps tests independent); its URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            password=self.password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start(self) -> None:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self.as_user:
            shutil.chown(self.root, user=self.as_user)
            shutil.chown(pwfile, user=self.as_user)
        init = self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        self.start_server()

    def start_server(self) -> None:
        """Start the server on the cluster made by :meth:`start` (again, after ``stop_server``)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        if started.returncode != 0:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()}\n{log}")

    def stop_command(self) -> list[str]:
        """The argv that stops the server as an administrator would (``-m fast``: sessions are
        ended, so a client's connections go bad), for a test's target to run mid-run."""
        return self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop_server(self) -> None:
        """Stop the server, keeping the cluster (``start_server`` brings it back)."""
        stopped = subprocess.run(
            self.stop_command(), capture_output=True, text=True, timeout=60, check=False
        )
        if stopped.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {stopped.stderr.strip()}")

    def running(self) -> bool:
        return self.run("pg_ctl", "-D", str(self.data), "status").returncode == 0

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, root, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    if not os.path.exists(root):
        sys.exit(0)
    time.sleep(0.5)
subprocess.run(cmd, capture_output=True, timeout=60)
shutil.rmtree(root, ignore_errors=True)
"""
"""Stops the cluster when the test process dies without its teardown (``timeout`` sends
SIGTERM, a cancelled CI job SIGKILL): neither runs fixtures' finalizers or ``atexit``."""


def _watch(cluster: PgCluster) -> subprocess.Popen[bytes]:
    stop = cluster._cmd("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop")
    return subprocess.Popen(
        [sys.executable, "-c", WATCHDOG, str(os.getpid()), str(cluster.root), *stop],
        start_new_session=True,  # outlives a signal sent to the test run's process group
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _unprivileged_user() -> str | None:
    """None when not root; else the user to run the cluster as (needs ``runuser``)."""
    if os.geteuid() != 0:
        return None
    if shutil.which("runuser") is None:
        raise RuntimeError("running as root and runuser is missing: initdb refuses root")
    return UNPRIVILEGED


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PgCluster]:
    """One real PostgreSQL server for the whole test session (skips when none is installed)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL not found (no initdb/pg_ctl on PATH, in /usr/local/bin or "
            "/usr/lib/postgresql/*/bin); install Debian's 'postgresql' package"
        )
    pytest.importorskip("psycopg", reason="psycopg not installed: pip install '.[postgres]'")
    as_user = _unprivileged_user()
    # Not pytest's tmp_path: under root that folder is private to root, and the server runs as
    # another user.
    root = Path(tempfile.mkdtemp(prefix="assurance-pg-"))
    os.chmod(root, 0o700)
    cluster = PgCluster(bin_dir, root, _free_port(), secrets.token_urlsafe(18), as_user)
    atexit.register(cluster.stop)  # also when the session ends before teardown
    watchdog = _watch(cluster)  # and when the process is killed
    previous = os.environ.get(PASSWORD_ENV)
    try:
        cluster.start()
        os.environ[PASSWORD_ENV] = cluster.password
        yield cluster
    finally:
        cluster.stop()
        watchdog.kill()
        watchdog.wait()
        if previous is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = previous


@pytest.fixture
def pg_url(postgres_cluster: PgCluster, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty database for this test."""
    name = "t_" + secrets.token_hex(6)
    del request
    return postgres_cluster.create_database(name)
