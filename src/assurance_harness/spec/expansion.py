"""A suite's ``expand:`` run over its cases, within ``MAX_EXPANDED_CASES``, every problem
located in the suite.

An expander raises what it finds as it expands without knowing where it was written: a
problem of the suite's own (its parameters, its cases) names the suite's folder or a field
under ``expand.with``, and is put at that line of the suite; one in a data file it read keeps
that file's place, after the line of the ``expand`` entry.

Each expander says how many cases it will make (``Expander.count``) before it makes them, so a
suite that would make millions (or billions) is one located line at ``validate``, stating the
count and the limit, not minutes of work and gigabytes of memory. An expander that does not
count (a plugin's) is checked on what it made.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from ..datatypes import Case
from ..errors import ConfigError, ConfigIssue, HarnessError
from ..expand import base
from ..expand.base import CaseError, Expander
from ..store.yaml_lines import LineOf
from .caseids import CaseOrigins
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
    origins: CaseOrigins | None = None,
) -> tuple[Sequence[Case], list[ConfigIssue]]:
    """The cases after each expander in turn (``(index in expand:, expander)``), or the
    problem that stopped them (the cases then are those before it). ``origins``: where
    ``cases`` were written, so that a problem in one of them (``CaseError``) names its file and
    line."""
    written = cases
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
        except CaseError as exc:
            return cases, [_at_case(exc, written, origins, index, expander, source, line_of)]
        except ConfigError as exc:
            return cases, [_in_suite(i, index, expander, source, line_of) for i in exc.issues]
        except HarnessError as exc:
            where = f"{format_path(loc)} ({expander.name})"
            return cases, [ConfigIssue(source, line_of(loc), where, str(exc))]
        except ValidationError as exc:
            where = f"{format_path(loc)} ({expander.name})"
            return cases, [ConfigIssue(source, line_of(loc), where, _made_invalid(exc))]
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


def _at_case(
    exc: CaseError,
    written: Sequence[Case],
    origins: CaseOrigins | None,
    index: int,
    expander: Expander,
    source: str,
    line_of: LineOf,
) -> ConfigIssue:
    """A problem in one input case, at the line where it was written; at the ``expand`` entry
    when that is not known (a case an earlier expander made, with an id of its own)."""
    issue = exc.issues[0]
    where = f"{format_path(('expand', index))} ({expander.name})"
    position = next((i for i, case in enumerate(written) if case.id == exc.case_id), None)
    origin = origins.locate([position]).get(position) if origins and position is not None else None
    if origin is None:
        return ConfigIssue(source, line_of(("expand", index)), where, issue.message, issue.hint)
    return ConfigIssue(origin.path, origin.line, origin.field or where, issue.message, issue.hint)


def _made_invalid(exc: ValidationError) -> str:
    """An expander made a case the ``Case`` model refuses: its data put a name holding a control
    or an invisible character (``datatypes.key_text``) into an id (a counterfactual group's
    name), or a plugin built a case wrongly. The field and the value are named (``repr``: such
    a character escaped where printed), so the name in the data is found."""
    first = exc.errors()[0]
    field = format_path(tuple(first.get("loc", ()))) or "case"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    value = first.get("input")
    shown = f" {value!r}" if isinstance(value, str) else ""
    return f"a case it made has an invalid {field}{shown}: {message}"


def _in_suite(
    issue: ConfigIssue, index: int, expander: Expander, source: str, line_of: LineOf
) -> ConfigIssue:
    """An expander's problem at the suite's line (see the module's docstring)."""
    field = issue.field or ""
    if issue.path == str(expander.base_dir) or field.startswith("expand.with"):
        parts = field.split(".")[1:] if field.startswith("expand.with") else []
        loc: tuple[str | int, ...] = ("expand", index, *parts)
        return ConfigIssue(source, line_of(loc), format_path(loc), issue.message, issue.hint)
    loc = ("expand", index)
    return ConfigIssue(source, line_of(loc), f"{format_path(loc)} ({expander.name})", str(issue))
