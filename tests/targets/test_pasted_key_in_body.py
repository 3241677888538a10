"""A key pasted into an ``http`` target's body template, or into a target's ``generation``
settings, is refused at ``validate`` without being shown.

A header's pasted key is redacted in manifests and scrubbed from echoes; ``${NAME}`` in a body
is refused (keys go in headers). But a literal key in the body (``api_key: sk-proj-...``), or
among the generation settings that go into every request's body, passed ``validate`` and was
copied as written into manifest.json, report.json, report.md and report.html. A real server on
127.0.0.1; the real ``assurance`` command; every file it leaves is searched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.targets import load_target

from ..testing.cli import run_cli

KEY = "sk-proj-PASTEDBODY0123456789abcdefXYZ"
AZURE = "c3f9a0b1d2e4f5a6b7c8d9e0f1a2b3c4"
SUITE = "suite: s\ncases:\n  - {id: a, prompt: hi}\nscorers:\n  - {id: len, use: length}\n"
HTTP = "type: http\nname: t\nurl: http://127.0.0.1:9/gen\nresponse_path: text\n"
OPENAI = "type: openai\nname: t\nbase_url: http://127.0.0.1:9/v1\nmodel: m\n"


@pytest.mark.parametrize(
    ("text", "key", "field"),
    [
        (HTTP + f"body: {{prompt: '{{prompt}}', api_key: {KEY}}}\n", KEY, "body"),
        (HTTP + f"body: {{prompt: '{{prompt}}', auth: {{token: 'Bearer {KEY}'}}}}\n", KEY, "body"),
        (HTTP + f"body: {{prompt: '{{prompt}}', apiKey: {AZURE}}}\n", AZURE, "body"),
        (HTTP + f"body: {{input: ['{{prompt}}', {KEY}]}}\n", KEY, "body"),
        (OPENAI + f"generation: {{temperature: 0, api_key: {KEY}}}\n", KEY, "generation"),
        (
            HTTP + f"body: {{prompt: '{{prompt}}'}}\ngeneration: {{key: {AZURE}}}\n",
            AZURE,
            "generation",
        ),
    ],
)
def test_a_key_pasted_into_a_body_or_generation_is_refused_without_showing_it(
    tmp_path: Path, text: str, key: str, field: str
) -> None:
    path = tmp_path / "target.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_target(path)
    message = str(info.value)
    assert f": {field}" in message and "looks like an API key" in message, message
    assert key[:12] not in message and key[-12:] not in message, message


def test_run_refuses_a_key_pasted_into_the_body_and_writes_it_nowhere(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "target.yaml").write_text(
        HTTP + f"body: {{prompt: '{{prompt}}', api_key: {KEY}}}\n"
    )
    done = run_cli("run", "suite.yaml", "-t", "target.yaml", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert KEY[:12] not in output, output
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "target.yaml"]
    assert not [p for p in written if KEY[:12].encode() in p.read_bytes()]


@pytest.mark.parametrize(
    "text",
    [
        HTTP
        + "body: {prompt: '{prompt}', model: Meta-Llama-3.1-70B-Instruct, stop_token: '</s>'}\n",
        HTTP
        + "body: {prompt: '{prompt}', session: c0ffee00deadbeef, key: en, mode: gpt4oMini2024}\n",
        HTTP
        + "body: {prompt: '{prompt}', max_tokens: '{max_tokens}'}\ngeneration: {max_tokens: 9}\n",
        OPENAI + "generation: {temperature: 0.7, stop: ['###'], user: homework-eval-2024}\n",
        # Prose that starts as a key does (xox: Slack's; sk-) is no key.
        HTTP + "body: {prompt: '{prompt}', system: 'xoxo from the team, please be kind'}\n",
        HTTP + "body: {prompt: '{prompt}', note: 'sk-style keys go in headers, not here'}\n",
    ],
)
def test_ordinary_bodies_and_settings_still_pass(tmp_path: Path, text: str) -> None:
    path = tmp_path / "target.yaml"
    path.write_text(text)
    load_target(path)


def test_a_key_pasted_into_a_suites_generation_is_refused_without_showing_it(
    tmp_path: Path,
) -> None:
    """A suite's generation settings are merged into each request's body and recorded in the
    manifest and reports as a target's are."""
    (tmp_path / "suite.yaml").write_text(
        SUITE + f"generation: {{temperature: 0, api_key: {KEY}}}\n"
    )
    done = run_cli("validate", "suite.yaml", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "suite.yaml:6: generation:" in output and "looks like an API key" in output, output
    assert KEY[:12] not in output, output
