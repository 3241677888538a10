"""How many of a run's cases a comparison's test of a metric left out because their requests
errored.

A failed request has no answer, so a rate or mean counts none of its rows: an unpaired test
then compares the answered cases of each run (10 of 80 against 10 of 100, with 20 timeouts in
the candidate), and a paired one pairs only the cases answered in both. Either way the test
rests on fewer cases than the runs asked, and a target that fails on exactly the cases it would
get wrong looks as good as one that gets them right: the comparison says, per run, how many
cases (and rows) it left out for that reason, and never compares on fewer cases in silence.

Only errored rows are tallied here (a few in a healthy run), so the stream over a 100,000-row
run does no more work per answered row than before. With groups compared (``--groups``), each
errored row's group under the metric's ``by:`` is noted too, so each group says what it left
out: 20 timeouts all in one group read ``n=30`` against ``n=47`` there and nothing else.

A ``where:`` that reads what a failed request does not have (the answer, a scorer's field:
``ref.label == 'refusal'``) gives null on an errored row: whether the row belongs to the
metric is unknown, so it is neither selected nor passed over by design. Such rows were counted
nowhere (a smaller ``n`` with no reason); they are tallied apart (``unread``) and said with
their own reason (``unread_note``), as a ``where:`` on the case's own fields (``meta.lang``)
still reads an errored row and selects it or not as any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..metrics.expr import evaluate
from ..metrics.rowvalues import group_key
from ..rowkeys import case_key, split_case_key

ROLES = ("baseline", "candidate")


@dataclass
class ErroredTally:
    """Per metric of one run: the keys (``case_id#sample``) of the errored rows its ``where:``
    keeps (``selected``) and of those its kind counted anyway (``counted``: a rate of ``error``
    counts them), filled while the run's rows stream past; with ``groupings`` (the metrics whose
    groups are compared, by name: the spec whose ``by:`` gives a row's group), each selected
    row's group (``group_of``: None where its ``by:`` gives none, as on a scorer's field)."""

    wheres: dict[str, str | None]
    selected: dict[str, set[str]] = field(default_factory=dict)
    counted: dict[str, set[str]] = field(default_factory=dict)
    groupings: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_of: dict[str, dict[str, str | None]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    """Every case with a row whose request errored, whatever the metrics select."""
    unread: dict[str, set[str]] = field(default_factory=dict)
    """Per metric: the keys of the errored rows its ``where:`` could not be read on (null, or
    an expression that fails on the row), so not known to be of the metric or not."""

    @classmethod
    def of(
        cls,
        metrics: dict[str, dict[str, Any]],
        groupings: dict[str, dict[str, Any]] | None = None,
    ) -> ErroredTally:
        wheres: dict[str, str | None] = {}
        for name, metric in metrics.items():
            spec = metric.get("spec") if isinstance(metric, dict) else None
            where = spec.get("where") if isinstance(spec, dict) else None
            wheres[name] = where if isinstance(where, str) else None
        grouped = {n: g for n, g in (groupings or {}).items() if n in wheres and g}
        return cls(
            wheres,
            {n: set() for n in wheres},
            {n: set() for n in wheres},
            grouped,
            {n: {} for n in grouped},
            unread={n: set() for n in wheres},
        )

    def see(self, row: dict[str, Any]) -> None:
        """Note ``row`` under each metric that selects it, if its request errored."""
        if row.get("error") is None:
            return
        key = case_key(row.get("case_id"), row.get("sample", 0))
        self.failed.add(str(row.get("case_id")))
        for name, where in self.wheres.items():
            holds = True if where is None else _holds(where, row)
            if holds is False:  # left out by the filter, as an answered row would be
                continue
            (self.selected if holds else self.unread)[name].add(key)
            if name in self.groupings:
                self.group_of[name][key] = group_key(self.groupings[name], row)

    def saw_counted(self, name: str, row: dict[str, Any]) -> None:
        """Note that metric ``name`` counted ``row`` (a value of it), if its request errored."""
        if row.get("error") is not None and name in self.counted:
            self.counted[name].add(case_key(row.get("case_id"), row.get("sample", 0)))

    def left_out(self, name: str, valued_cases: set[str], of_cases: int) -> dict[str, int]:
        """``{"cases", "rows", "of_cases"}``: the errored rows metric ``name`` selected and did
        not count, and the cases left with no value at all for it (``valued_cases``: those
        with one) of the run's ``of_cases``."""
        rows = self.selected.get(name, set()) - self.counted.get(name, set())
        return _counts(rows, valued_cases, of_cases)

    def unread_left_out(
        self, name: str, valued_cases: set[str], of_cases: int
    ) -> dict[str, int] | None:
        """``left_out`` of the errored rows metric ``name``'s ``where:`` could not be read
        on (``unread``); None for a metric without a ``where:``."""
        if self.wheres.get(name) is None:
            return None
        rows = self.unread.get(name, set()) - self.counted.get(name, set())
        return _counts(rows, valued_cases, of_cases)

    def group_left_out(self, name: str, group: str, valued_cases: set[str]) -> dict[str, int]:
        """``left_out`` within ``group`` of metric ``name`` (``valued_cases``: the group's cases
        with a value): its errored rows in that group, and ``of_cases`` the group's cases that
        have a value or such a row. An errored row whose group is unknown (a ``by:`` that reads
        the answer) is in no group, so it is counted in the metric's own figures only."""
        return self._in_group(self.selected, name, group, valued_cases)

    def group_unread_left_out(
        self, name: str, group: str, valued_cases: set[str]
    ) -> dict[str, int] | None:
        """``group_left_out`` of the errored rows the ``where:`` could not be read on
        (``unread``); None for a metric without a ``where:``."""
        if self.wheres.get(name) is None:
            return None
        return self._in_group(self.unread, name, group, valued_cases)

    def _in_group(
        self, keys: dict[str, set[str]], name: str, group: str, valued_cases: set[str]
    ) -> dict[str, int]:
        """The counts of ``keys[name]``'s uncounted rows in ``group``, of the group's cases
        that have a value or such a row."""
        groups = self.group_of.get(name, {})
        rows = {
            key
            for key in keys.get(name, set()) - self.counted.get(name, set())
            if groups.get(key) == group
        }
        errored_cases = {_case_of(key) for key in rows}
        return _counts(rows, valued_cases, len(valued_cases | errored_cases))


