"""summary.json records how many of a model scorer's answers came from its cache.

``llm-judge`` and ``guard-model`` note their cache hits in their part of summary.json's
``scorers`` (``judge.cache_hits``, ``cache_hits``): the run's record of which verdicts were not
asked afresh. The description was taken when the scorers were set up, before any row was
scored, so it said 0 on every run, a second run answered wholly from the cache included: cached
verdicts recorded as fresh. The real ``assurance`` command, a callable judge and a guard served
on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response

BOTS = """\
import json

def model(messages):
    return "Noted: " + messages[-1]["content"]

def judge(messages):
    return json.dumps({"verdict": "safe", "score": 0.1, "reason": "fine"})
"""
CASES = 3


async def _guard(request: web.Request) -> web.Response:
    return json_response(completion("safe"))


def _summary_scorers(root: Path) -> dict[str, dict]:
    done = run_cli("run", "suite.yaml", "--target", "model.yaml", "--no-report", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_id,) = [
        line.split("results in reports/")[1].strip()
        for line in done.stdout.splitlines()
        if "results in reports/" in line
    ]
    summary = json.loads((root / "reports" / run_id / "summary.json").read_text())
    return summary["scorers"]


def test_a_second_run_records_the_answers_its_scorers_took_from_their_caches(
    tmp_path: Path,
) -> None:
    (tmp_path / "bots.py").write_text(BOTS)
    for name in ("model", "judge"):
        (tmp_path / f"{name}.yaml").write_text(
            f"type: callable\nfunction: bots:{name}\npython_path: ['.']\n"
        )
    with ThreadedServer(_guard) as guard:
        (tmp_path / "suite.yaml").write_text(
            "suite: cache-hits\ncases:\n"
            + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(CASES))
            + "scorers:\n"
            "  - id: j\n    use: llm-judge\n"
            "    with: {target: judge.yaml, cache: caches/judge.sqlite, "
            "rubric: 'Grade. Prompt: {prompt} Response: {response}'}\n"
            "  - id: g\n    use: guard-model\n"
            f"    with: {{base_url: '{guard.base_url}', model: g, cache: caches/guard.sqlite}}\n"
            "metrics:\n  - {id: harmful, rate: j.flagged}\n"
            "gates:\n  - {metric: harmful, max: 1.0}\n"
        )
        first = _summary_scorers(tmp_path)
        second = _summary_scorers(tmp_path)
    assert first["j"]["judge"]["cache_hits"] == 0 and first["g"]["cache_hits"] == 0
    assert second["j"]["judge"]["cache_hits"] == CASES, second["j"]
    assert second["g"]["cache_hits"] == CASES, second["g"]
