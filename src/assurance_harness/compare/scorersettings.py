"""Which scorers a recorded metric reads, and whether two runs set those scorers alike: one
metric text over a scorer given another threshold, pattern, model or version measures another
thing, as another expression does (``compare`` does not test it, ``trend`` does not draw it)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..metrics.expr import ExpressionError, names_read
from ..scorers.configured import configured

SHOWN_CHANGES = 3
"""Changed settings a line names, before "and N more"."""

Settings = dict[str, dict[str, Any]]
"""Scorer id -> its recorded description, as flat ``path -> value`` (``setting_paths``)."""


def changed_scorers(
    metric: Mapping[str, Any], runs: tuple[Mapping[str, Any], Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """What changed, between two runs (their manifest.json mappings), in the scorers a metric
    (of one definition in both) reads: ``(lines for those its figure reads, lines for those
    only its groups read)``, each ``scorer_changes``' line. Empty where either run records no
    scorer settings (an older run): no change is claimed that cannot be seen."""
    before, after = scorer_settings(runs[0]), scorer_settings(runs[1])
    recorded = [_recorded(r) for r in runs]
    figure, groups = metric_scorers(metric, set(before) | set(after))
    figure = with_inputs(figure, recorded)
    groups = with_inputs(groups, recorded) - figure
    return scorer_changes(figure, before, after), scorer_changes(groups, before, after)


def _recorded(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest's ``scorers`` mapping; empty where it has none, or not a mapping."""
    scorers = manifest.get("scorers")
    return scorers if isinstance(scorers, dict) else {}


def scorer_settings(manifest: Mapping[str, Any]) -> Settings:
    """Each scorer's recorded description in a run's manifest.json (``scorers.<id>``: name,
    version, params and what the scorer adds), flattened; empty where the run records none (a
    run of an older version): nothing to tell alike or not, so no change is ever claimed."""
    return {
        str(sid): dict(setting_paths(info))
        for sid, info in _recorded(manifest).items()
        if isinstance(info, dict)
    }


def setting_paths(info: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """A description as ``(dotted path, value)`` leaves (a list is one leaf), less what counts
    the run's own work (``scorers.configured``): compared leaf by leaf, a setting one run
    records and the other does not (a parameter an older version had not) is no change."""
    for key, value in configured(info).items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from setting_paths(value, f"{path}.")
        else:
            yield path, value


def metric_scorers(metric: Mapping[str, Any], scorer_ids: set[str]) -> tuple[set[str], set[str]]:
    """The ``scorer_ids`` a recorded metric reads: ``(read by its figure, read only by its
    groups)``. The figure reads its kind's expressions and ``where:``; the groups ``by:``,
    which changes the groups, never the figure (``measures.SAME_MEASURE_KEYS``). Names come from
    the expression reader's own list (``metrics.expr.names_read``)."""
    spec = metric.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    figure = _names(_figure_expressions(metric.get("kind"), spec)) & scorer_ids
    groups = _names([spec.get("by")]) & scorer_ids
    return figure, groups - figure


def _figure_expressions(kind: Any, spec: Mapping[str, Any]) -> list[Any]:
    """``where:`` and the expressions of the kind's parameters (``MetricKind.expression_roles``);
    for a kind not installed here, every text among its parameters that reads as one."""
    texts: list[Any] = [spec.get("where")]
    params = spec.get(kind) if isinstance(kind, str) else None
    try:
        from .. import builtin_plugins  # noqa: F401 - the built-in kinds, by name
        from ..metrics.base import metric_kinds

        cls = metric_kinds.get(str(kind))
        parsed = cls.parse_params(params)
        return texts + [getattr(parsed, name, None) for name in cls.expression_roles(parsed)]
    except Exception:  # unknown or unloadable kind, or parameters it no longer takes
        return texts + list(_texts(params))


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _names(texts: list[Any]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            try:
                found |= names_read(text)
            except ExpressionError:  # not an expression (a statistic's name): reads nothing
                continue
    return found


def with_inputs(read: set[str], runs: Sequence[Mapping[str, Any]]) -> set[str]:
    """``read`` with the scorers those read in turn, in either run (an expected-behaviour
    scorer's ``refusal_scorer``, another's ``prerequisites``): their settings decide its
    output too. ``runs``: each run's manifest ``scorers`` mapping."""
    found, todo = set(read), list(read)
    while todo:
        sid = todo.pop()
        for recorded in runs:
            for more in _inputs(sid, recorded) - found:
                found.add(more)
                todo.append(more)
    return found


def _inputs(sid: str, recorded: Mapping[str, Any]) -> set[str]:
    """The other scorers of one run that scorer ``sid`` reads, as its class says; none where
    its class cannot be loaded here (a plugin not installed)."""
    info = recorded.get(sid)
    if not isinstance(info, dict) or not isinstance(info.get("name"), str):
        return set()
    try:
        from .. import builtin_plugins  # noqa: F401 - the built-in scorers, by name
        from ..scorers.base import scorers

        cls = scorers.get(info["name"])
        refs = set(cls.scorer_references(cls.parse_params(info.get("params") or {})))
        wanted = set(cls.prerequisites)
    except Exception:  # a plugin not installed, or parameters its version no longer takes
        return set()
    named = {
        str(other)
        for other, o in recorded.items()
        if isinstance(o, dict) and o.get("name") in wanted
    }
    return ((refs | named) & {str(k) for k in recorded}) - {sid}


def scorer_changes(ids: set[str], before: Settings, after: Settings) -> list[str]:
    """For each of ``ids`` whose recorded settings differ in the two runs, ``scorer ID (NAME):
    what changed``; a scorer either run does not record is passed over (an older run)."""
    lines: list[str] = []
    for sid in sorted(ids):
        a, b = before.get(sid), after.get(sid)
        if not a or not b:
            continue
        changed = [p for p in a if p in b and a[p] != b[p]]
        if not changed:
            continue
        shown = [f"{_path(p)} {_value(a[p])} -> {_value(b[p])}" for p in changed[:SHOWN_CHANGES]]
        more = len(changed) - SHOWN_CHANGES
        name = b.get("name") if a.get("name") == b.get("name") else None
        lines.append(
            f"scorer {sid}{f' ({name})' if name else ''}: {', '.join(shown)}"
            + (f" and {more} more" if more > 0 else "")
        )
    return lines


def _path(path: str) -> str:
    """A setting's path as the suite writes it: ``use``, ``with.threshold``."""
    if path == "name":
        return "use"
    return "with." + path[len("params.") :] if path.startswith("params.") else path


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
