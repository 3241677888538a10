"""``assurance report`` on a disk that fails part-way through the reports (full, or, here, a
real EFBIG from the process's file size limit: the kernel's error, not a mock's). Observed:
report.md replaced by the new one, report.html left as the old one, exit 3: a folder whose
reports describe two renderings, one of them perhaps of other files. Now every report is
written first and put in place only once all are, so the folder keeps its old complete set."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs

LIMIT = 8_000
"""Bytes a file may grow to: the echo run's report.md (about 4 kB) fits, its report.html
(about 12 kB) does not."""

OLD = {"report.md": "the old report.md\n", "report.html": "<p>the old report.html</p>\n"}


def test_a_report_write_that_fails_part_way_keeps_the_old_set(tmp_path: Path) -> None:
    (made,) = echo_runs(tmp_path, "report-fault")
    # The run's folder on its own, as copied for an audit: no runs.db beside it is opened
    # (SQLite's -wal, written to read the index, would meet the limit first).
    run_dir = Path(shutil.move(made, tmp_path / "copied"))
    for name, text in OLD.items():
        (run_dir / name).write_text(text, encoding="utf-8")
    before = sorted(p.name for p in run_dir.iterdir())

    done = run_cli(
        *("report", run_dir, "-f", "md,html", "--reports", tmp_path / "none"),
        cwd=tmp_path,
        timeout=60,
        file_size_limit=LIMIT,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "report.html" in done.stderr and "File too large" in done.stderr, done.stderr
    for name, text in OLD.items():  # neither replaced: not the new md beside the old html
        assert (run_dir / name).read_text(encoding="utf-8") == text, name
    assert sorted(p.name for p in run_dir.iterdir()) == before  # no temporary file left

    done = run_cli("report", run_dir, "-f", "md,html", "--reports", tmp_path / "none", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert all((run_dir / name).read_text(encoding="utf-8") != text for name, text in OLD.items())
