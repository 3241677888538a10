"""``register show`` tells a run whose results.jsonl a recorded retention purge deleted from one
whose file is lost. Both read "(missing)": a reader could not tell a deletion the policy made,
recorded in the ledger, from a damaged run folder. The purged run now reads "purged <when>
under the retention policy", the lost one still "missing"."""

from __future__ import annotations

import pytest

from tests.privacy.purgedkit import PurgedAndLost, purged_and_lost
from tests.testing.cli import invoke_in_process


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> PurgedAndLost:
    return purged_and_lost(tmp_path_factory.mktemp("register-show"))


def _show(runs: PurgedAndLost, *options: str) -> str:
    project = runs.project
    done = invoke_in_process(
        ["register", "show", "R-001", "--register", str(project.register),
         "--reports", str(project.reports), *options]
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    return done.output


def _results_line(output: str, run_id: str) -> str:
    """The line naming the run's results file."""
    (line,) = [line for line in output.splitlines() if f"{run_id}/results.jsonl" in line]
    return line


@pytest.mark.parametrize("options", [(), ("--format", "md")], ids=["text", "md"])
def test_purged_results_read_purged_and_lost_ones_missing(
    runs: PurgedAndLost, options: tuple[str, ...]
) -> None:
    output = _show(runs, *options)
    purged = _results_line(output, runs.purged)
    assert "purged" in purged and runs.when in purged and "retention" in purged, purged
    assert "missing" not in purged, purged
    lost = _results_line(output, runs.lost)
    assert "missing" in lost and "purged" not in lost, lost
