"""``runs purge`` and a run folder it cannot date: its run.json and summary.json damaged or
gone (a hand edit, a torn copy). Observed: the folder was passed over without a word, exit 0,
"purged 1 run(s)", and its prompts and responses kept past the retention period with nothing
to say so. A purge is the data-protection policy's deletion: a run it leaves with its
transcripts is named, as an unfinished one is ("not purged: ..."), exit 3 (a warning with
``--dry-run``), and its files are left as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    "summary", [b"[]", b"", b'{"run_id": "r-2"}'], ids=["list", "empty", "no-date"]
)
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["purge", "dry-run"])
def test_a_run_the_purge_cannot_date_is_named_not_passed_over(
    tmp_path: Path, summary: bytes, dry_run: list[str]
) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-1", {1}, n_cases=10)
    undated = toxicity_run(reports, "r-2", {1}, n_cases=10)
    (undated / "summary.json").write_bytes(summary)
    (undated / "run.json").unlink(missing_ok=True)
    files = {p.name: p.read_bytes() for p in undated.iterdir()}

    done = run_cli("runs", "purge", "--older-than", "1d", "--reports", reports, *dry_run)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == (0 if dry_run else 3), done.stdout + done.stderr
    said = [line for line in done.stderr.splitlines() if "r-2" in line]
    assert len(said) == 1 and "not purged" in said[0], done.stderr
    assert "run.json" in said[0] and "summary.json" in said[0], said
    assert {p.name: p.read_bytes() for p in undated.iterdir()} == files
    purged = not (reports / "r-1" / "results.jsonl").exists()
    assert purged != bool(dry_run)  # the run it can date is purged as before


def test_a_folder_of_reports_written_with_out_is_no_run_to_name(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-1", {1}, n_cases=10)
    (reports / "for-the-board").mkdir()
    (reports / "for-the-board" / "report.md").write_text("# a report written with --out\n")
    done = run_cli("runs", "purge", "--older-than", "1d", "--reports", reports)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "for-the-board" not in done.stdout + done.stderr
