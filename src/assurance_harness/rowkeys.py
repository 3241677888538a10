"""``case_id#sample``: the one spelling of a response's key.

Gates' ``worst_cases``, reports, drill-downs, the pytest plugin and the evidence ledger all name
one response (one case, one sample) this way. Standard library only: the ledger imports it.
"""

from __future__ import annotations

__all__ = ["case_key", "split_case_key"]


def case_key(case_id: object, sample: object = 0) -> str:
    return f"{case_id}#{sample}"


def split_case_key(key: str) -> tuple[str, int]:
    """The inverse of ``case_key`` (a case id may itself contain ``#``)."""
    case_id, _, sample = key.rpartition("#")
    if not case_id:
        return key, 0
    try:
        return case_id, int(sample)
    except ValueError:
        return key, 0
