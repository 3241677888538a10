"""The Markdown of a comparison (``compare -o FILE.md``, ``baseline check -o``, a PR comment)
names the test behind each metric's p-value. Observed: the terminal said "toxic_rate: paired
bootstrap over 200 matched cases" and the JSON held ``test.method``, but the Markdown table
gave a p-value and a verdict with no word of how they were had: a reviewer could not tell an
exact test from a bootstrap or a normal approximation from the intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

from ..report.runfixtures import toxicity_run


@pytest.mark.parametrize(
    ("toxic", "verdict", "method"),
    [
        (set(range(30)), "regressed", "paired bootstrap over 200 matched cases"),
        (set(), "unchanged", "paired bootstrap over 200 matched cases"),
        (set(range(4)), "unchanged", "exact sign-flip test over the 4 cases that differ"),
    ],
)
def test_the_markdown_names_each_metrics_test(
    tmp_path: Path, toxic: set[int], verdict: str, method: str
) -> None:
    toxicity_run(tmp_path, "base", set())
    toxicity_run(tmp_path, "cand", toxic)
    out = tmp_path / "comparison.md"
    done = invoke_in_process(
        ["compare", "base", "cand", "--reports", str(tmp_path), "-o", str(out)]
    )
    assert done.exit_code == (1 if verdict == "regressed" else 0), done.output
    text = out.read_text(encoding="utf-8")
    assert verdict in text, text
    (line,) = [line for line in text.splitlines() if line.startswith("- toxic_rate: test:")]
    assert method in line, text
