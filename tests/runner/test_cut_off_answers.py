"""Answers the endpoint says it did not end (``finish_reason`` ``length``: cut off at
max_tokens; ``content_filter``: cut by the deployment's filter) are scored as the model's answer,
as they came: a real server on 127.0.0.1 and a real ``assurance run``. They must not look like
complete answers: the summary counts them by reason and the run says so in one line.

Was: each reason was kept in responses.jsonl only, and nothing a reader of the run's output or
summary sees told a cut-off answer from a complete one, so a refusal rate or a toxicity rate
over half-answers read as the model's.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

SUITE = (
    "suite: cut\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(6))
    + (
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: long, rate: 'len.words > 1'}\n"
        "gates:\n  - {metric: long, max: 1.0}\n"
    )
)
FINISH = {"question 1": "length", "question 2": "length", "question 3": "content_filter"}


async def _handler(request: web.Request) -> web.StreamResponse:
    prompt = (await request.json())["messages"][-1]["content"]
    answer = completion("The first step is to")
    answer["choices"][0]["finish_reason"] = FINISH.get(prompt, "stop")
    return json_response(answer)


def _run(tmp_path: Path, server: ThreadedServer) -> tuple[str, dict[str, object]]:
    """``assurance run`` of SUITE against ``server``: its output and its summary's counts."""
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "target.yaml").write_text(f"type: openai\nbase_url: {server.base_url}\nmodel: m\n")
    proc = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        "--no-evidence",
        cwd=tmp_path,
        env={"COLUMNS": "200"},
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    (summary_path,) = (tmp_path / "reports").glob("*/summary.json")
    return out, json.loads(summary_path.read_text())["counts"]


def test_cut_off_and_filtered_answers_are_counted_and_named(tmp_path: Path) -> None:
    with ThreadedServer(_handler) as server:
        out, counts = _run(tmp_path, server)
    assert counts["finish_reasons"] == {"length": 2, "content_filter": 1, "stop": 3}, counts
    (line,) = [line for line in out.splitlines() if "not complete" in line]
    assert "3 of 6 answers" in line and "length 2" in line and "content_filter 1" in line, line
    assert "max_tokens" in line, line
    # The reports say it too: they are what an auditor reads, not the terminal.
    for name in ("report.md", "report.html"):
        (report,) = (tmp_path / "reports").glob(f"*/{name}")
        assert "3 of 6 answers" in report.read_text(encoding="utf-8"), name


def test_a_run_whose_answers_all_ended_says_nothing_of_it(tmp_path: Path) -> None:
    with ThreadedServer() as server:
        out, counts = _run(tmp_path, server)
    assert "not complete" not in out
    assert counts["finish_reasons"] == {"stop": 6}, counts
