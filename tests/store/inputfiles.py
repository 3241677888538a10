"""The small projects the input-file tests point at odd files: a suite reading one dataset, a
suite of one inline case, and one replaying a recording; and a writer that keeps appending."""

from __future__ import annotations

from pathlib import Path

SUITE = (
    "suite: bounds\nversion: 1.0.0\ndataset: {{path: {data}}}\n"
    "scorers: [{{id: n, use: length}}]\nmetrics: [{{id: w, mean: n.words}}]\n"
)
INLINE = (
    "suite: bounds\nversion: 1.0.0\ncases: [{id: a, prompt: hi}]\n{extra}"
    "scorers: [{id: n, use: length}]\nmetrics: [{id: w, mean: n.words}]\n"
)


def appending_writer(field: str) -> str:
    """A script (``python -c SCRIPT FILE``) appending JSONL rows of ``id`` and ``field`` to
    FILE, 64 kB every 5 ms (about 13 MB/s) until killed, at most 7.5 s."""
    return f"""
import sys, time
row = '{{"id": "w", "{field}": "%s"}}\\n' % ("appended " * 30)
block = row * (65536 // len(row))
with open(sys.argv[1], "a") as handle:
    for _ in range(1500):
        handle.write(block)
        handle.flush()
        time.sleep(0.005)
"""


def replay_project(root: Path) -> Path:
    """``root`` with ``suite.yaml`` (one inline case) and ``replay.yaml`` replaying
    ``rec.jsonl``, which the test writes (or makes a pipe, a device...)."""
    (root / "suite.yaml").write_text(INLINE.replace("{extra}", ""))
    (root / "replay.yaml").write_text("type: replay\npath: rec.jsonl\n")
    return root
