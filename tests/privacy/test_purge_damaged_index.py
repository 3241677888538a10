"""'runs purge' with a damaged ``runs.db`` (the review queue keeps copies of the runs' prompts
and responses there, which a purge must delete). Observed: the dry run said "would purge" the
old run, and the purge itself ended in "internal error: DatabaseError: file is not a database
(a bug in assurance-harness ...)" with a crash file. Now both say, in one line naming runs.db,
what is wrong and the fix; nothing is deleted or recorded."""

from __future__ import annotations

from pathlib import Path

from tests.privacy.purgedkit import old_echo_run
from tests.testing.cli import run_cli

PURGE = ("runs", "purge", "--older-than", "90d", "--reports", "r")


def test_a_damaged_runs_db_is_one_line_in_the_purge_and_its_dry_run(tmp_path: Path) -> None:
    run_dir = old_echo_run(tmp_path, "purge-damaged")
    index = tmp_path / "r" / "runs.db"
    index.write_bytes(b"not a database, overwritten " * 8)
    before = sorted(p.name for p in run_dir.iterdir())

    for extra in ((), ("--dry-run",)):
        done = run_cli(*PURGE, *extra, cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
        errors = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 2, (extra, done.stdout + done.stderr)
        assert len(errors) == 1 and errors[0].startswith(f"error: {Path('r/runs.db')}"), errors
        assert "internal error" not in errors[0] and "not a database" in errors[0], errors
        assert "would purge" not in done.stdout, done.stdout
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert not list(tmp_path.rglob("assurance-crash-*"))
    assert not (tmp_path / "r" / "evidence" / "ledger.jsonl").exists()
