"""'runs purge' of an old run whose folder is read-only (a read-only bind mount: EROFS for
root too). The purge fails in one line naming the file, exit 3, nothing deleted or recorded,
and the cached answers are kept with the run. Observed: its dry run said "would purge" the run
and exited 0, though the purge could not; now the dry run names the file and why, as a warning
(a dry run of a read-only archive still lists it, exit 0)."""

from __future__ import annotations

from pathlib import Path

from tests.privacy.purgedkit import old_echo_run
from tests.testing.cli import run_cli
from tests.testing.tmpfs import read_only

PURGE = ("runs", "purge", "--older-than", "90d", "--reports", "r")


def test_a_read_only_run_folder_fails_the_purge_and_its_dry_run_alike(tmp_path: Path) -> None:
    run_dir = old_echo_run(tmp_path, "purge-read-only")
    before = sorted(p.name for p in run_dir.iterdir())
    with read_only(run_dir):
        dry = run_cli(*PURGE, "--dry-run", cwd=tmp_path)
        done = run_cli(*PURGE, cwd=tmp_path)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would purge 0 run(s)" in dry.stdout and f"would purge {run_dir.name}" not in dry.stdout
    (warning,) = [line for line in dry.stderr.splitlines() if line.strip()]
    assert warning.startswith(f"warning: r/{run_dir.name}/") and "Read-only" in warning, warning
    assert "the purge would fail here" in warning
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 3, done.stdout + done.stderr
    assert len(errors) == 1 and errors[0].startswith(f"error: r/{run_dir.name}/"), errors
    assert "Read-only" in errors[0] and "purged" not in done.stdout, done.stdout
    assert sorted(p.name for p in run_dir.iterdir()) == before
    assert not (tmp_path / "r" / "evidence" / "ledger.jsonl").exists()
