"""``evidence attach`` of a run a recorded retention purge emptied. Observed: one line, exit 1,
which CI reads as a failed gate (and the evidence commands as tampering), though nothing
failed or was tampered with: the run's rows were deleted under the policy, as the ledger
records. Its sibling that needs the rows, ``baseline set``, refuses such a run with exit 3
(the run cannot give what is asked); attach now does the same. A file gone without a purge
record stays exit 1: nothing vouches for its going."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.privacy.purgedkit import age_run
from tests.testing.cli import invoke_in_process
from tests.testing.project import echo_project


def test_attaching_a_purged_run_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    echo_project(tmp_path, suite="attach_purged")
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(text.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    monkeypatch.chdir(tmp_path)
    args = ["run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report"]
    done = invoke_in_process([*args, "--no-evidence"])
    assert done.exit_code == 0, done.output
    (run_dir,) = [p for p in (tmp_path / "r").iterdir() if (p / "run.json").is_file()]
    age_run(run_dir)
    purged = invoke_in_process(["runs", "purge", "--older-than", "30d", "--reports", "r"])
    assert purged.exit_code == 0, purged.output

    attached = invoke_in_process(["evidence", "attach", run_dir.name, "--reports", "r"])

    assert attached.exit_code == 3, attached.output
    lines = attached.output.strip().splitlines()
    assert len(lines) == 1 and "under the retention policy" in lines[0], attached.output
