"""Two real runs whose results.jsonl is gone: one deleted by a recorded retention purge (``runs
purge`` through the CLI), one deleted by hand (lost). Every view that reports a run's files must
tell the first from the second; the runs are made by the real runner, with run.json, evidence
in the ledger and a review queue, as a user's are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.review.reviewkit import Project, make_project
from tests.testing.cli import invoke_in_process, run_cli
from tests.testing.project import echo_project

LONG_AGO = "2020-01-10T09:00:00+00:00"


@dataclass
class PurgedAndLost:
    project: Project
    purged: str
    """The run a recorded purge emptied."""
    lost: str
    """A newer run (too new to purge) whose results.jsonl was deleted by hand."""
    purged_at: str
    """The purge record's ``run.purged_at``, e.g. 2026-12-05T21:04:20+00:00."""

    @property
    def reports(self) -> Path:
        return self.project.reports

    @property
    def when(self) -> str:
        """``purged_at`` as the views write a time (``formatting.when``)."""
        return f"{self.purged_at[:10]} {self.purged_at[11:16]} UTC"


def age_run(run_dir: Path) -> None:
    """Make a finished run old enough to purge (its run.json dates, as an old run has them)."""
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state["started_at"] = state["finished_at"] = LONG_AGO
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")


def old_echo_run(root: Path, suite: str, *, evidence: bool = False) -> Path:
    """A finished run of the echo project in ``root`` (reports in ``r``; ``evidence``: its
    record in the ledger), dated as a run from 2020 is; its folder."""
    echo_project(root, suite=suite)
    text = (root / "s.yaml").read_text(encoding="utf-8")
    (root / "s.yaml").write_text(text.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    quiet = () if evidence else ("--no-evidence",)
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", *quiet, cwd=root
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (root / "r").iterdir() if p.is_dir() and p.name != "evidence"]
    age_run(run_dir)
    return run_dir


def purged_and_lost(root: Path) -> PurgedAndLost:
    """The project at ``root`` with its two runs: purged, then lost."""
    project = make_project(root)
    purged = project.run().run_id
    lost = project.run().run_id
    age_run(project.reports / purged)
    done = invoke_in_process(
        ["runs", "purge", "--older-than", "90d", "--reports", str(project.reports)]
    )
    assert done.exit_code == 0, done.output
    assert not (project.reports / purged / "results.jsonl").exists()
    (project.reports / lost / "results.jsonl").unlink()
    records = [json.loads(line) for line in project.ledger.read_text("utf-8").splitlines()]
    (purge,) = [r for r in records if r["risk_id"] == "RETENTION"]
    assert purge["run_id"] == purged and "results.jsonl" in purge["run"]["purged_files"]
    return PurgedAndLost(project, purged, lost, str(purge["run"]["purged_at"]))
