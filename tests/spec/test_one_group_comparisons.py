"""A disparity or paired comparison over a grouping every case shares is refused at
``validate``: it compares at least two groups, so with one it has no figure on any run, and a
gate on it reads no_data after every request was sent. Known from the cases alone (inline,
a dataset, or what an expander made)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import run_cli

CASES = (
    "cases:\n"
    "  - {id: a, prompt: hi, metadata: {g: girls, t: one, axis: gender}}\n"
    "  - {id: b, prompt: yo, metadata: {g: girls, t: two, axis: gender}}\n"
)


def _validate(tmp_path: Path, metric: str, cases: str = CASES) -> str:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"suite: t\nversion: 1.0.0\n{cases}scorers:\n  - {{id: m, use: length}}\n"
        f"metrics:\n  - {{id: r, {metric}}}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", suite)
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    return f"exit {done.returncode}: {said}"


@pytest.mark.parametrize(
    ("metric", "field"),
    [
        ("disparity: {value: m.chars, by: meta.g}", "disparity.by"),
        ("disparity: {value: m.chars, by: metadata.g, within: meta.axis}", "disparity.by"),
        ("paired: {value: m.chars, pair_by: meta.t, group: meta.g}", "paired.group"),
    ],
)
def test_a_comparison_of_one_group_is_refused(tmp_path: Path, metric: str, field: str) -> None:
    said = _validate(tmp_path, metric)
    assert said.startswith("exit 2") and f"metrics[0].{field}" in said, said
    assert "'girls'" in said and "two groups" in said, said


@pytest.mark.parametrize(
    "metric",
    [
        "disparity: {value: m.chars, by: meta.t}",
        "paired: {value: m.chars, pair_by: meta.g, group: meta.t}",
        "mean: m.chars, by: meta.g",  # a breakdown by one group still has its overall figure
    ],
)
def test_a_comparison_of_two_groups_is_valid(tmp_path: Path, metric: str) -> None:
    assert _validate(tmp_path, metric).startswith("exit 0")


def test_groups_an_expander_makes_count(tmp_path: Path) -> None:
    expanded = (
        "cases: [{id: a, prompt: 'Write about {person}.'}]\n"
        "expand:\n  - use: counterfactual\n    with:\n      axes:\n"
        "        gender: {groups: {girl: {person: a girl}, boy: {person: a boy}}}\n"
    )
    said = _validate(tmp_path, "disparity: {value: m.chars, by: meta.group}", cases=expanded)
    assert said.startswith("exit 0"), said


STRATA = (
    "cases:\n"
    "  - {id: a, prompt: hi, metadata: {g: girls, t: one, axis: gender, s: s1}}\n"
    "  - {id: b, prompt: yo, metadata: {g: boys, t: one, axis: gender, s: s2}}\n"
    "  - {id: c, prompt: ho, metadata: {g: old, t: one, axis: age, s: s1}}\n"
    "  - {id: d, prompt: he, metadata: {g: old, t: two, axis: age, s: s2}}\n"
)


@pytest.mark.parametrize(
    ("metric", "field", "kind"),
    [
        ("disparity: {value: m.chars, by: meta.g, within: meta.axis}", "disparity", "disparity"),
        (
            "disparity: {value: m.chars, by: meta.g, within: metadata.axis}",
            "disparity",
            "disparity",
        ),
        (
            "paired: {value: m.chars, pair_by: meta.t, group: meta.g, within: meta.axis}",
            "paired",
            "paired",
        ),
    ],
)
def test_a_stratum_of_one_group_is_refused(
    tmp_path: Path, metric: str, field: str, kind: str
) -> None:
    """Each stratum is compared on its own and the metric has no figure where one has none:
    a stratum with one group made every run figure-less."""
    said = _validate(tmp_path, metric, cases=STRATA)
    assert said.startswith("exit 2"), said
    assert f"metrics[0].{field}.within" in said and "s.yaml:" in said, said
    assert "stratum 'age'" in said and "one meta.g only ('old')" in said, said
    assert f"a {kind} compares at least two groups in each stratum" in said, said
    assert "'gender'" not in said, said


def test_a_stratum_of_one_group_is_refused_from_a_dataset(tmp_path: Path) -> None:
    """A dataset's cases are gathered as they are read (not held whole): the same refusal."""
    rows = [("gender", "girls"), ("gender", "boys"), ("age", "old"), ("age", "old")]
    (tmp_path / "cases.jsonl").write_text(
        "".join(
            f'{{"id": "c{i}", "prompt": "hi", "axis": "{a}", "g": "{g}"}}\n'
            for i, (a, g) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    said = _validate(
        tmp_path,
        "disparity: {value: m.chars, by: meta.g, within: meta.axis}",
        cases="dataset: {path: cases.jsonl}\n",
    )
    assert said.startswith("exit 2") and "stratum 'age'" in said and "('old')" in said, said


@pytest.mark.parametrize(
    "metric",
    [
        # every stratum has two groups
        "disparity: {value: m.chars, by: meta.g, within: meta.s}",
        # the one-group stratum left out
        "disparity: {value: m.chars, by: meta.g, within: meta.axis}, where: \"meta.axis != 'age'\"",
        # no strata: the groups differ overall
        "disparity: {value: m.chars, by: meta.g}",
    ],
)
def test_strata_of_two_groups_are_valid(tmp_path: Path, metric: str) -> None:
    assert _validate(tmp_path, metric, cases=STRATA).startswith("exit 0")
