"""``--resume`` names a run of the ``--reports`` folder: given as a path (tab completion gives
``reports/ID/``), it resumes that run where it is, and one in another reports folder is
refused before anything is sent, not finished there with its index row, cache entries and
evidence written into the folder ``--reports`` names."""

from __future__ import annotations

from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import interrupted_run


def test_a_resume_of_a_run_folder_in_another_reports_folder_is_refused(tmp_path: Path) -> None:
    # It was finished: its files in a/, but its index row, its cache entries and its evidence
    # in b/, and 'runs list --reports a' showed it "not indexed" for good.
    run_id = interrupted_run(tmp_path, "a")
    for given in (str(tmp_path / "a" / run_id), f"a/{run_id}/"):
        resumed = run_cli(
            "run", "s.yaml", "--target", "t.yaml", "--reports", "b", "--resume", given,
            cwd=tmp_path,
        )  # fmt: skip
        assert resumed.returncode == 2, resumed.stdout + resumed.stderr
        assert "Traceback" not in resumed.stderr and len(resumed.stderr.splitlines()) == 1
        assert f"--reports {Path(given).parent} --resume {run_id}" in resumed.stderr, resumed.stderr
    assert not (tmp_path / "b").exists()
    assert not (tmp_path / "a" / run_id / "summary.json").exists()


def test_a_resume_given_as_the_run_folders_path_finishes_it_in_its_reports(
    tmp_path: Path,
) -> None:
    run_id = interrupted_run(tmp_path, "a")
    resumed = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "a", "--resume", f"a/{run_id}/",
        cwd=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    listed = run_cli("runs", "list", "--reports", "a", "-f", "json", cwd=tmp_path)
    assert '"status": "passed"' in listed.stdout and "not indexed" not in listed.stderr, listed
