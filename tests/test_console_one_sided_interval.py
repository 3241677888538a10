"""The console's CI cell shows an interval with one bound as the reports do (``95% [9, –]``).
It showed "–", no interval, for ``quantile: {expr: float(response), q: 0.99}`` over 10 cases,
where summary.json holds ``ci_low`` 9 and report.md reads ``[9, –]``: a gate may check the
bound that exists."""

from __future__ import annotations

from assurance_harness.cli import _fmt_ci


def test_one_bound_is_shown_with_its_level() -> None:
    assert _fmt_ci(0.95, 9.0, None) == "95% [9, –]"
    assert _fmt_ci(0.95, None, 2.0) == "95% [–, 2]"
    assert _fmt_ci(0.95, None, None) == "–"
