"""Operators that ignore their seed (``uppercase``, ``lowercase``) give one text however many
variants are asked for. Sent ``variants`` times, the same prompt was counted as that many
independent observations (each copy is its own case, so its own cluster in an interval): a
robustness figure's interval narrowed by copies, not by evidence. The bundled
robustness-perturbation suite asked for two of each."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assurance_harness.datatypes import Case
from assurance_harness.expand.perturb import PerturbExpander

REPO = Path(__file__).resolve().parents[2]
CASES = [Case(id="q1", prompt="Explain how volcanoes erupt."), Case(id="q2", prompt="Say hi")]


def perturb(params: dict) -> PerturbExpander:
    return PerturbExpander(PerturbExpander.parse_params(params), seed=0, base_dir=REPO)


def test_an_unseeded_operator_makes_one_variant_under_the_expanders_default() -> None:
    expander = perturb({"operators": ["uppercase", "typo"], "variants": 3})
    out = expander.expand(CASES)
    upper = [c for c in out if c.metadata.get("perturbation") == "uppercase"]
    typo = [c for c in out if c.metadata.get("perturbation") == "typo"]
    assert [c.id for c in upper] == ["q1~uppercase#0", "q2~uppercase#0"]
    assert len(typo) == 6
    assert expander.count(CASES) == len(out)


def test_the_bundled_perturbation_suite_counts_no_prompt_twice() -> None:
    """Its metrics count the originals and the variants flagged changed (``where:
    meta.perturbation_changed``): each of those a text of its own."""
    from assurance_harness.spec.loader import load_suite

    loaded = load_suite(REPO / "suites" / "robustness-perturbation.yaml")
    counted = [c for c in loaded.cases if c.metadata.get("perturbation_changed", True)]
    prompts = [(c.metadata["source_id"], c.text()) for c in counted]
    assert len(prompts) == len(set(prompts))
    assert len(counted) > 0.9 * len(loaded.cases)


def test_a_seeded_variant_that_repeats_an_earlier_one_is_drawn_again() -> None:
    """``synonym`` on a prompt with one word in its table has few texts to give; a variant that
    drew an earlier one's text draws again (recorded), or is flagged unchanged."""
    case = Case(id="s", prompt="Please explain it")
    out = perturb({"operators": ["synonym", "char_swap"], "variants": 6}).expand([case])
    changed = [c for c in out[1:] if c.metadata["perturbation_changed"]]
    assert len({c.text() for c in changed}) == len(changed)
    assert case.prompt not in {c.text() for c in changed}


@pytest.mark.parametrize("op", ["uppercase", "lowercase"])
def test_asking_an_unseeded_operator_for_several_variants_is_refused(op: str) -> None:
    with pytest.raises(ValidationError) as info:
        PerturbExpander.parse_params({"operators": [{"op": op, "variants": 2}]})
    message = str(info.value)
    assert f"'{op}'" in message and "same text" in message, message
