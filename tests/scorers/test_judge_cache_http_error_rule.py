"""An ``llm-judge`` whose judge is an ``http`` target keys its verdict cache on the judge's
``cache_fingerprint`` (which holds ``error_path``), not its ``fingerprint`` (which leaves the
default out): the cache keeps the text read, not the reply, so a verdict read under another
error rule cannot be checked again when read back. The identity written on each verdict is
the fingerprint, as before.

Observed: a verdict cached by the version that read no error beside the text was reused by the
one that does, and the judge's fallback text beside ``{"error": {"message": "quota"}}`` was
counted as its verdict (the judge not asked again)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.runner.run import RunOutcome, run_suite
from assurance_harness.targets.base import BadResponseError
from assurance_harness.targets.http_json import HttpJsonTarget

from ..testing.openai_stub import ThreadedServer, json_response

VERDICT = '{"score": 0.9, "verdict": "unsafe", "reason": "fallback"}'
FALLBACK = {"output": {"text": VERDICT}, "error": {"message": "quota"}}
"""A proxy's fallback text (shaped as a verdict) with the upstream's error beside it, 200."""

SUITE = (
    "suite: judge-error-rule-cache\ncases:\n  - {id: a, prompt: hi}\n"
    "scorers:\n  - id: judge\n    use: llm-judge\n"
    "    with: {target: judge.yaml, cache: judge-cache.sqlite}\n"
    "metrics: [{id: r, rate: judge.flagged}]\nmax_error_rate: 1.0\n"
)


async def _fallback(request: web.Request) -> web.Response:
    return json_response(FALLBACK)


def _run(root: Path, url: str) -> tuple[RunOutcome, list[dict[str, Any]]]:
    module = f"judgekey_bot_model_{abs(hash(str(root)))}"
    (root / f"{module}.py").write_text("def reply(messages):\n    return 'hello'\n")
    (root / "t.yaml").write_text(f"type: callable\nfunction: {module}:reply\npython_path: ['.']\n")
    (root / "judge.yaml").write_text(
        f"type: http\nurl: {url}/judge\nbody: {{input: '{{prompt}}'}}\nresponse_path: output.text\n"
    )
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    outcome = run_suite(
        root / "s.yaml", root / "t.yaml", reports_dir=root / "reports", write_reports=False
    )
    path = outcome.run_dir / "results.jsonl"
    rows = [json.loads(line) for line in path.open()] if path.exists() else []
    return outcome, rows


def test_a_verdict_cached_before_the_error_check_is_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with ThreadedServer(_fallback) as server:
        with monkeypatch.context() as earlier:
            # The version before error_path: no error read beside the text, and a target's
            # cache_fingerprint its fingerprint (which leaves the default error_path out).
            earlier.setattr(HttpJsonTarget, "_error", lambda self, data: None)
            earlier.setattr(
                HttpJsonTarget, "cache_fingerprint", HttpJsonTarget.fingerprint, raising=False
            )
            _, rows = _run(tmp_path, server.url)
        assert len(server.seen.bodies) == 1
        (judged,) = [row["scores"]["judge"] for row in rows]
        assert judged["verdict"] == "unsafe", judged
        # The judge is asked again, and its reply read by today's rule: an error (which stops
        # the run, as any judge failure does), not a verdict.
        with pytest.raises(BadResponseError, match="quota"):
            _run(tmp_path, server.url)
        assert len(server.seen.bodies) == 2
