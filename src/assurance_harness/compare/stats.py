"""Compatibility import path: the tests live in :mod:`assurance_harness.stats.twosample`."""

from ..stats.intervals import wilson, z_value
from ..stats.twosample import (
    TestResult,
    clustered_two_proportion,
    clustered_welch,
    from_intervals,
    holm,
    paired_bootstrap,
    two_proportion,
    welch,
)

__all__ = [
    "TestResult",
    "clustered_two_proportion",
    "clustered_welch",
    "from_intervals",
    "holm",
    "paired_bootstrap",
    "two_proportion",
    "welch",
    "wilson",
    "z_value",
]
