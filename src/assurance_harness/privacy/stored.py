"""Apply the privacy policy to a finished run's files.

While a run is in progress its journal (``responses.jsonl``) and ``cases.jsonl`` hold the
original text, so that ``--resume`` scores exactly what an uninterrupted run would have. When
the run finishes, the scores, metrics and gates have been computed on the original text in
memory; then the stored copies are redacted: results are written redacted, and the journal and
the cases file are rewritten redacted in place, before the manifest hashes them. Reports,
exports and evidence packs read those files, so they never see the originals. The run's
summary and manifest record the policy in force and how many spans of each type were replaced.

The response cache (``reports/cache.sqlite``) would keep original responses, so a run under a
redaction policy neither reads nor writes it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .policy import PrivacyPolicy
from .redact import redact_rows


def stored_copy(
    rows: list[dict[str, Any]], policy: PrivacyPolicy
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows as they are to be stored, and what to record about it (None: no redaction)."""
    if not policy.redaction.enabled:
        return rows, None
    stored, counts = redact_rows(rows, policy.redaction)
    info = policy.describe()
    info["redacted"] = counts
    return stored, info


def _rewrite_jsonl(path: Path, policy: PrivacyPolicy, counts: dict[str, int]) -> None:
    if not path.exists():
        return
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    stored, found = redact_rows(rows, policy.redaction)
    for kind, n in found.items():
        counts[kind] = counts.get(kind, 0) + n
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in stored:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def redact_run_inputs(run_dir: Path, policy: PrivacyPolicy) -> dict[str, int]:
    """Rewrite the journal and the cases file of a finished run redacted; spans by type."""
    counts: dict[str, int] = {}
    if policy.redaction.enabled:
        for name in ("responses.jsonl", "cases.jsonl"):
            _rewrite_jsonl(run_dir / name, policy, counts)
    return dict(sorted(counts.items()))
