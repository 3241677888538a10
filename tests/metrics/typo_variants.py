"""A project whose typo variants the operator changes for two prompts and cannot change for
eight ("3 x 3": no word to misspell), recorded so that each changed variant is answered 4 words
longer: a paired delta is 4.0 without the unchanged variants and 0.8 with them as zeros."""

from __future__ import annotations

import json
from pathlib import Path

PAIRED_METRICS = """metrics:
  - id: delta
    paired: {value: len.words, pair_by: meta.source_id, group: meta.perturbation, reference: none}
  - id: kept
    paired: {value: len.words, pair_by: meta.source_id, group: meta.perturbation,
             reference: none, skip_unchanged: false}
"""
"""The paired delta with today's default (``delta``: the unchanged variants left out) and told to
keep them (``kept``), over the project's typo variants (a suite's ``metrics:`` block)."""


def write_typo_project(root: Path) -> None:
    """``cases.jsonl``, its recording ``rec.jsonl`` and the replay target ``t.yaml`` in
    ``root``; the suite is the test's."""
    cases = [("a", "Please explain photosynthesis"), ("b", "Describe the water cycle")]
    cases += [(f"s{i}", f"{i} x {i}") for i in range(8)]
    records = []
    for case_id, _ in cases:
        moved = case_id in ("a", "b")
        records.append({"id": case_id, "response": "fine"})
        records.append({"id": f"{case_id}~typo#0", "response": "fine " * (5 if moved else 1)})
    (root / "cases.jsonl").write_text(
        "".join(json.dumps({"id": i, "prompt": p}) + "\n" for i, p in cases)
    )
    (root / "rec.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (root / "t.yaml").write_text("name: rp\ntype: replay\npath: rec.jsonl\n")
