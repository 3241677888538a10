"""A placeholder written with full-width braces (``｛person｝``, as a Japanese or Chinese input
method types them) is no placeholder: the case passed through unexpanded, sent once with the
braces, and compared with no group, while the suite's other templates were expanded and
``validate`` said nothing. It is refused now, as ``{ person }`` with spaces is, naming the
case and what to write."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import Case
from assurance_harness.errors import ConfigError
from assurance_harness.expand.counterfactual import CounterfactualExpander

AXES = {"gender": {"groups": {"girl": {"person": "女の子"}, "boy": {"person": "男の子"}}}}


def _expand(*prompts: str) -> list[Case]:
    expander = CounterfactualExpander(
        CounterfactualExpander.parse_params({"axes": AXES}), seed=0, base_dir=Path(".")
    )
    return expander.expand([Case(id=f"t{i}", prompt=p) for i, p in enumerate(prompts)])


@pytest.mark.parametrize("written", ["｛person｝", "{person｝", "｛ person ｝"])
def test_full_width_braces_around_a_placeholder_name_are_refused(written: str) -> None:
    with pytest.raises(ConfigError) as info:
        _expand("{person}に数学を教えて", f"{written}は数学が得意ですか")
    message = str(info.value)
    assert "'t1'" in message and written in message and "{person}" in message, message


def test_full_width_braces_around_other_text_are_left_alone() -> None:
    cases = _expand("{person}に数学を教えて", "｛注意｝数学が得意ですか")
    assert [c.id for c in cases] == ["t0|gender=girl", "t0|gender=boy", "t1"]
