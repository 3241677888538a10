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
        )

    def see(self, row: dict[str, Any]) -> None:
        """Note ``row`` under each metric that selects it, if its request errored."""
        if row.get("error") is None:
            return
        key = case_key(row.get("case_id"), row.get("sample", 0))
        self.failed.add(str(row.get("case_id")))
        for name, where in self.wheres.items():
            if where is None or _holds(where, row):
                self.selected[name].add(key)
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
        cases = {_case_of(key) for key in rows} - valued_cases
        return {"cases": len(cases), "rows": len(rows), "of_cases": of_cases}

    def group_left_out(self, name: str, group: str, valued_cases: set[str]) -> dict[str, int]:
        """``left_out`` within ``group`` of metric ``name`` (``valued_cases``: the group's cases
        with a value): its errored rows in that group, and ``of_cases`` the group's cases that
        have a value or such a row. An errored row whose group is unknown (a ``by:`` that reads
        the answer) is in no group, so it is counted in the metric's own figures only."""
        groups = self.group_of.get(name, {})
        rows = {
            key
            for key in self.selected.get(name, set()) - self.counted.get(name, set())
            if groups.get(key) == group
        }
        errored_cases = {_case_of(key) for key in rows}
        cases = errored_cases - valued_cases
        of_cases = len(valued_cases | errored_cases)
        return {"cases": len(cases), "rows": len(rows), "of_cases": of_cases}


def _holds(where: str, row: dict[str, Any]) -> bool:
    try:
        return bool(evaluate(where, row))
    except Exception:  # the engine would not have counted a row its filter fails on either
        return False


def _case_of(key: str) -> str:
    return split_case_key(key)[0]


def errored_note(left_out: dict[str, dict[str, int] | None]) -> str | None:
    """The metric's note for ``left_out`` (per role, ``ErroredTally.left_out``), or None where
    neither run left out an errored request."""
    parts: list[str] = []
    for role in ROLES:
        counts = left_out.get(role)
        if not counts or not counts["rows"]:
            continue
        text = f"{counts['cases']} of {counts['of_cases']} cases in the {role} run"
        if counts["rows"] != counts["cases"]:  # several samples a case, or some answered
            text += f" ({counts['rows']} errored rows)"
        parts.append(text)
    if not parts:
        return None
    return (
        "requests errored, so these are left out of the test (a failed request has no "
        f"answer to compare): {'; '.join(parts)}"
    )
