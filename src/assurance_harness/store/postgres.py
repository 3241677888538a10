"""The team store's PostgreSQL connection: URL, password from the environment, scrubbed errors.

``postgresql://USER@HOST[:PORT]/DB?password_env=VAR`` reads the password from the environment
variable ``VAR`` at connect time (libpq's own ``PGPASSWORD`` and ``~/.pgpass`` work too); a
password written into the URL is refused, so it never lands in ``assurance.yaml``, a CI log or
a report. Any error text that reaches the user has the password and the URL's secrets removed.
Needs the ``postgres`` extra (psycopg 3).
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from ..errors import HarnessError, MissingDependencyError
from ..scrub import looks_like_key
from .database import Connection, Database, Dialect, Result

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql", "postgres")
_schema_ready: set[str] = set()
_pools: dict[tuple[int, str], Any] = {}
_pools_guard = threading.Lock()
_schema_guard = threading.Lock()
POOL_WAIT_S = 2.0
"""How long a transaction waits for one of the pool's connections (all 8 in use) before it makes
a connection of its own. The pool's own timeout (30 s) was waited out whole when the server had
gone away: every pooled connection ended and none could be made again, so the store said
nothing for 30 s a transaction (BENCHMARKS.md, "A twenty-fourth session")."""


LOCK_TIMEOUT_S = 60.0
"""How long a statement waits for a lock another session holds (the ledger's, a row's) before
the command fails, as the JSONL ledger waits for its ``.lock``: unbounded, one session left
open in a shell hung every writer of the team, without a word."""


CONNECT_TIMEOUT_S = 10
"""How long a connection may take where the URL gives no ``connect_timeout``."""
PROBE_TIMEOUT_S = 2.0
"""How long ``pgprobe`` waits, once a connection failed, for an answer at the address: a
PostgreSQL server answers at once, and the user has already waited for libpq."""


_NO_PROBE = ("FATAL:", "ERROR:", "failed to resolve host", "could not translate host name")
"""Words in a failed connection's error that make a probe pointless: the server's own (it
speaks PostgreSQL), or a host name that does not resolve (psycopg's, libpq's), which a probe
would look up again, as slowly."""


def _tcp_address(params: dict[str, Any]) -> tuple[str, int] | None:
    """The one TCP host and port libpq connects to for ``params`` (the URL's, else ``PGHOST``
    and ``PGPORT``, else port 5432), or None for a socket file or several hosts."""
    host = str(params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST") or "")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    if not host or host.startswith(("/", "@")) or "," in host or "," in port:
        return None
    try:
        return host, int(port)
    except ValueError:
        return None


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "postgres"


class StoreError(HarnessError):
    """The team store cannot be used (unreachable, refused, misconfigured); exit 2."""


def _split(url: str) -> SplitResult:
    """``urlsplit``, with a URL it cannot parse (``[::1`` without its ``]``) a StoreError."""
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise StoreError(
            f"the store URL is not a valid URL ({exc}); write it as "
            "postgresql://USER@HOST/DB?password_env=VAR"
        ) from None


def is_postgres_url(text: str | None) -> bool:
    return bool(text) and _split(str(text)).scheme in SCHEMES


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` from a lock name."""
    import hashlib

    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _join(scheme: str, netloc: str, path: str, query: str) -> str:
    """A URL from its parts, keeping ``//`` when there is no host: ``postgresql:///DB`` is
    libpq's form for the local server's socket (``urlunsplit`` would write ``postgresql:/DB``,
    which libpq does not read as a URL)."""
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


_NO_VARIABLE = (
    "remove it: libpq reads it from no environment variable, so put it in a connection service "
    "file (~/.pg_service.conf, readable by you only) and name the service "
    "(postgresql://USER@HOST/DB?service=NAME)"
)
_BY_PASSWORD = "remove it and give the password instead: postgresql://USER@HOST/DB?password_env=VAR"

