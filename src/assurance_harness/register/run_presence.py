"""Which runs in the ledger have lost files their evidence rests on: the run folder, or a file
its records hash (results.jsonl, summary.json, manifest.json), deleted without a purge record.

The risk status consults this so that a run folder removed by hand (``rm -r reports/RUN``)
does not leave its risk reading VERIFIED while ``evidence verify`` fails on it. A check of
presence only, one ``stat`` per file: the status is computed on every view, and re-hashing every
run behind it is ``evidence verify``'s work (``ledger_verify``). A purge recorded in the ledger
(``runs purge``: it records before it deletes, and keeps summary.json and manifest.json) is a
deletion the evidence already says, not a loss.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..privacy.retention import STAGED, purges_by_run
from ..run_lookup import RunLookup
from .evidence_record import EvidenceRecord
from .run_origin import records_elsewhere

RESTORE = "restore the folder from a copy, or run the suite again"
"""The way on: the files themselves, or new evidence (a team store keeps the ledger, not the
run folders: the copy is on the machine that ran it)."""


def missing_run_files(records: list[EvidenceRecord], ledger_path: Path) -> dict[str, str]:
    """``MissingRunFiles``' answer for every run of ``records`` at once."""
    return dict(MissingRunFiles(records, ledger_path))


class MissingRunFiles(RunLookup[str]):
    """Run id -> why its evidence can no longer be checked (the folder or the files gone, and
    the way on), for each run of ``records`` that lost a file no purge record names; runs with
    all their files are not keys. ``records``: the ledger's, purge records included.

    A run is looked at when first asked for, once: the register shows each suite's latest run
    only, and looking at every run's files took 3.9 s of a register page at 6,025 runs.
    Iterating looks at every run."""

    def __init__(self, records: list[EvidenceRecord], ledger_path: Path) -> None:
        super().__init__()
        self._ledger_path = ledger_path
        self._purged = purges_by_run(records)
        elsewhere = set(records_elsewhere(records, ledger_path))  # never here: another machine's
        self._first: dict[str, EvidenceRecord] = {}
        for record in records:
            if record.run_id in elsewhere or record.run_id in self._first:
                continue  # one check a run, on its first record naming its folder
            if isinstance(record.run.get("dir"), str):  # one naming none has no files to lose
                self._first[record.run_id] = record

    def _runs(self) -> Iterable[str]:
        return self._first

    def _look(self, run_id: str) -> str | None:
        record = self._first.get(run_id)
        if record is None:
            return None
        return _missing(record, self._ledger_path, set(self._purged.get(run_id, {})))


def _missing(record: EvidenceRecord, ledger_path: Path, purged: set[str]) -> str | None:
    run_dir = record.run_dir(ledger_path)
    lost = "deleted, and no purge in the ledger records it"
    if not run_dir.is_dir():
        return (
            f"run {record.run_id}'s folder {run_dir} is missing ({lost}), so its evidence "
            f"cannot be checked ('assurance evidence verify' fails on it): {RESTORE}"
        )
    gone: list[str] = []
    for name in record.run.get("files") or {}:
        path = record.results_file(ledger_path) if name == "results.jsonl" else run_dir / name
        if name in purged or path.is_file() or path.with_name(STAGED + path.name).is_file():
            continue  # there; purged as recorded; or moved aside by a purge under way
        gone.append(f"{name} (not a file)" if path.exists() else name)
    if not gone:
        return None
    names = gone[0] if len(gone) == 1 else f"{', '.join(gone[:-1])} and {gone[-1]}"
    return (
        f"run {record.run_id}'s {names} {'is' if len(gone) == 1 else 'are'} missing from its "
        f"folder {run_dir} ({lost}), so its evidence cannot be checked ('assurance evidence "
        f"verify' fails on it): {RESTORE}"
    )
