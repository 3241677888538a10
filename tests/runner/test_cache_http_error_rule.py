"""The response cache and the ``http`` target's ``error_path``: an answer cached under an error
rule other than the target's now is not reused without that rule. The cache keeps the text read
at ``response_path``, not the reply, so a cached answer cannot be checked again when read back:
the rule is in the key, and such an answer is sent again and checked. Runs against a real JSON
server on 127.0.0.1.

Observed: answers cached by the version before the target read ``error_path`` beside the text
(same target fingerprint: the default is left out of it) were served from the cache to the
version that does, and a proxy's fallback beside ``{"error": {"message": "quota"}}`` counted as
the model's answer (``cached 1``, no error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from assurance_harness.runner.run import RunOutcome, run_suite

from ..testing.before_error_path import http_target_before_error_path
from ..testing.openai_stub import ThreadedServer, json_response

FALLBACK = {"output": {"text": "Sorry, fallback"}, "error": {"message": "quota"}}
"""A proxy's fallback text with the upstream's error beside it, with status 200."""

SUITE = (
    "suite: http-error-rule-cache\ncases:\n  - {id: a, prompt: hi}\n"
    "scorers: [{id: m, use: regex, with: {pattern: fallback}}]\n"
    "metrics: [{id: r, rate: m.matched}]\nmax_error_rate: 1.0\n"
)


async def _fallback(request: web.Request) -> web.Response:
    return json_response(FALLBACK)


def _project(root: Path, url: str, error_path: str | None) -> tuple[Path, Path]:
    """``s.yaml`` and ``t.yaml`` in ``root``; ``error_path`` "" leaves it out of the file."""
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    line = "" if error_path == "" else f"error_path: {json.dumps(error_path)}\n"
    (root / "t.yaml").write_text(
        f"type: http\nurl: {url}/generate\nbody: {{input: '{{prompt}}'}}\n"
        f"response_path: output.text\n{line}",
        encoding="utf-8",
    )
    return root / "s.yaml", root / "t.yaml"


def _run(root: Path, url: str, error_path: str | None) -> tuple[RunOutcome, dict[str, Any]]:
    suite, target = _project(root, url, error_path)
    outcome = run_suite(suite, target, reports_dir=root / "reports", write_reports=False)
    (row,) = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    return outcome, row


def _the_error_was_measured(outcome: RunOutcome, row: dict[str, Any], sent: int) -> None:
    """The reply was sent for and counted as the error it is, not as a cached answer."""
    counts = outcome.summary["counts"]
    assert row["response"] is None and row["error"]["type"] == "bad_response", row
    assert "quota" in row["error"]["message"], row
    assert row["cached"] is False, row
    assert counts["cached"] == 0 and counts["errors"] == 1, counts
    assert sent == 1


def test_an_answer_cached_before_the_error_check_is_sent_again_and_counted_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with ThreadedServer(_fallback) as server:
        with http_target_before_error_path(monkeypatch):
            first, row = _run(tmp_path, server.url, "")
        assert row["response"] == "Sorry, fallback" and first.summary["counts"]["cached"] == 0
        before = len(server.seen.bodies)
        second, row = _run(tmp_path, server.url, "")
        _the_error_was_measured(second, row, len(server.seen.bodies) - before)


@pytest.mark.parametrize("later", ["error", ""])
def test_an_answer_cached_under_error_path_null_is_not_reused_once_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: str
) -> None:
    """``error_path: null`` (the API's error field is no error), then the default or
    ``error_path: error``: the answer cached under null is not the answer under the rule."""
    monkeypatch.chdir(tmp_path)
    with ThreadedServer(_fallback) as server:
        first, row = _run(tmp_path, server.url, None)
        assert row["response"] == "Sorry, fallback" and first.summary["counts"]["cached"] == 0
        before = len(server.seen.bodies)
        second, row = _run(tmp_path, server.url, later)
        _the_error_was_measured(second, row, len(server.seen.bodies) - before)
        # Back to null, the answer under null is the cached one again.
        third, row = _run(tmp_path, server.url, None)
        assert row["response"] == "Sorry, fallback" and row["cached"] is True, row
        assert third.summary["counts"]["cached"] == 1


def test_the_quota_error_alone_is_an_error_with_or_without_error_path_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``{"error": {"message": "quota"}}`` with status 200 and nothing at ``response_path``:
    nothing is cached, so the run after the target file gains ``error_path: error`` sends it
    again and counts it the error it is."""

    async def quota(request: web.Request) -> web.Response:
        return json_response({"error": {"message": "quota"}})

    monkeypatch.chdir(tmp_path)
    with ThreadedServer(quota) as server:
        for error_path in ("", "error"):
            before = len(server.seen.bodies)
            outcome, row = _run(tmp_path, server.url, error_path)
            _the_error_was_measured(outcome, row, len(server.seen.bodies) - before)
