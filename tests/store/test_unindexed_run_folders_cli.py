"""Finished run folders the run index does not hold (runs.db moved aside as the damaged-index
line advises, emptied, or lost with the folders kept) are listed by ``runs list`` from their
summaries, marked as not indexed, with one warning naming the command that indexes them: it
said "no runs yet" over folders of finished runs, or listed only the runs made since, so the
runs collected before read as lost (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def _listed(root: Path) -> tuple[list[dict[str, object]], str]:
    done = run_cli("runs", "list", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_runs_are_listed_from_their_folders_when_runs_db_was_moved_aside(tmp_path: Path) -> None:
    folders = echo_runs(tmp_path, "unindexed-moved", count=2)
    (tmp_path / "reports" / "runs.db").rename(tmp_path / "runs.db.bad")
    rows, warning = _listed(tmp_path)
    assert {str(r["run_id"]) for r in rows} == {p.name for p in folders}
    order = [(str(r["started_at"]), str(r["run_id"])) for r in rows]
    assert order == sorted(order, reverse=True)  # newest first, as the index lists them
    assert all(r["indexed"] is False and r["status"] == "passed" for r in rows), rows
    assert warning.strip().splitlines() == [
        "warning: 2 runs listed from their folders are not in the run index reports/runs.db; "
        "'assurance run SUITE --target TARGET --resume RUN_ID' indexes one"
    ]
    table = run_cli("runs", "list", cwd=tmp_path)
    assert table.returncode == 0 and "no runs yet" not in table.stdout, table.stdout
    assert all(p.name in table.stdout for p in folders), table.stdout


def test_runs_from_before_an_emptied_runs_db_are_listed_with_the_new_ones(tmp_path: Path) -> None:
    """An emptied runs.db is refused until its owner deletes it (``test_empty_index``): a run
    made a fresh index over it, its baselines and verdicts lost without a word. Once it is
    deleted, the runs from before are listed beside the new one."""
    (old,) = echo_runs(tmp_path, "unindexed-emptied")
    index = tmp_path / "reports" / "runs.db"
    index.write_bytes(b"")
    run = ("run", "s.yaml", "--target", "t.yaml", "--no-report")
    refused = run_cli(*run, cwd=tmp_path, timeout=60)
    assert refused.returncode == 2 and "is empty (0 bytes)" in refused.stderr, refused.stderr
    index.unlink()
    done = run_cli(*run, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    rows, warning = _listed(tmp_path)
    by_id = {str(r["run_id"]): r for r in rows}
    assert len(rows) == 2 and old.name in by_id, rows
    new = next(r for name, r in by_id.items() if name != old.name)
    assert "indexed" not in new and by_id[old.name]["indexed"] is False, rows
    assert warning.startswith("warning: 1 run listed from its folder is not in the run index")


def test_a_run_being_finished_by_another_process_is_not_listed_as_unindexed(
    tmp_path: Path,
) -> None:
    """Its summary.json is written just before its index row: listed in that moment, it read
    as a run to index by hand, which its own process is about to do."""
    from assurance_harness.store.runlock import hold_run_folder

    (folder,) = echo_runs(tmp_path, "unindexed-busy")
    (tmp_path / "reports" / "runs.db").unlink()
    with hold_run_folder(folder):
        done = run_cli("runs", "list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert folder.name not in done.stdout and "warning" not in done.stderr, done.stdout


def test_with_a_team_store_the_local_folders_it_lacks_are_listed_too(
    tmp_path: Path, pg_url: str
) -> None:
    """A run whose row never reached the team store (it was unreachable as the run finished,
    or the run was made before the project moved to it) is a folder here that ``runs list``
    left out without a word; the store's own rows are listed as before, each once."""
    (local,) = echo_runs(tmp_path, "unindexed-team")  # indexed in reports/runs.db only
    done = run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--no-report",
        "--store",
        pg_url,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    listed = run_cli("--store", pg_url, "runs", "list", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    by_id = {str(r["run_id"]): r for r in rows}
    assert len(rows) == 2 and by_id[local.name]["indexed"] is False, rows
    (team,) = [r for name, r in by_id.items() if name != local.name]
    assert "indexed" not in team and team["folder_missing"] is False, rows
    (warning,) = listed.stderr.strip().splitlines()
    assert warning.startswith(
        "warning: 1 run listed from its folder is not in the run index postgresql://"
    ), warning
    assert "--resume RUN_ID" in warning and "store migrate" in warning, warning
