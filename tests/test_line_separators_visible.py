"""Unicode's line and paragraph separators (U+2028, U+2029) in data are shown as escapes, as
other hidden characters are (``formatting.visible``). Kept raw, a failing group named
"\\u2028x" read "x" in report.md (Markdown folds it into a space at a cell's edge), the name of
another group, and a terminal, a CSV cell and JUnit showed it as nothing or as a line break
the text does not have."""

from __future__ import annotations

import pytest

from assurance_harness.formatting import md_text
from assurance_harness.formatting.visible import visible


@pytest.mark.parametrize(("char", "escape"), [("\u2028", "\\u2028"), ("\u2029", "\\u2029")])
def test_a_line_or_paragraph_separator_is_shown_as_its_escape(char: str, escape: str) -> None:
    assert visible(f"{char}x") == f"{escape}x"
    assert md_text(f"{char}x") != md_text("x")
    assert escape in md_text(f"{char}x")


def test_newlines_and_tabs_stay_layout() -> None:
    assert visible("a\nb\tc") == "a\nb\tc"
