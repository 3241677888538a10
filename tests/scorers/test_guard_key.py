"""guard-model's key goes only to the endpoint its base_url names, and never into a result.

urllib follows a 301/302/303 to any host, as a GET, with every header: a guard endpoint (or
whatever answers at its address) that redirects elsewhere handed the ``Authorization`` header,
key and all, to another server, whose page was then read as the guard's verdict. And a guard
whose answer repeats the request's headers put the key into the ``raw`` and ``model`` fields of
results.jsonl and into its cache file. Real servers on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.guard_model import GuardModelError, GuardModelScorer, GuardParams

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

KEY = "sk-LEAKCANARY-0123456789"


async def _safe(request: web.Request) -> web.Response:
    return json_response(completion("safe", model="elsewhere"))


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_key_goes_nowhere_else(
    monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv("GUARD_TEST_KEY", KEY)
    with ThreadedServer(_safe) as elsewhere:

        async def redirect(request: web.Request) -> web.Response:
            # The Location repeats the key, as an echoing server's may: not in the message.
            location = f"{elsewhere.base_url}/chat/completions?key={KEY}"
            return web.Response(status=status, headers={"Location": location})

        with ThreadedServer(redirect) as guard:
            scorer = GuardModelScorer(
                GuardParams(
                    base_url=guard.base_url, model="g", api_key_env="GUARD_TEST_KEY", timeout_s=5
                ),
                SuiteContext("g", 0),
            )
            scorer.setup()
            with pytest.raises(GuardModelError) as info:
                scorer.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])
            assert guard.seen.headers[0]["Authorization"] == f"Bearer {KEY}"
        assert elsewhere.seen.headers == []  # neither the key nor the request went on
    message = str(info.value)
    assert f"HTTP {status}" in message and "redirect" in message, message
    assert f"redirect to {elsewhere.url};" in message, message
    assert KEY not in message and "\n" not in message


def _score_once(base_url: str, cache: Path) -> dict[str, Any]:
    """One response scored by a guard at ``base_url`` that caches in ``cache``, with the key
    in GUARD_TEST_KEY."""
    scorer = GuardModelScorer(
        GuardParams(
            base_url=base_url,
            model="g",
            api_key_env="GUARD_TEST_KEY",
            timeout_s=5,
            cache=str(cache),
        ),
        SuiteContext("g", 0),
    )
    scorer.setup()
    (result,) = scorer.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])
    return result


async def _echo(request: web.Request) -> web.Response:
    """A guard that answers with the header it was sent, as its reply and its model name."""
    auth = request.headers.get("Authorization", "")
    return json_response(completion(f"safe {auth}", model=f"guard {auth}"))


def test_a_key_the_guard_echoes_is_in_no_result_and_not_in_its_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GUARD_TEST_KEY", KEY)
    cache = tmp_path / "guard.sqlite"
    with ThreadedServer(_echo) as guard:
        result = _score_once(guard.base_url, cache)
    assert result["flagged"] is False and result["raw"].startswith("safe Bearer ")
    assert KEY[:12] not in json.dumps(result)
    assert KEY[:12].encode() not in cache.read_bytes()


@pytest.mark.parametrize(
    ("base_url", "what"),
    [
        (f"http://{KEY}@127.0.0.1:9/v1", "a user name"),
        (f"http://guard:{KEY}@127.0.0.1:9/v1", "a password"),
        ("127.0.0.1:9/v1", "not an http(s) URL"),
    ],
)
def test_a_base_url_holding_a_credential_or_no_url_fails_validate(
    tmp_path: Path, base_url: str, what: str
) -> None:
    """A guard's base_url is checked as a target's is: a key written into it (Basic auth's user
    or password) would be copied into the suite's manifest record and its reports, and a URL
    without a scheme would fail every request, so both are refused at validate, on its line."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: guarded\ncases: [{id: a, prompt: hi}]\nscorers:\n"
        "  - id: guard\n    use: guard-model\n    with:\n"
        f"      base_url: '{base_url}'\n      model: g\n"
        "metrics:\n  - {id: unsafe, rate: guard.flagged}\n"
    )
    done = run_cli("validate", suite)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stdout + done.stderr
    # validate's listing: the located problem, then its count line.
    assert len(lines) == 2 and "s.yaml:7: scorers[0].with.base_url" in lines[0], lines
    assert what in lines[0] and lines[1] == "1 problem(s) in 1 file(s)", lines
    assert KEY not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        # Found when the scorer was set up, after every request to the target had been sent.
        ("format: shieldgemma, policies: [bogus]", "bogus"),
        # No policy asked about: 'flagged' was false for every response, a gate that measures
        # nothing and passes.
        ("format: shieldgemma, policies: []", "policies"),
        # Policies are ShieldGemma's: Llama Guard ignored them, silently asking about every one
        # of its categories where the suite meant to choose.
        ("policies: [sexual]", "shieldgemma"),
    ],
)
def test_guard_policies_that_would_be_ignored_or_fail_are_refused_at_validate(
    tmp_path: Path, settings: str, said: str
) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: guarded\ncases: [{id: a, prompt: hi}]\nscorers:\n"
        "  - id: guard\n    use: guard-model\n"
        f"    with: {{base_url: 'http://127.0.0.1:9/v1', model: g, {settings}}}\n"
        "metrics:\n  - {id: unsafe, rate: guard.flagged}\n"
    )
    done = run_cli("validate", suite)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "s.yaml:6: scorers[0].with" in done.stderr and said in done.stderr, done.stderr
    assert "Traceback" not in done.stdout + done.stderr