SECRET_PARAMETERS: dict[str, tuple[str, str]] = {
    "password": (
        "a password",
        "remove it and name an environment variable instead: "
        "postgresql://USER@HOST/DB?password_env=VAR (or set PGPASSWORD)",
    ),
    "sslpassword": (
        "the client key's passphrase (sslpassword=)",
        _NO_VARIABLE + ", or use a client key without a passphrase",
    ),
    "oauth_client_secret": ("an OAuth client secret (oauth_client_secret=)", _NO_VARIABLE),
    "scram_client_key": ("a SCRAM key (scram_client_key=)", _BY_PASSWORD),
    "scram_server_key": ("a SCRAM key (scram_server_key=)", _BY_PASSWORD),
}
"""libpq's connection parameters that hold a secret (those it marks to be hidden, and the SCRAM
keys): what each is, and the fix. The URL is printed in follow-up commands and written to
run.json, the manifest and reports, so none of them may be in it; a path or a name that leads
to one (``passfile``, ``sslkey``, ``service``, ``password_env``) is fine."""


class PgUrl:
    """A parsed store URL: the conninfo for psycopg without secrets, and where the password is."""

    def __init__(self, url: str) -> None:
        parts = _split(url)
        if parts.scheme not in SCHEMES:
            raise StoreError(f"store URL must start with postgresql://, not {parts.scheme}://")
        if not url[len(parts.scheme) + 1 :].startswith("//"):
            # urlsplit finds no user or password in "postgresql:USER:PASSWORD@HOST/DB", but the
            # URL libpq is given (``_join``) puts back the "//", and libpq reads both from it.
            raise StoreError(
                f"the store URL must start with {parts.scheme}:// (the // is missing); write "
                "it as postgresql://USER@HOST/DB?password_env=VAR"
            )
        query = parse_qsl(parts.query, keep_blank_values=True)
        secret = next((k for k, _ in query if k.strip().lower() in SECRET_PARAMETERS), None)
        if parts.password is not None or secret == "password":
            raise StoreError(f"the store URL holds a password; {SECRET_PARAMETERS['password'][1]}")
        if secret is not None:
            what, fix = SECRET_PARAMETERS[secret.strip().lower()]
            raise StoreError(
                f"the store URL holds {what}, which would be written wherever the URL goes "
                f"(run.json, the manifest, commands to resume); {fix}"
            )
        repeated = sorted(k for k, n in Counter(k for k, _ in query).items() if n > 1)
        if repeated:
            # libpq and this class would each pick one (the password from one variable, the
            # messages showing the other): which one the user meant is not ours to guess.
            raise StoreError(
                f"the store URL gives {', '.join(repeated)} more than once; give each "
                "parameter once: postgresql://USER@HOST/DB?password_env=VAR"
            )
        self.password_env = next((v for k, v in query if k == "password_env"), None)
        if self.password_env is not None and not re.fullmatch(
            r"[A-Za-z_][A-Za-z0-9_]*", self.password_env
        ):
            raise StoreError(
                "password_env must name an environment variable (letters, digits, _), "
                "not hold the password itself"
            )
        if self.password_env is not None and looks_like_key(self.password_env):
            # A generated password is a valid name too: never shown (the URL neither).
            raise StoreError(
                "the store URL's password_env looks like a password, not the name of an "
                "environment variable (neither is shown); put the password in a variable "
                "(export PGPASS_TEAM=...) and write postgresql://USER@HOST/DB?password_env="
                "PGPASS_TEAM"
            )
        kept = [(k, v) for k, v in query if k != "password_env"]
        self.user = parts.username
        self.conninfo = _join("postgresql", parts.netloc, parts.path, urlencode(kept))
        self.display = _join(parts.scheme, parts.netloc, parts.path, parts.query)

    def password(self) -> str | None:
        if self.password_env is None:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise StoreError(
                f"the store URL {self.display} reads its password from ${self.password_env}, "
                "which is not set"
            )
        return value

    def scrub(self, text: str) -> str:
        """``text`` without the password (as given, or as libpq might echo it)."""
        secret = os.environ.get(self.password_env) if self.password_env else None
        if secret:
            text = text.replace(secret, "***")
        return re.sub(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)


