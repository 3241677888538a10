"""What changed in a suite between a risk's two latest runs of it, for the owner's review.

A risk links suites by name, and a suite file edited under the same name (a gate's threshold
loosened, a failing gate deleted, fewer cases) is still that name: its next run's passing
gates read as the same test passed at last. The ledger keeps each run's suite SHA-256 and gate
rules, so the change is found here and named; the status stays as the latest run gives it (a
suite may be revised for good reasons), as with a changed model version.
"""

from __future__ import annotations

from typing import Any

from .evidence_record import EvidenceRecord

__all__ = ["suite_change"]

_RULE = ("max", "min", "bound")


def _suite_of(run: list[EvidenceRecord]) -> str:
    suite = run[0].suite
    sha = str(suite.get("sha256") or "?")[:12]
    return f"version {suite.get('version') or '?'}, sha256 {sha}"


def _rules(run: list[EvidenceRecord]) -> dict[str, list[dict[str, Any]]]:
    """Gate rules by metric (a metric may carry two gates: a max and a min)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for record in run:
        if record.gate is not None:
            rule = {k: record.gate.get(k) for k in _RULE}
            out.setdefault(str(record.gate.get("metric")), []).append(rule)
    return out


def _show(value: object) -> str:
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _rule_change(metric: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str | None:
    if not new:
        return f"{metric}: gate removed"
    if not old:
        return f"{metric}: gate added"
    if sorted(map(str, old)) == sorted(map(str, new)):
        return None
    if len(old) == len(new) == 1:
        parts = [
            f"{k} {_show(old[0][k])} -> {_show(new[0][k])}" for k in _RULE if old[0][k] != new[0][k]
        ]
        return f"{metric}: {', '.join(parts)}"
    return f"{metric}: gate rules changed"


def suite_change(name: str, history: list[list[EvidenceRecord]]) -> str | None:
    """The flag for a suite whose latest run (``history[0]``) ran another suite file than the
    run before it (its SHA-256 differs), naming each gate rule changed, removed or added;
    None when they ran the same file, or there is one run."""
    if len(history) < 2:
        return None
    latest, before = history[0], history[1]
    if latest[0].suite.get("sha256") == before[0].suite.get("sha256"):
        return None
    old, new = _rules(before), _rules(latest)
    changes = [
        change
        for metric in dict.fromkeys([*old, *new])
        if (change := _rule_change(metric, old.get(metric, []), new.get(metric, [])))
    ]
    what = "; ".join(changes) if changes else "gate rules unchanged (cases, scorers or metrics)"
    return (
        f"{name}: the suite changed between runs: {_suite_of(before)} (run {before[0].run_id}) "
        f"-> {_suite_of(latest)} (run {latest[0].run_id}): {what}; the latest verdicts are "
        "of the suite as it is now, not of the test earlier evidence passed or failed"
    )
