"""A key echoed in an encoded spelling (JSON's ``\\uXXXX`` escapes, percent-encoding, the
UTF-8 bytes of a non-ASCII key read as Latin-1) never reaches a file, whole or in part.

The scrubber looked for the key as written, its runs as written, and the whole key escaped as
JSON: a non-ASCII key (or one of ``/`` and ``+``) percent-encoded, or the tail of one escaped as
JSON, holds no sixteen characters of the key as written, and was kept. Here a real server on
127.0.0.1 quotes the key it was sent in its 401 body in each of those spellings; every file the
run wrote, and its output, is searched for each.
"""

from __future__ import annotations

import json
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from assurance_harness.scrub import REDACTED, scrub, scrub_answer

from ..testing.cli import run_cli

UNICODE_KEY = "pässwörd-Ключ-äöü-7e4c9f2"
"""A key no sixteen ASCII characters of which stand together: each encoded spelling of it holds
no run of the key as written."""
SLASHED_KEY = "ab/cd+ef/gh+ij/kl+mn/op+qr/st+uv/wx"
"""An ASCII key whose ``/`` and ``+`` every few characters percent-encoding spells otherwise."""

NAMES = [
    f"{name}{cut}"
    for name in (
        "json",
        "json-slash",
        "json-in-json",
        "percent",
        "percent-plus",
        "percent-lower",
        "latin-1",
        "latin-1-json",
    )
    for cut in ("", " tail", " front")
]
"""The spellings (:func:`_spellings`): each refused case's error quotes the key in one."""
SUITE = (
    "suite: echo\ncases:\n  - {id: a, prompt: ask}\n"
    + "".join(f"  - {{id: r{i}, prompt: 'reject {i}'}}\n" for i in range(len(NAMES)))
    + "scorers:\n  - {id: len, use: length}\nmax_error_rate: 1.0\n"
)
"""One case answered, so the run writes its reports; each other one fails with a 500 (not
a 401, after a few of which in a row a run stops and writes no errors) that quotes the key."""


def _json_ascii(text: str) -> str:
    """``text`` as a JSON writer that escapes every non-ASCII character writes it."""
    return json.dumps(text)[1:-1]


