"""Seeded random suites for the oracle: a callable target that answers each case's scripted
replies (or fails the request where the script says ``null``), two cheap offline scorers, and
every basic metric kind with ``where``, ``by`` and gates on the point or a bound (one side or
both, every group or the overall figure only)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import recompute as rc
from .correction import corrected_rate

TARGET_MODULE = """\
from assurance_harness.targets.base import ClientError


def respond(metadata, sample):
    reply = metadata["replies"][sample]
    if reply is None:
        raise ClientError("scripted failure")
    return reply
"""

kw = rc.scored("kw", "matched")
words = rc.scored("len", "words")


def group_of(row: rc.Row) -> object:
    return (row.get("metadata") or {}).get("group")


def words_over_ten(row: rc.Row) -> float | None:
    value = words(row)
    return None if value is None else value / 10


@dataclass
class MetricPlan:
    """A metric as the suite writes it, and the oracle's own computation of it."""

    spec: dict[str, object]
    oracle: Callable[[list[rc.Row]], rc.Figure]
    unit: bool  # the figure lies in [0, 1] (thresholds drawn there)


def _reply(rng: random.Random, p_yes: float, p_error: float) -> str | None:
    if rng.random() < p_error:
        return None
    length = rng.randint(1, 9)
    if rng.random() < p_yes:
        return " ".join(["yes"] + ["no"] * (length - 1))
    return " ".join(["no"] * length)


def _plans(
    rng: random.Random, groups: set[str], counts: dict[object, dict[object, int]]
) -> list[MetricPlan]:
    """The metrics of a suite whose cases hold ``groups``, ``counts`` of them in each stratum
    (a disparity the cases leave without a figure is refused by ``validate``: ``_measurable``)."""
    q = rng.choice([0.25, 0.5, 0.9])
    where_long = rng.random() < 0.5

    def selected(rows: list[rc.Row]) -> list[rc.Row]:
        if not where_long:
            return rows
        return [r for r in rows if words(r) is not None and words(r) > 1]

    def with_groups(
        compute: Callable[[list[rc.Row]], rc.Figure], *, filtered: bool = False
    ) -> Callable:
        """``filtered``: the metric has the plan's ``where`` (``selected``)."""

        def run(rows: list[rc.Row]) -> rc.Figure:
            kept = selected(rows) if filtered else rows
            figure = compute(kept)
            figure.groups, figure.no_group = rc.by_group(kept, group_of, compute)
            # A group of the cases whose every row the where on the answers left out is a
            # group without data (docs/FORMATS.md), not a group the run never had.
            for row in rows:
                name = group_of(row)
                if name is not None and str(name) not in figure.groups:
                    figure.groups[str(name)] = compute([])
            figure.groups = dict(sorted(figure.groups.items()))
            return figure

        return run

    rate_yes: dict[str, object] = {"id": "yes_rate", "rate": "kw.matched", "by": "meta.group"}
    if where_long:
        rate_yes["where"] = "len.words > 1"
    plans = [
        MetricPlan(
            rate_yes,
            with_groups(lambda part: rc.rate(part, kw), filtered=True),
            True,
        ),
        MetricPlan(
            {"id": "long_rate", "rate": "len.words >= 3"},
            lambda rows: rc.rate(rows, lambda r: None if words(r) is None else words(r) >= 3),
            True,
        ),
        MetricPlan({"id": "yes_mean", "mean": "kw.matched"}, lambda rows: rc.mean(rows, kw), True),
        MetricPlan(
            {"id": "frac_mean", "mean": "len.words / 10"},
            lambda rows: rc.mean(rows, words_over_ten),
            True,
        ),
        MetricPlan(
            {"id": "words_mean", "mean": "len.words", "by": "meta.group"},
            with_groups(lambda part: rc.mean(part, words)),
            False,
        ),
        MetricPlan(
            {"id": "words_q", "quantile": {"expr": "len.words", "q": q}},
            lambda rows: rc.quantile(rows, words, q),
            False,
        ),
    ]
    if len(groups) >= 2:
        plans.append(
            MetricPlan(
                {
                    "id": "yes_gap",
                    "disparity": {"value": "kw.matched", "by": "meta.group", "statistic": "rate"},
                },
                lambda rows: rc.disparity_gap(rows, kw, group_of, rate=True),
                True,
            )
        )
        plans.append(
            MetricPlan(
                {"id": "words_gap", "disparity": {"value": "len.words", "by": "meta.group"}},
                lambda rows: rc.disparity_gap(rows, words, group_of, rate=False),
                False,
            )
        )
        plans += [p for p in _disparity_forms() if _measurable(counts, _kind_of(p))]
    plans.append(_corrected(rng))
    return plans


