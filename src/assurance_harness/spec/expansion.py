"""A suite's ``expand:`` run over its cases, within ``MAX_EXPANDED_CASES``, every problem
located in the suite.

Each expander says how many cases it will make (``Expander.count``) before it makes them, so a
suite that would make millions (or billions) is one located line at ``validate``, stating the
count and the limit, not minutes of work and gigabytes of memory. An expander that does not
count (a plugin's) is checked on what it made.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..datatypes import Case
from ..errors import ConfigIssue, HarnessError
from ..expand import base
from ..expand.base import Expander
from ..store.yaml_lines import LineOf
from .errors import format_path

TOO_MANY_HINT = (
    "expand fewer cases (a dataset's sample: or limit:), or make fewer of each (operators, "
    "variants, wrappers, groups)"
)


def run_expanders(
    expanders: Sequence[tuple[int, Expander]],
    cases: Sequence[Case],
    source: str,
    line_of: LineOf,
) -> tuple[Sequence[Case], list[ConfigIssue]]:
    """The cases after each expander in turn (``(index in expand:, expander)``), or the
    problem that stopped them (the cases then are those before it)."""
    for index, expander in expanders:
        loc = ("expand", index)
        limit = base.MAX_EXPANDED_CASES
        try:
            counted = expander.count(cases)
            verb = "would make"
            if counted is None or counted <= limit:
                made = expander.expand(list(cases))
                if counted is None:
                    counted, verb = len(made), "made"
        except HarnessError as exc:
            return cases, [ConfigIssue(source, None, f"expand ({expander.name})", str(exc))]
        if counted > limit:
            message = (
                f"{expander.name} {verb} {counted:,} cases; the limit is {limit:,} "
                "(expanded cases are held in memory)"
            )
            return cases, [
                ConfigIssue(source, line_of(loc), format_path(loc), message, TOO_MANY_HINT)
            ]
        cases = made
    return cases, []
