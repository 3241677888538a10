"""Names and ids that are keys (a suite's name and version, a case id, a target's name) holding
a control character: a NUL (U+0000) was accepted by ``validate`` and by the embedded store,
while the PostgreSQL team store, whose TEXT cannot hold NUL, failed the run as it was indexed
(exit 3), and every ``--resume`` the same, so the run could never finish. A key cannot be
stood in for (a baseline or review lookup by the real name would then miss), so it is refused
where the file is read: one located line, exit 2, before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..testing.cli import refused_at_validate_and_run, run_cli
from ..testing.project import SUITE, sent_marking_project


def _project(root: Path, suite: str, files: dict[str, str] | None = None) -> None:
    sent_marking_project(root, "keyctl_target", suite, files)


CASES = [
    # (suite file, other files, the file and line named, the field named)
    ('suite: "s\\0x"\ncases: [{id: a, prompt: hi}]\n', {}, "s.yaml:1", "suite"),
    ('suite: s\nversion: "1.0\\0"\ncases: [{id: a, prompt: hi}]\n', {}, "s.yaml:2", "version"),
    (
        'suite: s\ncases:\n  - {id: a, prompt: hi}\n  - {id: "b\\0", prompt: hi}\n',
        {},
        "s.yaml:4",
        "cases[1].id",
    ),
    (
        'suite: s\ncases:\n  - {id: "a\\x1b[2Jb", prompt: hi}\n',
        {},
        "s.yaml:3",
        "cases[0].id",
    ),
    (
        'suite: s\ncases:\n  - {id: "a\\nb", prompt: hi}\n',
        {},
        "s.yaml:3",
        "cases[0].id",
    ),
    (
        "suite: s\ndataset: {path: d.jsonl}\n",
        {"d.jsonl": '{"id": "a", "prompt": "hi"}\n{"id": "b\\u0000", "prompt": "hi"}\n'},
        "d.jsonl:2",
        "id",
    ),
    (
        "suite: s\ndataset: {path: d.csv}\n",
        {"d.csv": "id,prompt\na,hi\nb\x00,there\n"},
        "d.csv:3",
        "id",
    ),
]


@pytest.mark.parametrize(("suite", "files", "where", "field"), CASES)
def test_a_control_character_in_a_key_is_one_located_line_at_validate_and_run(
    tmp_path: Path, suite: str, files: dict[str, str], where: str, field: str
) -> None:
    _project(tmp_path, suite, files)
    line = refused_at_validate_and_run(tmp_path, where, field, "control character")
    assert "\x00" not in line and "\x1b" not in line, line


def test_a_nul_in_a_target_name_is_located_at_validate_and_run(tmp_path: Path) -> None:
    _project(tmp_path, SUITE.format(name="s"))
    target = tmp_path / "t.yaml"
    target.write_text('name: "t\\0x"\n' + target.read_text(encoding="utf-8"), encoding="utf-8")
    checked = run_cli("validate", "t.yaml", cwd=tmp_path)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "t.yaml:1: name:" in checked.stderr and "control character" in checked.stderr
    ran = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "t.yaml:1: name:" in ran.stderr, ran.stderr
    assert not (tmp_path / "SENT").exists()


def test_tabs_and_newlines_in_free_text_stay_accepted(tmp_path: Path) -> None:
    """Only keys are held to this: a prompt or a description may hold any line break."""
    _project(
        tmp_path,
        'suite: s\ndescription: "two\\nlines\\tand a tab"\n'
        'cases: [{id: a, prompt: "line one\\nline two\\tend"}]\n',
    )
    checked = run_cli("validate", "s.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.slow
def test_a_nul_suite_name_is_refused_before_the_team_store_is_written(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: exit 3 as the run was indexed in the team store, and again on every resume."""
    _project(tmp_path, SUITE.format(name='"s\\0x"'))
    ran = run_cli("--store", pg_url, "run", "s.yaml", "--target", "t.yaml", cwd=tmp_path)
    text = ran.stdout + ran.stderr
    assert ran.returncode == 2, text
    assert "s.yaml:1: suite:" in ran.stderr and "control character" in ran.stderr, text
    assert not (tmp_path / "SENT").exists()


@pytest.mark.parametrize(
    ("escaped", "said", "shown"),
    [
        ("\\0", "control character U+0000", "a|gender=wo"),
        ("\\u200B", "invisible character U+200B", "a|gender=wo\\u200bman"),
    ],
    ids=["nul", "zero-width space"],
)
def test_a_character_no_key_holds_an_expander_puts_in_a_case_id_is_located_at_its_entry(
    tmp_path: Path, escaped: str, said: str, shown: str
) -> None:
    """A counterfactual group's name goes into the ids of the cases made from it: one holding a
    NUL made a case the id check refuses, which escaped as an internal error (exit 3); one
    holding a zero-width space passed. The id is shown escaped, so the name in the data is
    found."""
    _project(
        tmp_path,
        'suite: s\ncases:\n  - {id: a, prompt: "hi {person}"}\nexpand:\n'
        "  - use: counterfactual\n    with:\n      axes:\n        gender:\n          groups:\n"
        f'            "wo{escaped}man": {{person: a woman}}\n            man: {{person: a man}}\n',
    )
    for args in (["validate", "s.yaml"], ["run", "s.yaml", "--target", "t.yaml"]):
        done = run_cli(*args, cwd=tmp_path)
        text = done.stdout + done.stderr
        assert done.returncode == 2, text
        assert "internal error" not in text and "Traceback" not in text, text
        assert "s.yaml:5: expand[0] (counterfactual):" in done.stderr, text
        assert said in done.stderr and shown in done.stderr, text
    assert not (tmp_path / "SENT").exists()
