"""A comparison of counterfactual groups without ``within:`` where the cases give groups of
two axes or more compares a group of one axis with a group of another: a disparity's gap
between 'a girl' and 'a Muslim', a paired delta against the mean of a pair holding both. That
measures no bias, yet ``validate`` passed it and the run gave it a figure. It is refused,
naming the axes and the fix (``within: meta.axis``); one axis, ``within:``, a ``where:``
keeping one axis, or paired deltas whose pairs each hold one axis stay valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import run_cli

TWO_AXES = (
    "cases:\n"
    "  - {id: a, prompt: 'Write about {person}.'}\n"
    "  - {id: b, prompt: 'Describe {person} at school.'}\n"
    "expand:\n  - use: counterfactual\n    with:\n      axes:\n"
    "        gender: {groups: {girl: {person: a girl}, boy: {person: a boy}}}\n"
    "        religion: {groups: {muslim: {person: a Muslim}, jew: {person: a Jew}}}\n"
)


def _validate(tmp_path: Path, metric: str, cases: str = TWO_AXES) -> tuple[int, str]:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"suite: t\nversion: 1.0.0\n{cases}scorers:\n  - {{id: m, use: length}}\n"
        f"metrics:\n  - {{id: r, {metric}}}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", suite)
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    return done.returncode, said


@pytest.mark.parametrize(
    "metric",
    [
        "disparity: {value: m.chars, by: meta.group}",
        "paired: {value: m.chars, pair_by: meta.template, group: meta.group}",
    ],
)
def test_groups_of_two_axes_compared_without_within_are_refused(
    tmp_path: Path, metric: str
) -> None:
    code, said = _validate(tmp_path, metric)
    assert code == 2, said
    assert "s.yaml:" in said and "'gender'" in said and "'religion'" in said, said
    assert "within: meta.axis" in said, said


@pytest.mark.parametrize(
    "metric",
    [
        "disparity: {value: m.chars, by: meta.group, within: meta.axis}",
        "paired: {value: m.chars, pair_by: meta.template, group: meta.group, within: meta.axis}",
        "disparity: {value: m.chars, by: meta.group}, where: \"meta.axis == 'gender'\"",
        "disparity: {value: m.chars, by: meta.axis}",
    ],
)
def test_one_axis_at_a_time_is_valid(tmp_path: Path, metric: str) -> None:
    code, said = _validate(tmp_path, metric)
    assert code == 0, said


def test_paired_deltas_whose_pairs_each_hold_one_axis_are_valid(tmp_path: Path) -> None:
    """Each template filled by one axis only: every pair compares groups of one axis."""
    cases = (
        "cases:\n"
        "  - {id: a, prompt: 'Write about {girlboy}.'}\n"
        "  - {id: b, prompt: 'Describe {faith} at school.'}\n"
        "expand:\n  - use: counterfactual\n    with:\n      axes:\n"
        "        gender: {groups: {girl: {girlboy: a girl}, boy: {girlboy: a boy}}}\n"
        "        religion: {groups: {muslim: {faith: a Muslim}, jew: {faith: a Jew}}}\n"
    )
    code, said = _validate(
        tmp_path, "paired: {value: m.chars, pair_by: meta.template, group: meta.group}", cases
    )
    assert code == 0, said


@pytest.mark.parametrize(
    ("metric", "stratum"),
    [
        # Each template is filled by both axes, so each template's stratum holds a girl and a
        # Muslim: the disparity within it is a gap between groups of two axes.
        ("disparity: {value: m.chars, by: meta.group, within: meta.template}", "'a'"),
        (
            "paired: {value: m.chars, pair_by: meta.template, group: meta.group, "
            "within: meta.template}",
            "'a'",
        ),
        # A key of the data's own: both prompts are English, one stratum of two axes.
        ("disparity: {value: m.chars, by: meta.group, within: meta.lang}", "'en'"),
    ],
)
def test_a_stratum_of_two_axes_within_a_non_axis_key_is_refused(
    tmp_path: Path, metric: str, stratum: str
) -> None:
    cases = TWO_AXES.replace("prompt: 'Write", "metadata: {lang: en}, prompt: 'Write").replace(
        "prompt: 'Describe", "metadata: {lang: en}, prompt: 'Describe"
    )
    code, said = _validate(tmp_path, metric, cases)
    assert code == 2, said
    assert "s.yaml:" in said and "'gender'" in said and "'religion'" in said, said
    assert f"stratum {stratum}" in said and "within: meta.axis" in said, said


def test_strata_of_a_non_axis_key_that_each_hold_one_axis_are_valid(tmp_path: Path) -> None:
    """Each template filled by one axis only: within: meta.template compares one axis's groups."""
    cases = (
        "cases:\n"
        "  - {id: a, prompt: 'Write about {girlboy}.'}\n"
        "  - {id: b, prompt: 'Describe {faith} at school.'}\n"
        "expand:\n  - use: counterfactual\n    with:\n      axes:\n"
        "        gender: {groups: {girl: {girlboy: a girl}, boy: {girlboy: a boy}}}\n"
        "        religion: {groups: {muslim: {faith: a Muslim}, jew: {faith: a Jew}}}\n"
    )
    code, said = _validate(
        tmp_path, "disparity: {value: m.chars, by: meta.group, within: meta.template}", cases
    )
    assert code == 0, said
