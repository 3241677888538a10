"""An expression that reads nothing from the rows is refused at ``validate``.

Observed: ``rate: "1 > 0"``, ``rate: "null is None"``, ``rate: "True"``, ``rate: "len([null]) >
0"`` and ``mean: "[null][0]"`` passed ``validate``: such a metric has the same value on every
row whatever the model answered (a rate of 1.0, a gate that always passes), or none at all.
Now each is one located line naming the expression (exit 2), in every role an expression takes
(a metric's value or condition, ``where:``, ``by:``, a kind's own expressions).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = """\
suite: constant
cases:
  - {{id: a, prompt: hi, metadata: {{group: x}}}}
  - {{id: b, prompt: yo, metadata: {{group: y}}}}
scorers:
  - {{id: len, use: length}}
metrics:
  - {{id: m, {metric}}}
"""
METRIC_LINE = 8

CONSTANT = [
    ('rate: "1 > 0"', "'1 > 0'"),
    ('rate: "null is None"', "'null is None'"),
    ('rate: "True"', "'True'"),
    ('rate: "len([null]) > 0"', "'len([null]) > 0'"),
    ('mean: "[null][0]"', "'[null][0]'"),
    ('mean: "3"', "'3'"),
    ('rate: "len.words > 1", where: "true"', "'true'"),
    ('mean: "len.words", by: "\'all\'"', "''all''"),
    ("disparity: {value: '1', by: meta.group}", "'1'"),
]


@pytest.mark.parametrize(("metric", "shown"), CONSTANT, ids=[c[0] for c in CONSTANT])
def test_an_expression_reading_no_row_is_refused(write, metric: str, shown: str) -> None:
    path = write("suites/constant.yaml", SUITE.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    texts = [str(i) for i in info.value.issues]
    assert len(texts) == 1, texts
    assert texts[0].startswith(f"{path}:{METRIC_LINE}: metrics[0]"), texts
    assert shown in texts[0] and "reads nothing from the rows" in texts[0], texts


@pytest.mark.parametrize(
    "metric",
    [
        'rate: "len.words > 1"',
        'rate: "not error"',
        "rate: \"response == 'x'\"",
        'mean: "len.words * 2 + 1"',
        "rate: \"meta.group == 'x'\"",
        'rate: "len(response) > 0"',
        'rate: "human.reviewed is None"',
    ],
)
def test_expressions_that_read_the_rows_pass(write, metric: str) -> None:
    load_suite(write("suites/constant.yaml", SUITE.format(metric=metric)))


def test_validate_says_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(SUITE.format(metric='rate: "1 > 0"'), encoding="utf-8")
    done = run_cli("validate", "c.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert f"c.yaml:{METRIC_LINE}: metrics[0].rate: '1 > 0' reads nothing from the rows" in out
    assert "Traceback" not in out