def _corrected(rng: random.Random) -> MetricPlan:
    """``rate`` with ``scorer_error:``, the error measured on a drawn number of examples."""
    error = {
        "sensitivity": rng.choice([0.7, 0.8, 0.9]),
        "positives": rng.choice([10, 40]),
        "specificity": rng.choice([0.9, 0.95]),
        "negatives": rng.choice([20, 100]),
    }
    return MetricPlan(
        {"id": "yes_corrected", "rate": {"expr": "kw.matched", "scorer_error": error}},
        lambda rows: corrected_rate(rows, kw, **error),  # type: ignore[arg-type]
        True,
    )


def stratum_of(row: rc.Row) -> object:
    return (row.get("metadata") or {}).get("stratum")


def _measurable(counts: dict[object, dict[object, int]], params: dict[str, object]) -> bool:
    """Whether a disparity's cases give it two groups of ``min_group_size`` cases or more (in
    every stratum, ``counts``, with ``within``): ``validate`` refuses it otherwise
    (``spec.strata``), since no run could give it a figure."""
    least = params.get("min_group_size", 1)
    assert isinstance(least, int)
    merged: dict[object, int] = {}
    for groups in counts.values():
        for group, n in groups.items():
            merged[group] = merged.get(group, 0) + n
    strata = list(counts.values()) if "within" in params else [merged]
    return all(sum(n >= least for n in groups.values()) >= 2 for groups in strata)


def _kind_of(plan: MetricPlan) -> dict[str, object]:
    """The parameters of the plan's disparity (empty for another kind)."""
    spec = plan.spec.get("disparity")
    return spec if isinstance(spec, dict) else {}


def _disparity_forms() -> list[MetricPlan]:
    """``disparity`` as a ratio, relative to the overall figure, and within strata."""
    return [
        MetricPlan(
            {
                "id": "words_ratio",
                "disparity": {"value": "len.words", "by": "meta.group", "method": "ratio"},
            },
            lambda rows: rc.disparity(rows, words, group_of, rate=False, ratio=True),
            True,
        ),
        MetricPlan(
            {
                "id": "yes_overall",
                "disparity": {
                    "value": "kw.matched",
                    "by": "meta.group",
                    "statistic": "rate",
                    "relative_to": "overall",
                },
            },
            lambda rows: rc.disparity(rows, kw, group_of, rate=True, to_overall=True),
            True,
        ),
        MetricPlan(
            {
                "id": "yes_ratio_overall",
                "disparity": {
                    "value": "kw.matched",
                    "by": "meta.group",
                    "statistic": "rate",
                    "method": "ratio",
                    "relative_to": "overall",
                    "min_group_size": 2,
                },
            },
            lambda rows: rc.disparity(
                rows, kw, group_of, rate=True, ratio=True, to_overall=True, min_group_size=2
            ),
            True,
        ),
        MetricPlan(
            {
                "id": "words_within",
                "disparity": {"value": "len.words", "by": "meta.group", "within": "meta.stratum"},
            },
            lambda rows: rc.disparity_within(
                rows,
                stratum_of,
                lambda part: rc.disparity(part, words, group_of, rate=False),
                ratio=False,
            ),
            False,
        ),
        MetricPlan(
            {
                "id": "words_ratio_within",
                "disparity": {
                    "value": "len.words",
                    "by": "meta.group",
                    "within": "meta.stratum",
                    "method": "ratio",
                    "min_group_size": 2,
                },
            },
            lambda rows: rc.disparity_within(
                rows,
                stratum_of,
                lambda part: rc.disparity(
                    part, words, group_of, rate=False, ratio=True, min_group_size=2
                ),
                ratio=True,
            ),
            True,
        ),
    ]


