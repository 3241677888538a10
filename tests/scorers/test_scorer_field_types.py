"""Contract: every built-in scorer declares its output fields with types, and emits exactly them.

``validate`` type-checks metric expressions against these declarations (``tox.toxic`` is an
unknown field, ``tox.toxicity`` is a number, not a condition), so a declaration that drifts from
what the scorer writes would make validate reject good suites or pass bad ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assurance_harness.scorers.base import FIELD_TYPES, scorers

from .test_scorer_contract import TEXTS, _build, _inputs, model_paths  # noqa: F401 (fixture)

BUILTIN = [n for n in scorers.names() if scorers.get(n).__module__.startswith("assurance_harness.")]


def _matches(kind: str, value: Any) -> bool:
    if value is None:
        return True  # any field may be null (the case lacks what it needs)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("label", "text"):
        return isinstance(value, str)
    if kind == "mapping":
        return isinstance(value, dict)
    return isinstance(value, list)


@pytest.mark.parametrize("name", BUILTIN)
def test_declares_a_type_for_every_described_field(name: str) -> None:
    cls = scorers.get(name)
    assert cls.field_types, f"scorer '{name}' declares no field_types"
    described = {f for f in cls.fields if not f.startswith("<")}
    assert set(cls.field_types) == described
    assert set(cls.field_types.values()) <= set(FIELD_TYPES)
    for label_field in cls.field_labels:
        assert cls.field_types[label_field] == "label"


@pytest.mark.parametrize("name", BUILTIN)
def test_emits_exactly_the_declared_fields_with_their_types(
    name: str,
    model_paths: dict[str, Path],  # noqa: F811 (the contract tests' fixture)
) -> None:
    scorer = _build(name, model_paths)
    cls = type(scorer)
    declared = cls.output_fields(scorer.params)
    assert declared is not None
    assert cls.open_field_type(scorer.params) is None, "the tiny model's labels are readable"
    rows = scorer.score(_inputs(TEXTS))
    for row in rows:
        assert set(row) == set(declared), f"emitted {sorted(row)} but declared {sorted(declared)}"
        for field, kind in declared.items():
            assert _matches(kind, row[field]), f"{name}.{field}={row[field]!r} is not a {kind}"
            if field in cls.field_labels and row[field] is not None:
                assert row[field] in cls.field_labels[field], (field, row[field])
        # A declared mapping member is on every row (a member absent from one reads null there,
        # and a metric on it drops that row), of its declared type.
        for field, members in cls.output_members(scorer.params).items():
            assert declared[field] == "mapping", field
            if row[field] is None:
                continue
            assert set(members.names) <= set(row[field]), (field, sorted(row[field]))
            for member in members.names:
                assert _matches(members.kind, row[field][member]), (field, member)