KEY_WITH_SLASH = "sk-LEAK/CANARY+0123456789abcdef"
ECHOED_FORMS = {
    "base64 of the header": lambda key: base64.b64encode(f"Bearer {key}".encode()).decode(),
    "a long prefix (a truncated echo)": lambda key: key[:16] + "...",
    "PHP's escaped slash": lambda key: key.replace("/", "\\/"),
    "a .NET \\u escape": lambda key: key.replace("+", "\\u002B"),
}


@pytest.mark.parametrize("form", sorted(ECHOED_FORMS))
def test_the_guards_key_is_scrubbed_in_every_form_a_targets_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, form: str
) -> None:
    """The guard scrubbed only the key as written and as JSON escapes it, where a target's
    answers are scrubbed of its base64 forms, a long prefix and other writers' escapes too:
    these echoes reached results.jsonl and the guard's cache file."""
    monkeypatch.setenv("GUARD_TEST_KEY", KEY_WITH_SLASH)
    echoed = ECHOED_FORMS[form](KEY_WITH_SLASH)

    async def echo(request: web.Request) -> web.Response:
        body = json.dumps(completion("safe", model="guard")).replace('"guard"', f'"{echoed}"')
        return web.Response(text=body, content_type="application/json")

    cache = tmp_path / "guard.sqlite"
    with ThreadedServer(echo) as guard:
        result = _score_once(guard.base_url, cache)
    assert result["flagged"] is False
    kept = json.dumps(result) + cache.read_bytes().decode("utf-8", "replace")
    assert "<redacted>" in json.dumps(result)
    for leak in (echoed, KEY_WITH_SLASH[:12]):
        assert leak not in kept, (form, leak)


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_a_key_with_a_line_break_is_named_not_shown(
    monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    """A key file saved with Windows line ends keeps its ``\\r`` through ``$(cat FILE)``.
    http.client refuses the header with ``Invalid header value b'Bearer KEY\\r'``, and the
    guard's one-line error quoted that, key and all, on the terminal; nothing is sent."""
    monkeypatch.setenv("GUARD_TEST_KEY", KEY + ending)
    with ThreadedServer(_safe) as guard:
        scorer = GuardModelScorer(
            GuardParams(base_url=guard.base_url, model="g", api_key_env="GUARD_TEST_KEY"),
            SuiteContext("g", 0),
        )
        scorer.setup()
        with pytest.raises(GuardModelError) as info:
            scorer.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])
        assert guard.seen.headers == []
    message = str(info.value)
    assert "GUARD_TEST_KEY" in message and "control character" in message, message
    assert KEY[:12] not in message and "\n" not in message, message


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_key_variable_is_named_and_nothing_is_sent(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    """A target whose key variable is unset stops before its first request; guard-model sent
    its requests without a key, and the endpoint's 401 was blamed on base_url and the model."""
    if value is None:
        monkeypatch.delenv("GUARD_TEST_KEY", raising=False)
    else:
        monkeypatch.setenv("GUARD_TEST_KEY", value)
    with ThreadedServer(_safe) as guard:
        scorer = GuardModelScorer(
            GuardParams(base_url=guard.base_url, model="g", api_key_env="GUARD_TEST_KEY"),
            SuiteContext("g", 0),
        )
        scorer.setup()
        with pytest.raises(GuardModelError) as info:
            scorer.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])
        assert guard.seen.headers == []
    message = str(info.value)
    assert "GUARD_TEST_KEY" in message and ("not set" in message or "empty" in message), message
