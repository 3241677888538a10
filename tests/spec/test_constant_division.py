"""Division by a constant zero is refused at ``validate``. Observed: ``rate: "len.chars / 0 > 1"``
passed ``validate``; the run sent every request and the metric read no_data ("was null on all
4 rows"), since a division by zero is null on every row. Now it is one located line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = """\
suite: div
cases:
  - {{id: a, prompt: hi}}
  - {{id: b, prompt: yo}}
scorers:
  - {{id: len, use: length}}
metrics:
  - {{id: m, {metric}}}
"""
METRIC_LINE = 8

ZERO = [
    ('rate: "len.chars / 0 > 1"', "'len.chars / 0' divides by zero"),
    ('mean: "len.chars / 0.0"', "'len.chars / 0.0' divides by zero"),
    ('mean: "len.words % 0"', "'len.words % 0' divides by zero"),
    ('mean: "len.chars / (2 - 2)"', "'len.chars / (2 - 2)' divides by zero"),
    ('mean: "len.chars / -0"', "'len.chars / -0' divides by zero"),
    ('rate: "len.chars > 1", where: "len.words / 0 > 2"', "'len.words / 0' divides by zero"),
]


@pytest.mark.parametrize(("metric", "message"), ZERO, ids=[z[0] for z in ZERO])
def test_a_constant_zero_divisor_is_refused(write, metric: str, message: str) -> None:
    path = write("suites/div.yaml", SUITE.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:{METRIC_LINE}: metrics[0]"), text
    assert message in text and "null on every row" in text, text


@pytest.mark.parametrize(
    "metric",
    [
        'mean: "len.chars / 2"',
        'mean: "len.chars / (len.words + 1)"',  # zero only on some rows: the run says so
        'mean: "len.chars / len.words"',
        'mean: "len.words % 3"',
        'mean: "0 / len.chars"',
    ],
)
def test_other_divisions_pass(write, metric: str) -> None:
    load_suite(write("suites/div.yaml", SUITE.format(metric=metric)))


def test_validate_says_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "div.yaml").write_text(
        SUITE.format(metric='rate: "len.chars / 0 > 1"'), encoding="utf-8"
    )
    done = run_cli("validate", "div.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert f"div.yaml:{METRIC_LINE}: metrics[0].rate: 'len.chars / 0' divides by zero" in out
    assert "Traceback" not in out
