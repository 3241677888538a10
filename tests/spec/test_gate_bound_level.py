"""A gate whose ``bound`` names a level (``upper95``, ``lower95``) on a metric of another
``confidence``.

Observed: ``{metric: r, max: 0.5, bound: upper95}`` on ``{id: r, rate: ..., confidence: 0.5}``
passed ``validate``; a run of 0 in 3 checked the 50% upper bound (0.37) and passed, where the
95% bound the gate names (0.71) fails it: the gate measured another thing than it says. Now
``validate`` refuses it on the gate's line, naming both levels and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.spec.loader import load_suite
from tests.testing.cli import validate_problem

SUITE = """suite: level
cases: [{{id: a, prompt: hi}}]
metrics:
  - {{id: r, rate: error{confidence}}}
gates:
  - {{metric: r, max: 0.5, bound: {bound}}}
"""


@pytest.mark.parametrize("bound", ["upper95", "lower95"])
def test_a_named_level_on_a_metric_of_another_is_refused(tmp_path: Path, bound: str) -> None:
    text = SUITE.format(confidence=", confidence: 0.5", bound=bound)
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    line = validate_problem(tmp_path)
    assert line.startswith("s.yaml:6: gates[0].bound"), line
    assert f"{bound}" in line and "50%" in line and "confidence: 0.95" in line, line


@pytest.mark.parametrize(
    ("confidence", "bound"),
    [("", "upper95"), (", confidence: 0.95", "lower95"), (", confidence: 0.5", "upper")],
)
def test_a_bound_that_says_no_other_level_loads(write, confidence: str, bound: str) -> None:
    load_suite(write("s.yaml", SUITE.format(confidence=confidence, bound=bound)))
