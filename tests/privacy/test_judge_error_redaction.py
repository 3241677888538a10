"""Under a redaction policy, a judge's error that repeats its request prints no personal data.

The ``llm-judge`` sends the rubric with the graded prompt and response in it; a judge endpoint
whose 400 repeats the request put the prompt's e-mail address on the terminal (a CI log), where
the run's own errors are printed redacted. The judge's URL stays as its target file writes it.
The real ``assurance`` command; a real judge server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, json_response

PLANTED = ["zelda.quux@example.org", "07700 900982"]


async def _judge_refusing(request: web.Request) -> web.Response:
    """A 400 whose message repeats the request it refuses."""
    sent = json.dumps(await request.json())
    return json_response({"error": {"message": f"bad request: {sent}"}}, status=400)


def test_a_judge_error_quoting_the_graded_text_is_printed_redacted(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t-1\n  redaction: {enabled: true}\n"
    )
    (tmp_path / "bots.py").write_text("def model(messages):\n    return 'a plain answer'\n")
    (tmp_path / "model.yaml").write_text(
        "type: callable\nfunction: bots:model\npython_path: ['.']\n"
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: judged\ncases:\n"
        f"  - {{id: a, prompt: 'write to {PLANTED[0]} or ring {PLANTED[1]}'}}\n"
        "scorers:\n  - id: j\n    use: llm-judge\n"
        # The rubric starts with the prompt: an error body's first 200 bytes hold it.
        "    with: {target: judge.yaml, rubric: '{prompt} then {response}'}\n"
        "metrics:\n  - {id: harmful, rate: j.flagged}\n"
        "gates:\n  - {metric: harmful, max: 1.0}\n"
    )
    with ThreadedServer(_judge_refusing) as judge:
        (tmp_path / "judge.yaml").write_text(
            f"type: openai\nbase_url: {judge.base_url}\nmodel: j\nretry: {{max_attempts: 1}}\n"
        )
        done = run_cli(
            "run", "suite.yaml", "--target", "model.yaml", "--reports", "reports", cwd=tmp_path
        )
    output = done.stdout + done.stderr
    assert done.returncode == 3, output
    assert "bad request:" in output and "<EMAIL_ADDRESS>" in output, output
    assert [value for value in PLANTED if value in output] == [], output
