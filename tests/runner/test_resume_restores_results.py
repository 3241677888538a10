"""``--resume`` of a finished run whose results.jsonl is gone restores it from the journal, but
only as the very file the run wrote.

Observed before: such a resume refused ("--resume does not finish a run again without the rows
it wrote"), though the journal (every response, append-only) was still in the folder and the
manifest records results.jsonl's SHA-256: the rows could be scored again exactly as the run
scored them and checked against that hash. Rows that come out otherwise (the privacy policy
changed since, a journal edited) are not the run's, and are refused with the folder left as
it was.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..testing.cli import run_cli

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


def _project(root: Path) -> Path:
    """A 12-case suite whose cases hold e-mail addresses (what a redaction policy replaces),
    attached as evidence (``evidence_for``), and a callable target echoing each prompt."""
    module = f"restore_{root.name.replace('-', '_')}"
    (root / f"{module}.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (root / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (root / "cases.jsonl").write_text(
        "".join(
            json.dumps({"id": f"c{i:02d}", "prompt": f"write to person{i}@example.com"}) + "\n"
            for i in range(12)
        ),
        encoding="utf-8",
    )
    (root / "s.yaml").write_text(
        "suite: restore\ndataset: {path: cases.jsonl}\nevidence_for: [R-001]\n"
        "scorers:\n  - {id: m, use: regex, with: {pattern: echo}}\n  - {id: len, use: length}\n"
        "metrics:\n  - {id: r, rate: m.matched}\ngates:\n  - {metric: r, min: 0.5}\n",
        encoding="utf-8",
    )
    return root


def _finished_run(root: Path) -> Path:
    done = run_cli(*RUN, cwd=_project(root), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = [p.parent for p in (root / "r").glob("*/run.json")]
    assert (root / "r" / "evidence" / "ledger.jsonl").is_file()  # attached as evidence
    return run_dir


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _recorded_sha256(run_dir: Path) -> str:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["results"]["sha256"])


def test_a_deleted_results_file_is_restored_identical_and_the_evidence_verifies(
    tmp_path: Path,
) -> None:
    run_dir = _finished_run(tmp_path)
    before = _files(run_dir)
    (run_dir / "results.jsonl").unlink()

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    digest = _recorded_sha256(run_dir)
    assert (
        "restored results.jsonl from the journal: identical to the file the run wrote "
        f"(sha256 {digest})"
    ) in done.stdout + done.stderr
    assert _files(run_dir) == before  # results.jsonl byte for byte; summary, manifest untouched
    assert hashlib.sha256((run_dir / "results.jsonl").read_bytes()).hexdigest() == digest
    verified = run_cli("evidence", "verify", "--reports", "r", cwd=tmp_path, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_rows_that_come_out_otherwise_are_refused_and_the_folder_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    """The project's privacy policy now redacts the e-mail addresses the run stored: the rows
    scored again from the journal are stored otherwise, so they are not the run's."""
    run_dir = _finished_run(tmp_path)
    recorded = _recorded_sha256(run_dir)
    (run_dir / "results.jsonl").unlink()
    before = _files(run_dir)
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t\n  redaction: {enabled: true}\n", encoding="utf-8"
    )

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 3, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert "not the ones the run wrote" in errors[0], errors
    assert recorded in errors[0], errors
    assert "privacy policy" in errors[0], errors
    assert "restore the file the run wrote, or run the suite again" in done.stderr
    assert "Traceback" not in done.stderr
    assert _files(run_dir) == before  # no results.jsonl, no temporary file
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(before)


def test_an_edited_journal_is_refused_naming_it(tmp_path: Path) -> None:
    run_dir = _finished_run(tmp_path)
    (run_dir / "results.jsonl").unlink()
    journal = run_dir / "responses.jsonl"
    journal.write_bytes(journal.read_bytes().replace(b"echo write to person3", b"echo write to X"))
    before = _files(run_dir)

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 3, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert "not the ones the run wrote" in errors[0], errors
    assert "responses.jsonl" in errors[0], errors
    assert _files(run_dir) == before


def test_a_restore_cut_short_does_not_confuse_the_next_resume(tmp_path: Path) -> None:
    """What a restore killed mid-file leaves (its temporary file, half written) is cleared by
    the next ``--resume``, which restores the file."""
    run_dir = _finished_run(tmp_path)
    before = _files(run_dir)
    results = run_dir / "results.jsonl"
    left = run_dir / ".results.jsonl.0badc0de.tmp"
    left.write_bytes(results.read_bytes()[:100])
    results.unlink()

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored results.jsonl from the journal" in done.stdout + done.stderr
    assert _files(run_dir) == before


def test_a_results_file_changed_since_the_run_is_still_refused_and_kept(tmp_path: Path) -> None:
    """Changed, not missing: it may be the evidence of tampering, so it is not overwritten."""
    run_dir = _finished_run(tmp_path)
    results = run_dir / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b"person3", b"person4"))
    before = _files(run_dir)

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 3, done.stdout + done.stderr
    assert "does not match the SHA-256 in its manifest.json" in done.stderr
    assert "restored" not in done.stdout + done.stderr
    assert _files(run_dir) == before


def test_without_its_journal_a_run_is_refused_as_before(tmp_path: Path) -> None:
    """No journal (deleted, or the run purged under the retention policy): nothing to make the
    rows from, so the refusal is today's, and nothing is written."""
    run_dir = _finished_run(tmp_path)
    (run_dir / "results.jsonl").unlink()
    (run_dir / "responses.jsonl").unlink()
    before = _files(run_dir)

    done = run_cli(*RUN, "--resume", run_dir.name, cwd=tmp_path, timeout=120)

    assert done.returncode == 3, done.stdout + done.stderr
    assert "results.jsonl: missing" in done.stderr
    assert "restore the file the run wrote, or run the suite again" in done.stderr
    assert _files(run_dir) == before
