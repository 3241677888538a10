"""Names and ids that are keys written in a decomposed form (a letter and a combining mark,
``e`` + U+0301, where Unicode's composed form, NFC, has one character, ``é``; a compatibility
character NFC replaces, U+212B ANGSTROM SIGN for U+00C5).

Observed (issue 12, adversarial pass): a suite with the case ids ``é`` and ``e`` + U+0301
(a dataset saved on macOS, a name pasted from a file name) passed ``validate`` and ran two
cases whose ids print the same in every table, report and command line, yet are two keys: the
duplicate-id check passed, and a baseline or a comparison against a run whose file wrote the
other form matched no case. The review store already keeps reviewer names composed for the
same reason. Such a key is now refused where it is read, as an invisible character is
(``datatypes.key_text``): one located line naming the character and its composed form, exit 2,
nothing sent. Composed text stays a key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import key_text

from ..testing.cli import refused_at_validate_and_run
from ..testing.project import sent_marking_project

SCORED = (
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\nmetrics: [{id: r, rate: m.matched}]\n"
)

CASES = [
    # (suite file, other files, the file and line named, the field named, what is named)
    (
        'suite: s\ncases:\n  - {id: "\\u00e9", prompt: hi}\n  - {id: "e\\u0301", prompt: there}\n'
        + SCORED,
        {},
        "s.yaml:4",
        "cases[1].id",
        "U+0065 (LATIN SMALL LETTER E) at position 1",
    ),
    (
        "suite: s\ndataset: {path: d.jsonl}\n" + SCORED,
        {"d.jsonl": '{"id": "caf\\u00e9", "prompt": "hi"}\n{"id": "cafe\\u0301", "prompt": "x"}\n'},
        "d.jsonl:2",
        "id",
        "U+00E9 (LATIN SMALL LETTER E WITH ACUTE)",
    ),
    (
        'suite: "Jose\\u0301-core"\ncases:\n  - {id: a, prompt: hi}\n' + SCORED,
        {},
        "s.yaml:1",
        "suite",
        "at position 4",
    ),
]


@pytest.mark.parametrize(("suite", "files", "where", "field", "named"), CASES)
def test_a_decomposed_key_is_one_located_line(
    tmp_path: Path, suite: str, files: dict[str, str], where: str, field: str, named: str
) -> None:
    module = "composed_" + "".join(c if c.isalnum() else "_" for c in tmp_path.name)
    sent_marking_project(tmp_path, module, suite, files)
    refused_at_validate_and_run(tmp_path, where, field, named)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("e\u0301", "U+0065 (LATIN SMALL LETTER E) at position 1"),
        ("cafe\u0301", "composed: U+00E9 (LATIN SMALL LETTER E WITH ACUTE)"),
        ("\u212b", "U+212B (ANGSTROM SIGN) at position 1"),
        ("\u1100\u1161", "composed: U+AC00 (HANGUL SYLLABLE GA)"),
        # NFC writes more than one character here: every one is named, not the first alone
        # (KA alone is another letter than QA, and the dot below would be lost).
        (
            "\u0958",
            "composed: U+0915 (DEVANAGARI LETTER KA) U+093C (DEVANAGARI SIGN NUKTA))",
        ),
        (
            "a\u0308\u0323",
            "composed: U+1EA1 (LATIN SMALL LETTER A WITH DOT BELOW) U+0308 (COMBINING DIAERESIS))",
        ),
    ],
)
def test_key_text_names_the_character_and_its_composed_form(value: str, named: str) -> None:
    with pytest.raises(ValueError, match="names and ids are keys") as raised:
        key_text(value)
    assert named in str(raised.value), raised.value
    assert "write it composed (NFC)" in str(raised.value), raised.value


@pytest.mark.parametrize("value", ["caf\u00e9", "\u00c5", "\uac00", "a b", "heart-\u2764\ufe0f"])
def test_composed_text_stays_a_key(value: str) -> None:
    assert key_text(value) == value
