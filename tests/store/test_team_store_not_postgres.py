"""A store URL whose port has something other than PostgreSQL behind it (a web server, an SSH
server, a socket that accepts and says nothing): one line naming the address, that the server
there does not speak PostgreSQL (or did not answer within the connect timeout), and where the
URL came from to fix it, exit 2. It was libpq's "connection timeout expired" after 10 s, or
"received invalid response to SSL negotiation: H", naming neither the address nor the fix.

Real ``assurance`` subprocesses against real sockets on 127.0.0.1 started by the test; the
probe's verdict on a real PostgreSQL server against the throwaway cluster."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..testing.cli import run_cli
from ..testing.postgres import PgCluster


@contextmanager
def _server(greeting: bytes | None, answer: bytes | None) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that sends ``greeting`` as a connection opens (an SSH server
    speaks first), then ``answer`` to whatever it is sent (a web server), and otherwise holds
    the connection open without a word; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            if greeting is not None:
                conn.sendall(greeting)
            if answer is not None:
                conn.settimeout(5)
                try:
                    if conn.recv(1024):
                        conn.sendall(answer)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        for conn in held:
            conn.close()


def _url(port: int, timeout: int | None = None) -> str:
    query = f"?connect_timeout={timeout}" if timeout else ""
    return f"postgresql://alice@127.0.0.1:{port}/team{query}"


def _one_line(done: subprocess.CompletedProcess[str], port: int) -> str:
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert len(text.strip().splitlines()) == 1, text
    line = text.strip()
    assert line.startswith("error: ") and f"127.0.0.1:{port}" in line, line
    return line


HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_a_web_server_on_the_port_is_named_at_once(tmp_path: Path) -> None:
    with _server(None, HTTP) as port:
        started = time.monotonic()
        done = run_cli("--store", _url(port), "runs", "list", cwd=tmp_path)
        took = time.monotonic() - started
    line = _one_line(done, port)
    assert "does not speak PostgreSQL" in line and "HTTP/1.1 400" in line, line
    assert "--store" in line, line
    assert took < 8, took  # libpq's own refusal, not the connect timeout


def test_a_server_that_speaks_first_is_named(tmp_path: Path) -> None:
    """An SSH server's banner begins with S, which libpq reads as "yes, TLS": it waits for the
    connect timeout, so the line comes then, naming what the server said."""
    with _server(b"SSH-2.0-OpenSSH_9.6\r\n", None) as port:
        done = run_cli("--store", _url(port, timeout=2), "runs", "list", cwd=tmp_path)
    line = _one_line(done, port)
    assert "does not speak PostgreSQL" in line and "SSH-2.0-OpenSSH" in line, line


def test_a_silent_server_is_named_with_the_timeout_and_where_the_url_came_from(
    tmp_path: Path,
) -> None:
    """The URL's own ``connect_timeout`` is the wait (a fixed 10 s overrode it), and the line
    names the setting the URL came from: here ``ASSURANCE_STORE``, then ``assurance.yaml``."""
    with _server(None, None) as port:
        started = time.monotonic()
        done = run_cli("runs", "list", cwd=tmp_path, env={"ASSURANCE_STORE": _url(port, timeout=2)})
        took = time.monotonic() - started
        line = _one_line(done, port)
        assert "did not answer within 2 s" in line and "ASSURANCE_STORE" in line, line
        assert took < 8, took

        (tmp_path / "assurance.yaml").write_text(
            f"store: {_url(port, timeout=2)}\n", encoding="utf-8"
        )
        done = run_cli("runs", "list", cwd=tmp_path, env={"ASSURANCE_STORE": ""})
        line = _one_line(done, port)
        assert "did not answer within 2 s" in line and "assurance.yaml" in line, line


@pytest.mark.slow
def test_the_probe_knows_a_real_postgresql_server(postgres_cluster: PgCluster) -> None:
    """The probe asked after a failed connection says PostgreSQL for the real server (so a
    wrong password keeps libpq's own words), and "other" for a web server."""
    from assurance_harness.store.pgprobe import probe

    found = probe("127.0.0.1", postgres_cluster.port, "assurance", "postgres", timeout=5)
    assert found.verdict == "postgresql", found
    with _server(None, HTTP) as port:
        found = probe("127.0.0.1", port, "assurance", "postgres", timeout=5)
    assert found.verdict == "other" and found.answer.startswith(b"HTTP/1.1"), found


def test_a_connect_timeout_that_is_not_a_number_is_libpqs_one_line(tmp_path: Path) -> None:
    """The probe reads the URL's timeout; one it cannot read is libpq's error, not a crash."""
    with _server(None, None) as port:
        url = f"postgresql://alice@127.0.0.1:{port}/team?connect_timeout=abc"
        done = run_cli("--store", url, "runs", "list", cwd=tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 2 and "internal error" not in text, text
    assert "connect_timeout" in text and "abc" in text, text
