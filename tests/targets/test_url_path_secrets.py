"""A key written into a target's URL path or fragment is refused by ``validate`` and ``run``
without being shown, as one in its user name or query already was; an ordinary path passes.

``base_url: https://host/v1/sk-proj-...`` passed: the URL, key and all, is copied into
manifest.json, the run index, the reports and every error message that names it. Refused: a
path segment or fragment that is a known kind of key (``sk-``, ``ghp_``, ``eyJ``... with digits,
16 characters or more), a fragment carrying a credential parameter (``#access_token=``), and,
whatever its shape, the value of the variable the file reads its key from (``api_key_env``, or
one a credential header references) standing in the URL, plain or percent-encoded.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from aiohttp import web
from pydantic import ValidationError

from assurance_harness.scorers.guard_model import GuardParams

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

SHAPED = "sk-proj-AbCdEfGhIjKlMnOpQrStUv0123456789"
PLAIN = "q8w7e6r5t4y3u2i1"
"""A key of no known shape (lower case and digits): found only as the variable's value."""


def _validate(tmp: Path, target: str, env: dict[str, str] | None = None) -> str:
    (tmp / "t.yaml").write_text(target)
    proc = run_cli("validate", "t.yaml", cwd=tmp, env=env)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    return text


@pytest.mark.parametrize(
    "target",
    [
        f"type: openai\nmodel: m\nbase_url: https://api.example.org/v1/{SHAPED}\n",
        f"type: openai\nmodel: m\nbase_url: https://api.example.org/{quote(SHAPED)}/v1\n",
        f"type: http\nresponse_path: text\nurl: https://api.example.org/gen/{SHAPED}\n",
        f"type: http\nresponse_path: text\nurl: 'https://api.example.org/gen#{SHAPED}'\n",
        f"type: http\nresponse_path: text\nurl: 'https://api.example.org/gen#access_token={PLAIN}'\n",
        "type: http\nresponse_path: text\nurl: https://api.example.org/u/ghp_AbCdEf0123456789GhIjKl\n",
    ],
    ids=["openai path", "percent-encoded", "http path", "fragment", "fragment token", "ghp"],
)
def test_a_key_in_the_url_path_or_fragment_is_refused_without_showing_it(
    tmp_path: Path, target: str
) -> None:
    text = _validate(tmp_path, target)
    field = "base_url" if "openai" in target else "url"
    assert f"t.yaml:3: {field}:" in text, text
    assert "not shown" in text and "environment variable" in text, text
    for secret in (SHAPED, PLAIN, "AbCdEf0123"):
        assert secret[4:14] not in text, text


def test_a_key_in_a_guard_model_url_path_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        GuardParams(base_url=f"http://127.0.0.1:8000/v1/{SHAPED}", model="g")
    assert "not shown" in str(info.value) and SHAPED[4:14] not in str(info.value)


@pytest.mark.parametrize(
    "target",
    [
        f"type: openai\nmodel: m\napi_key_env: SVC_KEY\nbase_url: https://h.example/k/{PLAIN}/v1\n",
        "type: openai\nmodel: m\napi_key_env: SVC_KEY\n"
        f"base_url: https://h.example/k/{quote(PLAIN + '/+')}/v1\n",
        "type: http\nresponse_path: text\nheaders: {Authorization: 'Bearer ${SVC_KEY}'}\n"
        f"url: https://h.example/gen/{PLAIN}\n",
    ],
    ids=["openai", "percent-encoded", "http header"],
)
def test_the_value_of_the_key_variable_in_the_url_is_refused_without_showing_it(
    tmp_path: Path, target: str
) -> None:
    key = PLAIN + "/+" if "%2F" in target else PLAIN
    text = _validate(tmp_path, target, env={"SVC_KEY": key})
    field = "base_url" if "openai" in target else "url"
    assert f"t.yaml:4: {field}:" in text and "$SVC_KEY" in text, text
    assert PLAIN[2:12] not in text, text


def test_run_refuses_the_key_variable_in_the_url_before_sending_or_writing(
    tmp_path: Path,
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_response(completion("fine"))

    with ThreadedServer(answer) as server:
        (tmp_path / "t.yaml").write_text(
            f"type: openai\nmodel: m\napi_key_env: SVC_KEY\nbase_url: {server.base_url}/{PLAIN}\n"
        )
        (tmp_path / "s.yaml").write_text("suite: s\ncases: [{id: a, prompt: hi}]\n")
        proc = run_cli(
            "run", "s.yaml", "-t", "t.yaml", "--reports", "r", cwd=tmp_path, env={"SVC_KEY": PLAIN}
        )
        assert server.seen.headers == []
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "t.yaml:4: base_url:" in text and PLAIN not in text, text
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    assert [p for p in written if PLAIN.encode() in p.read_bytes()] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://res.openai.azure.com/openai/deployments/gpt-4o-mini-2024-07-18",
        "https://res.openai.azure.com/openai/deployments/MyDeployment2024GPT4o",
        "https://api-inference.huggingface.co/models/meta-llama/Llama-3.1-8B-Instruct/v1",
        "https://h.example/models/Mixtral8x7BInstructV01/v1",
        "https://h.example/v2/4k2v9x8q1z3m5n/openai/v1",
        "https://h.example/workspaces/ws_01HZX3K4M5N6P7Q8R9S0T1V2W3/v1",
        "https://h.example/endpoints/3f2a1b4c5d6e7f8091a2b3c4d5e6f708/v1",
        "https://h.example/sk-learn-models/v1",
        "http://127.0.0.1:8000/v1",
    ],
)
def test_an_ordinary_url_path_passes(tmp_path: Path, url: str) -> None:
    (tmp_path / "t.yaml").write_text(
        f"type: openai\nmodel: m\napi_key_env: SVC_KEY\nbase_url: {url}\n"
    )
    proc = run_cli("validate", "t.yaml", cwd=tmp_path, env={"SVC_KEY": PLAIN})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_guard_key_variable_value_in_its_base_url_is_refused_by_validate(
    tmp_path: Path,
) -> None:
    (tmp_path / "s.yaml").write_text(
        "suite: s\ncases: [{id: a, prompt: hi}]\nscorers:\n"
        "  - {id: g, use: guard-model, with: {model: g, api_key_env: GUARD_KEY,\n"
        f"      base_url: 'http://127.0.0.1:9/k/{PLAIN}/v1'}}}}\n"
    )
    proc = run_cli("validate", "s.yaml", cwd=tmp_path, env={"GUARD_KEY": PLAIN})
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "s.yaml:4:" in text and "$GUARD_KEY" in text and "not shown" in text, text
    assert PLAIN not in text, text
