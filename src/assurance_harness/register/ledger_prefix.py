"""The part of a ledger file this process has verified record by record, kept so that the next
verification parses and hashes only the records appended after it.

Every register and risk page verifies the chain (``ledger_verify.verify_ledger``): at 12,050
records that was most of a 10-13 s page, on every load, for a ledger that had not changed. What
is kept is the SHA-256 of the exact bytes that were read and checked (every line parsed, its
bytes the canonical JSON of its record, its content hash its ``hash``), and the records they
hold. A later verification hashes the file's first that many bytes again: the same digest means
the same bytes, so their records' own checks stand and only the lines after them are read and
checked. Anything else (a byte edited anywhere, the file cut short or replaced) verifies the
whole ledger again. The file's size, inode or times are never taken as the test: an edit of the
same length keeps the size, and ``touch`` puts an mtime back.

What the checks across records say (the chain's links and sequence, the anchor, clock order,
purges) is worked out again over every record each time: it is cheap, and it depends on what
was appended and on the anchor, which changes apart from the ledger.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .evidence_record import EvidenceRecord

KEPT_LEDGERS = 4
"""Ledgers whose verified prefix a process keeps (the web app serves one; tests make many)."""
_CHUNK = 1 << 20


@dataclass
class Reading:
    """What ``ledger_store.file_lines`` read, as it read it: the digest of the bytes so far,
    where it stopped, and whether the last byte read was a line end."""

    digest: Any = field(default_factory=hashlib.sha256)
    end: int = 0
    whole_lines: bool = True


@dataclass(frozen=True)
class Prefix:
    """The first ``size`` bytes of a ledger, with the SHA-256 ``digest`` (a hashlib object,
    never updated: copied to go on) and the records they hold, each with its line number;
    every one of them passed its own checks."""

    size: int
    digest: Any
    entries: tuple[tuple[int, EvidenceRecord], ...]
    lines: int


_kept: dict[str, Prefix] = {}
_lock = threading.Lock()


def _key(ledger_path: Path) -> str:
    return str(Path(ledger_path).absolute())


def unchanged(ledger_path: Path, size: int) -> Prefix | None:
    """The prefix kept for ``ledger_path`` where the file (of ``size`` bytes now) still starts
    with exactly those bytes; None where none is kept or anything in it changed (the whole
    ledger is then verified again)."""
    with _lock:
        kept = _kept.get(_key(ledger_path))
    if kept is None or size < kept.size:
        return None
    digest = hashlib.sha256()
    try:
        with Path(ledger_path).open("rb") as handle:
            left = kept.size
            while left:
                chunk = handle.read(min(_CHUNK, left))
                if not chunk:
                    return None
                digest.update(chunk)
                left -= len(chunk)
    except OSError:
        return None
    return kept if digest.hexdigest() == kept.digest.hexdigest() else None


def keep(
    ledger_path: Path,
    reading: Reading,
    entries: list[tuple[int, EvidenceRecord]],
    lines: int,
) -> None:
    """Keep what was read as verified: called only where every record read passed its own
    checks and the bytes end at a line end (a torn last line would be read otherwise once
    an append completed it)."""
    if not reading.whole_lines:
        return
    prefix = Prefix(reading.end, reading.digest.copy(), tuple(entries), lines)
    with _lock:
        _kept.pop(_key(ledger_path), None)
        _kept[_key(ledger_path)] = prefix
        while len(_kept) > KEPT_LEDGERS:
            _kept.pop(next(iter(_kept)))


def forget(ledger_path: Path) -> None:
    """Keep nothing for ``ledger_path``: what was read did not all pass its checks."""
    with _lock:
        _kept.pop(_key(ledger_path), None)
