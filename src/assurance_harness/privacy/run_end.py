"""When a finished run ended, for the retention period: every place that records it, checked
against each other. run.json is the runner's scratch state and nothing hashes it, so an edit
there made a run of today look old enough to purge; summary.json is checked against the
SHA-256 manifest.json records of it, and the evidence ledger keeps the end under its chain. A
purge destroys evidence, so where these disagree the run is kept, with the line saying why."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store.runread import link_words

__all__ = ["FINISHED_AT_TOLERANCE", "RunEnd", "parse_end", "run_end"]

FINISHED_AT_TOLERANCE = dt.timedelta(days=1)
"""How far past now a run's end may lie (a clock a little ahead); later is no real run's:
``evidence attach`` refuses such a run, and ``runs purge`` names it, kept."""


@dataclass(frozen=True)
class RunEnd:
    """A run's end as its records agree on it, or why they cannot date it."""

    when: dt.datetime | None
    """The end every record gives; None where none gives one, or they disagree."""
    doubt: str | None = None
    """Why the records cannot be trusted to date the run (they disagree, summary.json is not
    the file the run wrote); None where they agree."""
    ends: tuple[dt.datetime, ...] = ()
    """Every end a record gives (for a doubted run: whether any puts it past the period)."""


def parse_end(state: dict[str, Any]) -> dt.datetime | str | None:
    """A record's end (``finished_at``, else ``started_at``): a time, None where it gives none,
    or the text itself where it is no ISO time (a record that says nothing usable)."""
    text = state.get("finished_at") or state.get("started_at")
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _object(path: Path) -> tuple[dict[str, Any] | None, bytes | None]:
    try:
        data = path.read_bytes()
        value = json.loads(data.decode("utf-8"))
    except (OSError, ValueError):
        return None, None
    return (value, data) if isinstance(value, dict) else (None, data)


def _summary_changed(run_dir: Path, summary: bytes | None, manifest: dict[str, Any]) -> str | None:
    if (linked := link_words(run_dir / "summary.json")) is not None:
        return f"{run_dir / 'summary.json'} {linked}"
    entry = manifest.get("summary")
    recorded = entry.get("sha256") if isinstance(entry, dict) else None
    if not isinstance(recorded, str) or not recorded:
        return None  # a run made before the manifest recorded it: nothing to check by
    if summary is not None and hashlib.sha256(summary).hexdigest() == recorded:
        return None
    return (
        f"{run_dir / 'summary.json'} does not match the SHA-256 in its manifest.json (edited "
        "since the run)"
    )


def run_end(run_dir: Path, ledger_ends: list[str | None]) -> RunEnd:
    """The end of the finished run in ``run_dir``, given the ends its evidence records in the
    ledger hold (``ledger_ends``): what run.json, summary.json, manifest.json and the ledger
    say, where they all say the same and summary.json is the file its manifest hashed. A
    record without the field (an older run's) is passed over, not counted as disagreeing."""
    said: list[tuple[str, dt.datetime | str]] = []
    summary_bytes = None
    manifest: dict[str, Any] = {}
    for name in ("run.json", "summary.json", "manifest.json"):
        value, data = _object(run_dir / name)
        if name == "summary.json":
            summary_bytes = data
        if name == "manifest.json" and value is not None:
            manifest = value
        end = parse_end(value) if value is not None else None
        if end is not None:
            said.append((name, end))
    for text in ledger_ends:
        end = parse_end({"finished_at": text})
        if end is not None:
            said.append(("its evidence records in the ledger", end))
    ends = tuple(end for _, end in said if isinstance(end, dt.datetime))
    changed = _summary_changed(run_dir, summary_bytes, manifest) if manifest else None
    if changed is not None:
        return RunEnd(None, changed, ends)
    if len({end for _, end in said}) > 1:
        named: dict[str, list[str]] = {}
        for name, end in said:
            text = end.isoformat() if isinstance(end, dt.datetime) else repr(end)
            if text not in named.setdefault(name, []):
                named[name].append(text)
        listed = "; ".join(f"{name} {', '.join(texts)}" for name, texts in named.items())
        return RunEnd(None, f"the records of when it ended disagree ({listed})", ends)
    return RunEnd(ends[0] if ends else None, None, ends)
