"""Which texts print alike (``lookalikes.prints_like``): what a reviewer's new name is checked
against the known ones with, so it must catch the stand-ins and leave names people tell apart."""

from __future__ import annotations

import pytest

from assurance_harness.lookalikes import HOMOGLYPHS, first_difference, prints_like


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("alice", "\u0430lice"),  # Cyrillic a
        ("Ian", "lan"),  # capital I for small l
        ("Ian", "ian"),  # case
        ("lan", "\u0406an"),  # Cyrillic I, which is I, which is l
        ("bob", "b0b"),  # digit zero
        ("alice", "\uff41lice"),  # fullwidth a (NFKC)
        ("ALICE", "\u0391LICE"),  # Greek capital alpha
    ],
)
def test_stand_ins_print_alike(first: str, second: str) -> None:
    assert prints_like(first, second)
    assert prints_like(second, first)


@pytest.mark.parametrize(
    ("first", "second"),
    [("ian", "lan"), ("bob", "rob"), ("alice", "alicia"), ("Дмитрий", "Dmitri")],
)
def test_names_that_differ_in_a_visible_letter_do_not(first: str, second: str) -> None:
    assert not prints_like(first, second)


def test_every_stand_in_the_operator_writes_is_read_back_as_its_letter() -> None:
    for latin, stand_in in HOMOGLYPHS.items():
        assert prints_like(latin, stand_in), (latin, stand_in)


def test_the_first_difference_is_named_where_the_letters_line_up() -> None:
    assert first_difference("\u0430lice", "alice") == (
        "U+0430 (CYRILLIC SMALL LETTER A) at position 1"
    )
    assert first_difference("alice", "alicee") == ""
