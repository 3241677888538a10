"""guard-model sends its key only to the endpoint its base_url names.

urllib follows a 301/302/303 to any host, as a GET, with every header: a guard endpoint (or
whatever answers at its address) that redirects elsewhere handed the ``Authorization`` header,
key and all, to another server, whose page was then read as the guard's verdict. Real servers
on 127.0.0.1: the first redirects, the second records what reached it.
"""

from __future__ import annotations

import pytest
from aiohttp import web

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.guard_model import GuardModelError, GuardModelScorer, GuardParams

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
