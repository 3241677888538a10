"""guard-model's key goes only to the endpoint its base_url names, never to a proxy set in the
environment, as a target's goes.

The HTTP targets (aiohttp, ``trust_env`` off) never read ``http_proxy``/``https_proxy``; the
guard's urllib opener did, so the same shell sent the guard's request, ``Authorization`` header
and all, to whatever proxy the variable named (a loopback guard included: urllib bypasses only
what ``no_proxy`` lists). Real servers on 127.0.0.1: the guard, and a "proxy" that records what
reaches it and answers as a guard would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

KEY = "sk-PROXYCANARY-0123456789abcdef"


async def _safe(request: web.Request) -> web.Response:
    return json_response(completion("safe", model="guard"))


async def _proxy_answer(request: web.Request) -> web.Response:
    return json_response(completion("safe", model="proxy"))


SUITE = (
    "suite: proxied\ncases:\n  - {id: c1, prompt: hello}\n"
    "scorers:\n  - {id: g, use: guard-model, with: {base_url: 'GUARD', model: g, "
    "api_key_env: T_KEY, timeout_s: 5}}\n"
)


@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_neither_the_target_nor_the_guard_sends_its_key_to_a_proxy_the_environment_names(
    tmp_path: Path, variable: str
) -> None:
    with (
        ThreadedServer(_proxy_answer) as proxy,
        ThreadedServer(_safe) as target,
        ThreadedServer(_safe) as guard,
    ):
        (tmp_path / "suite.yaml").write_text(SUITE.replace("GUARD", guard.base_url))
        (tmp_path / "target.yaml").write_text(
            f"type: openai\nbase_url: {target.base_url}\nmodel: m\napi_key_env: T_KEY\n"
        )
        env = {"T_KEY": KEY, "no_proxy": "", "NO_PROXY": "", variable: proxy.base_url}
        proc = run_cli(
            "run", "suite.yaml", "-t", "target.yaml", "--reports", "r", cwd=tmp_path, env=env
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proxy.seen.headers == []  # neither the key nor a conversation went there
        for server in (target, guard):
            assert [h["Authorization"] for h in server.seen.headers] == [f"Bearer {KEY}"]
    (results,) = tmp_path.glob("r/*/results.jsonl")
    assert '"model": "guard"' in results.read_text()  # the guard's verdict, not the proxy's
