"""Names and ids that are keys (a suite's name and version, a case id, a target's name) holding
an invisible character, Unicode's format characters (category Cf): a zero-width space, a word
joiner, a soft hyphen, a byte-order mark mid-text, a bidirectional override or isolate. They were
accepted: ``c1`` and ``c1`` + U+200B print the same in every report, table and command line yet
are two keys (a comparison or a baseline silently misses, the duplicate-id check passes what a
reader sees as one id twice), and an override in a suite's name makes its line read other than
its bytes ("Trojan Source"). They are refused where the file is read, as a control character is
(``datatypes.key_text``): one located line naming the code point, exit 2, before anything is
sent. A byte-order mark at the very start of a file is the file's encoding mark, not text, and
stays accepted; free text (a prompt, a description) is not held to this."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import refused_at_validate_and_run, run_cli
from ..testing.project import SUITE, sent_marking_project

BOM = "\ufeff"


def _project(root: Path, suite: str, files: dict[str, str] | None = None) -> None:
    sent_marking_project(root, "keyinv_target", suite, files)


def test_two_ids_that_print_the_same_are_not_both_accepted(tmp_path: Path) -> None:
    """Was: ``c1`` and ``c1`` + U+200B both valid, two keys that read as one."""
    _project(
        tmp_path,
        'suite: s\ncases:\n  - {id: c1, prompt: hi}\n  - {id: "c1\\u200B", prompt: there}\n',
    )
    refused_at_validate_and_run(
        tmp_path, "s.yaml:4", "cases[1].id", "invisible character U+200B (ZERO WIDTH SPACE) at "
    )


CASES = [
    # (suite file, other files, the file and line named, the field named, the code point named)
    ('suite: "s\\u202Eevil"\ncases: [{id: a, prompt: hi}]\n', {}, "s.yaml:1", "suite", "U+202E"),
    (
        'suite: s\nversion: "1\\u2060.0"\ncases: [{id: a, prompt: hi}]\n',
        {},
        "s.yaml:2",
        "version",
        "U+2060 (WORD JOINER)",
    ),
    # The character itself in a plain scalar, not an escape.
    ("suite: s\ncases:\n  - {id: a\u00adb, prompt: hi}\n", {}, "s.yaml:3", "cases[0].id", "U+00AD"),
    (
        "suite: s\ndataset: {path: d.jsonl}\n",
        {"d.jsonl": '{"id": "a", "prompt": "hi"}\n{"id": "b\\u200c", "prompt": "hi"}\n'},
        "d.jsonl:2",
        "id",
        "U+200C (ZERO WIDTH NON-JOINER)",
    ),
    (
        "suite: s\ndataset: {path: d.jsonl}\n",
        {"d.jsonl": f'{BOM}{{"id": "a", "prompt": "hi"}}\n{{"id": "b{BOM}c", "prompt": "hi"}}\n'},
        "d.jsonl:2",
        "id",
        "U+FEFF (ZERO WIDTH NO-BREAK SPACE) at position 2",
    ),
    (
        "suite: s\ndataset: {path: d.csv}\n",
        {"d.csv": f"{BOM}id,prompt\na,hi\n\u2066b\u2069,there\n"},
        "d.csv:3",
        "id",
        "U+2066 (LEFT-TO-RIGHT ISOLATE) at position 1",
    ),
    (
        'suite: s\ndataset: {path: d.csv, id_prefix: "p\\u200F"}\n',
        {"d.csv": "prompt\nhi\n"},
        "s.yaml:2",
        "dataset.id_prefix",
        "U+200F (RIGHT-TO-LEFT MARK)",
    ),
]


@pytest.mark.parametrize(("suite", "files", "where", "field", "named"), CASES)
def test_an_invisible_character_in_a_key_is_one_located_line_at_validate_and_run(
    tmp_path: Path, suite: str, files: dict[str, str], where: str, field: str, named: str
) -> None:
    _project(tmp_path, suite, files)
    refused_at_validate_and_run(tmp_path, where, field, f"invisible character {named}")


def test_an_emoji_joined_by_a_zero_width_joiner_is_refused_in_an_id_saying_why(
    tmp_path: Path,
) -> None:
    """A key is compared byte for byte: the joiner inside an emoji sequence is as invisible as
    any other, so the fix hint says an emoji sequence cannot be part of a key."""
    _project(
        tmp_path, 'suite: s\ncases:\n  - {id: "team-\U0001f469\\u200D\U0001f4bb", prompt: hi}\n'
    )
    line = refused_at_validate_and_run(
        tmp_path, "s.yaml:3", "cases[0].id", "U+200D (ZERO WIDTH JOINER) at position 7"
    )
    assert "emoji" in line, line


def test_an_invisible_character_in_a_target_name_is_located_at_validate_and_run(
    tmp_path: Path,
) -> None:
    _project(tmp_path, SUITE.format(name="s"))
    target = tmp_path / "t.yaml"
    target.write_text('name: "t\\u202Dx"\n' + target.read_text(encoding="utf-8"), encoding="utf-8")
    checked = run_cli("validate", "t.yaml", cwd=tmp_path)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "t.yaml:1: name:" in checked.stderr, checked.stderr
    assert "invisible character U+202D" in checked.stderr, checked.stderr
    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "t.yaml:1: name:" in ran.stderr, ran.stderr
    assert not (tmp_path / "SENT").exists()


def test_a_byte_order_mark_opening_a_file_and_invisible_free_text_stay_accepted(
    tmp_path: Path,
) -> None:
    """A byte-order mark that opens a suite, target or dataset file (Excel's CSV export writes
    one) is the file's encoding mark, not part of a key; a prompt or a description may hold
    any invisible character (an emoji sequence, a right-to-left mark in Arabic text); a
    variation selector (category Mn, not a format character) is part of how a character
    looks and stays accepted in an id."""
    _project(
        tmp_path,
        f'{BOM}suite: s\ndescription: "zero\\u200Bwidth"\ndataset:\n'
        "  - {path: d.csv}\n  - {path: d.jsonl}\n"
        'cases: [{id: "heart-\\u2764\\uFE0F", prompt: "team \U0001f469\\u200D\U0001f4bb"}]\n',
        {
            "d.csv": f"{BOM}id,prompt\nc,hi\u200b\n",
            "d.jsonl": f'{BOM}{{"id": "j", "prompt": "\\u202Eright to left"}}\n',
        },
    )
    target = tmp_path / "t.yaml"
    target.write_text(BOM + target.read_text(encoding="utf-8"), encoding="utf-8")
    for name in ("s.yaml", "t.yaml"):
        checked = run_cli("validate", name, cwd=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (tmp_path / "SENT").exists()


def test_a_file_name_that_makes_ids_with_an_invisible_character_is_said_at_its_path(
    tmp_path: Path,
) -> None:
    """Rows without an id get ids made from the file's name: was the row's line of the data
    file, "id: ... remove it", for a row that has no id to remove anything from."""
    _project(
        tmp_path,
        'suite: s\ndataset: {path: "e\\u200Bx.csv"}\n',
        {"e\u200bx.csv": "prompt\nhi\n"},
    )
    line = refused_at_validate_and_run(
        tmp_path, "s.yaml:2", "dataset.path", "U+200B (ZERO WIDTH SPACE) at position 2"
    )
    assert "id_prefix" in line and "rename the file" in line, line
