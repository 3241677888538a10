"""The annex of runs on several targets (``--mixed-targets``) lists the verdicts left out of
each target's reviewed figures. Observed: the list was replaced as each target's figures were
read, so only the last target's lines reached the annex's limitations; the earlier targets'
unbacked verdicts were left out of the figures without a word."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assurance_harness.register import annex
from assurance_harness.scorers.reviewed import GoneRuns, ReviewedFigures


def test_each_targets_left_out_lines_reach_the_annex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unbacked = {
        "fp-a": [SimpleNamespace(left_out=lambda: "left out: verdict #1 (run A) edited")],
        "fp-b": [SimpleNamespace(left_out=lambda: "left out: verdict #2 (run B) edited")],
    }
    gone = {"fp-a": GoneRuns(tmp_path, {"run-a0": 2}), "fp-b": GoneRuns(tmp_path, {})}

    def backed_validity(reports: Path, *, target: str | None, ledger: Any) -> Any:
        return ReviewedFigures(target=target, gone=gone[str(target)]), unbacked[str(target)]

    monkeypatch.setattr("assurance_harness.review.backing.backed_validity", backed_validity)
    reviewed = annex._ReviewedByTarget(tmp_path, tmp_path / "ledger.jsonl")
    for fingerprint, run_id in (("fp-a", "A"), ("fp-b", "B"), ("fp-a", "A2")):
        run = SimpleNamespace(target={"fingerprint": fingerprint}, summary={}, run_id=run_id)
        reviewed(run)  # type: ignore[arg-type]
    text = "\n".join(reviewed.left_out)
    assert "verdict #1 (run A)" in text and "verdict #2 (run B)" in text
    assert text.count("run-a0") == 1, text  # each line once, however many runs read it
    assert len(reviewed.left_out) == 3
