"""Model output holding control characters, in the reports a run writes for people to read.

A real run (a callable target in a temp folder, through the CLI) answers text holding a NUL,
an escape sequence, a carriage return and a right-to-left override (``testing.controltext``);
the written files are read back as bytes."""

from __future__ import annotations

import html
from pathlib import Path

from ..testing.cli import run_cli
from ..testing.controltext import GROUP_SHOWN, SHOWN, control_run, written_text

PAGE_NOTE = "shows each NUL (U+0000) of the run's text (prompts, responses, scores, group names)"


def test_the_run_report_shows_control_characters_and_says_what_the_stand_in_is(
    tmp_path: Path,
) -> None:
    """Was: report.html held the answer's NUL, ESC, CR and RLO raw (a browser showed "I hate
    this"), the group name's too. Now each NUL shows as ``␀`` with the note the web app's pages
    show, every other hidden character as its escape; ``assurance report`` writes the same."""
    run_dir = control_run(tmp_path)
    page = written_text(run_dir / "report.html")
    assert SHOWN in page and GROUP_SHOWN in page
    assert 'id="nul-note"' in page and PAGE_NOTE in " ".join(html.unescape(page).split())
    again = run_cli("report", run_dir, "--out", tmp_path / "out", "-f", "html", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert SHOWN in written_text(tmp_path / "out" / "report.html")


def test_the_markdown_report_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    """Unchanged (``formatting.markdown``): report.md, read with ``cat``, holds none raw."""
    run_dir = control_run(tmp_path)
    page = written_text(run_dir / "report.md")
    assert "I hate\\x00 this \\x1b[2J clear\\x0dret \\u202eevil" in page
