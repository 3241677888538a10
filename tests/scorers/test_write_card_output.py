"""``scorers check --write-card FILE`` wrote the card wherever it was told, exit 0: into a run's
folder over its summary.json or manifest.json (the run's evidence, whose SHA-256 the ledger
holds: ``evidence verify`` then reports tampering), or over the labels file it had just read.
Every other command's output file is checked first (``store.files.check_output_file``): a
run's folder, a file the command reads and a suffix that is not the card's JSON are refused,
exit 2, before the scorer runs, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import run_cli

CHECK = ("scorers", "check", "length", "--score", "chars", "--threshold", "20")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    toxicity_run(tmp_path / "reports", "r-1", {1, 2}, n_cases=20)
    (tmp_path / "labels.csv").write_text('text,label\nI cannot help.,1\n"Sure, here it is.",0\n')
    return tmp_path


@pytest.mark.parametrize(
    ("card", "said"),
    [
        ("reports/r-1/summary.json", "run r-1"),
        ("reports/r-1/manifest.json", "run r-1"),
        ("reports/r-1/card.json", "run r-1"),
        ("labels.csv", "--labels"),
        ("card.txt", "ends .txt"),
    ],
    ids=["summary", "manifest", "in-run-folder", "labels", "suffix"],
)
def test_a_card_is_not_written_over_evidence_or_input(project: Path, card: str, said: str) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    done = run_cli(*CHECK, "--labels", "labels.csv", "--write-card", card, cwd=project)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "--write-card" in errors[0] and said in errors[0], done.stderr
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before


def test_a_card_elsewhere_is_written(project: Path) -> None:
    done = run_cli(
        *CHECK, "--labels", "labels.csv", "--write-card", "validity/length.json", cwd=project
    )
    assert done.returncode == 0, done.stderr
    assert (project / "validity" / "length.json").is_file()
