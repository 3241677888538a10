"""A key pasted into a credential header of the target file is kept out of the run's files too.

The manifest shows a literal value under a credential-looking header name (``Authorization``,
``X-Api-Key``) as ``<redacted>``, "in case someone pasted a key into the file instead of
referencing a variable". But only keys read from the environment were scrubbed from what the
endpoint sent back: a 401 quoting the pasted key, or an answer repeating the request's headers,
put it into responses.jsonl, results.jsonl, the reports, the response cache and the terminal.
A real server on 127.0.0.1; the real ``assurance`` command; every file it leaves is searched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

PASTED = "sk-PASTEDCANARY-0123456789"

SUITE = (
    "suite: pasted\ncases:\n  - {id: a, prompt: refuse}\n  - {id: b, prompt: echo}\n"
    "  - {id: c, prompt: plain}\n"
    "scorers:\n  - {id: len, use: length}\n"
    "metrics:\n  - {id: long, rate: 'len.words > 1'}\n"
    "gates:\n  - {metric: long, min: 0.0}\nmax_error_rate: 0.9\n"
)


async def _echo(request: web.Request) -> web.Response:
    """A 401 quoting the credential headers for ``refuse``; the headers repeated for ``echo``."""
    body = await request.json()
    prompt = body["messages"][-1]["content"]
    sent = json.dumps(dict(request.headers))
    if prompt == "refuse":
        return json_response({"error": {"message": f"bad credentials: {sent}"}}, status=401)
    if prompt == "echo":
        return json_response(completion(f"you sent {sent}", model=f"m {sent}"))
    return json_response(completion("a plain answer"))


@pytest.mark.parametrize(
    "headers",
    [
        f"{{Authorization: 'Bearer {PASTED}'}}",
        f"{{X-Api-Key: '{PASTED}'}}",
        f"{{X-Api-Key: '{PASTED}', X-Team: '${{PASTED_TEAM}}'}}",
        # A name that does not say "key": the value's own prefix (sk-) does, and before, the
        # manifest, report.json, report.html and report.md showed it as written.
        f"{{X-Credential: '{PASTED}'}}",
        f"{{X-Passwd: '{PASTED}'}}",
    ],
)
def test_a_pasted_header_key_is_in_no_file_and_no_output(tmp_path: Path, headers: str) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    with ThreadedServer(_echo) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\nheaders: {headers}\n"
            "retry: {max_attempts: 1}\n"
        )
        done = run_cli(
            "run",
            "suite.yaml",
            "--target",
            "target.yaml",
            "--reports",
            "reports",
            cwd=tmp_path,
            env={"PASTED_TEAM": "team-one-two", "TMPDIR": str(tmp_path)},
        )
        sent = list(server.seen.headers)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert any(PASTED in value for h in sent for value in h.values())  # it was sent
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert {"responses.jsonl", "results.jsonl", "report.html", "cache.sqlite"} <= {
        p.name for p in files
    }
    assert [str(p) for p in files if PASTED[:12].encode() in p.read_bytes()] == []
    assert PASTED[:12] not in output
    journal = next((tmp_path / "reports").glob("*/responses.jsonl")).read_text()
    assert "bad credentials" in journal and "<redacted>" in journal
