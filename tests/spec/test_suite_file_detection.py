"""Which YAML files a folder's run (``assurance run suites/``) and the pytest plugin take for
suites. Observed: a suite saved with a UTF-8 byte-order mark (as Windows editors save), or
whose top-level key is written ``"suite":`` or ``suite :``, is valid (``assurance validate``
passes it) but was not found in a folder: ``run`` left it out (or said there were no suite
files) and pytest collected nothing from it, so its gates never ran and CI stayed green."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.spec.loader import find_suite_files, is_suite_file, load_suite
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

BODY = "cases: [{id: a, prompt: hi}]\n"

SPELLINGS = {
    "bom": b"\xef\xbb\xbfsuite: bom\n",
    "quoted": b'"suite": quoted\n',
    "single_quoted": b"'suite': single\n",
    "spaced": b"suite : spaced\n",
    "value_below": b"suite:\n  below\n",
    "crlf": b"suite: crlf\r\n",
}


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_every_spelling_of_the_top_level_key_is_a_suite(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(SPELLINGS[name] + BODY.encode())
    load_suite(path)  # valid: what validate and a run of the file itself read
    assert is_suite_file(path)
    assert find_suite_files(tmp_path) == [path]


@pytest.mark.parametrize(
    "text",
    [
        "title: notes\nsuite_notes: x\n",  # another key that starts with the word
        "items:\n  suite: nested\n",  # not at the top level
        "# suite: commented out\ntitle: x\n",
        "description: |\n  suite: inside a block of text\n",
    ],
)
def test_files_without_the_top_level_key_are_not_suites(tmp_path: Path, text: str) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(text, encoding="utf-8")
    assert not is_suite_file(path)


def test_a_folder_run_runs_a_suite_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    callable_target(tmp_path, "bom_suite_target", "def reply(messages):\n    return 'ok'\n")
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "bom.yaml").write_bytes(
        b"\xef\xbb\xbfsuite: bom-folder\n"
        + BODY.encode()
        + b"scorers: [{id: m, use: regex, with: {pattern: ok}}]\n"
        b"metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, max: 0}]\n"
    )
    ran = run_cli("run", "suites", "--target", "t.yaml", "--no-report", cwd=tmp_path, timeout=60)
    # The suite ran and its gate (every answer matches) failed: exit 1, not "no suite files".
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "bom-folder" in ran.stdout + ran.stderr
