"""A group value under a key no placeholder can name (``first-name``: a placeholder is letters,
digits and underscores) is refused where the key is written: ``{first-name}`` in a template is
no placeholder, so it was sent to every group as written, braces and all, while ``validate``
said the suite was valid and the groups were compared on the placeholders that did fill."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assurance_harness.errors import ConfigError
from assurance_harness.expand.counterfactual import CounterfactualExpander, load_groups

GROUPS = {
    "girl": {"first-name": "Mary", "pronoun": "she"},
    "boy": {"first-name": "John", "pronoun": "he"},
}


def test_inline_axes_with_a_key_no_placeholder_can_name_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        CounterfactualExpander.parse_params({"axes": {"gender": {"groups": GROUPS}}})
    message = str(info.value)
    assert "'first-name'" in message and "girl" in message, message
    assert "first_name" in message, message  # the name that would work


def test_a_groups_file_with_such_a_key_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "name: g\nversion: '1'\naxes:\n  gender:\n    groups:\n"
        "      girl: {first-name: Mary}\n      boy: {first-name: John}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_groups(path)
    message = str(info.value)
    assert str(path) in message and "'first-name'" in message, message
    assert "axes.gender.groups" in message, message


def test_placeholder_names_still_load() -> None:
    groups = {"a": {"person": "a girl", "pronoun_2": "she"}, "b": {"person": "a boy"}}
    params = CounterfactualExpander.parse_params({"axes": {"g": {"groups": groups}}})
    assert params.axes is not None and set(params.axes["g"].groups) == {"a", "b"}