def _spellings(key: str) -> dict[str, str]:
    """``key`` as an echo may spell it, whole and cut (its first characters, its last)."""
    mojibake = key.encode().decode("latin-1")
    whole = {
        "json": _json_ascii(key),
        "json-slash": _json_ascii(key).replace("/", "\\/"),
        "json-in-json": _json_ascii(_json_ascii(key)),
        "percent": quote(key, safe=""),
        "percent-plus": quote_plus(key),
        "percent-lower": quote(key, safe="").lower(),
        "latin-1": mojibake,
        "latin-1-json": _json_ascii(mojibake),
    }
    cut = {f"{name} tail": form[len(form) // 3 :] for name, form in whole.items()}
    cut |= {f"{name} front": form[: 2 * len(form) // 3] for name, form in whole.items()}
    return whole | cut


def _leaks(key: str) -> list[str]:
    """What no file may hold: the key and a run of its middle, in each spelling."""
    middle = key[len(key) // 3 : 2 * len(key) // 3]
    return [key, middle, *(form for form in _spellings(middle).values() if len(form) >= 8)]


@pytest.mark.parametrize("key", [UNICODE_KEY, SLASHED_KEY], ids=["non-ascii", "slashed"])
@pytest.mark.parametrize("spelling", NAMES)
def test_scrub_redacts_an_encoded_spelling_of_a_key(key: str, spelling: str) -> None:
    echoed = _spellings(key)[spelling]
    for scrubber in (scrub, scrub_answer):
        out = scrubber(f"upstream said: {echoed} (check the key)", [key])
        assert out == f"upstream said: {REDACTED} (check the key)", (spelling, out)


CASED_KEYS = ["Straße-Schlüssel-ßß-42xyzÄÖ-9", "İstanbul-anahtarı-Çğş-77qwÖü"]
"""Keys whose letters change length or identity in another case: ``ß`` is ``SS`` upper-cased,
``İ`` lower-cased is two characters and ``ı`` upper-cased is the ``I`` of ``i``. A header dump
upper-cased was taken for the key (its case-folded form was found) but nothing was redacted,
or only up to the first such letter."""


@pytest.mark.parametrize("key", CASED_KEYS, ids=["sharp-s", "dotted-i"])
@pytest.mark.parametrize(
    "cased",
    [str.upper, str.lower, lambda k: k.upper()[-18:], lambda k: k.lower()[-18:]],
    ids=["upper", "lower", "upper tail", "lower tail"],
)
def test_scrub_redacts_a_key_echoed_in_another_case_that_changes_its_letters(
    key: str, cased: Any
) -> None:
    out = scrub(f"AUTH: {cased(key)} (check the key)", [key])
    assert out == f"AUTH: {REDACTED} (check the key)", out


def test_ordinary_text_is_kept_beside_an_encoded_key() -> None:
    text = "caf%C3%A9 na\\u00efve p%2Fq 50%25 \\u00e9t\\u00e9 ab/cd+e pässw%C3%B6r Schl\\u00fcssel"
    assert scrub(text, [UNICODE_KEY, SLASHED_KEY]) == text


class _Echo(BaseHTTPRequestHandler):
    """A 500 whose body quotes the key it was sent, to a request whose prompt says ``reject N``,
    in the Nth spelling (a body is cut at 200 bytes in the error: one spelling each); an answer
    to the others."""

    def do_POST(self) -> None:
        asked = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        prompt = asked["messages"][-1]["content"]
        if not prompt.startswith("reject"):
            self._send(200, json.dumps({"choices": [{"message": {"content": "fine"}}]}))
            return
        # http.server reads a header's bytes as Latin-1: the key's UTF-8, as many servers echo it.
        sent = self.headers.get("Authorization", "")
        key = sent.encode("latin-1").decode("utf-8").removeprefix("Bearer ")
        echoed = _spellings(key)[NAMES[int(prompt.split()[1])]]
        self._send(500, '{"error": "you sent ' + echoed + '"}')  # as written, not escaped again

    def _send(self, status: int, answer: str) -> None:
        body = answer.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def run_against_echo(
    tmp: Path, handler: type[BaseHTTPRequestHandler], suite: str, key: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """``assurance run`` of ``suite`` (plus ``options``) against an OpenAI-compatible stub on
    127.0.0.1 answering with ``handler``, its key ``key`` read from ``ECHO_TEST_KEY``, each
    request tried once; the server stops with the run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp / "suite.yaml").write_text(suite)
        (tmp / "target.yaml").write_text(
            f"type: openai\nbase_url: http://127.0.0.1:{server.server_port}/v1\nmodel: m\n"
            "api_key_env: ECHO_TEST_KEY\nretry: {max_attempts: 1}\n"
        )
        return run_cli(
            "run",
            "suite.yaml",
            "--target",
            "target.yaml",
            "--reports",
            "reports",
            *options,
            cwd=tmp,
            env={"ECHO_TEST_KEY": key, "COLUMNS": "200"},
        )
    finally:
        server.shutdown()
        server.server_close()


def _run_against_echo(tmp: Path, key: str) -> subprocess.CompletedProcess[str]:
    return run_against_echo(tmp, _Echo, SUITE, key, "--cache")


@pytest.mark.parametrize("key", [UNICODE_KEY, SLASHED_KEY], ids=["non-ascii", "slashed"])
def test_a_key_echoed_encoded_in_an_error_body_is_in_no_file_and_no_output(
    tmp_path: Path, key: str
) -> None:
    proc = _run_against_echo(tmp_path, key)
    output = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), output[-2000:]
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    results = next(p for p in written if p.name == "results.jsonl").read_text()
    assert results.count('you sent <redacted>\\"}') == len(NAMES)  # reached it, scrubbed
    for leak in _leaks(key):
        held = [p.name for p in written if leak.encode() in p.read_bytes()]
        assert held == [] and leak not in output, (leak, held)
