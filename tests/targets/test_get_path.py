"""``get_path`` (response and field paths of the replay and HTTP targets): dicts, other
mappings, list indexes, and a missing or wrong step a KeyError."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType

import pytest

from assurance_harness.targets._messages import get_path


def test_paths_through_dicts_mappings_and_lists() -> None:
    data = {"output": {"choices": [{"text": "a"}, {"text": "b"}]}, "n": None}
    assert get_path(data, "output.choices.1.text") == "b"
    assert get_path(data, "n") is None
    assert get_path(data, "") is data
    assert get_path(OrderedDict(x=MappingProxyType({"y": 1})), "x.y") == 1
    assert get_path([["z"]], "0.0") == "z"


@pytest.mark.parametrize(
    "path", ["missing", "output.choices.2.text", "output.choices.x", "output.choices.0.text.more"]
)
def test_a_missing_step_is_a_key_error(path: str) -> None:
    data = {"output": {"choices": [{"text": "a"}]}}
    with pytest.raises(KeyError):
        get_path(data, path)
