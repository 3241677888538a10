"""The register's and the annex's HTML pages, of text holding control characters.

A browser drops a NUL and hides most other control characters: ``evidence pack
--include-transcripts`` showed an answer "I hate\\x00 this" as "I hate this" in annex.html,
and ``register export -o x.html`` a risk's title the same way. A real run and real commands
(``testing.controltext``); the written files are read back as bytes."""

from __future__ import annotations

import html
from pathlib import Path

from ..testing.cli import run_cli
from ..testing.controltext import GROUP_SHOWN, SHOWN, control_run, written_text

REGISTER = """register_version: 1
system: {name: Demo, intended_use: "home\\0work \\u202e help", owner: Safety lead}
risks:
  - {id: R-001, title: "Toxic\\0output \\x1b[31mred", category: safety, owner: T&S,
     likelihood: 3, impact: 4, notes: "line\\x01one"}
"""
TITLE_SHOWN = "Toxic\u2400output \\x1b[31mred"
PAGE_NOTE = "shows each NUL (U+0000) of the runs' text (prompts, responses, group names)"


def _ok(*args: str | Path, cwd: Path) -> None:
    done = run_cli(*args, cwd=cwd)
    text = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in text, text


def test_the_annex_shows_control_characters_and_says_what_the_stand_in_is(
    tmp_path: Path,
) -> None:
    run_dir = control_run(tmp_path)
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    _ok("evidence", "pack", run_dir.name, "-o", "pack", "--include-transcripts",
        "--register", "register.yaml", cwd=tmp_path)  # fmt: skip
    page = written_text(tmp_path / "pack" / "annex.html")
    assert SHOWN in page and GROUP_SHOWN in page and "home\u2400work \\u202e help" in page
    assert 'id="nul-note"' in page and PAGE_NOTE in " ".join(html.unescape(page).split())
    written_text(tmp_path / "pack" / "annex.md")  # unchanged: escapes (formatting.markdown)


def test_the_register_page_shows_control_characters(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    _ok("register", "export", "--register", "register.yaml", "-o", "reg.html", cwd=tmp_path)
    assert TITLE_SHOWN in written_text(tmp_path / "reg.html")
    _ok("register", "soa", "--register", "register.yaml", "--format", "html", "-o", "soa.html",
        cwd=tmp_path)  # fmt: skip
    written_text(tmp_path / "soa.html")


SOA_REGISTER = """register_version: 1
system: {name: Demo, intended_use: help, owner: Safety lead}
statement_of_applicability:
  A.6.2.4: {applicable: true, justification: "tested\\0weekly"}
"""
REGISTER_NOTE = "shows each NUL (U+0000) of the register's and its evidence's text as \u2400"


def _noted(page: str) -> bool:
    """Whether ``page`` says what ``␀`` stands for, as report.html does (``page_note``)."""
    said = 'id="nul-note"' in page and REGISTER_NOTE in " ".join(html.unescape(page).split())
    assert said == ('id="nul-note"' in page), page  # the note is the one report.html writes
    return said


def test_the_register_and_soa_pages_say_what_the_stand_in_is_where_they_show_one(
    tmp_path: Path,
) -> None:
    """report.html and annex.html say it; the register's and the SoA's pages showed ``␀`` with
    no word of what it stands for. Only a page that shows one says it."""
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    (tmp_path / "soa.yaml").write_text(SOA_REGISTER, encoding="utf-8")
    _ok("register", "export", "--register", "register.yaml", "-o", "reg.html", cwd=tmp_path)
    assert _noted(written_text(tmp_path / "reg.html"))
    _ok("register", "soa", "--register", "register.yaml", "--format", "html", "-o", "soa.html",
        cwd=tmp_path)  # fmt: skip
    page = written_text(tmp_path / "soa.html")  # its NULs are in text this page does not show
    assert "\u2400" not in page and not _noted(page)
    _ok("register", "soa", "--register", "soa.yaml", "--format", "html", "-o", "soa.html",
        cwd=tmp_path)  # fmt: skip
    page = written_text(tmp_path / "soa.html")
    assert "tested\u2400weekly" in page and _noted(page)
    _ok("register", "export", "--register", "soa.yaml", "-o", "reg.html", cwd=tmp_path)
    page = written_text(tmp_path / "reg.html")  # with the SoA, which holds the NUL
    assert "tested\u2400weekly" in page and _noted(page)
