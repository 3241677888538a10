"""A verdict on a row of a run whose results a recorded retention purge deleted is refused in
one line saying so (purged, when, from the ledger), not a bare "No such file or directory": the
reviewer cannot see the text the verdict would judge, and the record would hash a file that is
gone. A run whose results.jsonl was lost says missing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.privacy.purgedkit import purged_and_lost
from tests.testing.cli import invoke_in_process, run_cli


def _a_queued_row(reports: Path, run_id: str) -> str:
    listed = invoke_in_process(["review", "queue", "--reports", str(reports), "--json"])
    rows = [item["row"] for item in json.loads(listed.output) if item["run_id"] == run_id]
    assert rows, listed.output
    return str(rows[0])


def test_a_verdict_on_a_purged_or_lost_run_says_which(tmp_path: Path) -> None:
    runs = purged_and_lost(tmp_path / "p")
    for run_id, says, code in ((runs.purged, f"purged {runs.when}", 3), (runs.lost, "missing", 1)):
        row = _a_queued_row(runs.reports, run_id)
        done = run_cli(
            "review",
            "adjudicate",
            run_id,
            row,
            "--agree",
            "--reviewer",
            "alice",
            "--reports",
            runs.reports,
        )
        said = done.stdout + done.stderr
        # Purged: exit 3, as evidence attach and baseline set refuse it (no gate was judged,
        # and 1 reads to CI as a failed one); missing with no purge record: 1, as attach says.
        assert done.returncode == code, said
        assert says in said and "no verdict" in said, said
        assert "No such file" not in said and "Traceback" not in said, said
