"""``compare`` and ``baseline set``/``check`` refuse a run whose files are not those its evidence
in the ledger hashed, as ``trend`` leaves it out (``test_trend_summary_ledger_hash``).

Observed: a rate's value in a run's summary.json set to 0 and the SHA-256 its manifest.json
records rewritten to match. ``evidence verify`` failed on the run (file_changed), but
``assurance compare <older> <forged> -f json`` read the edited figure (candidate value 0.0, "no
significant regression", exit 0) and ``assurance baseline set <forged> --force`` accepted it:
both checked the summary against the manifest only, which whoever edits one can rewrite too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli

from ..report.runfixtures import ledgered_runs


def _rehash(run_dir: Path, entry: str, name: str) -> None:
    """manifest.json's hash of ``name`` rewritten to match the file as it is now."""
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest[entry]["sha256"] = hashlib.sha256((run_dir / name).read_bytes()).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))


def _forge_summary(run_dir: Path) -> Path:
    """The rate's value set to 0, and the manifest's hash of the summary made to match."""
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    summary["metrics"]["r"]["value"] = 0.0
    path.write_text(json.dumps(summary))
    _rehash(run_dir, "summary", "summary.json")
    return path


def _forge_results(run_dir: Path) -> Path:
    """One row's score flipped, and the manifest's hash of the rows made to match."""
    path = run_dir / "results.jsonl"
    lines = path.read_text().splitlines()
    first = json.loads(lines[0])
    first["scores"]["m"]["matched"] = not first["scores"]["m"]["matched"]
    lines[0] = json.dumps(first)
    path.write_text("\n".join(lines) + "\n")
    _rehash(run_dir, "results", "results.jsonl")
    return path


def _refused(done: object, path: Path) -> str:
    """The one error line of a refusal (exit 3) naming ``path`` and the ledger."""
    stdout, stderr, code = done.stdout, done.stderr, done.returncode  # type: ignore[attr-defined]
    assert code == 3, stdout + stderr
    assert "no significant regression" not in stdout + stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert str(path) in errors[0] and "ledger" in errors[0], errors[0]
    return errors[0]


def test_compare_refuses_a_candidate_summary_edited_with_its_manifest(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    summary = _forge_summary(reports / "run-1")
    done = run_cli("compare", "run-0", "run-1", "--reports", reports, "-f", "json", cwd=tmp_path)
    _refused(done, summary)


def test_compare_refuses_a_baseline_summary_edited_with_its_manifest(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    summary = _forge_summary(reports / "run-0")
    done = run_cli("compare", "run-0", "run-1", "--reports", reports, cwd=tmp_path)
    _refused(done, summary)


def test_compare_refuses_rows_edited_with_their_manifest(tmp_path: Path) -> None:
    """The tests run over results.jsonl: rows edited with the manifest's hash are refused."""
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    results = _forge_results(reports / "run-1")
    done = run_cli("compare", "run-0", "run-1", "--reports", reports, cwd=tmp_path)
    _refused(done, results)


def test_baseline_set_refuses_such_a_run_even_forced(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    summary = _forge_summary(reports / "run-1")
    done = run_cli("baseline", "set", "run-1", "--force", "--reports", reports, cwd=tmp_path)
    _refused(done, summary)
    shown = run_cli("baseline", "show", "--reports", reports, "-f", "json", cwd=tmp_path)
    assert json.loads(shown.stdout)["baselines"] == [], shown.stdout


def test_baseline_check_gives_no_verdict_on_such_a_candidate(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    accepted = run_cli("baseline", "set", "run-0", "--reports", reports, cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    summary = _forge_summary(reports / "run-1")
    done = run_cli("baseline", "check", "--reports", reports, cwd=tmp_path)
    _refused(done, summary)


def test_without_a_ledger_nothing_changes(tmp_path: Path) -> None:
    """Runs never recorded: the manifest is all there is to check against, as before."""
    reports = tmp_path / "reports"
    ledgered_runs(reports, recorded=False)
    _forge_summary(reports / "run-1")
    done = run_cli("compare", "run-0", "run-1", "--reports", reports, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ledger" not in done.stdout + done.stderr


def test_an_untouched_recorded_pair_gets_its_verdict(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports)
    done = run_cli("compare", "run-0", "run-1", "--reports", reports, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no significant regression" in done.stdout + done.stderr


def test_the_ledger_is_read_once_for_all_the_runs_a_command_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """compare reads two runs, baseline check a suite's history: one read of the ledger."""
    from assurance_harness.compare.runs import iter_suite_runs, resolve_run
    from assurance_harness.register import ledger_hashes

    reports = tmp_path / "reports"
    ledgered_runs(reports)
    reads: list[Path] = []
    real = ledger_hashes.read_ledger

    def counted(path: Path, **kwargs: Any) -> Any:
        reads.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(ledger_hashes, "read_ledger", counted)
    runs = [resolve_run("run-0", reports), resolve_run("run-1", reports)]
    runs += list(iter_suite_runs(reports, "tv"))
    assert len(runs) == 4 and all(run.ledger_hashes for run in runs)
    assert len(reads) == 1, reads
