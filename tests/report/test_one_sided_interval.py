"""A figure with one bound (a quantile whose other bound would be the sample's extreme, which
covers too rarely) showed its interval as "–" in the run report, the console, JUnit and the
pytest plugin, while summary.json and the annex published the bound a gate may check.
Observed with ``quantile: {expr: len.words, q: 0.25}`` over 3 values: summary.json ``ci_high``
8, report.md's interval "–" (tests/oracle, seed 3)."""

from __future__ import annotations

from assurance_harness.formatting.figures import figure, interval


def test_an_interval_with_one_bound_shows_the_bound_it_has() -> None:
    assert interval(None, 8.0) == "[–, 8]"
    assert interval(5.0, None) == "[5, –]"
    assert interval(None, None) == "–"
    assert interval(0.1, 0.25) == "[0.1, 0.25]"


def test_the_interval_reads_as_the_figure_writes_it() -> None:
    assert figure(2.0, None, 8.0, 3).startswith(f"2 {interval(None, 8.0)}")
