"""guard-model against a guard endpoint on 127.0.0.1 that answers what no guard model should:
log-probabilities that are not log-probabilities, answers of the wrong shape. Each must give a
score the answer supports, or one clear GuardModelError line - never a score it does not say
(a NaN that compares false with the threshold reads as "not flagged") nor an internal error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.guard_model import GuardModelError, GuardModelScorer, GuardParams


@contextmanager
def _answering(body: bytes) -> Iterator[str]:
    """An endpoint that answers every POST with ``body``; yields its base URL (``.../v1``)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _score(body: bytes) -> dict[str, Any]:
    with _answering(body) as url:
        guard = GuardModelScorer(
            GuardParams(base_url=url, model="llama-guard", timeout_s=5), SuiteContext("g", 0)
        )
        guard.setup()
        return guard.score([ScoreInput(Case(id="c", prompt="p"), 0, "r", {})])[0]


def _llama_guard(text: str, unsafe: str, safe: str) -> bytes:
    """A Llama Guard chat answer whose first token's top log-probabilities are the raw JSON
    texts ``unsafe`` and ``safe`` (so NaN and Infinity can be sent as Python's reader takes)."""
    top = f'[{{"token": "unsafe", "logprob": {unsafe}}}, {{"token": "safe", "logprob": {safe}}}]'
    choice = (
        f'{{"message": {{"content": {json.dumps(text)}}}, '
        f'"logprobs": {{"content": [{{"token": "unsafe", "logprob": {unsafe}, '
        f'"top_logprobs": {top}}}]}}}}'
    )
    return f'{{"model": "guard", "choices": [{choice}]}}'.encode()


@pytest.mark.parametrize(
    ("text", "unsafe", "safe", "score"),
    [
        # +Infinity and NaN are no log-probability: was score NaN, flagged false
        ("unsafe\nS1", "Infinity", "-1.0", 1.0),
        ("unsafe\nS1", "Infinity", "Infinity", 1.0),
        ("safe", "NaN", "-0.1", 0.0),
        # -Infinity is one: probability 0
        ("unsafe\nS1", "-Infinity", "-0.1", 0.0),
    ],
)
def test_log_probabilities_that_are_not_numbers_fall_back_to_the_reply(
    text: str, unsafe: str, safe: str, score: float
) -> None:
    row = _score(_llama_guard(text, unsafe, safe))
    assert row["score"] == score, row
    assert row["flagged"] is (score >= 0.5)


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'{"choices": {"0": {}}}',
        b'{"choices": [1]}',
        b'{"choices": [{"message": "unsafe"}]}',
        b'{"choices": [{"message": {"content": "safe"}}], "n": ' + b"9" * 5000 + b"}",
    ],
)
def test_an_answer_of_the_wrong_shape_is_one_clear_line_not_an_internal_error(
    body: bytes,
) -> None:
    # Each was an AttributeError, KeyError or ValueError out of the scorer: the run ended with
    # "internal error ... a bug in assurance-harness", blaming the harness for the endpoint.
    with pytest.raises(GuardModelError, match=r"guard-model: http://127\.0\.0\.1:\d+/v1/chat"):
        _score(body)


def test_log_probabilities_in_a_shape_not_known_leave_the_reply_to_decide() -> None:
    # a string and a list as the log-probability: were a ValueError and a TypeError (crash)
    for unsafe in ('"abc"', "[1]"):
        row = _score(_llama_guard("unsafe\nS1", unsafe, "-0.1"))
        assert row["score"] == 1.0 and row["flagged"] is True, row
    # logprobs that are a list, or entries that are not objects: were AttributeErrors (crash)
    for logprobs in (b"[1]", b'{"content": ["x"]}', b'{"content": [{"top_logprobs": 3}]}'):
        body = b'{"choices": [{"message": {"content": "safe"}, "logprobs": ' + logprobs + b"}]}"
        row = _score(body)
        assert row["score"] == 0.0 and row["flagged"] is False, row


def test_a_model_name_that_is_not_text_is_not_recorded_as_one() -> None:
    # "model": NaN went into results.jsonl as a bare NaN, which strict JSON readers refuse
    body = b'{"model": NaN, "choices": [{"message": {"content": "safe"}}]}'
    assert _score(body)["model"] == "llama-guard"


def test_the_guard_reads_the_choice_with_index_0_wherever_it_is_put() -> None:
    """A proxy that reorders choices: the guard's verdict is choice 0's ("unsafe"), not the
    first listed's ("safe"), as the openai target reads its answer."""
    body = {
        "model": "guard",
        "choices": [
            {"index": 1, "message": {"content": "safe"}},
            {"index": 0, "message": {"content": "unsafe\nS1"}},
        ],
    }
    row = _score(json.dumps(body).encode())
    assert row["flagged"] is True and row["score"] == 1.0, row


def test_choices_that_do_not_say_which_is_the_guard_verdict_are_one_clear_line() -> None:
    body = {
        "choices": [
            {"index": 1, "message": {"content": "safe"}},
            {"index": 1, "message": {"content": "unsafe\nS1"}},
        ]
    }
    with pytest.raises(GuardModelError, match=r"index 1 twice"):
        _score(json.dumps(body).encode())
