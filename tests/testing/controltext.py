"""A real run whose model answers text holding control characters, and the check that a file
written for people holds none of them raw.

A browser drops a NUL (U+0000) from a page's text and hides most other control characters, so
a page read other than what the model answered ("I hate\\x00 this" read "I hate this"), and a
right-to-left override reordered what followed it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .cli import run_cli
from .project import callable_target

ANSWER = "I hate\x00 this \x1b[2J clear\rret \u202eevil"
"""A NUL, an escape sequence that clears a terminal, a carriage return and an RLO."""
SHOWN = "I hate\u2400 this \\x1b[2J clear\\x0dret \\u202eevil"
"""``ANSWER`` as a page shows it: NUL as ``␀`` (as the team store keeps it), the rest escaped."""
GROUP_SHOWN = "g\u2400\\x1b"
"""Case ``a``'s group (``g``, NUL, ESC) as a page shows it."""
HIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What ``formatting.visible`` escapes: no page may hold one as text."""
SUITE = (
    "suite: ctrl\ncases:\n"
    '  - {id: a, prompt: "hi\\0 \\e[2J\\r \\u202e p", metadata: {group: "g\\0\\e"}}\n'
    "  - {id: b, prompt: there, metadata: {group: plain}}\n"
    "scorers: [{id: m, use: regex, with: {pattern: hate}}]\n"
    "metrics: [{id: r, rate: m.matched, by: meta.group}]\ngates: [{metric: r, max: 0.1}]\n"
)


def control_run(root: Path) -> Path:
    """A finished run in ``root/reports`` (its gate failed: exit 1) whose answer to each case
    is ``ANSWER`` followed by the prompt; case ``a``'s prompt and group hold the same kinds of
    characters. Its folder."""
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


def written_text(path: Path) -> str:
    """The file as written (a carriage return stays one), asserted to hold no ``HIDDEN``."""
    text = path.read_bytes().decode("utf-8")
    hidden = HIDDEN.search(text)
    assert hidden is None, (path.name, text[max(0, hidden.start() - 200) : hidden.end() + 100])
    return text
