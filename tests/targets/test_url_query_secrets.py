"""A key the endpoint takes only in the URL's query (Gemini's ``?key=``) is written as
``${NAME}`` in the http target's url: the variable is checked at start like a header's, the value
is put into the query only when a request is sent, and it never reaches manifest.json, the
journal, the reports or the console, even when the request fails and the URL is quoted."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web

from ..testing.cli import run_project
from ..testing.openai_stub import ThreadedServer, json_response

SECRET = "gk-Qz7/ur1+S3cr=et"
"""Distinctive, and with characters a query must percent-encode (``/``, ``+``, ``=``)."""
SECRET_FORMS = (SECRET, quote(SECRET, safe=""), quote(SECRET, safe="-._~"), "gk-Qz7")


def _project(tmp_path: Path, url: str) -> None:
    (tmp_path / "t.yaml").write_text(
        f"type: http\nurl: '{url}'\nresponse_path: text\nretry: {{max_attempts: 1}}\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: q\ncases: [{id: a, prompt: hi}]\nmetrics: [{id: failed, rate: error}]\n"
    )


def _run(tmp_path: Path, env: dict[str, str]):
    return run_project(
        tmp_path,
        "--no-cache",
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


def _assert_nowhere(tmp_path: Path, output: str) -> None:
    """The secret, in any spelling, is in no file the run wrote and not on the console."""
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert files, "the run wrote no files"
    for form in SECRET_FORMS:
        assert form not in output, output
        for path in files:
            assert form.encode() not in path.read_bytes(), path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _answer(request: web.Request) -> web.Response:
    return json_response({"text": "an answer", "query": request.query_string})


async def _fail(request: web.Request) -> web.Response:
    # An endpoint that echoes the URL it was called with (the key in it) in its error body.
    return web.Response(status=500, text=f"internal error at {request.url}")


async def _redirect_loop(request: web.Request) -> web.Response:
    # A same-host 307 to the URL it was called with, key and all: followed until the loop limit,
    # and the error names where the last redirect went.
    return web.Response(status=307, headers={"Location": str(request.rel_url)})


@pytest.mark.parametrize(
    ("handler", "code"), [(_answer, 0), (_fail, 3), (_redirect_loop, 3)], ids=["200", "500", "307"]
)
def test_a_query_key_from_the_environment_is_sent_and_never_written(
    tmp_path: Path, handler, code: int
) -> None:
    with ThreadedServer(handler) as server:
        _project(tmp_path, f"{server.url}/v1/generate?alt=json&key=${{GEMINI_KEY}}")
        done = _run(tmp_path, {"GEMINI_KEY": SECRET})
        queries = list(server.seen.queries)
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert queries and queries[0] == {"alt": "json", "key": SECRET}
    _assert_nowhere(tmp_path, output)
    (manifest,) = (tmp_path / "reports").rglob("manifest.json")
    assert "key=${GEMINI_KEY}" in manifest.read_text()


def test_a_refused_connection_does_not_show_the_query_key(tmp_path: Path) -> None:
    _project(tmp_path, f"http://127.0.0.1:{_free_port()}/gen?key=${{GEMINI_KEY}}")
    done = _run(tmp_path, {"GEMINI_KEY": SECRET})
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "cannot connect" in output or "connect" in output, output
    _assert_nowhere(tmp_path, output)


@pytest.mark.parametrize(("value", "state"), [(None, "is not set"), ("  ", "is empty")])
def test_a_query_key_variable_unset_or_blank_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, state: str
) -> None:
    monkeypatch.delenv("GEMINI_KEY", raising=False)
    _project(tmp_path, "http://127.0.0.1:9/gen?key=${GEMINI_KEY}")
    done = _run(tmp_path, {} if value is None else {"GEMINI_KEY": value})
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert f"GEMINI_KEY {state}" in output, output
