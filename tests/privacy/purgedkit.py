"""Two real runs whose results.jsonl is gone: one deleted by a recorded retention purge (``runs
purge`` through the CLI), one deleted by hand (lost). Every view that reports a run's files must
tell the first from the second; the runs are made by the real runner, with run.json, evidence
in the ledger and a review queue, as a user's are."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from assurance_harness.register.evidence_record import GENESIS, canonical_json, record_hash
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


def age_run(run_dir: Path, when: str = LONG_AGO) -> None:
    """Make a finished run old enough to purge, as a run made at ``when`` is: every record of
    its end says ``when`` (run.json, summary.json, manifest.json with summary.json's new
    SHA-256, and its evidence records in the ledger beside it, chained and anchored again).
    ``runs purge`` keeps a run whose records disagree (``privacy.run_end``), so editing
    run.json alone no longer ages one."""
    for name in ("run.json", "summary.json"):
        path = run_dir / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            data["started_at"] = data["finished_at"] = when
            path.write_text(json.dumps(data), encoding="utf-8")
    manifest = run_dir / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["started_at"] = data["finished_at"] = when
        if isinstance(data.get("summary"), dict):
            data["summary"]["sha256"] = _sha256(run_dir / "summary.json")
        manifest.write_text(json.dumps(data), encoding="utf-8")
    _age_ledger_records(run_dir, when)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _age_ledger_records(run_dir: Path, when: str) -> None:
    """The run's evidence records in ``<reports>/evidence/ledger.jsonl`` dated ``when`` and
    holding its files' new hashes, the chain hashed again and its anchor moved: the ledger a
    run made at ``when`` would have left."""
    ledger = run_dir.parent / "evidence" / "ledger.jsonl"
    if not ledger.is_file():
        return
    lines, prev, last = [], GENESIS, None
    for line in ledger.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        run = data.get("run") or {}
        if data.get("run_id") == run_dir.name and "finished_at" in run:
            run["started_at"] = run["finished_at"] = when
            for name, sha in list((run.get("files") or {}).items()):
                if sha and (run_dir / name).is_file():
                    run["files"][name] = _sha256(run_dir / name)
        data["prev_hash"] = prev
        data.pop("hash")
        data["hash"] = prev = record_hash(data)
        lines.append(canonical_json(data) + "\n")
        last = data
    ledger.write_text("".join(lines), encoding="utf-8")
    if last is not None:
        anchor = {"seq": last["seq"], "id": last["id"], "hash": last["hash"], "updated_at": when}
        (ledger.parent / "ledger.jsonl.head").write_text(canonical_json(anchor) + "\n")


def old_echo_run(root: Path, suite: str, *, evidence: bool = False) -> Path:
    """A finished run of the echo project in ``root`` (reports in ``r``; ``evidence``: its
    record in the ledger), dated as a run from 2020 is; its folder."""
    run_dir = echo_run_today(root, suite, evidence=evidence)
    age_run(run_dir)
    return run_dir


def echo_run_today(root: Path, suite: str, *, evidence: bool = False) -> Path:
    """A finished run of the echo project in ``root``, made now (reports in ``r``;
    ``evidence``: its record in the ledger); its folder."""
    echo_project(root, suite=suite)
    text = (root / "s.yaml").read_text(encoding="utf-8")
    (root / "s.yaml").write_text(text.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    quiet = () if evidence else ("--no-evidence",)
    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report", *quiet, cwd=root
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (root / "r").iterdir() if p.is_dir() and p.name != "evidence"]
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
