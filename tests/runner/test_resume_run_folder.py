"""``--resume`` names a run of the ``--reports`` folder: given as a path (tab completion gives
``reports/ID/``), it resumes that run where it is, and one in another reports folder is
refused before anything is sent, not finished there with its index row, cache entries and
evidence written into the folder ``--reports`` names."""

from __future__ import annotations

import re
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import callable_target, echo_project

STOPS_ONCE = (
    "import os, signal\ndef reply(messages):\n"
    "    if messages[-1]['content'] == 'there' and not os.path.exists('STOPPED'):\n"
    "        open('STOPPED', 'w').close()\n"
    "        os.kill(os.getpid(), signal.SIGINT)\n"
    "    return 'echo ' + messages[-1]['content']\n"
)
"""A target whose first send of ``there`` is a Ctrl-C to its run, once: the run stops part-way."""


def _interrupted_run(root: Path, reports: str) -> str:
    """A run of ``root``'s suite into ``root/reports`` stopped by Ctrl-C; its id."""
    echo_project(root, suite=f"rf-{root.name[-10:]}")
    callable_target(root, f"stops_{root.name[-10:].replace('-', '_')}", STOPS_ONCE)
    stopped = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", reports, cwd=root, ctrl_c=True
    )
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr
    found = re.search(r"--resume (\S+)", stopped.stderr)
    assert found is not None, stopped.stderr
    return found.group(1)


def test_a_resume_of_a_run_folder_in_another_reports_folder_is_refused(tmp_path: Path) -> None:
    # It was finished: its files in a/, but its index row, its cache entries and its evidence
    # in b/, and 'runs list --reports a' showed it "not indexed" for good.
    run_id = _interrupted_run(tmp_path, "a")
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
    run_id = _interrupted_run(tmp_path, "a")
    resumed = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", "a", "--resume", f"a/{run_id}/",
        cwd=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    listed = run_cli("runs", "list", "--reports", "a", "-f", "json", cwd=tmp_path)
    assert '"status": "passed"' in listed.stdout and "not indexed" not in listed.stderr, listed