def _quiet_psycopg_logs() -> None:
    """Keep psycopg's log records ("discarding closed connection", the pool's "error
    connecting" with libpq's second line) off stderr where nothing handles logging: Python's
    last-resort handler printed them around the one-line error that says the same. An
    application that configures logging still gets them (they propagate)."""
    logger = logging.getLogger("psycopg")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


class _PgConnection(Connection):
    dialect: Dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any], where: str = "the team store") -> None:
        self._conn = conn
        self._where = where
        self._cursors = 0
        """Server-side cursors opened: each needs a name of its own in the transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        cursor = self._conn.execute(sql.replace("?", "%s"), tuple(params))  # type: ignore[arg-type]
        rows = [dict(r) for r in cursor.fetchall()] if cursor.description else []
        return Result(rows, cursor.rowcount)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        # A server-side cursor (a named one, inside this transaction), fetched ``itersize``
        # rows at a time: a client-side one would take the whole answer into libpq first.
        self._cursors += 1
        with self._conn.cursor(name=f"assurance_stream_{self._cursors}") as cursor:
            cursor.execute(sql.replace("?", "%s"), tuple(params))  # type: ignore[arg-type]
            for row in cursor:
                yield dict(row)

    def insert_id(self, sql: str, params: Sequence[Any] = (), *, column: str = "id") -> int:
        row = self.execute(f"{sql} RETURNING {column}", params).fetchone()
        assert row is not None
        return int(row[column])

    def lock(self, name: str) -> None:
        key = _advisory_key(name)
        taken = self._conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS taken", (key,))
        if (row := taken.fetchone()) is not None and row["taken"]:
            return
        from .lockwait import say_waiting  # silent, the wait reads as a hang in a CI log

        say_waiting(
            f"{self._where}: another session holds the store's {name} lock; waiting for it "
            f"(at most {LOCK_TIMEOUT_S:g} s)"
        )
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))


def _transaction_setup() -> str:
    """The first statement of every transaction, for it only (a pooled connection keeps
    nothing), one round trip (no parameters: both go as one query).

    READ COMMITTED, whatever the database's ``default_transaction_isolation``: each statement
    sees what was committed before it, so one after ``Connection.lock`` sees what the lock's
    last holder wrote (the ledger's last record). Under a stricter default an administrator may
    set, a transaction saw the store as of its first statement, before the lock: writers that
    had waited for the ledger's lock chained onto a tail already moved on and all but one
    failed (a duplicate position, or a serialization failure), as did processes making a new
    store at once. And a lock waited for at most ``LOCK_TIMEOUT_S``."""
    return (
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED; "
        f"SET LOCAL lock_timeout = '{round(LOCK_TIMEOUT_S * 1000)}ms'"
    )


class PostgresDatabase(Database):
    """The team store: one PostgreSQL database shared by CI runners and engineers."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, *, source: str = "the store URL") -> None:
        self.url = PgUrl(url)
        self.source = source
        """The setting that gave the URL (``--store``, ``$ASSURANCE_STORE``, ...), named in an
        error that says to fix its host or port."""

    @property
    def where(self) -> str:
        return self.url.display

    def _kwargs(self) -> dict[str, Any]:
        try:
            from psycopg.rows import dict_row
        except ImportError:
            raise MissingDependencyError(
                "the PostgreSQL team store needs psycopg 3: "
                "pip install 'assurance-harness[postgres]'"
            ) from None
        kwargs: dict[str, Any] = {"row_factory": dict_row}
        if "connect_timeout" not in self._params():  # the URL's own wins (psycopg's would not)
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        password = self.url.password()
        if password is not None:
            kwargs["password"] = password
        return kwargs

    def _params(self) -> dict[str, Any]:
        """The URL's connection parameters, as libpq reads them."""
        from psycopg.conninfo import conninfo_to_dict

        return conninfo_to_dict(self.url.conninfo)

    def _connect(self) -> psycopg.Connection[Any]:
        kwargs = self._kwargs()
        import psycopg

        try:
            return psycopg.connect(self.url.conninfo, **kwargs)
        except psycopg.Error as exc:
            raise self._not_connected(exc) from None

    def _not_connected(self, exc: psycopg.Error) -> StoreError:
        """Why a connection failed, in one line. Where libpq's words are not the server's (a
        timeout, "invalid response to SSL negotiation"), the address is probed (``pgprobe``):
        a port with a web server, an SSH server or a silent socket behind it is named as such,
        with the setting to fix, instead of libpq's words, which name neither."""
        import psycopg

        cause = self.url.scrub(_first_line(exc))
        plain = StoreError(f"cannot connect to the store {self.where}: {cause}")
        if any(said in str(exc) for said in _NO_PROBE):
            return plain  # the server answered, as PostgreSQL; or no address to probe
        params = self._params()
        address = _tcp_address(params)
        if address is None or params.get("sslnegotiation") == "direct":
            return plain  # a socket file, several hosts, or TLS first: a plain probe would lie
        from .pgprobe import probe

        host, port = address
        try:
            timeout = float(params.get("connect_timeout") or CONNECT_TIMEOUT_S)
        except ValueError:
            return plain  # libpq's words name the bad value
        timed_out = isinstance(exc, psycopg.errors.ConnectionTimeout)
        user = params.get("user") or os.environ.get("PGUSER") or _login()
        database = params.get("dbname") or os.environ.get("PGDATABASE") or user
        # After libpq's timeout, a short wait for the answer: it has waited for one already.
        wait = PROBE_TIMEOUT_S / 4 if timed_out else PROBE_TIMEOUT_S
        found = probe(host, port, user, database, timeout=PROBE_TIMEOUT_S, wait=wait)
        at = f"cannot connect to the store {self.where}: the server at {_hostport(host, port)}"
        fix = f"check the host and port in {self.source}"
        if found.verdict == "other":
            said = f"it answered '{found.shown()}'" if found.answer else "it closed the connection"
            return StoreError(f"{at} does not speak PostgreSQL ({said}); {fix}")
        if found.verdict == "silent" and timed_out:
            return StoreError(
                f"{at} accepted the connection but did not answer within {timeout:g} s, as a "
                f"PostgreSQL server does at once: it is not PostgreSQL, or it is overloaded; {fix}"
            )
        if found.verdict == "silent":
            return StoreError(f"{at} does not speak PostgreSQL (libpq: {cause}); {fix}")
        if found.verdict == "unreachable" and timed_out:
            return StoreError(
                f"cannot connect to the store {self.where}: nothing at {_hostport(host, port)} "
                f"accepted a connection within {timeout:g} s (the host is down, or a firewall "
                f"drops the packets); {fix}"
            )
        return plain

    def _pool(self) -> Any:
        """This process's connection pool for the store (psycopg-pool), or None without it.

        Connecting costs tens of milliseconds (password hashing, TLS), and the web app and
        long commands make many short transactions. Keyed by process id: a forked child never
        uses its parent's connections. The first connection is made directly, so a wrong
        password or an unreachable host is one clear error at once, not a pool timeout."""
        try:
            from psycopg_pool import ConnectionPool
        except ImportError:
            return None
        _quiet_psycopg_logs()
        key = (os.getpid(), self.url.conninfo)
        with _pools_guard:
            pool = _pools.get(key)
            if pool is None:
                self._connect().close()
                pool = ConnectionPool(
                    self.url.conninfo,
                    kwargs=self._kwargs(),
                    min_size=1,
                    max_size=8,
                    timeout=30,
                    open=True,
                    name="assurance-store",
                )
                atexit.register(pool.close)
                _pools[key] = pool
        return pool

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        import psycopg

        try:
            with self._begun() as conn:
                conn.execute(_transaction_setup())
                yield _PgConnection(conn, self.where)
        except psycopg.Error as exc:
            raise self._fault(exc) from None

    def _fault(self, exc: psycopg.Error) -> StoreError:
        """``exc``, met inside a transaction, as one line naming the store, the cause and the
        fix. The server's own faults (its disk full, the database read-only, this role without
        write grants, the session ended mid-command) are storage faults, exit 3, as a full or
        read-only disk under runs.db is (``store.faults``): the URL is right, and the same
        command works once the server is fixed. Anything else stays a StoreError (exit 2)."""
        import psycopg

        from .faults import StoreBusyError, StoreStorageError

        cause = self.url.scrub(_first_line(exc))
        state = exc.sqlstate or ""
        again = "then run the same command again"
        if state == "53100":
            return StoreStorageError(
                f"store {self.where}: the database server's disk is full ({cause}); free space "
                f"on it (or give its tablespace more room), {again}"
            )
        if state.startswith("53"):
            return StoreStorageError(
                f"store {self.where}: the database server is out of resources ({cause}, "
                f"SQLSTATE {state}); ask its administrator to free them, {again}"
            )
        if state == "55P03":
            return StoreBusyError(
                f"store {self.where}: another session has held a lock this command needs for "
                f"{LOCK_TIMEOUT_S:g} s ({cause}); wait for it to finish (pg_stat_activity "
                f"shows it), {again}"
            )
        if state in ("57014", "40001", "40P01"):
            return StoreBusyError(
                f"store {self.where}: the server cancelled the command's transaction ({cause}); "
                f"{again}"
            )
        if state == "25006":
            return StoreStorageError(
                f"store {self.where}: the database is read-only ({cause}): a standby, or "
                "default_transaction_read_only is on; point the store URL at the primary, or "
                f"have the database made writable, {again}"
            )
        if state == "42501":
            user = self.url.user or "the store URL's user"
            return StoreStorageError(
                f"store {self.where}: permission denied ({cause}); GRANT {user} SELECT, "
                "INSERT, UPDATE and DELETE on the store's tables and USAGE on its sequences "
                f"(or use the role that made them), {again}"
            )
        if isinstance(exc, psycopg.OperationalError) and (
            not state or state.startswith(("08", "57P"))
        ):
            return StoreStorageError(
                f"store {self.where}: the server ended the session mid-command ({cause}); "
                f"once the server answers, {again} (it redoes what was not committed)"
            )
        return StoreError(f"store {self.where}: {cause}")

    @contextmanager
    def _begun(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside a transaction: a pooled one where it still answers, else a new one.

        A restarted server (an upgrade, a failover) or an idle timeout ends the connections the
        pool holds, and the pool finds out only on use: its first ``BEGIN`` fails. That one is
        given back (the pool drops it and reconnects) and the transaction runs on a connection
        made now, so a restart costs no transaction, and a server that is down is one
        StoreError with the cause at once, not the pool's wait for a connection: a pool holding
        no connection at all (each one ended, its reconnections failing in the background) is
        not asked, and a busy one is waited for :data:`POOL_WAIT_S` at most."""
        import psycopg

        pool = self._pool()
        if pool is not None and pool.get_stats().get("pool_size", 0) > 0:
            from psycopg_pool import PoolTimeout

            with ExitStack() as pooled:
                try:
                    conn = pooled.enter_context(pool.connection(timeout=POOL_WAIT_S))
                    pooled.enter_context(conn.transaction())
                except (psycopg.OperationalError, PoolTimeout):
                    pass  # dropped by the server, or none free: a new one says which
                else:
                    yield conn
                    return
        with closing(self._connect()) as conn, conn.transaction():
            yield conn

    def ensure_schema(self) -> None:
        key = self.url.conninfo
        with _schema_guard:
            if key in _schema_ready:
                return
            from .schema import (
                SCHEMA_VERSION,
                record_versions,
                refuse_altered,
                refuse_foreign,
                schema_version,
                upgrade_scripts,
            )

            with self.transaction() as conn:
                # One upgrader at a time; the others wait here and then find it done.
                conn.lock("schema")
                version = schema_version(conn, "postgresql")
                if version == 0:
                    refuse_foreign(conn, self.where)
                if version != SCHEMA_VERSION:
                    assert isinstance(conn, _PgConnection)
                    for script in upgrade_scripts(version, "postgresql", self.where):
                        conn._conn.execute(script.encode())
                    record_versions(conn)
                    # Kept for tools from before the version table (they read store_meta).
                    conn.execute(
                        "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (str(SCHEMA_VERSION),),
                    )
                refuse_altered(conn, self.where)
            _schema_ready.add(key)
