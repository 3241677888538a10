"""A number of a suite or target file written ``true`` or ``false`` is refused on its line, as
counts and gate thresholds already are (tests/spec/test_bool_counts.py): pydantic reads a bool
as 1 or 0. Observed, each passing ``validate`` without a word: ``max_error_rate: true`` let a
run pass with every request failed (a share of 1), ``timeout_s: true`` gave each request one
second, ``min_group_size: true`` and ``scorer_error: {positives: true}`` counted 1, and a
scorer's ``threshold: true`` flagged only scores above 1, that is nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = """\
suite: bools
{top}cases:
  - {{id: a, prompt: hi, metadata: {{g: x, template: t, group: x}}}}
  - {{id: b, prompt: there, metadata: {{g: y, template: t, group: y}}}}
scorers: [{{id: m, use: regex, with: {{pattern: echo}}}}{scorer}]
metrics:
  - {{id: r, rate: {rate}}}
{metric}gates: [{{metric: r, min: 0.5}}]
"""
PLAIN = {"top": "", "scorer": "", "rate": "m.matched", "metric": ""}


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"top": "max_error_rate: true\n"}, "max_error_rate"),
        ({"top": "max_error_rate: false\n"}, "max_error_rate"),
        ({"top": "cache: {max_age: true}\n"}, "cache.max_age"),
        (
            {
                "metric": "  - {id: d, disparity: {value: m.matched, by: meta.g, "
                "min_group_size: true}}\n"
            },
            "min_group_size",
        ),
        ({"metric": "  - {id: p, paired: {value: m.matched, min_pairs: true}}\n"}, "min_pairs"),
        (
            {
                "rate": "{expr: m.matched, scorer_error: {sensitivity: true, positives: 20, "
                "specificity: 0.9, negatives: 20}}"
            },
            "sensitivity",
        ),
        (
            {
                "rate": "{expr: m.matched, scorer_error: {sensitivity: 0.9, positives: true, "
                "specificity: 0.9, negatives: 20}}"
            },
            "positives",
        ),
        (
            {"scorer": ", {id: s, use: sentiment, with: {positive_threshold: true}}"},
            "positive_threshold",
        ),
        ({"scorer": ", {id: o, use: offensive-language, with: {threshold: true}}"}, "threshold"),
        ({"scorer": ", {id: p, use: pii, with: {min_score: true}}"}, "min_score"),
    ],
)
def test_a_bool_number_in_a_suite_is_refused_on_its_line(
    tmp_path: Path, changed: dict[str, str], field: str
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE.format(**{**PLAIN, **changed}), encoding="utf-8")
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    problems = [line for line in out.splitlines() if line.startswith("s.yaml:")]
    assert len(problems) == 1, out
    assert field in problems[0] and "not " in problems[0] and "Traceback" not in out, problems


def test_the_suite_with_numbers_loads(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        SUITE.format(
            top="max_error_rate: 0.2\ncache: {max_age: 60}\n",
            scorer=", {id: o, use: offensive-language, with: {threshold: 0.7}}",
            rate="{expr: m.matched, scorer_error: {sensitivity: 0.9, positives: 20, "
            "specificity: 0.9, negatives: 20}}",
            metric="  - {id: d, disparity: {value: m.matched, by: meta.g, min_group_size: 1}}\n",
        ),
        encoding="utf-8",
    )
    done = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("timeout_s: true", "timeout_s"),
        ("requests_per_second: true", "requests_per_second"),
        ("retry: {base_delay_s: true}", "retry.base_delay_s"),
        ("retry: {max_delay_s: false}", "retry.max_delay_s"),
    ],
)
def test_a_bool_number_in_a_target_is_refused_on_its_line(
    tmp_path: Path, line: str, field: str
) -> None:
    (tmp_path / "bot.py").write_text("def reply(messages):\n    return 'hi'\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: bot:reply\npython_path: [.]\n{line}\n", encoding="utf-8"
    )
    done = run_cli("validate", "t.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    problems = [text for text in out.splitlines() if text.startswith("t.yaml:4: ")]
    assert len(problems) == 1, out
    assert field in problems[0] and "not " in problems[0], problems
