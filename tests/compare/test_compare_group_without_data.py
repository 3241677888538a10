"""A gated ``by:`` metric one of whose groups has no data in the candidate is no "no regression".

Observed: every request about group ``b`` failed in the candidate (4 of 40, within its
``max_error_rate``), so its gate failed on a group without data; ``assurance compare`` (with
``--groups`` too, the group ``no_data``) printed "no significant regression" and exited 0,
as it did for a gated metric without any data before that was fixed
(test_compare_gated_no_data.py): whether group ``b`` regressed is unknown. Now the comparison
has no verdict: exit 3, naming the metric and its group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli, run_id_of

CASES = 40
SUITE = (
    "suite: groups\ncases:\n"
    + "".join(
        f"  - {{id: c{i}, prompt: p{i}, metadata: {{g: {'b' if i < 4 else 'a'}}}}}\n"
        for i in range(CASES)
    )
    + "scorers: [{id: rx, use: regex, with: {pattern: bad}}]\n"
    "metrics: [{id: r, rate: rx.matched, by: meta.g}]\n"
    "gates: [{metric: r, max: 0.5}]\n"
)


def _run(root: Path, name: str, first: int) -> str:
    """A run answered "ok" from case ``first`` on: the cases before it are not recorded."""
    lines = [json.dumps({"id": f"c{i}", "response": "ok"}) for i in range(first, CASES)]
    (root / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / f"{name}.yaml").write_text(
        f"name: rep\ntype: replay\npath: {name}.jsonl\n", encoding="utf-8"
    )
    done = run_cli("run", "s.yaml", "--target", f"{name}.yaml", "--no-evidence", cwd=root)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return run_id_of(done)


@pytest.mark.parametrize("options", [(), ("--groups",)])
def test_a_gated_group_without_data_leaves_no_verdict(tmp_path: Path, options: tuple) -> None:
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    baseline, candidate = _run(tmp_path, "base", 0), _run(tmp_path, "cand", 4)
    done = run_cli("compare", baseline, candidate, *options, cwd=tmp_path)
    text = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 3, text
    assert "no significant regression" not in text
    assert "r[b]" in text and "no data" in text, text
