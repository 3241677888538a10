"""A comparison says when the two runs' target reported another model version: a transformers
checkpoint retrained in place (or an endpoint's model updated) under an unchanged target file
was compared with no word of it, so the two runs read as one model's."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.compare.engine import compare_runs
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import toxicity_run


def _said(base: Path, cand: Path) -> list[str]:
    result = compare_runs(load_run(base), load_run(cand))
    return [w for w in result.warnings if "model version" in w]


def test_another_model_version_of_one_target_is_said(tmp_path: Path) -> None:
    first = toxicity_run(tmp_path, "first", {1, 2}, n_cases=20, model_version="lm@aaaa")
    again = toxicity_run(tmp_path, "again", {1, 2}, n_cases=20, model_version="lm@aaaa")
    retrained = toxicity_run(tmp_path, "retrained", {1, 2}, n_cases=20, model_version="lm@bbbb")
    other = toxicity_run(
        tmp_path, "other", {1, 2}, n_cases=20, model_version="lm@bbbb", target="prod"
    )

    assert _said(first, again) == []
    (said,) = _said(first, retrained)
    assert "lm@aaaa" in said and "lm@bbbb" in said and "staging" in said, said
    assert _said(first, other) == []  # another target is said as such, not as a new version
