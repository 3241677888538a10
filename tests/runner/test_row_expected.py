"""A row's expectations are what ``model_dump(exclude_none=True, exclude_defaults=True)`` gives,
also where the run skips the dump (no expectation set)."""

from __future__ import annotations

from typing import Any

import pytest

from assurance_harness.datatypes import Expectations
from assurance_harness.runner.run import _expected


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"must_refuse": True},
        {"must_refuse": False},
        {"must_refuse": None},
        {"answer": 0},
        {"must_contain": []},
        {"must_contain": ["x"]},
        {"tone": None},
        {"tone": "calm"},
        {"must_not_mention": ["a"], "label": 2},
    ],
)
def test_expected_equals_the_dump(given: dict[str, Any]) -> None:
    expected = Expectations.model_validate(given)
    assert _expected(expected) == expected.model_dump(exclude_none=True, exclude_defaults=True)


def test_an_expectation_changed_after_validation_is_dumped() -> None:
    expected = Expectations()
    expected.must_contain.append("late")
    assert _expected(expected) == {"must_contain": ["late"]}
