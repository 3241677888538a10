"""What a recorded metric measures, as two runs' figures of one metric id are told alike or
not: ``compare`` warns of a redefinition, ``trend`` does not draw one beside the other."""

from __future__ import annotations

import json
from typing import Any

SAME_MEASURE_KEYS = frozenset({"by", "confidence"})
"""Spec keys that change a metric's groups or interval, not the figure compared."""


def measure(metric: dict[str, Any]) -> dict[str, Any]:
    """A recorded metric's spec (summary.json's ``metrics.<id>.spec``) less
    ``SAME_MEASURE_KEYS``: equal for two runs whose figures of it measure one thing."""
    spec = metric.get("spec")
    return {
        k: v
        for k, v in (spec if isinstance(spec, dict) else {}).items()
        if k not in SAME_MEASURE_KEYS
    }


def shown(measured: dict[str, Any]) -> str:
    """A ``measure`` as the one line a warning or note quotes."""
    return json.dumps(measured, ensure_ascii=False, default=str)


def recorded_sha(recorded: Any) -> str | None:
    """A manifest entry's ``sha256`` (the suite, its cases, a dataset), None where it records
    none (an older run's manifest, a hand edit)."""
    sha = recorded.get("sha256") if isinstance(recorded, dict) else None
    return sha if isinstance(sha, str) and sha else None


def changed_cases(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """The warning, for two runs of the same case ids and prompts, when their manifests record
    other cases (cases.jsonl's SHA-256), naming each dataset whose recorded SHA-256 changed at
    one path; else None (or either records none). An answer key or metadata edited in place
    keeps the ids and prompts, so the runs still pair by case: a case scored against another
    expected answer read as the target's regression, paired, with no word of the change
    (``trend`` breaks its line there)."""
    old, new = recorded_sha(before.get("cases")), recorded_sha(after.get("cases"))
    if old is None or new is None or old == new:
        return None
    files = [_dataset_shas(manifest) for manifest in (before, after)]
    edited = [
        path
        for path, sha in files[1].items()
        if files[0].get(path) is not None and sha is not None and sha != files[0][path]
    ]
    why = f"; a dataset the suite reads changed: {', '.join(edited)}" if edited else ""
    return (
        f"the runs have the same case ids and prompts but not the same cases (cases SHA-256 "
        f"{old[:12]} -> {new[:12]}{why}): a case may expect another answer or carry other "
        "metadata, so a difference may be the cases', not the target's; compare runs of the "
        "same cases"
    )


def _dataset_shas(manifest: dict[str, Any]) -> dict[str, str | None]:
    """Each dataset file a run's manifest records: its path, as recorded, to its SHA-256."""
    found = manifest.get("datasets")
    return {
        str(d.get("path")): recorded_sha(d)
        for d in (found if isinstance(found, list) else [])
        if isinstance(d, dict)
    }


def changed_target(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each setting of the target, as two runs' manifests record its configuration (secrets
    left out), that differs between them: ``generation.temperature 0 -> 0.7``. Figures of one
    model at another temperature, timeout or system prompt measure another system; a
    comparison that said nothing of it put the change on the model. Empty where either
    records none."""
    old, new = ((m.get("target") or {}).get("config") for m in (before, after))
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    return _differences(
        {k: v for k, v in old.items() if k not in MODEL_KEYS},
        {k: v for k, v in new.items() if k not in MODEL_KEYS},
        "",
    )


def changed_version(before: dict[str, Any], after: dict[str, Any]) -> tuple[str, str] | None:
    """The model versions two runs' summaries record for their target, where both record one
    and they differ. A target file unchanged (one fingerprint) serves another model when a
    local checkpoint is retrained in place or an endpoint's model is updated, and only the
    version its answers reported shows it. None where either records none."""
    a, b = ((s.get("target") or {}).get("model_version") for s in (before, after))
    if not a or not b or a == b:
        return None
    return str(a), str(b)


MODEL_KEYS = frozenset({"source_sha256"})
"""Target settings that are the model itself, not a setting of it: a callable target's code
(its SHA-256) changes with the model a nightly compares, as an endpoint's answers do."""


def _differences(old: dict[str, Any], new: dict[str, Any], prefix: str) -> list[str]:
    found: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            found.append(f"{prefix}{key} {_setting(a)} -> {_setting(b)}")
    return found


def _setting(value: Any) -> str:
    """A setting as a warning quotes it: JSON, cut to 60 characters (a system prompt)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
