"""Apply the privacy policy to a finished run's files.

While a run is in progress its journal (``responses.jsonl``) and ``cases.jsonl`` hold the
original text, so that ``--resume`` scores exactly what an uninterrupted run would have. When
the run finishes, the scores, metrics and gates have been computed on the original text in
memory; then the stored copies are redacted: results are written redacted, and the journal and
the cases file are written redacted beside the originals (``NAME.redacted``), which the
manifest hashes, and put in their place once the run is recorded as finished. Until then the
originals stay, so a run whose recording failed (a full disk at ``summary.json``) resumes on
what it sent and received, not on redacted text that would score differently. Reports, exports
and evidence packs read those files, so they never see the originals. The run's summary and
manifest record the policy in force and how many spans of each type were replaced.

The response cache (``reports/cache.sqlite``) would keep original responses, so a run under a
redaction policy neither reads nor writes it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from ..store.files import AtomicStream
from .policy import PrivacyPolicy
from .redact import known_in, redact_row, redact_rows


def stored_copy(
    rows: list[dict[str, Any]], policy: PrivacyPolicy, keep: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows as they are to be stored, and what to record about it (None: no redaction).
    ``keep``: the target's endpoint (``redact.endpoint_kept``), which an error names."""
    if not policy.redaction.enabled:
        return rows, None
    stored, counts = redact_rows(rows, policy.redaction, keep)
    info = policy.describe()
    info["redacted"] = counts
    return stored, info


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Through a temporary file that an interrupt removes (``AtomicStream``): a fixed
    ``NAME.tmp`` was left in the run folder when the run stopped while writing it."""
    stream = AtomicStream(path)
    try:
        for row in rows:
            stream.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    except BaseException:
        stream.abort()
        raise
    stream.close(fsync=True)


STAGED_SUFFIX = ".redacted"
RUN_INPUTS = ("cases.jsonl", "responses.jsonl")


def staged(path: Path) -> Path:
    """Where the redacted copy of a run input waits until the run is recorded as finished."""
    return path.with_name(path.name + STAGED_SUFFIX)


def as_stored(path: Path) -> Path:
    """The file that is (or is about to be) stored under ``path``'s name: its redacted copy
    while one waits, else the file itself (what the manifest hashes)."""
    waiting = staged(path)
    return waiting if waiting.exists() else path


def commit_redacted_inputs(run_dir: Path) -> None:
    """Put the waiting redacted copies in place of the originals (none waiting: nothing);
    called once the run is recorded as finished, and again by ``--resume`` of a finished run,
    in case the process stopped in between."""
    for name in RUN_INPUTS:
        waiting = staged(run_dir / name)
        if waiting.exists():
            os.replace(waiting, run_dir / name)


def redact_run_inputs(
    run_dir: Path, policy: PrivacyPolicy, keep: tuple[str, ...] = ()
) -> dict[str, int]:
    """Write the journal and the cases file of a finished run redacted beside the originals
    (:func:`staged`; :func:`commit_redacted_inputs` puts them in place); spans by type.

    A journal line holds only the response, so personal data that the case's prompt gave (a
    name the reply repeats in a form the detector alone would miss) is looked up per case.
    ``keep``: the target's endpoint (``redact.endpoint_kept``), which an error names."""
    counts: Counter[str] = Counter()
    if not policy.redaction.enabled:
        return {}
    redaction = policy.redaction
    cases_path, journal_path = run_dir / "cases.jsonl", run_dir / "responses.jsonl"
    cases = _read_jsonl(cases_path)
    known_by_case = {str(c.get("id")): known_in(c, redaction) for c in cases}
    journal = _read_jsonl(journal_path)
    stored_journal = []
    for row in journal:
        known = dict(known_by_case.get(str(row.get("case_id")), {}))
        for key, kind in known_in(row, redaction).items():
            known.setdefault(key, kind)
        stored_journal.append(redact_row(row, redaction, counts, known, keep))
    stored_cases = [
        redact_row(c, redaction, counts, known_by_case[str(c.get("id"))], keep) for c in cases
    ]
    if journal_path.exists():
        _write_jsonl(staged(journal_path), stored_journal)
    if cases_path.exists():
        _write_jsonl(staged(cases_path), stored_cases)
    return dict(sorted(counts.items()))
