"""``review adjudicate`` on a run whose results.jsonl was changed after the run. Observed: the
verdict was given (exit 0) and its review record in the evidence ledger hashed the changed
file, so the ledger vouched for rows the run never wrote: for a run with no gate records (run
with --no-evidence, or exploratory), ``evidence verify`` then said OK of a 46-row run's
results.jsonl cut to 20 rows. ``evidence attach`` refuses such a run (the SHA-256 in
manifest.json); a verdict is evidence too, and is refused the same way, with nothing written
to the ledger or the store: exit 3, as ``review status`` and ``compare`` refuse such a run (it
was exit 1, which CI reads as a failed gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

from .reviewkit import make_project


def _edit(results: Path, how: str) -> None:
    lines = results.read_text(encoding="utf-8").splitlines()
    if how == "cut short":
        lines = lines[:2]  # c1, c2 kept; c3 gone
    else:
        rows = [json.loads(line) for line in lines]
        rows[1]["response"] = "A kind answer."  # c2, the row reviewed
        lines = [json.dumps(row) for row in rows]
    results.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


@pytest.mark.parametrize("how", ["edited", "cut short"])
def test_a_verdict_on_a_run_whose_results_changed_is_refused_and_writes_nothing(
    tmp_path: Path, how: str
) -> None:
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    results = project.reports / run_id / "results.jsonl"
    _edit(results, how)
    ledger_before = project.ledger.read_bytes()

    done = run_cli(
        "review",
        "adjudicate",
        run_id,
        "c2#0",
        "--agree",
        "--reports",
        project.reports,
        env={"ASSURANCE_REVIEWER": "erin"},
        timeout=60,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "results.jsonl" in lines[0], done.stderr
    assert "manifest.json" in lines[0] and "internal error" not in lines[0], done.stderr
    assert project.ledger.read_bytes() == ledger_before
    pending = run_cli("review", "queue", "--pending", "--json", "--reports", project.reports)
    assert "c2#0" in {q["row"] for q in json.loads(pending.stdout)}, pending.stdout
