"""A callable's answer fields other than its text must be what the contract says, or the case
fails ``bad_response`` naming the field, as a malformed field of the http and openai targets'
answers fails it: a ``finish_reason`` that is not text (a list ``["length"]``) was recorded as
``"['length']"``, so an answer its model cut off was counted as complete; a ``usage`` that is
not an object (``"lots"``) was taken, and its answer's cache row was never read back (every
later run sent the request again). A finish reason given as a number (a code) is still
recorded as its text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.runner.run import run_suite
from assurance_harness.targets.base import BadResponseError
from assurance_harness.targets.callable_target import to_response


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"finish_reason": ["length"]}, "finish_reason"),
        ({"finish_reason": {"reason": "length"}}, "finish_reason"),
        ({"finish_reason": True}, "finish_reason"),
        ({"usage": "lots"}, "usage"),
        ({"usage": 12}, "usage"),
        ({"usage": [1, 2]}, "usage"),
    ],
)
def test_a_malformed_field_fails_the_case_naming_it(fields: dict[str, Any], named: str) -> None:
    for result in ({"text": "ok", **fields}, GenerationResponse(text="ok", **fields)):
        with pytest.raises(BadResponseError, match=named) as raised:
            to_response(result, where="fns:reply")
        assert "fns:reply" in str(raised.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"finish_reason": "length", "usage": {"total_tokens": 3}},
        {"finish_reason": None, "usage": None},
        {"finish_reason": 2},  # a code, recorded as its text
        {"usage": {}},
    ],
)
def test_well_formed_fields_are_kept(fields: dict[str, Any]) -> None:
    answer = to_response({"text": "ok", **fields}, where="fns:reply")
    assert answer.text == "ok"
    assert answer.usage == fields.get("usage")


def test_a_run_does_not_count_a_listed_finish_reason_as_complete(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(
        "suite: listed\ncases:\n  - {id: cut, prompt: cut}\n  - {id: whole, prompt: whole}\n"
        "scorers: [{id: len, use: length}]\nmetrics: [{id: words, mean: len.words}]\n"
        "max_error_rate: 1\n",
        encoding="utf-8",
    )
    (tmp_path / "listed_finish_bot.py").write_text(
        "def reply(messages):\n"
        "    if messages[-1]['content'] == 'cut':\n"
        "        return {'text': 'It began', 'finish_reason': ['length']}\n"
        "    return {'text': 'A whole answer.', 'finish_reason': 'stop'}\n",
        encoding="utf-8",
    )
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: listed_finish_bot:reply\npython_path: ['.']\n",
        encoding="utf-8",
    )
    outcome = run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "bot.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    lines = (outcome.run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    rows = {row["case_id"]: row for row in map(json.loads, lines)}
    assert rows["cut"]["error"] is not None, rows["cut"]
    assert rows["cut"]["error"]["type"] == "bad_response"
    assert "finish_reason" in rows["cut"]["error"]["message"]
    assert rows["whole"]["finish_reason"] == "stop" and rows["whole"]["error"] is None
    assert outcome.summary["counts"]["finish_reasons"] == {"stop": 1}
