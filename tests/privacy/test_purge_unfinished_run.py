"""A run stopped part-way and never resumed keeps its prompts and responses in its journal.
'runs purge' does not delete them (the run could not be completed then), but it must not say
"purged 0 runs" and succeed while an unfinished run older than the retention period still holds
them: it names the run and the way on, exit 3."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import interrupted_run

LONG_AGO = "2020-01-10T09:00:00+00:00"


def test_purge_names_an_old_unfinished_run_it_leaves_holding_responses(tmp_path: Path) -> None:
    run_id = interrupted_run(tmp_path, "r")
    run_json = tmp_path / "r" / run_id / "run.json"
    state = json.loads(run_json.read_text(encoding="utf-8"))
    state["started_at"] = LONG_AGO  # stopped in 2020, never resumed
    run_json.write_text(json.dumps(state), encoding="utf-8")

    purged = run_cli("runs", "purge", "--older-than", "90d", "--reports", "r", cwd=tmp_path)
    assert purged.returncode == 3, purged.stdout + purged.stderr
    assert run_id in purged.stderr and "--resume" in purged.stderr, purged.stderr
    assert "Traceback" not in purged.stderr
    assert (tmp_path / "r" / run_id / "responses.jsonl").exists()
