"""An ``https://`` endpoint, end to end: the certificate is verified against the CA bundle the
environment names, and a run against an endpoint whose certificate is not trusted sends nothing
more than the probe and exits 3.

aiohttp's SSL contexts read the CA bundle on their first connection, not when aiohttp is
imported (``targets._aiohttp_import``); these runs, in a fresh process each, are what shows
that they still read it, and read the one named when they are used.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.openai_stub import ThreadedServer

TLS = Path(__file__).parent / "tls"
CERTIFICATE = TLS / "cert.pem"
"""A self-signed certificate for IP 127.0.0.1, valid until 2126, made for these tests only."""


def _server_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTIFICATE, TLS / "key.pem")
    return context


def _project(root: Path, base_url: str) -> None:
    cases = "".join(f"  - {{id: c{i}, prompt: 'p{i}'}}\n" for i in range(5))
    (root / "s.yaml").write_text(
        "suite: tls\ncases:\n" + cases + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    (root / "t.yaml").write_text(
        f"type: openai\nbase_url: {base_url}\nmodel: m\nconcurrency: 2\n", encoding="utf-8"
    )


def _run(root: Path, cert_file: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report",
        cwd=root,
        env={"SSL_CERT_FILE": str(cert_file), "SSL_CERT_DIR": str(root / "no-such-dir")},
        timeout=120,
    )  # fmt: skip


def test_a_run_against_a_trusted_https_endpoint_is_answered(tmp_path: Path) -> None:
    with ThreadedServer(tls=_server_context()) as server:
        _project(tmp_path, server.base_url)
        done = _run(tmp_path, CERTIFICATE)
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.base_url.startswith("https://")
        assert len(server.seen.bodies) == 5


def test_an_untrusted_certificate_stops_the_run_at_the_probe(tmp_path: Path) -> None:
    other = tmp_path / "other-ca.pem"
    other.write_text("", "utf-8")
    with ThreadedServer(tls=_server_context()) as server:
        _project(tmp_path, server.base_url)
        done = _run(tmp_path, other)  # an empty bundle: nothing is trusted
        out = done.stdout + done.stderr
        assert done.returncode == 3, out
        assert "certificate verify failed" in out, out
        assert "Traceback" not in out
        assert server.seen.bodies == []  # no request got through the handshake


def test_importing_aiohttp_leaves_ssl_as_it_was() -> None:
    """Contexts made after the import, by anyone, read their bundle when made."""
    check = (
        "import ssl, _ssl\n"
        "from assurance_harness.targets._aiohttp_import import import_aiohttp\n"
        "import_aiohttp()\n"
        "assert ssl.SSLContext.set_default_verify_paths is "
        "_ssl._SSLContext.set_default_verify_paths\n"
        "context = ssl.create_default_context()\n"
        "assert type(context) is ssl.SSLContext\n"
        "assert context.cert_store_stats()['x509_ca'] == 1, context.cert_store_stats()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SSL_CERT_FILE": str(CERTIFICATE), "SSL_CERT_DIR": "/nonexistent"},
    )
    assert done.returncode == 0, done.stderr
