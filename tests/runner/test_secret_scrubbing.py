"""A key the endpoint echoes back never reaches a file or the terminal.

Issue 10: a server that echoes the key in a 401 body put it into responses.jsonl, results.jsonl,
report.html, report.json and stdout. Here a real server on 127.0.0.1 echoes the Authorization
header in its 401s; every file under the reports folder and the command's output are searched.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web

from assurance_harness.errors import ConfigError
from assurance_harness.spec.targets import load_target
from assurance_harness.targets.secrets import REDACTED, looks_like_key, scrub, scrub_answer

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, json_response
from ..testing.openai_stub import completion as stub_completion
from .faulty_servers import FaultyServer, completion

KEY = "sk-live-4f9A8b7C6d5E4f3G2h1J"

SUITE = (
    "suite: echo\ncases:\n"
    + "".join(
        f"  - {{id: c{i}, prompt: '{'reject' if i % 3 == 1 else 'ask'} {i}'}}\n" for i in range(12)
    )
    + (
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: long, rate: 'len.words > 1'}\n"
        "gates:\n  - {metric: long, min: 0.0}\n"
        "max_error_rate: 0.9\n"
    )
)


def _echo(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    auth = headers.get("Authorization", "")
    if "reject" in str(body):
        return 401, {
            "error": {
                "message": f"Incorrect API key provided: {auth}. Partial: "
                f"{auth.split()[-1][:12]}..."
            }
        }
    return 200, completion("a fine long enough answer")


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=tmp, env={"ECHO_TEST_KEY": KEY, "COLUMNS": "200"})


def test_an_echoed_key_is_in_no_file_and_no_output(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    with FaultyServer(_echo) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.url}/v1\nmodel: m\napi_key_env: ECHO_TEST_KEY\n"
        )
        proc = _run(
            tmp_path, "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports"
        )
        check = _run(tmp_path, "targets", "check", "target.yaml")
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"responses.jsonl", "results.jsonl", "report.html", "report.json"} <= names
    leaked = [str(p) for p in files if KEY[:12].encode() in p.read_bytes()]
    assert leaked == []
    assert KEY[:12] not in proc.stdout + proc.stderr + check.stdout + check.stderr
    results = (next(p for p in files if p.name == "results.jsonl")).read_text()
    assert "Incorrect API key provided: Bearer <redacted>" in results


def test_scrub_redacts_the_key_and_an_echoed_prefix() -> None:
    text = f"bad key Bearer {KEY}; you sent {KEY[:10]}...; other sk-unrelated"
    out = scrub(text, [KEY])
    assert KEY[:8] not in out
    assert out == f"bad key Bearer {REDACTED}; you sent {REDACTED} other sk-unrelated"
    assert scrub("nothing here", [KEY]) == "nothing here"
    assert scrub("a 123 b", ["123"]) == "a 123 b"  # too short to scrub safely


@pytest.mark.parametrize("before", ["", "x", "xy", "Bearer "])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_scrub_redacts_the_key_inside_base64_at_any_alignment(before: str, encode: Any) -> None:
    blob = encode(f"{before}{KEY}!".encode()).decode()
    out = scrub(f"echo: {blob}", [KEY])
    assert REDACTED in out
    assert not any(core in out for core in _base64_cores(KEY))


def test_an_answer_keeps_a_short_value_that_would_blank_out_ordinary_words() -> None:
    assert scrub_answer(f"math: Bearer {KEY}", [KEY, "math"]) == f"math: Bearer {REDACTED}"


@pytest.mark.parametrize(
    ("value", "is_key"),
    [
        ("OPENAI_API_KEY", False),
        ("ASSURANCE_API_KEY", False),
        ("my_key", False),
        (KEY, True),
        ("hf_AbCdEfGhIjKlMnOpQrStUv", True),
        ("AbCdEf1234567890GhIjKlMn", True),
        ("Bearer abc", True),
        ("has space", True),
    ],
)
def test_looks_like_key(value: str, is_key: bool) -> None:
    assert looks_like_key(value) is is_key


def test_a_key_pasted_into_api_key_env_is_rejected_without_printing_it(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        f"type: openai\nbase_url: http://127.0.0.1:1/v1\nmodel: m\napi_key_env: {KEY}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_target(path)
    message = str(info.value)
    assert f"{path}:4: api_key_env: this looks like an API key" in message
    assert KEY not in message and KEY[:8] not in message
    proc = _run(tmp_path, "validate", "t.yaml")
    assert proc.returncode == 2
    assert "looks like an API key" in proc.stdout + proc.stderr
    assert KEY[:8] not in proc.stdout + proc.stderr


CANARY = "sk-LEAKCANARY-0123456789"
TEAM = "hdr-LEAKCANARY-HDR-98765"


def _base64_cores(value: str) -> list[str]:
    """The base64 text ``value`` becomes inside a longer base64 blob, at each of the three byte
    alignments (the characters that depend on ``value``'s bytes alone)."""
    cores = []
    for pad in range(3):
        text = base64.b64encode(b"\0" * pad + value.encode()).decode()
        cores.append(text[-(-8 * pad // 6) : (8 * (pad + len(value))) // 6])
    return cores


def _leak_forms(value: str) -> list[str]:
    """``value`` as it is sent and as a file could spell it: URL-encoded, base64, a prefix."""
    return [value, quote(value, safe=""), *_base64_cores(value), value[:12]]


async def _headers_echo(request: web.Request) -> web.Response:
    """An endpoint (a debugging proxy, a model told to repeat its input) whose 200 answer holds
    the request's headers: in the text and in the reported model name."""
    seen = json.dumps(dict(request.headers))
    encoded = base64.b64encode(f"[{request.path_qs}] {seen}".encode()).decode()
    return json_response(stub_completion(f"you sent {seen} ({encoded})", model=f"m {seen}"))


def test_a_key_echoed_in_a_successful_answer_is_in_no_file_and_no_output(
    tmp_path: Path,
) -> None:
    # Was written verbatim to responses.jsonl, results.jsonl, the reports and the response cache
    # (cache.sqlite): the executor scrubbed error messages only, not answers.
    (tmp_path / "suite.yaml").write_text(SUITE.replace("reject", "echo"))
    env = {"ECHO_TEST_KEY": CANARY, "ECHO_TEAM": TEAM, "COLUMNS": "200"}
    with ThreadedServer(_headers_echo) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\napi_key_env: ECHO_TEST_KEY\n"
            "headers: {X-Team: '${ECHO_TEAM}'}\n"
        )
        procs = [
            run_cli(
                "run",
                "suite.yaml",
                "-t",
                "target.yaml",
                "--reports",
                "reports",
                "--cache",
                cwd=tmp_path,
                env=env,
            )
            for _ in range(2)  # the second is served from the response cache
        ]
        sent = list(server.seen.headers)
    assert sent and sent[0]["Authorization"] == f"Bearer {CANARY}" and sent[0]["X-Team"] == TEAM
    (first, *_) = sorted(p for p in (tmp_path / "reports").iterdir() if p.is_dir())
    procs.append(run_cli("report", first.name, "--reports", "reports", cwd=tmp_path, env=env))
    output = "".join(p.stdout + p.stderr for p in procs)
    assert all(p.returncode == 0 for p in procs), output
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert {"responses.jsonl", "results.jsonl", "report.html", "cache.sqlite"} <= {
        p.name for p in files
    }
    for form in _leak_forms(CANARY) + _leak_forms(TEAM):
        assert form not in output
        assert [str(p) for p in files if form.encode() in p.read_bytes()] == [], form
    record = json.loads((first / "responses.jsonl").read_text().splitlines()[-1])
    assert f"Bearer {REDACTED}" in record["response"]


async def _key_first_echo(request: web.Request) -> web.Response:
    """A 200 answer that starts with the Authorization header and reports it as the model."""
    auth = request.headers.get("Authorization", "")
    if request.path.endswith("/models"):
        return json_response({"data": [{"id": "m"}, {"id": f"m {auth}"}]})
    return json_response(stub_completion(f"{auth} is what you sent", model=auth))


def test_targets_check_shows_no_key_a_successful_answer_echoes(tmp_path: Path) -> None:
    # Its OK line printed the answer's text and model name as they came.
    with ThreadedServer(_key_first_echo) as server:
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {server.base_url}\nmodel: m\napi_key_env: ECHO_TEST_KEY\n"
        )
        check = run_cli(
            "targets", "check", "target.yaml", cwd=tmp_path, env={"ECHO_TEST_KEY": CANARY}
        )
    output = check.stdout + check.stderr
    assert check.returncode == 0, output
    assert "OK: answered" in output and f"Bearer {REDACTED}" in output, output
    for form in _leak_forms(CANARY):
        assert form not in output, output