def _holds(where: str, row: dict[str, Any]) -> bool | None:
    """Whether ``where`` keeps ``row``; None where it cannot be read on it (null: it reads a
    field the errored row lacks), as the engine counts no row its filter gives null on."""
    try:
        value = evaluate(where, row)
    except Exception:  # the engine would not have counted a row its filter fails on either
        return None
    return None if value is None else bool(value)


def _counts(rows: set[str], valued_cases: set[str], of_cases: int) -> dict[str, int]:
    """``{"cases", "rows", "of_cases"}``: ``rows``, and their cases with no value at all."""
    cases = {_case_of(key) for key in rows} - valued_cases
    return {"cases": len(cases), "rows": len(rows), "of_cases": of_cases}


def _case_of(key: str) -> str:
    return split_case_key(key)[0]


def errored_note(left_out: dict[str, dict[str, int] | None]) -> str | None:
    """The metric's note for ``left_out`` (per role, ``ErroredTally.left_out``), or None where
    neither run left out an errored request."""
    parts = _parts(left_out)
    if not parts:
        return None
    return (
        "requests errored, so these are left out of the test (a failed request has no "
        f"answer to compare): {parts}"
    )


UNREAD_REASON = "request errored; the where: filter could not be read"
"""Why an errored row a metric's ``where:`` gives null on is left out (``unread_note``)."""


def unread_note(left_out: dict[str, dict[str, int] | None]) -> str | None:
    """The metric's note for ``left_out`` (per role, ``ErroredTally.unread_left_out``), or
    None where neither run has an errored row its ``where:`` could not be read on."""
    parts = _parts(left_out)
    if not parts:
        return None
    return (
        f"{UNREAD_REASON} (it reads the answer or a scorer's field, which a failed request "
        "does not have), so whether these belong to the metric is unknown and they are left "
        f"out of the test: {parts}"
    )


def _parts(left_out: dict[str, dict[str, int] | None]) -> str:
    """``k of N cases in the R run (r errored rows)`` for each run with rows, joined."""
    parts: list[str] = []
    for role in ROLES:
        counts = left_out.get(role)
        if not counts or not counts["rows"]:
            continue
        text = f"{counts['cases']} of {counts['of_cases']} cases in the {role} run"
        if counts["rows"] != counts["cases"]:  # several samples a case, or some answered
            text += f" ({counts['rows']} errored rows)"
        parts.append(text)
    return "; ".join(parts)
