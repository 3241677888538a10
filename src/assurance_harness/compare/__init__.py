"""Baseline-versus-candidate comparison with significance tests, baselines and trends.

Import the pieces from their modules (``compare.engine.compare_runs``,
``compare.nightly.compare_with_baseline``, ``compare.baseline.BaselineStore``); this package
module stays empty so that importing the CLI extension is cheap.
"""
