"""A count or a seed written ``true`` (YAML 1.1's ``yes``, ``on`` too) is refused on its line:
pydantic reads a bool as the integer 1, so ``samples: true`` meant as "sample" sent each prompt
once, ``seed: yes`` seeded with 1 and ``concurrency: on`` sent one request at a time, each
without a word (a gate's threshold already refuses a bool, ``spec.suite.Threshold``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from assurance_harness.spec.targets import load_target

SUITE = """\
suite: counts
seed: {seed}
samples: {samples}
audience: {{min_age: {min_age}, max_age: 12}}
dataset: {{path: cases.jsonl, limit: {limit}, sample: {sample}}}
scorers: [{{id: m, use: contains, with: {{terms: [x]}}, batch_size: {batch_size}}}]
metrics: [{{id: r, rate: m.matched}}]
gates: [{{metric: r, max: 1}}]
review: {{label: m.matched, worst_of_failing_gates: {worst}}}
"""
FIELDS = {
    "seed": 3,
    "samples": 2,
    "min_age": 8,
    "limit": 5,
    "sample": 4,
    "batch_size": 16,
    "worst": 5,
}
LINES = {"seed": 2, "samples": 3, "min_age": 4, "limit": 5, "sample": 5, "batch_size": 6}


def _suite(tmp_path: Path, **changed: object) -> Path:
    (tmp_path / "cases.jsonl").write_text(
        "".join(f'{{"id": "c{i}", "prompt": "p{i}"}}\n' for i in range(6))
    )
    path = tmp_path / "s.yaml"
    path.write_text(SUITE.format(**{**FIELDS, **changed}))
    return path


def test_the_suite_as_written_loads(tmp_path: Path) -> None:
    loaded = load_suite(_suite(tmp_path))
    assert (loaded.suite.seed, loaded.suite.samples) == (3, 2)


@pytest.mark.parametrize("field", list(FIELDS))
@pytest.mark.parametrize("word", ["true", "yes", "false"])
def test_a_bool_count_is_refused_on_its_line(tmp_path: Path, field: str, word: str) -> None:
    path = _suite(tmp_path, **{field: word})
    with pytest.raises(ConfigError) as caught:
        load_suite(path)
    (issue,) = caught.value.issues
    assert "whole number" in issue.message and "not " + word.replace("yes", "true") in str(issue)
    assert issue.line == LINES.get(field, 9), issue


@pytest.mark.parametrize("field", ["concurrency", "retry: {max_attempts"])
def test_a_bool_count_in_a_target_is_refused(tmp_path: Path, field: str) -> None:
    (tmp_path / "bot.py").write_text("def reply(messages):\n    return 'hi'\n")
    closing = "}" if "{" in field else ""
    path = tmp_path / "t.yaml"
    path.write_text(
        f"type: callable\nfunction: bot:reply\npython_path: [.]\n{field}: true{closing}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_target(path)
    assert "not true" in str(caught.value) and f"{path}:4" in str(caught.value)
