"""The console's CI cell shows an interval with one bound as the reports do (``95% [9, –]``).
It showed "–", no interval, for ``quantile: {expr: float(response), q: 0.99}`` over 10 cases,
where summary.json holds ``ci_low`` 9 and report.md reads ``[9, –]``: a gate may check the
bound that exists."""

from __future__ import annotations

from assurance_harness.formatting import labelled_interval


def test_one_bound_is_shown_with_its_level() -> None:
    assert labelled_interval(9.0, None, 0.95) == "95% [9, –]"
    assert labelled_interval(None, 2.0, 0.95) == "95% [–, 2]"
    assert labelled_interval(None, None, 0.95) == "–"
