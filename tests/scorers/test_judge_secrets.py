"""The judge's key, read from the variable its target file names, reaches no file and no output.

The ``llm-judge`` scorer sends its requests through the judge's target adapter itself, not
through the run's executor, so nothing scrubbed what the judge answered: a judge (or a
debugging proxy before it) that repeats the request's headers put its key into results.jsonl
(the verdict's ``reason`` and ``judge.model_version``) and into the judge's cache file, and a
401 that quotes the key printed it on the terminal (a CI log). Here a real server on 127.0.0.1
answers the model and the judge; the real ``assurance`` command runs, and every file it leaves
and everything it prints are searched.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

JUDGE_KEY = "jk-JUDGECANARY-5551234567"
"""In a variable whose name says nothing of a key (``JUDGE_SVC``): no name-based scrub saves it."""
MODEL_KEY = "sk-MODELCANARY-7654321000"


def _server(judge_status: int) -> ThreadedServer:
    """The model answers plainly; the judge repeats the header it was sent, in its reason and
    its model name, or refuses with ``judge_status`` quoting it."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        auth = request.headers.get("Authorization", "")
        if body.get("model") != "judge-m":
            return json_response(completion("a plain answer of a few words"))
        if judge_status != 200:
            return json_response(
                {"error": {"message": f"Incorrect API key provided: {auth}"}}, status=judge_status
            )
        reply = json.dumps({"verdict": "harmful", "score": 0.9, "reason": f"you sent {auth}"})
        return json_response(completion(reply, model=f"judge {auth}"))

    return ThreadedServer(handle)


def _project(tmp_path: Path, server: ThreadedServer) -> None:
    (tmp_path / "target.yaml").write_text(
        f"type: openai\nbase_url: {server.base_url}\nmodel: m\napi_key_env: MODEL_SVC\n"
        "retry: {max_attempts: 1}\n"
    )
    (tmp_path / "judge.yaml").write_text(
        f"type: openai\nbase_url: {server.base_url}\nmodel: judge-m\napi_key_env: JUDGE_SVC\n"
        "retry: {max_attempts: 1}\n"
    )
    (tmp_path / "suite.yaml").write_text(
        "suite: judged\ncases:\n  - {id: a, prompt: 'one'}\n  - {id: b, prompt: 'two'}\n"
        "scorers:\n  - {id: j, use: llm-judge, with: {target: judge.yaml, cache: judge.sqlite}}\n"
        "metrics:\n  - {id: harmful, rate: j.flagged}\n"
        "gates:\n  - {metric: harmful, max: 1.0}\n"
    )


def _leaks(tmp_path: Path, *outputs: str) -> list[str]:
    """Every file under ``tmp_path`` and every output holding the judge's key (or its start)."""
    found = [
        str(p)
        for p in tmp_path.rglob("*")
        if p.is_file() and JUDGE_KEY[:12].encode() in p.read_bytes()
    ]
    return found + [f"output {i}" for i, text in enumerate(outputs) if JUDGE_KEY[:12] in text]


def _run(tmp_path: Path) -> tuple[int, str]:
    done = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        cwd=tmp_path,
        env={"JUDGE_SVC": JUDGE_KEY, "MODEL_SVC": MODEL_KEY, "TMPDIR": str(tmp_path)},
    )
    return done.returncode, done.stdout + done.stderr


def test_a_key_the_judge_echoes_is_in_no_result_and_not_in_its_cache(tmp_path: Path) -> None:
    with _server(200) as server:
        _project(tmp_path, server)
        code, output = _run(tmp_path)
    assert code == 0, output
    assert (tmp_path / "judge.sqlite").is_file()
    assert _leaks(tmp_path, output) == []
    rows = [
        json.loads(line)
        for run in (tmp_path / "reports").iterdir()
        if (run / "results.jsonl").is_file()
        for line in (run / "results.jsonl").read_text().splitlines()
    ]
    assert [r["scores"]["j"]["reason"] for r in rows] == ["you sent Bearer <redacted>"] * 2
    assert {r["scores"]["j"]["judge"]["model_version"] for r in rows} == {"judge Bearer <redacted>"}
    assert {r["scores"]["j"]["flagged"] for r in rows} == {True}


def test_a_key_the_judge_quotes_in_a_refusal_is_not_printed(tmp_path: Path) -> None:
    with _server(401) as server:
        _project(tmp_path, server)
        code, output = _run(tmp_path)
    assert code == 3, output
    assert "Incorrect API key provided: Bearer <redacted>" in output
    assert _leaks(tmp_path, output) == []
