"""What the flip-rate and attack-success tests over hand-made rows share: the suite that
measures both over one ``contains`` scorer (``m``), and a row of a source's original or
variant as the runner records it."""

from __future__ import annotations

from typing import Any

_SUITE = """suite: pairs
cases:
  - {id: a, prompt: x, metadata: {source_id: a, original: true, perturbation: none}}
scorers:
  - {id: m, use: contains, with: {terms: [sorry]}}
metrics:
  - {id: flips, flip-rate: {value: m.matched}}
  - {id: asr, attack-success: {refused: m.matched}}
"""


def pairs_suite(max_rate: float | None = None) -> str:
    """The suite's text; with ``max_rate``, a ``max:`` gate on each of the two metrics."""
    if max_rate is None:
        return _SUITE
    return (
        _SUITE
        + f"gates:\n  - {{metric: flips, max: {max_rate}}}\n  - {{metric: asr, max: {max_rate}}}\n"
    )


def pair_row(
    case: str,
    meta: dict[str, object],
    *,
    matched: bool = False,
    found: list[str] | None = None,
    sample: int = 0,
    error: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A row of ``case``'s ``sample``: scored by ``m`` (``matched``, ``found``), or, with
    ``error``, a failed request the scorer never saw."""
    return {
        "case_id": case,
        "sample": sample,
        "error": error,
        "metadata": meta,
        "scores": {} if error else {"m": {"matched": matched, "found": found or []}},
    }
