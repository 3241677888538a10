"""What the expression checker keeps of a suite's cases (``spec.exprcheck.CaseValues``): the
same names and types as from every value, held in memory that does not grow with the cases
(issue 15: a run's memory must not grow with its size; the loader gathers these values for
every case of a dataset of a million)."""

from __future__ import annotations

import tracemalloc
from typing import Any

from assurance_harness.datatypes import Case
from assurance_harness.metrics.exprtypes import Type
from assurance_harness.spec.exprcheck import CaseValues, expression_names


def _type_from_every_value(values: list[Any], name: str) -> Type:
    """The checker's rule as it was written over a list of every case's value (the reference)."""
    present = [v for v in values if v is not None]
    if not present:  # null in every case that has the key: null on every row
        return Type("null", name=name)
    if all(isinstance(v, bool) for v in present):
        return Type("bool", name=name)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return Type("number", name=name)
    if all(isinstance(v, str) for v in present):
        return Type("label", choices=frozenset(present), name=name)
    if all(isinstance(v, dict) for v in present):
        return Type("mapping", closed=False, name=name, kind_of=name)
    if all(isinstance(v, list) for v in present):
        return Type("list", name=name)
    texts = [v for v in present if isinstance(v, str)]
    if texts and all(isinstance(v, str | int | float) for v in present):
        # text beside numbers or true/false: refused where read (``Type.mixed``)
        scalars = {
            "true/false" if isinstance(v, bool) else "a number"
            for v in present
            if not isinstance(v, str)
        }
        mixed = f"text in some cases ({texts[0]!r}) and {' or '.join(sorted(scalars))} in others"
        return Type("any", name=name, mixed=mixed)
    return Type("any", name=name)


MIXES: dict[str, list[Any]] = {
    "bools": [True, False, None, True],
    "ints_and_floats": [1, 2.5, None, 0],
    "bool_among_numbers": [1, True, 2.0],
    "labels": ["fr", "en", None, "fr"],
    "label_and_number": ["fr", 3],
    "mappings": [{"a": 1}, None, {}],
    "lists": [[1], [], None],
    "mapping_and_list": [{"a": 1}, [1]],
    "only_nulls": [None, None],
    "other": [1.5, b"bytes"],
}


def _cases(values: dict[str, list[Any]]) -> list[Case]:
    longest = max(len(v) for v in values.values())
    cases = []
    for i in range(longest):
        meta = {k: v[i] for k, v in values.items() if i < len(v)}
        cases.append(Case(id=f"c{i}", prompt="p", metadata=meta, expected=dict(meta)))
    return cases


def test_each_key_has_the_type_every_value_gave_it() -> None:
    names = expression_names([], CaseValues.of(_cases(MIXES), ids=True))
    for key, values in MIXES.items():
        for prefix in ("meta", "expected"):
            got = names[prefix].members[key]  # type: ignore[index]
            assert got == _type_from_every_value(values, f"{prefix}.{key}"), (prefix, key)
    assert names["case_id"].choices == frozenset(f"c{i}" for i in range(4))


def _held_bytes(n: int) -> int:
    """Memory a CaseValues holds after n cases with a number, a bool, a mapping and a label of
    three values each."""
    cases = (
        Case(
            id=f"case-{i}",
            prompt="p",
            metadata={
                "score": i * 0.5,
                "flag": i % 2 == 0,
                "extra": {"i": i},
                "lang": "abc"[i % 3],
            },
        )
        for i in range(n)
    )
    tracemalloc.start()
    try:
        values = CaseValues(ids=False)
        for case in cases:
            values.add(case)
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert values is not None
    return held


def test_memory_does_not_grow_with_the_cases() -> None:
    small, large = _held_bytes(1_000), _held_bytes(8_000)
    assert large - small < 4_000, (small, large)  # was ~80 B a case: 560 kB more


def test_strata_past_the_cap_are_not_checked() -> None:
    """A stratum key with a value per case gathers no more than ``STRATA_CAP`` strata: past it
    the check gives up (no refusal) instead of growing with the cases."""
    from assurance_harness.spec.strata import STRATA_CAP, StratumGroups

    groups = StratumGroups("axis", "g")
    for i in range(STRATA_CAP):
        groups.add({"axis": f"s{i}", "g": "one"})
    assert len(groups.single()) == STRATA_CAP  # every stratum so far holds one group
    groups.add({"axis": "past the cap", "g": "one"})
    assert groups.single() == [] and groups.counts is None


def test_groups_past_the_cap_are_not_checked() -> None:
    """A group per case (no stratum) is counted up to ``CELLS_CAP`` groups, then given up."""
    from assurance_harness.spec.strata import CELLS_CAP, StratumGroups

    groups = StratumGroups(None, "g")
    for i in range(CELLS_CAP):
        groups.add({"g": f"g{i}"})
    assert groups.counts is not None and len(groups.counts[""]) == CELLS_CAP
    groups.add({"g": "past the cap"})
    assert groups.counts is None


def test_pairs_are_held_only_until_their_stratum_has_enough() -> None:
    """A stratum's pair keys are dropped once a group has ``min_pairs``: more cases only add
    pairs, so a dataset in the usual order holds almost none."""
    from assurance_harness.spec.strata import StratumPairs

    pairs = StratumPairs("axis", "t", "g", None, 2)
    for i in range(1_000):
        pairs.add({"axis": "x", "t": f"t{i}", "g": "a"})
    assert pairs.held == 1_000 and pairs.short() == {"x": None}
    pairs.add({"axis": "x", "t": "t0", "g": "b"})
    assert pairs.short() == {"x": ("a", 1)}  # a and b tie: the first by name
    pairs.add({"axis": "x", "t": "t1", "g": "b"})
    assert pairs.held == 0 and pairs.short() == {}


def test_pairs_past_the_cap_are_not_checked() -> None:
    from assurance_harness.spec.strata import PAIRS_CAP, StratumPairs

    pairs = StratumPairs(None, "t", "g", "ref", 1)
    for i in range(PAIRS_CAP):
        pairs.add({"t": f"t{i}", "g": "a"})
    assert pairs.short() == {"": None}
    pairs.add({"t": "past the cap", "g": "a"})
    assert pairs.short() is None
