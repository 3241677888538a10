"""A run's figures with the reviews in: the human label joins each reviewed row
(``human.label``), metrics are recomputed, and gates that require review wait for it.

The run's own files are never rewritten (their hashes are evidence); this is the live,
review-aware reading the web app and ``assurance review status`` show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from ..store.reviews import Verdict, consensus
from ..store.runread import RunLog, read_run
from .outstanding import required_keys
from .store import ReviewStore

__all__ = ["ReviewedRun", "consensus", "reviewed_run"]


@dataclass
class ReviewedRun:
    run: RunLog
    rows: list[dict[str, Any]]
    """Result rows with ``human`` added where a person gave a verdict (``run``'s own rows,
    labelled in place: this view's run is read for it alone)."""
    metrics: dict[str, dict[str, Any]]
    gates: list[dict[str, Any]]
    outstanding: list[str]
    """Rows that must be reviewed and have no verdict yet."""
    reviewed: int
    verdicts: dict[str, dict[str, Verdict]] = field(default_factory=dict)


def reviewed_run(run_dir: Path, store: ReviewStore) -> ReviewedRun:
    from ..spec.recorded import measure_rows, recorded_specs

    run = read_run(run_dir)
    verdicts = {key: by_reviewer for (_, key), by_reviewer in store.current(run.run_id).items()}
    # The run's own rows, read here for this view alone: labelled in place, not deep-copied
    # (a second copy of a 100,000-row run for nothing).
    rows = run.rows()
    for row in rows:
        key = f"{row.get('case_id')}#{row.get('sample', 0)}"
        if key in verdicts:
            row["human"] = {
                "label": consensus(verdicts[key]),
                "reviewed": True,
                "reviewers": sorted(verdicts[key]),
            }
    outstanding = [k for k in required_keys(run.summary) if k not in verdicts]
    try:
        specs = recorded_specs(run.summary)
    except ConfigError as exc:
        raise UsageError(f"{run.run_dir}: its metrics cannot be recomputed: {exc}") from None
    values, judged = measure_rows(specs, rows)
    gates = []
    for recorded, gate in zip(run.gates, judged, strict=True):
        # The scorer's validity was judged when the run finished (min_validity); human
        # labels change the metric, not that: a gate that failed on it stays failed.
        for name in ("validity_unmet", "validity_checked"):
            if name in recorded:
                gate[name] = recorded[name]
        if recorded.get("validity_unmet") and gate["verdict"] == "pass":
            gate["verdict"] = "fail"
        if recorded.get("require_reviewed"):
            gate["require_reviewed"] = True
            if gate["verdict"] == "pass" and outstanding:
                gate["verdict"] = "awaiting_review"
        gates.append(gate)
    return ReviewedRun(
        run=run,
        rows=rows,
        metrics={mid: v.to_dict() for mid, v in values.items()},
        gates=gates,
        outstanding=outstanding,
        reviewed=len(verdicts),
        verdicts=verdicts,
    )
