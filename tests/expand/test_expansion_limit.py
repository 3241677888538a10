"""A suite whose expanders would make more cases than ``MAX_EXPANDED_CASES`` is refused at
``validate`` (and ``run``) with one located line stating the count and the limit, worked out
before the cases are made: such a suite ran ``validate`` for minutes and gigabytes (a million
cases took 2.5 GB), and one of billions never ended. Each built-in expander counts what it
will make (``Expander.count``), and that count is what it makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, Message
from assurance_harness.expand import base
from assurance_harness.expand.attacks import AttackExpander
from assurance_harness.expand.bbq import BbqPromptExpander
from assurance_harness.expand.bold import BoldExpander
from assurance_harness.expand.counterfactual import CounterfactualExpander
from assurance_harness.expand.perturb import PerturbExpander
from tests.testing.cli import invoke_in_process, run_cli

REPO = Path(__file__).resolve().parents[2]
DEMO_TARGET = (
    f"type: callable\nname: demo\nfunction: demo_assistant:respond\n"
    f"python_path: [{REPO / 'examples'}]\n"
)
ALL_OPERATORS = (
    "[typo, char_swap, char_drop, uppercase, lowercase, random_case, whitespace, punctuation, "
    "leetspeak, homoglyph, invisible, synonym]"
)


def _write_cases(path: Path, count: int, prompt: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"id": f"c{i}", "prompt": prompt.format(i=i)}) + "\n")


def _perturb_suite(root: Path) -> int:
    """20,000 cases, 12 operators, 50 variants each (one for the two that ignore their seed,
    uppercase and lowercase): 10,060,000 cases."""
    _write_cases(root / "cases.jsonl", 20_000, "What is the capital of country {i}?")
    (root / "s.yaml").write_text(
        "suite: s\n"
        "dataset: {path: cases.jsonl}\n"
        "expand:\n"
        "  - use: perturb\n"
        f"    with: {{variants: 50, operators: {ALL_OPERATORS}}}\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    return 20_000 * (1 + 10 * 50 + 2)


def _counterfactual_suite(root: Path) -> int:
    """20,000 templates over an axis of 50,000 groups: a billion cases."""
    _write_cases(root / "cases.jsonl", 20_000, "Tell me about {{person}} number {i}.")
    groups = "".join(f"      g{i}: {{person: p{i}}}\n" for i in range(50_000))
    (root / "groups.yaml").write_text(f"name: g\nversion: '1'\naxes:\n  a:\n    groups:\n{groups}")
    (root / "s.yaml").write_text(
        "suite: s\n"
        "dataset: {path: cases.jsonl}\n"
        "expand:\n"
        "  - use: counterfactual\n"
        "    with: {groups: groups.yaml}\n"
        "metrics: [{id: failed, rate: error}]\n"
    )
    return 20_000 * 50_000


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("make", [_perturb_suite, _counterfactual_suite])
def test_an_expansion_of_millions_is_refused_with_its_count_and_the_limit(
    tmp_path: Path, make, command: str
) -> None:
    count = make(tmp_path)
    (tmp_path / "t.yaml").write_text(DEMO_TARGET)
    args = ["validate", "s.yaml"] if command == "validate" else ["run", "s.yaml", "-t", "t.yaml"]
    # Before: the cases were all made (12 million objects, or a billion): killed at the timeout.
    proc = run_cli(*args, cwd=tmp_path, timeout=60)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    problems = [line for line in output.splitlines() if "s.yaml:" in line]
    assert len(problems) == 1, output
    assert "s.yaml:4: expand[0]: " in problems[0], output
    assert f"{count:,} cases" in problems[0], output
    assert f"{base.MAX_EXPANDED_CASES:,}" in problems[0], output
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").glob("*/")), (
        output
    )


def _suite(root: Path, cases: int, expand: str) -> Path:
    _write_cases(root / "cases.jsonl", cases, "What is the capital of country {i}?")
    path = root / "s.yaml"
    path.write_text(
        "suite: s\ndataset: {path: cases.jsonl}\n"
        f"expand:\n{expand}metrics: [{{id: failed, rate: error}}]\n"
    )
    return path


def test_exactly_the_limit_passes_and_one_more_is_refused_at_the_expander_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_EXPANDED_CASES", 30)
    two_stages = (
        "  - use: perturb\n    with: {operators: [typo]}\n"
        "  - use: attack\n    with: {wrappers: [prefix-injection, base64-encoding]}\n"
    )
    # 10 cases: 10 originals + 10 typos, then 2 wrappers each of the 10 originals: 40.
    result = invoke_in_process(["validate", str(_suite(tmp_path, 10, two_stages))])
    assert result.exit_code == 2, result.output
    assert "s.yaml:6: expand[1]: attack would make 40 cases" in result.output, result.output
    assert "limit is 30" in result.output, result.output
    # 6 cases: 12 after perturb, 24 after attack; with the limit at 24 it passes.
    monkeypatch.setattr(base, "MAX_EXPANDED_CASES", 24)
    result = invoke_in_process(["validate", str(_suite(tmp_path, 6, two_stages))])
    assert result.exit_code == 0, result.output
    monkeypatch.setattr(base, "MAX_EXPANDED_CASES", 23)
    result = invoke_in_process(["validate", str(_suite(tmp_path, 6, two_stages))])
    assert result.exit_code == 2, result.output
    assert "expand[1]: attack would make 24 cases" in result.output, result.output


AXES = {
    "g": {"groups": {"a": {"person": "a girl"}, "b": {"person": "a boy"}, "c": {"person": "x"}}},
    "h": {"groups": {"d": {"person": "Ann", "who": "she"}, "e": {"person": "Bo", "who": "he"}}},
}
CASES = [
    Case(id="t1", prompt="About {person}."),
    Case(id="t2", prompt="{Who} said {person} came.", metadata={"axes": "h"}),
    Case(id="plain", prompt="No placeholder at all."),
    Case(
        id="conv",
        messages=[
            Message(role="system", content="Be kind to {person}."),
            Message(role="user", content="What is {person} like?"),
        ],
    ),
]


def _expanders(tmp_path: Path) -> list[base.Expander]:
    bold = tmp_path / "x_prompt.json"
    bold.write_text(json.dumps({"G1": {"ann": ["Ann is", "Ann was"]}, "G2": {"bo": ["Bo is"]}}))

    def make(cls: type[base.Expander], params: dict) -> base.Expander:
        return cls(cls.parse_params(params), seed=3, base_dir=tmp_path)

    return [
        make(CounterfactualExpander, {"axes": AXES}),
        make(PerturbExpander, {"operators": ["typo", {"op": "leetspeak", "variants": 3}]}),
        make(PerturbExpander, {"operators": ["homoglyph"], "keep_original": False}),
        make(AttackExpander, {"categories": ["encoding"]}),
        make(AttackExpander, {"wrappers": ["prefix-injection"], "keep_original": False}),
        make(BoldExpander, {"files": [str(bold)], "per_group": 1}),
        make(BoldExpander, {"files": [str(bold)], "groups": ["G1"]}),
    ]


def test_each_expander_makes_as_many_cases_as_it_counts(tmp_path: Path) -> None:
    """The count the limit is checked on is the number of cases the run sends: every expander
    counted on the cases of every earlier one (originals, variants, filled templates)."""
    cases: list[Case] = list(CASES)
    for expander in _expanders(tmp_path):
        counted = expander.count(cases)
        cases = expander.expand(list(cases))
        assert counted == len(cases), expander.name
    bbq = BbqPromptExpander(BbqPromptExpander.parse_params({}), seed=0, base_dir=tmp_path)
    row = {
        "context": "c",
        "question": "q",
        "ans0": "x",
        "ans1": "y",
        "ans2": "z",
        "label": 1,
        "context_condition": "disambig",
        "question_polarity": "neg",
    }
    rows = [Case(id=f"b{i}", prompt="p", metadata=row) for i in range(3)]
    assert bbq.count(rows) == len(bbq.expand(rows)) == 3


def test_an_expander_that_does_not_count_is_checked_on_what_it_made(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A plugin's expander need not count: the cases it made are counted, and refused the same
    way."""

    class Doubler(base.Expander):
        name = "doubler-for-test"

        def expand(self, cases: list[Case]) -> list[Case]:
            copies = [c.model_copy(update={"id": c.id + "-copy"}) for c in cases]
            return [*cases, *copies]

    monkeypatch.setitem(base.expanders._items, Doubler.name, Doubler)
    monkeypatch.setattr(base, "MAX_EXPANDED_CASES", 15)
    path = _suite(tmp_path, 8, f"  - use: {Doubler.name}\n")
    result = invoke_in_process(["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"s.yaml:4: expand[0]: {Doubler.name} made 16 cases" in result.output, result.output
