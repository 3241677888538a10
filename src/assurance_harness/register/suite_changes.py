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


def _cases(run: list[EvidenceRecord]) -> dict[str, Any] | None:
    """The run's cases as its record holds them (``run.cases``: sha256 and count of its
    cases.jsonl); None for a record written before they were recorded."""
    cases = run[0].run.get("cases")
    return cases if isinstance(cases, dict) and isinstance(cases.get("sha256"), str) else None


def _cases_count(before: list[EvidenceRecord], latest: list[EvidenceRecord]) -> str | None:
    """How the cases differ between two runs (their numbers), where both records say which
    cases they ran; None where they ran the same cases, or either record cannot tell."""
    old, new = _cases(before), _cases(latest)
    if old is None or new is None or old["sha256"] == new["sha256"]:
        return None
    if old.get("count") != new.get("count"):
        return f"{_show(old.get('count'))} -> {_show(new.get('count'))} cases"
    return f"{_show(new.get('count'))} cases each, their content differs"


def _cases_sha(run: list[EvidenceRecord]) -> str:
    return f"cases.jsonl sha256 {str((_cases(run) or {}).get('sha256'))[:12]}"


def _cases_only(
    name: str, before: list[EvidenceRecord], latest: list[EvidenceRecord], cases: str
) -> str:
    return (
        f"{name}: the cases changed between runs of one suite file ({_suite_of(latest)}; a "
        f"dataset it reads was edited): {_cases_sha(before)} (run {before[0].run_id}) -> "
        f"{_cases_sha(latest)} (run {latest[0].run_id}): {cases}; the "
        "latest verdicts are of other cases than earlier evidence passed or failed"
    )


def suite_change(name: str, history: list[list[EvidenceRecord]]) -> str | None:
    """The flag for a suite whose latest run (``history[0]``) ran another suite file than the
    run before it (its SHA-256 differs), naming each gate rule changed, removed or added, or
    the same file over other cases (a dataset it reads edited: the records' ``run.cases``
    differ); None when they ran the same file and cases, or there is one run."""
    if len(history) < 2:
        return None
    latest, before = history[0], history[1]
    cases = _cases_count(before, latest)
    if latest[0].suite.get("sha256") == before[0].suite.get("sha256"):
        return None if cases is None else _cases_only(name, before, latest, cases)
    old, new = _rules(before), _rules(latest)
    changes = [
        change
        for metric in dict.fromkeys([*old, *new])
        if (change := _rule_change(metric, old.get(metric, []), new.get(metric, [])))
    ]
    if cases is not None:
        changes.append(f"cases: {cases}")
    what = "; ".join(changes) if changes else "gate rules unchanged (cases, scorers or metrics)"
    return (
        f"{name}: the suite changed between runs: {_suite_of(before)} (run {before[0].run_id}) "
        f"-> {_suite_of(latest)} (run {latest[0].run_id}): {what}; the latest verdicts are "
        "of the suite as it is now, not of the test earlier evidence passed or failed"
    )
