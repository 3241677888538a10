"""Where an evidence record's run folder lives: the machine (its hostname) and the folder's
absolute path, recorded as ``run.origin`` when the record is written.

With the team store every machine appends to one ledger, while each keeps only its own run
folders: a run another machine wrote was never here, and reading it as deleted drowned the
real losses in false ones. ``evidence verify`` (``ledger_verify``) and the register status
(``run_presence``) look for a run's files only where they can be; the runs they pass over are
reported apart, as not on this machine, never as checked.

The rule leaves no way to hide a deletion: a folder that is here is always checked (wherever
the record says it was written); a folder missing from the place its record names, on the
machine that wrote it, is missing; and the origin is part of the record's hash, so a record
made to claim another machine breaks the chain. Records written before ``run.origin`` lack
it and are looked for here, as before. Only the team store's ledger is read this way: a JSONL
ledger lives in its reports folder, with its runs, and a run missing beside it is missing even
when its folder was first written elsewhere (a reports folder copied or moved).

A machine is its hostname: one that takes a new hostname while keeping its reports folder (a
container per CI job over a kept volume) would read its own deleted runs as another machine's;
give such containers a fixed hostname.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from .evidence_record import EvidenceRecord

ORIGIN = "origin"
"""The key in a record's ``run``: ``{"host": hostname, "dir": absolute run folder}``."""


def this_host() -> str:
    """This machine's name as records give it (``socket.gethostname``)."""
    return socket.gethostname()


def origin_of(run_dir: Path) -> dict[str, str]:
    """``run.origin`` for a record of the run in ``run_dir``, written on this machine."""
    return {"host": this_host(), "dir": os.path.realpath(run_dir)}


def origin_entry(run_dir: Path) -> dict[str, dict[str, str]]:
    """``{"origin": ...}`` for a record's ``run`` where the ledger is the team store's, else
    nothing: a JSONL ledger's runs live beside it, and its records stay free of the machine's
    name and its folders' paths (an evidence pack goes to auditors; two machines' runs of one
    suite give records alike but for their times)."""
    from ..store.location import store_url

    return {ORIGIN: origin_of(run_dir)} if store_url() is not None else {}


def records_elsewhere(
    records: list[EvidenceRecord], ledger_path: Path
) -> dict[str, dict[str, str]]:
    """Run id -> its ``run.origin``, for each run whose folder is not here because another
    machine, or another reports folder on this one, wrote it; every record of the run must say
    so (a run that any record places here is looked for here). Empty without the team store."""
    from ..store.location import store_url

    if store_url() is None:
        return {}
    here = this_host()
    away: dict[str, dict[str, str]] = {}
    local: set[str] = set()
    # One look a run (records of one run name one folder): a resolve and a stat per record
    # were seconds of every status view over a large ledger.
    looked: dict[str, dict[str, str] | None] = {}
    for record in records:
        if not record.run.get("files"):
            continue  # hashes no run file (a purge record): places its run nowhere
        key = repr((record.run.get("dir"), record.run.get(ORIGIN)))
        if key not in looked:
            looked[key] = _away(record, ledger_path, here)
        origin = looked[key]
        if origin is None:
            local.add(record.run_id)
        else:
            away.setdefault(record.run_id, origin)
    return {run_id: origin for run_id, origin in away.items() if run_id not in local}


def _away(record: EvidenceRecord, ledger_path: Path, here: str) -> dict[str, str] | None:
    """The record's origin when its run folder is elsewhere, else None (look for it here)."""
    origin: Any = record.run.get(ORIGIN)
    if not isinstance(origin, dict):
        return None  # written before records said where: looked for here
    host, folder = origin.get("host"), origin.get("dir")
    if not isinstance(host, str) or not isinstance(folder, str):
        return None
    local = record.run_dir(ledger_path)
    if os.path.lexists(local):
        return None  # here: checked, whoever wrote it
    if host != here:
        return {"host": host, "dir": folder}
    if Path(folder) == local or not os.path.lexists(folder):
        return None  # written here, or gone from where this machine wrote it too: missing
    return {"host": host, "dir": folder}


def where_written(origin: dict[str, str]) -> str:
    """``written on HOST in DIR``, or ``written in DIR on this machine``, for messages."""
    if origin.get("host") == this_host():
        return f"written in {origin.get('dir')} on this machine"
    return f"written on {origin.get('host')} in {origin.get('dir')}"
