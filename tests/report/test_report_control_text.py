"""Model output holding control characters, in the files a run writes for people to read.

A browser drops a NUL (U+0000) from a page's text and hides most other control characters, so
the run report read other than what the model answered ("I hate\\x00 this" read "I hate this"),
and a right-to-left override reordered what followed it. A real run (a callable target in a
temp folder, through the CLI) answers such text; the written files are read back as bytes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..testing.cli import run_cli
from ..testing.project import callable_target

ANSWER = "I hate\x00 this \x1b[2J clear\rret \u202eevil"
"""A NUL, an escape sequence that clears a terminal, a carriage return and an RLO."""
SHOWN = "I hate\u2400 this \\x1b[2J clear\\x0dret \\u202eevil"
"""``ANSWER`` as a page shows it: NUL as ``␀`` (as the team store keeps it), the rest escaped."""
HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What ``formatting.visible`` escapes: no page may hold one as text."""
PAGE_NOTE = (
    "shows each NUL (U+0000) of the run's text (prompts, responses, scores, group names) as \u2400"
)
SUITE = (
    "suite: ctrl\ncases:\n"
    '  - {id: a, prompt: "hi\\0 \\e[2J\\r \\u202e p", metadata: {group: "g\\0\\e"}}\n'
    "  - {id: b, prompt: there, metadata: {group: plain}}\n"
    "scorers: [{id: m, use: regex, with: {pattern: hate}}]\n"
    "metrics: [{id: r, rate: m.matched, by: meta.group}]\ngates: [{metric: r, max: 0.1}]\n"
)


def control_run(root: Path) -> Path:
    """A finished run (its gate failed: exit 1) whose answer to case ``a`` is ``ANSWER``
    followed by the prompt, which holds the same kinds of characters; its folder."""
    source = f"def reply(messages):\n    return {ANSWER!r} + ' ' + messages[-1]['content']\n"
    callable_target(root, "ctrl_target", source)
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", cwd=root, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    (run_dir,) = [p.parent for p in (root / "reports").glob("*/results.jsonl")]
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert any(r["response"].startswith(ANSWER) for r in rows)  # the run keeps the exact text
    return run_dir


def _page(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # a carriage return stays one


def _no_hidden(name: str, page: str) -> None:
    hidden = HIDDEN.search(page)
    assert hidden is None, (name, page[max(0, hidden.start() - 200) : hidden.end() + 100])


def test_the_run_report_shows_control_characters_and_says_what_the_stand_in_is(
    tmp_path: Path,
) -> None:
    """Was: report.html held the answer's NUL, ESC, CR and RLO raw (a browser showed "I hate
    this"), the group name's too. Now each NUL shows as ``␀`` with the note the web app's pages
    show, every other hidden character as its escape; ``assurance report`` writes the same."""
    run_dir = control_run(tmp_path)
    page = _page(run_dir / "report.html")
    _no_hidden("report.html", page)
    assert SHOWN in page and "g\u2400\\x1b" in page
    assert 'id="nul-note"' in page and PAGE_NOTE in " ".join(html.unescape(page).split())
    again = run_cli("report", run_dir, "--out", tmp_path / "out", "-f", "html", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    _no_hidden("assurance report", _page(tmp_path / "out" / "report.html"))


def test_the_markdown_report_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    """Unchanged (``formatting.markdown``): report.md, read with ``cat``, holds none raw."""
    run_dir = control_run(tmp_path)
    page = _page(run_dir / "report.md")
    _no_hidden("report.md", page)
    assert "I hate\\x00 this \\x1b[2J clear\\x0dret \\u202eevil" in page
