"""``paired`` in its counterfactual form, recomputed by its documented definition (README
"Metrics" table of docs/bias-robustness.md): each group compared with ``reference: null``, the
mean of its pair's groups, groups of fewer than ``min_pairs`` pairs left out, and ``within``
strata, over a seeded suite of templates answered for the groups of two axes, some requests
failing and some templates holding a value no delta can be taken of (text)."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from . import recompute as rc
from .generate import MetricPlan, Plan, gates_for

words = rc.scored("len", "words")
AXES = {"gender": ("base", "f", "m"), "age": ("base", "young", "old")}
"""Two axes, each with the group ``base`` (a template with no group named) as a reference."""


def meta(key: str) -> rc.Getter:
    return lambda row: (row.get("metadata") or {}).get(key)


def _number(raw: object) -> float | None:
    """A value a delta is taken of (true/false as 1/0); None where missing or not finite."""
    return rc.finite(raw)


def _wrong_kind(raw: object) -> bool:
    """Text, a list or a mapping: no number, and not missing (docs/FORMATS.md: a metric over
    such a value has no figure rather than one that skipped it)."""
    return raw is not None and not isinstance(raw, bool | int | float)


def paired(
    rows: list[rc.Row],
    value: rc.Getter,
    pair_by: rc.Getter,
    group: rc.Getter,
    *,
    reference: str | None,
    min_pairs: int = 1,
) -> rc.Figure:
    """Each pair's value per group (its samples averaged); each group's delta from its pair's
    reference group, or (``reference`` None) from the mean of the pair's group values, a pair
    of one group having none; groups with fewer than ``min_pairs`` deltas left out, and no
    figure at all where a group other than the reference has rows but no value on any. Each kept
    group's figure: its mean delta over pairs, with a Student t interval at 1 - alpha / groups
    (none from one pair, or where every delta is the same); the overall figure is the group
    furthest from 0, with its sign; n the rows with a pair key, a group and a value."""
    counted = [
        r for r in rows if pair_by(r) is not None and group(r) is not None and value(r) is not None
    ]
    if any(_wrong_kind(value(r)) for r in counted):
        return rc.Figure(None, 0)
    cells: dict[str, dict[str, list[float]]] = {}
    n = 0
    named = {str(group(r)) for r in rows if pair_by(r) is not None and group(r) is not None}
    valued = {str(group(r)) for r in counted if _number(value(r)) is not None}
    if named - valued - {reference}:  # a group asked about with no value: no figure
        return rc.Figure(None, 0)
    for row in counted:
        v = _number(value(row))
        if v is None:
            continue
        n += 1
        cells.setdefault(str(pair_by(row)), {}).setdefault(str(group(row)), []).append(v)
    deltas: dict[str, list[float]] = {}
    for cell in cells.values():
        means = {g: float(np.mean(v)) for g, v in cell.items()}
        if reference is not None:
            if reference not in means:
                continue
            base = means[reference]
        elif len(means) < 2:
            continue
        else:
            base = float(np.mean(list(means.values())))
        for g, m in means.items():
            if g != reference:
                deltas.setdefault(g, []).append(round(m - base, 12))
    kept = {g: d for g, d in deltas.items() if len(d) >= min_pairs}
    if not kept:
        return rc.Figure(None, 0)
    figure = rc.furthest_delta(kept, n)
    figure.details["max_abs_delta"] = (abs(figure.value or 0.0), 0.0)
    return figure


def within(
    rows: list[rc.Row], stratum: rc.Getter, compute: Callable[[list[rc.Row]], rc.Figure]
) -> rc.Figure:
    """``within``: one figure per stratum (each stratum's furthest group, its groups not
    shown), the overall the furthest from 0 of them (``recompute.within_strata``)."""
    return rc.within_strata(rows, stratum, compute, worst=abs)


def _reply(rng: random.Random, shift: int, p_error: float) -> str | None:
    if rng.random() < p_error:
        return None
    return " ".join(["no"] * max(1, rng.randint(2, 6) + shift))


def make_counterfactual_plan(
    seed: int, *, templates: int, samples: int = 1, silent: str | None = None
) -> Plan:
    """Templates answered for every group of each axis (a group's replies seeded longer or
    shorter), some requests failing; with ``silent``, every request about that axis fails (a
    stratum without a figure: a content filter refusing prompts about age)."""
    rng = random.Random(seed)
    p_error = rng.choice([0.0, 0.1, 0.25])
    shift = {g: rng.choice([-1, 0, 0, 1, 2]) for gs in AXES.values() for g in gs}
    cases = []
    for t in range(templates):
        for axis, names in AXES.items():
            for g in names:
                replies = [_reply(rng, shift[g], p_error) for _ in range(samples)]
                if axis == silent:
                    replies = [None] * samples
                cases.append(
                    {
                        "id": f"t{t}|{axis}={g}",
                        "prompt": f"template {t} about {g}",
                        "metadata": {
                            # One template per axis, as a template the expander fills for
                            # one axis makes: a pair holding groups of two axes compares them
                            # with one another, which validate refuses (``spec.strata``).
                            "template": f"t{t}-{axis}",
                            "axis": axis,
                            "group": g,
                            "replies": replies,
                        },
                    }
                )
    min_pairs = rng.choice([2, max(2, templates - 1)])
    template, group, axis_of = meta("template"), meta("group"), meta("axis")
    plans = [
        MetricPlan(
            {"id": "to_mean", "paired": {"value": "len.words", "group": "meta.group"}},
            lambda rows: paired(rows, words, template, group, reference=None),
            False,
        ),
        MetricPlan(
            {
                "id": "to_mean_min",
                "paired": {"value": "len.words", "reference": None, "min_pairs": min_pairs},
            },
            lambda rows: paired(rows, words, template, group, reference=None, min_pairs=min_pairs),
            False,
        ),
        MetricPlan(
            {"id": "by_axis", "paired": {"value": "len.words", "within": "meta.axis"}},
            lambda rows: within(
                rows,
                axis_of,
                lambda part: paired(part, words, template, group, reference=None),
            ),
            False,
        ),
        MetricPlan(
            {
                "id": "to_f_by_axis",
                "paired": {
                    "value": "len.words",
                    "reference": "base",
                    "within": "meta.axis",
                    "min_pairs": 2,
                },
            },
            lambda rows: within(
                rows,
                axis_of,
                lambda part: paired(part, words, template, group, reference="base", min_pairs=2),
            ),
            False,
        ),
    ]
    suite = {
        "suite": "oracle-counterfactual",
        "version": "1.0.0",
        "evidence_for": ["R-003"],
        "samples": samples,
        "max_error_rate": 1.0,
        "cases": cases,
        "scorers": [{"id": "len", "use": "length"}],
        "metrics": [plan.spec for plan in plans],
        "gates": gates_for(rng, plans),
    }
    return Plan(suite, plans)
