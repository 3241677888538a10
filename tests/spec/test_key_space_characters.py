"""Names and ids that are keys holding a space other than the plain one (Unicode's Zs but
U+0020: a no-break space, the en to hair spaces, a narrow no-break space, an ideographic space),
a line or paragraph separator (Zl, Zp: U+2028, U+2029) or a private-use character (Co). They
were accepted: ``c1`` + U+00A0 and ``c1`` + a space print alike yet are two keys, a separator
breaks the line of a viewer that honours it and shows as nothing on one that does not, and a
private-use character has no standard look (a font's icon, or a box). They are refused where
the file is read, as a control or invisible character is (``datatypes.key_text``): one located
line naming the code point and its name, exit 2, nothing sent. The plain space keeps its
meaning: ``a b`` is a key, and ``c1`` and ``c1 `` stay two keys, as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.datatypes import key_text

from ..testing.cli import refused_at_validate_and_run
from ..testing.project import sent_marking_project


def _project(root: Path, suite: str, files: dict[str, str] | None = None) -> None:
    sent_marking_project(root, "keyspace_target", suite, files)


CASES = [
    # (suite file, other files, the file and line named, the field named, what is named)
    (
        'suite: s\ncases:\n  - {id: "c1 ", prompt: hi}\n  - {id: "c1\\u00a0", prompt: there}\n',
        {},
        "s.yaml:4",
        "cases[1].id",
        "space other than a plain space U+00A0 (NO-BREAK SPACE) at position 3",
    ),
    (
        "suite: s\ndataset: {path: d.jsonl}\n",
        {"d.jsonl": '{"id": "a", "prompt": "hi"}\n{"id": "b\\u2028c", "prompt": "hi"}\n'},
        "d.jsonl:2",
        "id",
        "line or paragraph separator U+2028 (LINE SEPARATOR) at position 2",
    ),
    (
        "suite: s\ndataset: {path: d.csv}\n",
        {"d.csv": "id,prompt\na,hi\nb\ue000,there\n"},
        "d.csv:3",
        "id",
        "private-use character U+E000 at position 2",
    ),
]


@pytest.mark.parametrize(("suite", "files", "where", "field", "named"), CASES)
def test_a_space_separator_or_private_use_character_in_a_key_is_one_located_line(
    tmp_path: Path, suite: str, files: dict[str, str], where: str, field: str, named: str
) -> None:
    _project(tmp_path, suite, files)
    refused_at_validate_and_run(tmp_path, where, field, named)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("c1\u00a0", "U+00A0 (NO-BREAK SPACE) at position 3"),
        ("a\u2002b", "U+2002 (EN SPACE) at position 2"),
        ("a\u200ab", "U+200A (HAIR SPACE) at position 2"),
        ("a\u202fb", "U+202F (NARROW NO-BREAK SPACE) at position 2"),
        ("a\u205fb", "U+205F (MEDIUM MATHEMATICAL SPACE) at position 2"),
        ("\u3000a", "U+3000 (IDEOGRAPHIC SPACE) at position 1"),
        ("a\u1680b", "U+1680 (OGHAM SPACE MARK) at position 2"),
        ("a\u2029", "U+2029 (PARAGRAPH SEPARATOR) at position 2"),
        ("a\uf8ffb", "private-use character U+F8FF at position 2"),
        ("a\U000f0000", "private-use character U+F0000 at position 2"),
        ("c1\u200b", "invisible character U+200B (ZERO WIDTH SPACE) at position 3"),
        ("\u202eabc", "invisible character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 1"),
        ("a\u00adb", "invisible character U+00AD (SOFT HYPHEN) at position 2"),
        (
            "flag-\U0001f3f4\U000e0067\U000e0062\U000e007f",
            "invisible character U+E0067 (TAG LATIN SMALL LETTER G)",
        ),
    ],
)
def test_key_text_names_the_character_and_where(value: str, named: str) -> None:
    with pytest.raises(ValueError, match="names and ids are keys") as raised:
        key_text(value)
    assert named in str(raised.value), raised.value
    assert value not in str(raised.value)  # the character itself is never printed


@pytest.mark.parametrize(
    "value",
    ["a b", "c1 ", " c1", "a  b", "\u0645\u0631 \u0628", "c1", "caf\u00e9", "heart-\u2764\ufe0f"],
)
def test_visible_text_and_the_plain_space_stay_a_key(value: str) -> None:
    assert key_text(value) == value
