"""Match settings that would find something in every response are refused at ``validate``: a
blank phrase is in every response, and a pattern that matches a response with nothing in it
matches every response. Each measured nothing: a gate on ``matched`` (or on an expectation) was
decided by the setting, whatever the model said.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..testing.cli import run_cli


def _validate(tmp_path: Path, scorer: str, cases: str = "cases: [{id: a, prompt: hi}]") -> str:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"suite: t\nversion: 1.0.0\n{cases}\nscorers:\n  - {{id: m, {scorer}}}\n"
        "metrics:\n  - {id: r, rate: m.matched}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", suite, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    return f"exit {done.returncode}: {said}"


@pytest.mark.parametrize(
    "scorer",
    [
        "use: contains, with: {terms: ['']}",
        "use: contains, with: {terms: [refuse, '  ']}",
        "use: regex, with: {pattern: ''}",
        "use: regex, with: {pattern: 'a*'}",
        "use: regex, with: {pattern: '.*'}",
        "use: regex, with: {pattern: '^'}",
        "use: regex, with: {pattern: 'sorry|'}",
    ],
)
def test_a_setting_that_matches_every_response_is_refused(tmp_path: Path, scorer: str) -> None:
    said = _validate(tmp_path, scorer)
    assert said.startswith("exit 2") and "s.yaml:5: scorers[0].with." in said, said
    assert "every response" in said, said


@pytest.mark.parametrize(
    "scorer",
    [
        "use: contains, with: {terms: [sorry]}",
        "use: contains, with: {terms: []}",  # the cases' must_contain, per case
        "use: regex, with: {pattern: '^$'}",  # an empty response
        "use: regex, with: {pattern: '^\\s*$'}",  # a blank one
        "use: regex, with: {pattern: '(?=.*secret)'}",
        "use: regex, with: {pattern: '\\bsorry\\b'}",
    ],
)
def test_a_setting_that_can_tell_responses_apart_is_valid(tmp_path: Path, scorer: str) -> None:
    said = _validate(tmp_path, scorer)
    assert said.startswith("exit 0"), said


@pytest.mark.parametrize("field", ["must_contain", "must_not_mention"])
def test_a_blank_expected_phrase_is_refused_at_its_line(tmp_path: Path, field: str) -> None:
    rows = [
        {"id": "a", "prompt": "hi", "phrases": ["thanks"]},
        {"id": "b", "prompt": "hi", "phrases": ["thanks", " "]},
    ]
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    mapped = f"dataset: {{path: cases.jsonl, fields: {{expected.{field}: phrases}}}}"
    said = _validate(tmp_path, "use: contains, with: {}", cases=mapped)
    assert said.startswith("exit 2") and "cases.jsonl:2" in said and field in said, said
    inline = _validate(
        tmp_path,
        "use: contains, with: {}",
        cases=f"cases:\n  - {{id: a, prompt: hi, expected: {{{field}: ['']}}}}",
    )
    assert inline.startswith("exit 2") and "s.yaml:" in inline and field in inline, inline
