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
from assurance_harness.scrub import REDACTED, looks_like_key, scrub, scrub_answer
from assurance_harness.spec.targets import load_target

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


def test_scrub_redacts_the_key_in_another_case() -> None:
    """An endpoint dumping its request headers upper-cased ("AUTHORIZATION: BEARER SK-...")
    carried the key past the scrubber into the journal, results and reports."""
    out = scrub(f"AUTHORIZATION: BEARER {KEY.upper()}; sent {KEY[:10].upper()}...", [KEY])
    assert KEY.upper() not in out and KEY[:8].upper() not in out, out
    assert out == f"AUTHORIZATION: BEARER {REDACTED}; sent {REDACTED}"
    assert scrub_answer(f"key {KEY.lower()} end", [KEY]) == f"key {REDACTED} end"


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
        ("ProjectAlphaOpenAIKey2024", False),  # a name in camel case, not a key
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


@pytest.mark.parametrize(("value", "message"), [('""', "is empty"), ("'  '", "is blank")])
def test_an_empty_api_key_env_says_so_not_that_it_looks_like_a_key(
    tmp_path: Path, value: str, message: str
) -> None:
    # Observed: api_key_env: "" was "this looks like an API key", which sent the user looking
    # for a key they had not pasted.
    path = tmp_path / "t.yaml"
    path.write_text(
        f"type: openai\nbase_url: http://127.0.0.1:1/v1\nmodel: m\napi_key_env: {value}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_target(path)
    text = str(info.value)
    assert f"{path}:4: api_key_env: {message}" in text, text
    assert "looks like an API key" not in text
    assert "remove api_key_env" in text


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


SLASHED_KEY = "sk-live/ABCDEFGH+1234567890xyz"
"""A key with the characters JSON writers escape: ``/`` (PHP's json_encode, many Java
libraries) and ``+`` (.NET's System.Text.Json writes ``\\u002B``)."""


def _json_escaped(text: str, *, every: bool = False) -> str:
    if every:
        return "".join(f"\\u{ord(c):04x}" for c in text)
    return text.replace("/", "\\/").replace("+", "\\u002B")


@pytest.mark.parametrize(
    "echoed",
    [
        _json_escaped(SLASHED_KEY),
        _json_escaped(SLASHED_KEY).replace("\\", "\\\\"),  # JSON inside JSON
        _json_escaped(SLASHED_KEY, every=True),
        _json_escaped(SLASHED_KEY, every=True).upper().replace("\\U", "\\u"),
        _json_escaped(SLASHED_KEY[:12]) + "...",  # a prefix, escaped
    ],
)
def test_scrub_redacts_a_key_echoed_json_escaped(echoed: str) -> None:
    out = scrub(f'{{"auth": "Bearer {echoed}"}}', [SLASHED_KEY])
    assert "ABCD" not in out
    assert "\\u0041\\u0042" not in out.lower()  # "AB", escaped
    assert REDACTED in out
    assert out.startswith('{"auth": "Bearer ')


def test_a_key_echoed_json_escaped_in_an_error_body_is_in_no_file_and_no_output(
    tmp_path: Path,
) -> None:
    """An endpoint's 500 body repeats the Authorization header as its JSON writer escapes it:
    the key was in results.jsonl, the journal, both reports and the terminal."""
    from http.server import BaseHTTPRequestHandler

    from .test_encoded_secret_scrubbing import run_against_echo

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            auth = _json_escaped(self.headers.get("Authorization", ""))
            body = ('{"error": "upstream failed", "auth": "' + auth + '"}').encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    proc = run_against_echo(tmp_path, Echo, SUITE, SLASHED_KEY)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert "responses.jsonl" in {p.name for p in files}
    assert [str(p) for p in files if b"ABCDEFGH" in p.read_bytes()] == []
    assert "ABCDEFGH" not in proc.stdout + proc.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "answer",
    [
        "a" * 2_000_000,  # one token of 2 MB (a base64 blob, a minified file)
        "\\" * 2_000_000,
        "a\\" * 1_000_000,
        ("x" * 999 + " ") * 2_000,
    ],
)
def test_scrubbing_a_long_answer_takes_time_in_proportion_to_it(answer: str) -> None:
    """The echoed-prefix search was ``\\S*PREFIX\\S*``, tried from every position: a 10,000
    character answer with no space took 0.1 s, a 1 MB one about 18 minutes, for each answer
    of a run whose target has a key. A hang, not a speed target: linear, it is milliseconds."""
    assert scrub_answer(answer, [KEY, SLASHED_KEY]) == answer
    leaked = answer[:1000] + _json_escaped(KEY) + answer[:1000]
    assert "4f9A8b7C" not in scrub_answer(leaked, [KEY])


@pytest.mark.parametrize(
    "padded", ["  sk-abc123def456gh", "\tsk-abc123def456gh", " sk-abc123def456gh "]
)
@pytest.mark.parametrize("scrubber", [scrub, scrub_answer])
def test_a_key_exported_with_whitespace_around_it_is_redacted_where_echoed_without(
    padded: str, scrubber: Any
) -> None:
    """``export KEY=" sk-..."`` (a paste with a space before it) sends the key with the space;
    the endpoint's 401 quotes it trimmed, as HTTP reads a header. A key of 16 to 19 characters
    (too short for its runs to be looked for) was then kept: the value looked for, and its
    prefix, both began with the space."""
    echoed = f"Incorrect API key provided: Bearer {padded.strip()}. Check it."
    shown = scrubber(echoed, [padded])
    assert padded.strip()[:8] not in shown and padded.strip()[-8:] not in shown, shown
    assert shown.startswith("Incorrect API key provided: Bearer ") and "Check it." in shown
