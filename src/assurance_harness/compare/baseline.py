"""Accepted baselines, one per (suite, target name), kept beside the run index (runs.db or the
team store).

The key is the target's *name*, not its fingerprint: the point of a baseline is to compare a
changed deployment (new model version, new system prompt) with the last accepted one, and a
change of configuration changes the fingerprint. The fingerprint is recorded for the audit trail.
Every change is also appended to ``baseline_history``, so "who accepted what, when" survives.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..store.cacheshare import CacheShare
from ..store.database import Database
from ..store.faults import reported_reading, reported_transaction
from ..store.location import open_database
from ..store.runread import RunLog, relative_run_dir


@dataclass
class Baseline:
    suite: str
    target_name: str
    run_id: str
    run_dir: str | None
    target_fingerprint: str | None
    suite_sha256: str | None
    set_at: str
    set_by: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def cached_answers(run: RunLog, *, allow: bool) -> str | None:
    """The warning for a run about to be accepted whose answers came in part from the response
    cache (its manifest's ``cache``), or None; a ``UsageError`` where they came mostly from it
    (``CacheShare.mostly``) and ``allow`` is not given. Such a run scored an earlier run's
    answers again: it repeats that measurement and is no fresh evidence of the deployed model,
    the rule by which ``compare`` gives a candidate like it no verdict. ``--force`` is for a
    run's own outcome (gates failed, a failed run, a smoke test), so it does not cover this."""
    share = CacheShare.of(run.manifest_data.get("cache"))
    if not share.cached:
        return None
    if share.mostly and not allow:
        raise UsageError(
            f"{share.text(run.run_id)}, not from the target: it repeats an earlier measurement, "
            "no fresh evidence of the deployed model; run the suite again with --no-cache and "
            "set that run, or pass --allow-cached to accept this one anyway"
        )
    return (
        f"{share.text(run.run_id)}, not from the target: those cases repeat the earlier runs' "
        "answers (a comparison with this baseline says so too)"
    )


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return None


class BaselineStore:
    """Read and write baselines (``reports/runs.db``, or the team store when one is configured)."""

    def __init__(self, db: Path | str | Database, *, reports: Path | str | None = None) -> None:
        """``db``: the embedded ``runs.db`` (its folder is the reports directory run folders
        are recorded relative to, unless ``reports`` says otherwise), or a ``Database``."""
        self.db = open_database(db)
        self.reports = (
            Path(reports)
            if reports is not None
            else None
            if isinstance(db, Database)
            else Path(db).parent
        )

    def _ready(self) -> bool:
        """Whether there is anything to read; a reader does not create an empty ``runs.db``."""
        return self.db.exists()

    def set(self, run: RunLog, *, note: str | None = None) -> Baseline:
        """Make this run the baseline for its suite and target (replacing any earlier one)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        target = run.summary.get("target") or {}
        suite = run.summary.get("suite") or {}
        baseline = Baseline(
            suite=run.suite_name,
            target_name=run.target_name,
            run_id=run.run_id,
            # Relative to the reports directory: a team store serves machines whose checkouts
            # lie in different places (rows written before hold absolute paths; readers take
            # both, store.runread.locate_run_dir).
            run_dir=(
                relative_run_dir(run.run_dir, self.reports)
                if self.reports is not None
                else str(run.run_dir.resolve())
            ),
            target_fingerprint=target.get("fingerprint"),
            suite_sha256=suite.get("sha256"),
            set_at=now,
            set_by=_user(),
            note=note,
        )
        with reported_transaction(self.db) as conn:
            conn.execute(
                "INSERT INTO baselines (suite, target_name, run_id, run_dir, target_fingerprint, "
                "suite_sha256, set_at, set_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (suite, target_name) DO UPDATE SET run_id = excluded.run_id, "
                "run_dir = excluded.run_dir, target_fingerprint = excluded.target_fingerprint, "
                "suite_sha256 = excluded.suite_sha256, set_at = excluded.set_at, "
                "set_by = excluded.set_by, note = excluded.note",
                (
                    baseline.suite,
                    baseline.target_name,
                    baseline.run_id,
                    baseline.run_dir,
                    baseline.target_fingerprint,
                    baseline.suite_sha256,
                    baseline.set_at,
                    baseline.set_by,
                    baseline.note,
                ),
            )
            conn.execute(
                'INSERT INTO baseline_history (suite, target_name, run_id, action, at, "by", note) '
                "VALUES (?, ?, ?, 'set', ?, ?, ?)",
                (baseline.suite, baseline.target_name, baseline.run_id, now, baseline.set_by, note),
            )
        return baseline

    def clear(self, suite: str, target_name: str) -> bool:
        """Remove a baseline; True when there was one."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with reported_transaction(self.db) as conn:
            cur = conn.execute(
                "DELETE FROM baselines WHERE suite = ? AND target_name = ?", (suite, target_name)
            )
            if cur.rowcount:
                conn.execute(
                    'INSERT INTO baseline_history (suite, target_name, run_id, action, at, "by") '
                    "VALUES (?, ?, NULL, 'clear', ?, ?)",
                    (suite, target_name, now, _user()),
                )
        return bool(cur.rowcount)

    def get(self, suite: str, target_name: str) -> Baseline | None:
        if not self._ready():
            return None
        with reported_reading(self.db) as conn:
            row = conn.execute(
                "SELECT * FROM baselines WHERE suite = ? AND target_name = ?",
                (suite, target_name),
            ).fetchone()
        return Baseline(**row) if row else None

    def all(self, suite: str | None = None) -> list[Baseline]:
        if not self._ready():
            return []
        query = "SELECT * FROM baselines"
        args: tuple[str, ...] = ()
        if suite:
            query, args = query + " WHERE suite = ?", (suite,)
        with reported_reading(self.db) as conn:
            rows = conn.execute(query + " ORDER BY suite, target_name", args).fetchall()
        return [Baseline(**r) for r in rows]

    def history(self, suite: str | None = None) -> list[dict[str, Any]]:
        if not self._ready():
            return []
        query = "SELECT * FROM baseline_history"
        args: tuple[str, ...] = ()
        if suite:
            query, args = query + " WHERE suite = ?", (suite,)
        with reported_reading(self.db) as conn:
            rows = conn.execute(query + " ORDER BY id", args).fetchall()
        return rows
