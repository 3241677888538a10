"""Values a rate, mean or quantile cannot count, found and said: a rate counts true/false and a
mean, quantile or paired delta numbers.

A scorer that declares no field types (a third-party plugin) is not checked as it scores, so
its values reach the figures as it gave them. Read by truthiness, the text "false" counted as
true and 0.3 as a hit; text in a mean was skipped as if missing. Either is a figure that is
silently wrong, so the metric has none, and its reason (``no_data_reason``) names the scorer,
the field, the value and the case: a gate on it has no data, a failure. Rows
(``metrics.aggregate``) and a streamed run's columns (``metrics.columns``) use the same rule
and wording, so both give the same figures.
"""

from __future__ import annotations

from typing import Any

from .base import MetricValue
from .expr import RESERVED_NAMES, condition_parts, evaluate, path_of

CONDITION = "condition"
"""A value that only a rate cannot count (a number other than 0 and 1 where true/false
belongs)."""
ANY = "any"
"""A value no rate, mean or quantile can count (text, a list, a mapping)."""

_NEEDS = {
    "rate": "a rate needs true/false (or 0/1): make the scorer return true or false, or write the "
    "condition as a comparison (e.g. 'x.label == \"unsafe\"' or 'x.score > 0.5')",
    "mean": "a mean needs numbers (true/false count as 1/0): make the value a number",
    "quantile": "a quantile needs numbers (true/false count as 1/0): make the value a number",
    "paired": "a paired delta needs numbers (true/false count as 1/0): make the value a number",
}


def is_truth(value: Any) -> bool:
    """A value a rate counts: true/false, or the numbers 0 and 1 (a dataset's 0/1 label, a
    scorer's integer flag), which say one thing only. 0.3 or NaN as true is a guess. numpy's
    scalars count as the true/false and numbers they hold (``np.bool_`` is no ``bool``, and
    ``np.int64`` no ``int``): rows a program builds with numpy (the metrics called as a
    library) hold them, where a run's rows, read back from JSON, hold Python's."""
    if value is True or value is False or (isinstance(value, int | float) and value in (0, 1)):
        return True
    if getattr(value, "shape", None) != ():  # a numpy scalar (not an array), without numpy
        return False
    return getattr(value.dtype, "kind", None) in ("b", "i", "u", "f") and bool(value in (0, 1))


def condition_fault(expr: str, row: dict[str, Any], value: Any) -> tuple[str, Any] | None:
    """The part of a rate's condition (the whole or an operand of not/and/or) whose value on
    this row (``value`` is the whole's) is neither true/false (``is_truth``) nor null, with
    that value."""
    if value is not None and not is_truth(value):
        return expr, value
    for part in condition_parts(expr):
        found = evaluate(part, row)
        if found is not None and not is_truth(found):
            return part, found
    return None


def not_a_number(value: Any) -> bool:
    """A value a mean or quantile cannot count: neither null nor a number (true/false count
    as 1/0; NaN and the infinities are numbers, skipped as documented)."""
    return value is not None and not isinstance(value, int | float)


def shown(value: Any) -> str:
    """A value as a message names it."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {text!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def given(expr: str, value: Any) -> str:
    """Who gave ``value`` for ``expr``: the scorer and its field where the expression reads
    one (``scorer 'x' gave the text 'false' for field 'flagged'``)."""
    path = path_of(expr)
    if path is not None and len(path[1]) == 1:
        name, (member,) = path
        if name not in RESERVED_NAMES:
            return f"scorer '{name}' gave {shown(value)} for field '{member}'"
        if name in ("meta", "metadata", "expected"):
            return f"{name}.{member} was {shown(value)}"
    return f"'{expr}' was {shown(value)}"


def reason(kind: str, first: str, case: object, count: int) -> str:
    """The metric's reason for having no figure: the first value it could not count
    (``given``), its case, how many other rows had one, and what the kind needs."""
    others = count - 1
    more = f" and {others} other row{'s' if others > 1 else ''}" if others else ""
    return f"{first} in case '{case}'{more}: {_NEEDS[kind]}"


def uncounted(
    kind: str, first: str, case: object, count: int, *, n: int, skipped: int
) -> MetricValue:
    """The metric without a figure: ``n`` rows had a value (``count`` of them one the kind
    cannot count, the first ``first`` in ``case``), ``skipped`` had none. The engine turns
    ``reason`` into the metric's ``no_data_reason``, as for any kind that made no figure."""
    return MetricValue(
        value=None,
        n=n,
        details={"n_skipped": skipped, "reason": reason(kind, first, case, count)},
    )


class Faults:
    """The values one metric could not count, found as its rows are read: how many, and the
    first (described, with its case)."""

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple[str, object] | None = None

    def add(self, expr: str, value: Any, case: object) -> None:
        self.count += 1
        if self.first is None:
            self.first = (given(expr, value), case)

    def value(self, kind: str, *, n: int, skipped: int) -> MetricValue | None:
        """The metric without a figure where any value could not be counted, else None."""
        if self.first is None:
            return None
        first, case = self.first
        return uncounted(kind, first, case, self.count, n=n, skipped=skipped)
