"""The plain-text comparison (``comparison_text``: logs, and the pytest plugin's failure
message for a regression against the baseline) names the test behind each p-value. Observed:
the terminal table and the Markdown said "paired bootstrap over 200 matched cases" or "exact
sign-flip test", but the text a failing pytest printed gave a p-value and a verdict with no
word of how they were had."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.render import comparison_text
from assurance_harness.store.runread import read_run

from ..report.runfixtures import toxicity_run


@pytest.mark.parametrize(
    ("toxic", "verdict", "method"),
    [
        (set(range(30)), "regressed", "paired bootstrap over 200 matched cases"),
        (set(range(4)), "unchanged", "exact sign-flip test over the 4 cases that differ"),
    ],
)
def test_the_text_names_each_metrics_test(
    tmp_path: Path, toxic: set[int], verdict: str, method: str
) -> None:
    base = read_run(toxicity_run(tmp_path, "base", set()))
    cand = read_run(toxicity_run(tmp_path, "cand", toxic))
    text = comparison_text(compare_runs(base, cand))
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"  toxic_rate: {verdict};"))
    (test,) = [line for line in lines[at + 1 :] if line.startswith("    test: ")]
    assert method in test, text
