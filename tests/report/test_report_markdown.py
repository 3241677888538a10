"""The Markdown report: model output can never become markup, links or table cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from assurance_harness.formatting import md_code, md_code_block, md_text
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run

from .hostile import HOSTILE, SCRIPT


def _html(markdown: str) -> str:
    """Render as CommonMark with raw HTML allowed and GFM tables, the worst case for us."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("a | b", "</td><td>"),
        ("<script>x</script>", "<script>"),
        ("[click](http://evil.example)", "<a "),
        ("![i](http://evil.example/i.png)", "<img"),
        ("**bold**", "<strong>"),
        ("# heading", "<h1>"),
        ("- item", "<li>"),
        ("1. item", "<li>"),
        ("> quote", "<blockquote>"),
        ("<http://evil.example>", "<a "),
        ("`code`", "<code>"),
    ],
)
def test_escape_md_in_a_table_cell_and_a_paragraph(text: str, forbidden: str) -> None:
    table = f"| a | b |\n| --- | --- |\n| {md_text(text)} | z |\n"
    rendered = _html(table)
    assert forbidden not in rendered.split("<tbody>")[1]
    assert rendered.count("<td>") == 2
    paragraph = _html(md_text(text) + "\n")
    assert forbidden not in paragraph and paragraph.startswith("<p>")


def test_escape_md_defuses_autolinks_and_newlines() -> None:
    escaped = md_text("see http://evil.example or www.evil.example or a@evil.example\nnext")
    assert "://" not in escaped and "www." not in escaped and "@" not in escaped
    assert "\n" not in escaped
    assert md_text("plain words stay plain") == "plain words stay plain"


def test_fenced_block_cannot_be_closed_by_content() -> None:
    text = "```\n<script>alert(1)</script>\n````\n[x](http://e)"
    block = md_code_block(text)
    assert block.startswith("`````text\n") and block.endswith("\n`````")
    rendered = _html(block + "\n\nafter")
    assert rendered.count("<pre>") == 1
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert "<p>after</p>" in rendered


def test_code_span_survives_backticks_and_pipes() -> None:
    rendered = _html(f"| a |\n| --- |\n| {md_code('x`|`y', cell=True)} |\n")
    assert rendered.count("<td>") == 1
    assert "<code>x`|`y</code>" in rendered


def test_report_renders_hostile_output_as_text(hostile_run: Path) -> None:
    markdown = render_markdown(load_run(hostile_run))
    rendered = _html(markdown)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered
    assert "<b>" not in rendered
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in rendered
    # Gate and metric tables keep their shape: 9 and 6 columns on every row; then one
    # two-column score table per worst case.
    tables = re.findall(r"<table>.*?</table>", rendered, re.S)
    assert len(tables) > 2
    for table, columns in zip(tables, (9, 6, *[2] * (len(tables) - 2)), strict=True):
        for row_html in re.findall(r"<tr>.*?</tr>", table, re.S):
            assert len(re.findall(r"<t[dh][ >]", row_html)) == columns, row_html
    # The group named "boy | x" stays one cell.
    assert "boy | x" in rendered
    # Figures: value, interval and n of the failing gate.
    assert "[0.09187, 0.3628]" in markdown and "| 31 |" in markdown
    assert HOSTILE.split("|")[0].strip() in markdown  # the response itself, verbatim, in a fence
    assert SCRIPT in markdown


TERMINAL_ESCAPES = "Hi\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x00\x9b31m"
"""What a model may answer: clear the screen, a hidden hyperlink, a NUL, a C1 escape."""
BIDI = "total = 1\u202e0 ;\u2066x\u2069"
"""Bidirectional overrides and isolates: text that reads other than it is (Trojan Source)."""


@pytest.mark.parametrize("render", [md_code_block, md_text, md_code])
def test_control_characters_and_bidi_overrides_show_as_escapes(render: object) -> None:
    # `cat report.md` in a CI log, or a terminal showing the run's table, would otherwise run
    # the model's escape sequences and show overridden text as it is not.
    shown = render(TERMINAL_ESCAPES + " " + BIDI)  # type: ignore[operator]
    for char in ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u2066", "\u2069"):
        assert char not in shown, (char, shown)
    assert "x1b" in shown and "x9b" in shown and "u202e" in shown  # md_text escapes the "\\"


def test_a_fenced_block_keeps_tabs_and_newlines() -> None:
    assert md_code_block("a\tb\nc") == "```text\na\tb\nc\n```"


def test_the_terminal_shows_bidi_overrides_as_escapes() -> None:
    from assurance_harness.console import term

    assert term(BIDI).plain == "total = 1\\u202e0 ;\\u2066x\\u2069"
    assert term(TERMINAL_ESCAPES).plain.startswith("Hi\\x1b[2J\\x1b]8;;http")
