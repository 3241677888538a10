"""The harness's statistics in one place: intervals for rates, means and quantiles, two-sample
tests for comparisons. Pure functions over numbers; nothing here knows about suites or runs."""
