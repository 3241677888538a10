"""Compatibility import path: the intervals live in :mod:`assurance_harness.stats.intervals`."""

from ..stats.intervals import bootstrap_ci, bootstrap_mean, wilson, z_value

__all__ = ["bootstrap_ci", "bootstrap_mean", "wilson", "z_value"]
