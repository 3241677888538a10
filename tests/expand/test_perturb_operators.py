"""Every perturbation operator keeps the meaning and is reproducible.

The golden outputs below were read by hand: each is the same request as the original, only
typed differently. The invariant tests check the same property mechanically over more text.
"""

from __future__ import annotations

import re

import pytest

from assurance_harness.expand._common import stable_rng
from assurance_harness.expand.operators import LEET, OPERATORS, ZERO_WIDTH
from assurance_harness.expand.synonyms import SYNONYMS
from assurance_harness.lookalikes import HOMOGLYPHS

ORIGINAL = "Please explain how volcanoes erupt."

# Hand-checked: seed 1, case "case-a", variant 0, default rates.
GOLDEN = {
    "typo": "Please explain hoq volcanoes erupt.",
    "char_swap": "Pelase explain how volcanoes erupt.",
    "char_drop": "Plese explain how volcanoes erupt.",
    "uppercase": "PLEASE EXPLAIN HOW VOLCANOES ERUPT.",
    "lowercase": "please explain how volcanoes erupt.",
    "random_case": "plEase explAin hOw volCaNOes erUPt.",
    "whitespace": "Please explain \nhow volcanoes erupt.",
    "punctuation": "Please explain how volcanoes, erupt.",
    "leetspeak": "Pl3as3 explain h0w v0lc4n0e5 erup7.",
    "homoglyph": "Plea\u0455e e\u0445\u0440lain h\u043ew vol\u0441ano\u0435s erupt.",
    "invisible": "P\u2060lease explain how volcanoes erupt.",
    "synonym": "Kindly explain how volcanoes erupt.",
}

SENTENCES = [
    "Please explain how volcanoes erupt.",
    "Write a short story about a happy dog who learns to swim.",
    "Can you help me understand why the sky is blue during the day?",
    "Describe the main causes of the First World War in simple words.",
    "My homework asks me to list three important facts about the Roman army.",
]


def run(name: str, text: str, seed: int = 1, key: str = "case-a", k: int = 0) -> str:
    info = OPERATORS[name]
    return info.func(text, stable_rng(seed, key, name, k), info.default_rate)


def test_golden_examples_cover_every_operator() -> None:
    assert set(GOLDEN) == set(OPERATORS)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_golden_output(name: str) -> None:
    assert run(name, ORIGINAL) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_reproducible_for_the_same_seed(name: str) -> None:
    for text in SENTENCES:
        assert run(name, text, seed=42) == run(name, text, seed=42)


@pytest.mark.parametrize(
    "name", sorted(n for n in OPERATORS if n not in ("uppercase", "lowercase"))
)
def test_seed_changes_random_operators(name: str) -> None:
    outputs = {run(name, text, seed=s) for s in range(8) for text in SENTENCES[1:2]}
    assert len(outputs) > 1


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_every_operator_changes_text(name: str) -> None:
    for text in SENTENCES:
        assert run(name, text) != text


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("seed", range(5))
def test_typo_changes_one_letter_of_some_words_to_a_neighbouring_key(seed: int) -> None:
    from assurance_harness.expand.operators import KEYBOARD_NEIGHBOURS

    for text in SENTENCES:
        out = run("typo", text, seed=seed)
        before, after = _words(text), _words(out)
        assert len(before) == len(after)
        for a, b in zip(before, after, strict=True):
            if a == b:
                continue
            diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            assert len(diffs) == 1 and diffs[0] > 0  # first letter kept
            i = diffs[0]
            assert b[i].lower() in KEYBOARD_NEIGHBOURS[a[i].lower()]


@pytest.mark.parametrize("seed", range(5))
def test_swap_and_drop_keep_first_and_last_letters(seed: int) -> None:
    for text in SENTENCES:
        for name in ("char_swap", "char_drop"):
            out = run(name, text, seed=seed)
            for a, b in zip(_words(text), _words(out), strict=True):
                if a == b:
                    continue
                assert a[0] == b[0] and a[-1] == b[-1]
                if name == "char_swap":
                    assert sorted(a) == sorted(b) and len(a) == len(b)
                else:
                    assert len(b) == len(a) - 1


def test_numbers_and_short_words_are_never_touched() -> None:
    text = "What is 7 x 8 and 12 + 30?"
    for name in ("typo", "char_swap", "char_drop", "invisible"):
        out = run(name, text)
        assert re.findall(r"\d+", out) == ["7", "8", "12", "30"]
        assert " x " in out and " + " in out


def test_case_operators_only_change_case() -> None:
    for text in SENTENCES:
        for name in ("uppercase", "lowercase", "random_case"):
            assert run(name, text).lower() == text.lower()


def test_whitespace_keeps_the_words() -> None:
    for text in SENTENCES:
        assert _words(run("whitespace", text)) == _words(text)


def test_punctuation_only_adds_marks_after_words() -> None:
    for text in SENTENCES:
        out = run("punctuation", text)

        def strip(s: str) -> list[str]:
            return [w.strip(",.!;-?") for w in s.replace(" -", " ").split()]

        assert [w for w in strip(out) if w] == [w for w in strip(text) if w]


def test_leetspeak_and_homoglyph_map_back_to_the_original() -> None:
    unleet = {v: k for k, v in LEET.items()}
    unglyph = {v: k for k, v in HOMOGLYPHS.items()}
    for text in SENTENCES:
        leet = run("leetspeak", text)
        assert "".join(unleet.get(c, c) for c in leet).lower() == text.lower()
        glyph = run("homoglyph", text)
        assert "".join(unglyph.get(c, c) for c in glyph) == text
        assert glyph != text and len(glyph) == len(text)


def test_invisible_characters_are_the_only_addition() -> None:
    for text in SENTENCES:
        out = run("invisible", text)
        assert "".join(c for c in out if c not in ZERO_WIDTH) == text


def test_synonyms_come_from_the_table_and_keep_capitals() -> None:
    text = "Write a short story about a happy dog."
    for seed in range(10):
        out = run("synonym", text, seed=seed)
        for a, b in zip(_words(text), _words(out), strict=True):
            if a != b:
                assert b.rstrip(".").lower() in SYNONYMS[a.rstrip(".").lower()]
                assert a[0].isupper() == b[0].isupper()


def test_synonym_leaves_names_alone() -> None:
    # "Big" inside a name would become "Large Ben"; only sentence-initial capitals are words.
    out = run("synonym", "Tell me about Big Ben in London, it is big.")
    assert "Big Ben" in out
    assert out.endswith("large.")


def test_synonym_table_has_no_self_or_empty_entries() -> None:
    for word, options in SYNONYMS.items():
        assert options and word == word.lower()
        assert word not in options
