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

from ..testing.before_error_path import http_target_before_error_path
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
        with http_target_before_error_path(monkeypatch):
            _, rows = _run(tmp_path, server.url)
        assert len(server.seen.bodies) == 1
        (judged,) = [row["scores"]["judge"] for row in rows]
        assert judged["verdict"] == "unsafe", judged
        # The judge is asked again, and its reply read by today's rule: an error (which stops
        # the run, as any judge failure does), not a verdict.
        with pytest.raises(BadResponseError, match="quota"):
            _run(tmp_path, server.url)
        assert len(server.seen.bodies) == 2


def test_a_judge_other_than_http_keys_its_verdicts_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A callable judge: its cache_fingerprint is its fingerprint, so each verdict's key is
    the one written before, a hash of the identity written on the verdict (verdicts cached
    by earlier versions keep being found)."""
    from assurance_harness.scorers import llm_judge

    monkeypatch.chdir(tmp_path)
    module = f"judgekey_bot_judge_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{module}.py").write_text(
        f"def judge(messages):\n    return {VERDICT!r}\ndef reply(messages):\n    return 'hi'\n"
    )
    for name, function in (("judge.yaml", "judge"), ("t.yaml", "reply")):
        (tmp_path / name).write_text(
            f"type: callable\nfunction: {module}:{function}\npython_path: ['.']\n"
        )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    keyed: list[dict[str, Any]] = []
    real = llm_judge.cache_key
    monkeypatch.setattr(
        llm_judge, "cache_key", lambda identity, p: keyed.append(identity) or real(identity, p)
    )
    outcome = run_suite(
        tmp_path / "s.yaml",
        tmp_path / "t.yaml",
        reports_dir=tmp_path / "reports",
        write_reports=False,
    )
    (row,) = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    written = dict(row["scores"]["judge"]["judge"])
    written.pop("model_version")
    assert keyed == [written], (keyed, written)
