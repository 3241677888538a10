"""The same suite expands to the same cases in every process: Python salts ``hash()`` per
process (``PYTHONHASHSEED``), so nothing an expander writes may follow the order of a set."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli

SUITE = """suite: hs
cases: [{id: a, prompt: '{person} said {pronoun} saw the {pet} near the {farm}'}]
expand:
  - use: counterfactual
    with:
      axes:
        g:
          groups:
            x: {person: girl, pronoun: she, pet: cat, farm: dog}
            y: {person: boyo, pronoun: hee, pet: rat, farm: cow}
scorers: [{id: len, use: length}]
metrics: [{id: words, mean: len.words}]
"""


def test_counterfactual_cases_are_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SUITE)
    (tmp_path / "rec.jsonl").write_text(
        "".join(json.dumps({"id": f"a|g={g}", "response": "ok"}) + "\n" for g in "xy")
    )
    (tmp_path / "t.yaml").write_text("name: rp\ntype: replay\npath: rec.jsonl\n")
    written = set()
    for seed in ("0", "2"):
        reports = tmp_path / f"rep{seed}"
        proc = run_cli(
            "run", "s.yaml", "--target", "t.yaml", "--reports", reports.name,
            cwd=tmp_path, env={"PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        cases = next(reports.glob("*/cases.jsonl")).read_text()
        # Equal-length terms came out in set order: 'she', 'cat', 'dog' in any of six orders.
        assert '"group_terms"' in cases, cases
        written.add(cases)
    assert len(written) == 1, written
