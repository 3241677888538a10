"""summary.json's SHA-256 in manifest.json, and what a finished run's ``--resume`` does with a
summary.json edited by hand since.

Observed: nothing recorded summary.json's hash, so nothing but ``evidence attach`` (which
measures it again) could tell an edited one; ``run --resume`` of a finished run then printed
the edited verdicts as the run's ("its results are unchanged"), exited with the edited
``exit_code``, and rewrote the run's row in runs.db from them, so ``runs list`` and the web
app's runs page showed the edit too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs
from tests.testing.summary_edits import edit_summary


def _finished_run(root: Path) -> Path:
    (run_dir,) = echo_runs(root, "summary-hash")
    return run_dir


def test_the_manifest_records_the_sha256_of_the_summary_bytes_last(tmp_path: Path) -> None:
    run_dir = _finished_run(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest)[-1] == "summary", list(manifest)
    digest = hashlib.sha256((run_dir / "summary.json").read_bytes()).hexdigest()
    assert manifest["summary"] == {"path": "summary.json", "sha256": digest}


def test_resume_of_a_finished_run_whose_summary_was_edited_refuses_and_keeps_its_row(
    tmp_path: Path,
) -> None:
    run_dir = _finished_run(tmp_path)
    listed = run_cli("runs", "list", "--json", cwd=tmp_path)
    before = json.loads(listed.stdout)
    summary = edit_summary(run_dir, "verdict")  # pass -> fail, status gates_failed

    done = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--resume", run_dir.name, "--no-report",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert str(summary.relative_to(tmp_path)) in errors[0], done.stderr  # under reports/
    assert "manifest.json" in errors[0], done.stderr
    assert "unchanged" not in done.stdout + done.stderr
    listed = run_cli("runs", "list", "--json", cwd=tmp_path)
    assert json.loads(listed.stdout) == before  # still the run's own: passed, 1 of 1 gates


def test_a_run_whose_manifest_records_no_summary_hash_reads_as_before(tmp_path: Path) -> None:
    """Runs made before the hash was recorded: no check, nothing said (as for a results file
    whose hash the manifest does not record)."""
    run_dir = _finished_run(tmp_path)
    manifest_path = run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest.pop("summary", None)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    edit_summary(run_dir, "metric value")
    done = run_cli("report", run_dir, "-o", tmp_path / "out", cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr
