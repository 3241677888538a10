"""A key holding a letter whose case mapping changes its length (``ß`` is ``SS`` upper-cased and
``Ss`` title-cased, ``İ`` lower-cased is ``i`` and a combining dot) or its identity (``ı`` is
``I`` upper-cased), echoed in a case of its own: title-cased (``Sk-Sstraße-...``) or with its
letters' case mixed (a header dump that upper-cases some of them). Observed: the key's
case-folded form was found in the text, but the case-insensitive match of the key as written
cannot match ``SS`` to ``ß``, so only a run of the key past that letter was redacted: ``Sk-Ss``
was kept, and where the redaction fell to the key's prefix the token's trailing ``.`` went with
it. Now the whole echo is redacted and nothing around it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assurance_harness.scrub import REDACTED, scrub

KEYS = [
    "sk-ßtraße-ABCDEF123456",
    "sk-proj-ßtraße-ABCDEF123456XYZ0987",
    "sk-İnan-ABCDEF1234567890",
    "sk-ıstanbul-ABCDEF123456",
    "sk-proj-ıİß-ABCDEFGH12345678",
]


def _alternating(key: str, first_upper: bool) -> str:
    """Every other character upper-cased, the rest lower-cased."""
    return "".join(
        c.upper() if (i % 2 == 0) == first_upper else c.lower() for i, c in enumerate(key)
    )


ECHOES: dict[str, Callable[[str], str]] = {
    "title": str.title,
    "capitalize": str.capitalize,
    "swapcase": str.swapcase,
    "alternating": lambda key: _alternating(key, True),
    "alternating-lower-first": lambda key: _alternating(key, False),
    "upper-then-lower": lambda key: key[: len(key) // 2].upper() + key[len(key) // 2 :].lower(),
    "lower-then-upper": lambda key: key[: len(key) // 2].lower() + key[len(key) // 2 :].upper(),
    "only-sharp-s-upper": lambda key: key.lower().replace("ß", "SS"),
}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("echo", list(ECHOES))
def test_a_key_echoed_in_mixed_case_is_redacted_whole(key: str, echo: str) -> None:
    echoed = ECHOES[echo](key)
    for before in ("key: ", "Straße İstanbul ıi key: "):  # such letters before it too
        out = scrub(f"{before}{echoed}. Please check.", [key])
        assert out == f"{before}{REDACTED}. Please check.", (echoed, out)


def test_innocent_text_with_such_letters_is_kept() -> None:
    text = (
        "Straße STRASSE strasse İstanbul i̇stanbul ISTANBUL ıstanbul sk-proj sk-ss SK-SST "
        "abcdef123456 ABCDEFGH Inan INAN i̇nan ıİß IİSS"
    )
    assert scrub(text, KEYS) == text


LONG_KEYS = [key for key in KEYS if len(key) >= 28]
"""Keys long enough that a run of them (sixteen characters) is redacted wherever it stands."""


@pytest.mark.parametrize("key", LONG_KEYS)
@pytest.mark.parametrize(
    "echo", ["swapcase", "alternating", "alternating-lower-first", "only-sharp-s-upper"]
)
def test_a_key_echoed_in_mixed_case_with_its_front_cut_is_redacted_whole(
    key: str, echo: str
) -> None:
    cut = ECHOES[echo](key)[5:]  # "oJ-SSTrAßE-..." : the key's first characters cut
    out = scrub(f"key: {cut}. Please check.", [key])
    assert out == f"key: {REDACTED}. Please check.", (cut, out)
