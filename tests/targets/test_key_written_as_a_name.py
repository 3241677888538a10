"""A key written where only an environment variable's name belongs is refused, never shown.

An Azure OpenAI key is 32 lowercase hexadecimal characters: pasted into ``api_key_env`` and
starting with a letter (six times in sixteen), it is a valid variable name, mixed-case it is
not, and no known prefix starts it, so ``validate`` passed it and ``run`` printed it whole:
"environment variable 3f... is not set; export 3f...=...". A Stripe-style ``sk_live_...`` or a
GitHub ``ghp_...`` token is a valid name too; written as a ``${...}`` reference in a header or
an ``http`` target's query, it was never checked at all, and ``run`` printed it the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.scrub import looks_like_key
from assurance_harness.spec.targets import load_target

from ..testing.cli import run_cli

AZURE = "c3f9a0b1d2e4f5a6b7c8d9e0f1a2b3c4"
HEX64 = "e0f3c9e1b7d5a2c4e6f8091b3d5e7f9a1c2b4d6e8f0a1b3c5d7e9f1a2b4c6d8e0"
STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXwNnQQr9eAB2"
GITHUB = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
SUITE = "suite: s\ncases:\n  - {id: a, prompt: hi}\nscorers:\n  - {id: len, use: length}\n"


@pytest.mark.parametrize(
    ("value", "is_key"),
    [
        (AZURE, True),
        (AZURE.upper(), True),
        (HEX64, True),
        ("deadbeefcafe0123", False),  # sixteen: shorter than a generated key
        ("AZURE_OPENAI_KEY_2024", False),
        ("OPENAI2024PRODUCTIONKEY", False),  # letters beyond a-f: a name, not hexadecimal
        ("abcdefabcdefabcdefabcdef", False),  # no digit: a word of hex letters, not a key
    ],
)
def test_a_hexadecimal_key_looks_like_one(value: str, is_key: bool) -> None:
    assert looks_like_key(value) is is_key


def _target(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "target.yaml"
    path.write_text(text)
    (tmp_path / "suite.yaml").write_text(SUITE)
    return path


OPENAI = "type: openai\nname: t\nbase_url: http://127.0.0.1:9/v1\nmodel: m\n"
HTTP = "type: http\nname: t\nresponse_path: text\n"


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        (OPENAI + f"api_key_env: {AZURE}\n", AZURE, 5),
        (OPENAI + f"headers: {{X-Api-Key: '${{{STRIPE}}}'}}\n", STRIPE, 5),
        (OPENAI + f"headers: {{Authorization: 'Bearer ${{{GITHUB}}}'}}\n", GITHUB, 5),
        (OPENAI + f"headers: {{X-Api-Key: '${{{AZURE}}}'}}\n", AZURE, 5),
        (HTTP + f"url: 'http://127.0.0.1:9/gen?key=${{{AZURE}}}'\n", AZURE, 4),
        (HTTP + f"url: 'http://127.0.0.1:9/gen?key=${{{STRIPE}}}'\n", STRIPE, 4),
    ],
)
def test_a_key_written_as_a_variable_name_is_refused_without_showing_it(
    tmp_path: Path, text: str, key: str, line: int
) -> None:
    path = _target(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_target(path)
    message = str(info.value)
    assert f"{path}:{line}:" in message and "looks like" in message, message
    assert key[:12] not in message and key[-12:] not in message, message


def test_validate_and_run_refuse_a_hexadecimal_key_in_api_key_env_without_printing_it(
    tmp_path: Path,
) -> None:
    _target(tmp_path, OPENAI + f"api_key_env: {AZURE}\n")
    for args in (
        ("validate", "suite.yaml", "target.yaml"),
        ("run", "suite.yaml", "-t", "target.yaml"),
    ):
        done = run_cli(*args, cwd=tmp_path)
        output = done.stdout + done.stderr
        assert done.returncode == 2, output
        assert "looks like an API key" in output, output
        assert AZURE[:12] not in output and AZURE[-12:] not in output, output
    assert not any(
        AZURE[:12] in p.read_text(errors="replace")
        for p in tmp_path.rglob("*.*")
        if p.is_file() and p.name != "target.yaml"
    )


@pytest.mark.parametrize(
    "text",
    [
        OPENAI + "api_key_env: AZURE_OPENAI_KEY\nheaders: {X-Team: '${TEAM_NAME}'}\n",
        HTTP + "url: 'http://127.0.0.1:9/gen?key=${GEMINI_API_KEY}'\n",
    ],
)
def test_a_variable_name_is_still_accepted(tmp_path: Path, text: str) -> None:
    load_target(_target(tmp_path, text))
