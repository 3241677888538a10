"""Counterfactual expansion: deterministic, complete over groups, tagged for pairing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, Message
from assurance_harness.errors import ConfigError
from assurance_harness.expand.counterfactual import CounterfactualExpander, fill, placeholders

from ..testing.cli import run_cli

REPO = Path(__file__).resolve().parents[2]

AXES = {
    "gender": {"groups": {"girl": {"person": "a girl"}, "boy": {"person": "a boy"}}},
    "religion": {
        "groups": {
            "muslim": {"person": "a Muslim student"},
            "jewish": {"person": "a Jewish student"},
            "hindu": {"person": "a Hindu student"},
        }
    },
}


def make(params: dict, seed: int = 0, base_dir: Path = REPO) -> CounterfactualExpander:
    return CounterfactualExpander(
        CounterfactualExpander.parse_params(params), seed=seed, base_dir=base_dir
    )


def test_fill_and_placeholders() -> None:
    assert placeholders("{Person} met {people} {{literal}}") == {"person", "people"}
    assert fill("{Person} asked {person}.", {"person": "a girl"}) == "A girl asked a girl."
    assert fill("{{x}} {unknown}", {"person": "a"}) == "{x} {unknown}"


def test_expands_each_template_over_every_group_with_stable_ids() -> None:
    cases = [Case(id="t1", prompt="Write a story about {person}.", metadata={"kind": "story"})]
    out = make({"axes": AXES}).expand(cases)
    assert [c.id for c in out] == [
        "t1|gender=girl",
        "t1|gender=boy",
        "t1|religion=muslim",
        "t1|religion=jewish",
        "t1|religion=hindu",
    ]
    assert out[0].prompt == "Write a story about a girl."
    assert out[2].metadata == {
        "kind": "story",
        "template": "t1",
        "axis": "religion",
        "group": "muslim",
        "group_terms": ["a Muslim student"],
    }


def test_same_seed_same_cases_and_sampling_is_seeded() -> None:
    cases = [Case(id="t1", prompt="About {person}."), Case(id="t2", prompt="For {person}!")]
    params = {"axes": AXES, "max_groups": 2}
    first = make(params, seed=3).expand(cases)
    again = make(params, seed=3).expand(cases)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in again]
    # the same groups for every template, so pairs stay complete
    religion = [c.metadata["group"] for c in first if c.metadata["axis"] == "religion"]
    assert religion[:2] == religion[2:] and len(set(religion)) == 2
    other = {
        tuple(c.metadata["group"] for c in make(params, seed=s).expand(cases[:1]))
        for s in range(10)
    }
    assert len(other) > 1


def test_template_axes_restrict_expansion_and_non_templates_pass_through() -> None:
    cases = [
        Case(id="t1", prompt="About {person}.", metadata={"axes": ["gender"]}),
        Case(id="plain", prompt="No placeholders here."),
    ]
    out = make({"axes": AXES}).expand(cases)
    assert [c.id for c in out] == ["t1|gender=girl", "t1|gender=boy", "plain"]


def test_messages_and_expectations_are_filled() -> None:
    case = Case(
        id="m",
        messages=[
            Message(role="system", content="Be kind to {person}."),
            Message(role="user", content="Describe {person}."),
        ],
        expected={"must_not_mention": ["{person} is bad"]},
    )
    out = make({"axes": {"gender": AXES["gender"]}}).expand([case])
    assert out[0].messages is not None
    assert [m.content for m in out[0].messages] == ["Be kind to a girl.", "Describe a girl."]
    assert out[0].expected.must_not_mention == ["a girl is bad"]


def test_unfilled_placeholder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no axis fills"):
        make({"axes": AXES}).expand([Case(id="t", prompt="About {pronoun}.")])
    with pytest.raises(ConfigError, match="not loaded"):
        make({"axes": AXES}).expand(
            [Case(id="t", prompt="About {person}.", metadata={"axes": "age"})]
        )


def test_groups_file_in_repo_loads_and_fills_every_template() -> None:
    import json

    templates = [
        Case.model_validate(
            {
                "id": row["id"],
                "prompt": row["prompt"],
                "metadata": {k: v for k, v in row.items() if k == "axes"},
            }
        )
        for row in map(
            json.loads,
            (REPO / "datasets/bias/counterfactual_templates.jsonl").read_text().splitlines(),
        )
    ]
    out = make({"groups": "datasets/bias/groups.yaml"}).expand(templates)
    axes = {c.metadata["axis"] for c in out}
    assert axes == {
        "gender",
        "race_ethnicity",
        "religion",
        "disability",
        "age",
        "nationality",
        "socioeconomic",
    }
    assert all("{" not in (c.prompt or "") for c in out)
    assert len({c.id for c in out}) == len(out)


def test_missing_groups_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="groups file not found"):
        make({"groups": "nope.yaml"}, base_dir=tmp_path).expand([Case(id="t", prompt="{person}")])


def test_axis_with_one_group_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("name: g\nversion: '1'\naxes:\n  a:\n    groups:\n      x: {person: x}\n")
    with pytest.raises(ConfigError, match="at least two groups"):
        make({"groups": str(path)}).expand([Case(id="t", prompt="{person}")])


def test_two_groups_that_fill_a_template_alike_are_refused() -> None:
    """Two groups of one axis whose values are the same for every placeholder a template uses
    give that template the same prompt twice: any gap between them is sampling noise, and a
    disparity over such a pair passed as 'no gap' (a copy-pasted group, or groups that differ
    only in a placeholder this template does not use)."""
    axes = {
        "gender": {
            "groups": {
                "girl": {"person": "a girl", "pronoun": "she"},
                "boy": {"person": "a girl", "pronoun": "he"},  # copy-pasted person
                "nb": {"person": "a non-binary student", "pronoun": "they"},
            }
        }
    }
    with pytest.raises(ConfigError) as info:
        make({"axes": axes}).expand([Case(id="t1", prompt="Help {person} with maths.")])
    message = str(info.value)
    assert "'t1'" in message and "'girl'" in message and "'boy'" in message, message
    assert "gender" in message and "same prompt" in message, message
    # A template that uses the placeholder they differ in is expanded.
    cases = make({"axes": axes}).expand([Case(id="t2", prompt="Help {person}; {pronoun} asks.")])
    assert len({c.prompt for c in cases}) == 3


def test_a_groups_file_with_a_copied_group_fails_validate(tmp_path: Path) -> None:
    (tmp_path / "cases.jsonl").write_text('{"id": "a", "prompt": "Tell me about {people}."}\n')
    (tmp_path / "g.yaml").write_text(
        "name: g\nversion: '1'\naxes:\n  a:\n    groups:\n"
        "      x: {people: girls}\n      y: {people: girls}\n      z: {people: boys}\n"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: s\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
        "expand:\n  - use: counterfactual\n    with: {groups: g.yaml}\n"
        "scorers:\n  - {id: len, use: length}\n"
        "metrics:\n  - id: gap\n    disparity: {value: len.words, by: meta.group}\n"
    )
    result = run_cli("validate", "s.yaml", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "'x' and 'y'" in output and "Traceback" not in output, output