def gates_for(rng: random.Random, plans: list[MetricPlan]) -> list[dict[str, object]]:
    """A gate on every metric: ``max`` or ``min`` (now and then both) on the point or a bound,
    now and then with ``each_group: false`` (the overall figure only)."""
    gates: list[dict[str, object]] = []
    for plan in plans:
        threshold = round(rng.random(), 2) if plan.unit else float(rng.randint(1, 8))
        side = "max" if rng.random() < 0.5 else "min"
        if plan.unit and side == "min" and threshold == 0:
            threshold = 0.01
        gate: dict[str, object] = {"metric": plan.spec["id"], side: threshold}
        if rng.random() < 0.2:  # a band: the other side, on the far side of the first
            other = "min" if side == "max" else "max"
            gate[other] = round(threshold * (0.5 if other == "min" else 1.5), 2)
        gate["bound"] = rng.choice(["point", "upper", "lower"])
        if rng.random() < 0.25:
            gate["each_group"] = False
        gates.append(gate)
    return gates


@dataclass
class Plan:
    """A generated suite: its YAML (JSON is YAML) and the oracle's metrics."""

    suite: dict[str, object]
    metrics: list[MetricPlan]

    def write(self, folder: Path) -> tuple[Path, Path]:
        # One module name per suite: a process holds one module per name (the callable target
        # refuses a second file under a name already imported).
        module = f"oracle_target_{uuid.uuid4().hex}"
        (folder / f"{module}.py").write_text(TARGET_MODULE, encoding="utf-8")
        target = folder / "target.yaml"
        target.write_text(
            json.dumps(
                {
                    "type": "callable",
                    "name": "oracle",
                    "function": f"{module}:respond",
                    "python_path": [str(folder)],
                }
            ),
            encoding="utf-8",
        )
        suite = folder / "suite.yaml"
        suite.write_text(json.dumps(self.suite, indent=1), encoding="utf-8")
        return suite, target


def make_plan(
    seed: int,
    *,
    name: str = "oracle-suite",
    samples: int = 1,
    silent: str | None = None,
    cases: int | None = None,
) -> Plan:
    """One random suite: 1 to 40 cases, groups a/b/c or none, replies all yes, all no or
    mixed, some requests failing, and a gate on every metric. ``silent``: a group every
    request about fails (a content filter refusing prompts that name it)."""
    rng = random.Random(seed)
    n_cases = rng.choice([1, 2, 3, 5, 8, 9, 12, 20, 29, 31, 40])
    p_yes = rng.choice([0.0, 1.0, 0.1, 0.5, 0.9])
    p_error = rng.choice([0.0, 0.0, 0.15])
    names = rng.choice([["a"], ["a", "b"], ["a", "b", "c"]])
    if silent is not None:
        n_cases, names = max(n_cases, 9), ["a", "b", silent]
    n_cases = cases or n_cases
    p_none = rng.choice([0.0, 0.2])
    written = []
    groups: set[str] = set()
    for i in range(n_cases):
        meta: dict[str, object] = {"replies": [_reply(rng, p_yes, p_error) for _ in range(samples)]}
        if rng.random() >= p_none or silent is not None:
            meta["group"] = names[i % len(names)] if silent is not None else rng.choice(names)
            groups.add(str(meta["group"]))
        if silent is not None and meta["group"] == silent:
            meta["replies"] = [None] * samples
        meta["stratum"] = "x" if i % 3 else "y"  # for `within:`; no draw, so seeds keep their cases
        written.append({"id": f"c{i}", "prompt": f"question {i}", "metadata": meta})
    if not groups:  # a `by:` on a key no case has is refused by validate
        written[0]["metadata"]["group"] = "a"  # type: ignore[index]
        groups.add("a")
    counts: dict[object, dict[object, int]] = {}  # stratum -> group -> cases
    for case in written:
        meta = case["metadata"]
        assert isinstance(meta, dict)
        in_stratum = counts.setdefault(meta["stratum"], {})  # a stratum of null groups too
        if meta.get("group") is not None:
            in_stratum[meta["group"]] = in_stratum.get(meta["group"], 0) + 1
    plans = _plans(rng, groups, counts)
    gates = gates_for(rng, plans)
    suite = {
        "suite": name,
        "version": "1.0.0",
        "evidence_for": ["R-001"],
        "samples": samples,
        "max_error_rate": 1.0,
        "cases": written,
        "scorers": [
            {"id": "kw", "use": "contains", "with": {"terms": ["yes"]}},
            {"id": "len", "use": "length"},
        ],
        "metrics": [plan.spec for plan in plans],
        "gates": gates,
    }
    return Plan(suite, plans)
