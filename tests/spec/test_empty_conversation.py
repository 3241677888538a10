"""A case whose conversation is empty (``messages: []``) is refused where it is written: it
passed ``validate`` and was sent as no message at all (an endpoint's 400 on every sample, a
callable's IndexError), and the attack and perturb expanders had no user turn to rewrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

TAIL = """\
scorers: [{id: m, use: contains, with: {terms: [x]}}]
metrics: [{id: r, rate: m.matched}]
gates: [{metric: r, max: 1}]
"""


def test_inline_case_with_no_messages(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("suite: s\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, messages: []}\n" + TAIL)
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    (issue,) = caught.value.issues
    assert issue.line == 4 and "messages" in (issue.field or ""), issue
    assert "holds no message" in issue.message and "at least one message" in str(issue), issue


def test_dataset_row_with_no_messages(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "messages": [{"role": "user", "content": "hi"}]},
        {"id": "b", "messages": []},
    ]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = tmp_path / "s.yaml"
    path.write_text("suite: s\ndataset: {path: cases.jsonl, fields: {messages: messages}}\n" + TAIL)
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    text = str(caught.value)
    assert "cases.jsonl:2" in text and "messages" in text, text
