"""An ``http`` target's body template is checked before anything is sent: one that never
places the conversation measures nothing (every case sends the same request), and one that
names a value no request has, or an environment variable, fails every request. Both are
configuration errors (exit 2, file:line) at ``validate`` and at ``run``, with nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web

from tests.testing.cli import run_cli, run_project
from tests.testing.openai_stub import ThreadedServer, json_response

SUITE = (
    "suite: s\nversion: 1.0.0\ndescription: t\n"
    "cases: [{id: c1, prompt: q1}, {id: c2, prompt: q2}]\n"
    "scorers: [{id: len, use: length}]\nmetrics: [{id: m, mean: len.chars}]\n"
    "gates: [{metric: m, min: 0}]\n"
)


async def _answer(_: web.Request) -> web.Response:
    return json_response({"text": "I cannot help with that."})


def _target(url: str, body: str) -> str:
    return f"type: http\nurl: {url}/gen\nbody: {body}\nresponse_path: text\n"


def _refused(tmp_path: Path, body: str, says: str, line: int = 3) -> None:
    """validate (the target alone, and with the suite) and run both exit 2 at the body's
    line, saying ``says``, with no request sent."""
    (tmp_path / "s.yaml").write_text(SUITE)
    with ThreadedServer(_answer) as server:
        (tmp_path / "t.yaml").write_text(_target(server.base_url, body))
        procs = [
            run_cli("validate", tmp_path / "t.yaml", tmp_path / "s.yaml"),
            run_project(tmp_path, "--no-cache"),
        ]
        sent = len(server.seen.bodies)
    for proc in procs:
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert f"t.yaml:{line}" in text and says in text, text
        assert "Traceback" not in text and "--resume" not in text, text
    assert sent == 0


@pytest.mark.parametrize(
    "body",
    [
        '{"{prompt}": "x"}',  # in a key: keys are sent as written
        '{"model": "m"}',
        '{"model": "m", "meta": "{case_id}"}',
    ],
)
def test_a_body_that_never_places_the_conversation_is_refused(tmp_path: Path, body: str) -> None:
    # Observed: validate passed and run exited 0, every case sending the same request; the
    # gates passed on answers to prompts never sent.
    _refused(tmp_path, body, "{prompt} or {messages}")


def test_an_environment_variable_in_the_body_is_refused_with_where_keys_go(
    tmp_path: Path,
) -> None:
    # Observed: validate passed; run failed every request ("body template uses {SVC_KEY} ...")
    # and advised --resume after "fixing the endpoint".
    body = '{"input": "{prompt}", "api_key": "${SVC_KEY}"}'
    _refused(tmp_path, body, "${SVC_KEY}")
    proc = run_cli("validate", tmp_path / "t.yaml")
    assert proc.returncode == 2 and "headers" in proc.stdout + proc.stderr, proc


@pytest.mark.parametrize(
    "body", ['{"input": "{prompt_text}"}', '{"input": "{prompt}", "mode": "{style}"}']
)
def test_an_unknown_placeholder_is_refused_when_suite_and_target_meet(
    tmp_path: Path, body: str
) -> None:
    # Observed: validate passed; run sent requests that all failed as template errors, exit 3.
    name = body.split('"{')[-1].split("}")[0]
    _refused(tmp_path, body, f"{{{name}}}")
    if name == "style":  # a suite may set it: the target alone cannot know
        assert run_cli("validate", tmp_path / "t.yaml").returncode == 0


def test_a_placeholder_a_generation_parameter_fills_is_accepted(tmp_path: Path) -> None:
    # A suite's generation parameter is a value the body may use: the target alone cannot
    # know it is missing, and with a suite that sets it the run goes ahead.
    (tmp_path / "s.yaml").write_text(SUITE + "generation: {max_tokens: 8, style: terse}\n")
    body = '{"messages": "{messages}", "n": "{max_tokens}", "s": "{style}", "k": "{seed}"}'
    with ThreadedServer(_answer) as server:
        (tmp_path / "t.yaml").write_text(_target(server.base_url, body))
        alone = run_cli("validate", tmp_path / "t.yaml")
        together = run_cli("validate", tmp_path / "t.yaml", tmp_path / "s.yaml")
        ran = run_project(tmp_path, "--no-cache")
        bodies = list(server.seen.bodies)
    for proc in (alone, together, ran):
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(b["s"] for b in bodies) == ["terse", "terse"], bodies
