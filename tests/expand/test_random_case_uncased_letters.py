"""``random_case`` drew the letters to flip from every ``isalpha`` character, Chinese, Arabic
and Japanese ones too, which have no case: on a mixed prompt most of the share ``rate`` names
went to letters that cannot change, so the variant flipped a fraction of the Latin letters its
recorded ``rate`` says (or none: an unchanged variant, left out). It draws from cased letters
only, so a prompt of Latin letters alone gives the same text as before."""

from __future__ import annotations

from assurance_harness.expand._common import stable_rng
from assurance_harness.expand.operators import random_case

MIXED = "请用简单的话解释一下光合作用是什么意思呢谢谢 please explain"


def test_the_rate_is_a_share_of_the_letters_that_have_a_case() -> None:
    for k in range(20):
        out = random_case(MIXED, stable_rng(3, "a", "random_case", k), 0.5)
        flipped = sum(a != b for a, b in zip(MIXED, out, strict=True))
        assert flipped == 6, (k, out)  # half of the 13 Latin letters, as _count rounds it


def test_a_latin_prompt_gives_the_same_text_as_before() -> None:
    out = random_case("please explain how volcanoes erupt.", stable_rng(1, "x", 0), 0.3)
    assert out == "plEase exPLAiN how VOlCanOes erupt.", out
