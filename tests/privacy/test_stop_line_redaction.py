"""Under a redaction policy, the line a broken target stops the run with shows no personal data.

A run stops when its first requests fail the same way that no retry fixes (a 401), quoting the
first error as the endpoint sent it; an endpoint whose 401 repeats the request put the prompt's
e-mail address and phone number on the terminal (a CI log, kept), though the closing line of a
finished run, read from its stored files, shows them redacted. The real ``assurance`` command;
a real server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, json_response

PLANTED = ["zelda.quux@example.org", "07700 900982"]


async def _refuse_repeating(request: web.Request) -> web.Response:
    """A 401 whose message repeats the request it refuses."""
    sent = json.dumps(await request.json())
    return json_response({"error": {"message": f"unauthorised request: {sent}"}}, status=401)


def test_the_stop_line_of_a_broken_target_is_redacted(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t-1\n  redaction: {enabled: true}\n"
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: stopped\ncases:\n"
        + "".join(
            f"  - {{id: c{i}, prompt: 'write to {PLANTED[0]} or ring {PLANTED[1]} ({i})'}}\n"
            for i in range(4)
        )
        + "scorers: [{id: len, use: length}]\n"
        "metrics: [{id: long, rate: 'len.words > 1'}]\n"
        "gates: [{metric: long, min: 0.0}]\n"
    )
    with ThreadedServer(_refuse_repeating) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\nretry: {{max_attempts: 1}}\n"
        )
        done = run_cli(
            "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
        )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "stopped: the first 3 requests all failed the same way" in output, output
    assert "unauthorised request:" in output and "<EMAIL_ADDRESS>" in output, output
    assert [value for value in PLANTED if value in output] == [], output


def test_the_stop_line_keeps_the_target_files_url_and_host(tmp_path: Path) -> None:
    """What the user must check ("is the host and port in the target file right?") is shown as
    the target file writes it, though an IP address is personal data to the redactor."""
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t-1\n  redaction: {enabled: true}\n"
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: refused\ncases:\n"
        + "".join(f"  - {{id: c{i}, prompt: 'hello {i}'}}\n" for i in range(4))
        + "scorers: [{id: len, use: length}]\n"
        "metrics: [{id: long, rate: 'len.words > 1'}]\n"
        "gates: [{metric: long, min: 0.0}]\n"
    )
    (tmp_path / "target.yaml").write_text(
        f"type: openai\nbase_url: http://127.0.0.1:{port}/v1\nmodel: m\n"
        "retry: {max_attempts: 1}\n"
    )
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
    )
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 3, output
    assert f"cannot connect to http://127.0.0.1:{port}/v1/chat/completions" in output, output
    assert "<IP_ADDRESS>" not in output, output
