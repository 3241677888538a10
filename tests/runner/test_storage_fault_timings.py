"""Storage faults at the less obvious moments of a run (issue 12): after the run log is written
but before its post-run steps, while evidence is appended, and at resume time. Each must end in
exit 3 with the way on, and ``--resume`` must then complete everything a run leaves behind.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shlex
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.errors import RunFailedError
from tests.testing.cli import CLI, run_cli
from tests.testing.project import target_that_blocks

CASES = "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(6))
REVIEW_SUITE = (
    "suite: review-faults\nevidence_for: [R-001]\ncases:\n" + CASES + "scorers: [{id: m, use: "
    "regex, with: {pattern: echo}}]\nmetrics: [{id: r, rate: m.matched}]\n"
    "review: {label: m.matched}\ngates: [{metric: r, min: 0.5, require_reviewed: true}]\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "timing_target.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: timing_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "review.yaml").write_text(REVIEW_SUITE, encoding="utf-8")
    return tmp_path


def _resume_id(stderr: str) -> str:
    found = re.search(r"--resume (\S+)", stderr)
    assert found, stderr
    return found.group(1)


PLAIN_SUITE = REVIEW_SUITE.replace("require_reviewed: true", "")
"""The review suite without the reviewed-rows requirement: its gate decides on its own."""


def _stop(*_args: object, **_kwargs: object) -> None:
    """Stands in for a step the test interrupts (Ctrl-C there)."""
    raise KeyboardInterrupt


def _run_stopped_while_scoring(
    monkeypatch: pytest.MonkeyPatch, suite: str = "s.yaml", target: str = "t.yaml"
) -> str:
    """A run (in the working directory) stopped by Ctrl-C once every response is journalled,
    as scoring begins; its run id."""
    from assurance_harness.runner.executors.base import LocalScoring
    from assurance_harness.runner.run import RunInterrupted, run_suite

    with monkeypatch.context() as patch:
        patch.setattr(LocalScoring, "score", _stop)
        with pytest.raises(RunInterrupted) as stop:
            run_suite(suite, target, write_reports=False, attach_evidence=False)
    return stop.value.run_id


def test_resume_after_a_runs_db_fault_keeps_the_review_queue(project: Path) -> None:
    # runs.db fails when the finished run's review queue is stored; once fixed, --resume must
    # store the queue too, or the gate waits for reviews that nobody can ever give.
    # runs.db becomes a folder (which sqlite cannot open) once the run has begun: one there at
    # the start is refused before anything is sent (test_reports_folder_refused).
    (project / "t.yaml").unlink()
    target_that_blocks(project, "reports/runs.db", "timing_queue_indexblocker", target="t.yaml")
    args = ["run", "review.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"]
    done = run_cli(*args, "--no-evidence", cwd=project)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    run_id = _resume_id(done.stderr)

    (project / "reports" / "runs.db").rmdir()
    again = run_cli(*args, "--no-evidence", "--resume", run_id, cwd=project)
    assert again.returncode == 1, again.stderr  # awaiting review: a gate that has not passed
    with sqlite3.connect(project / "reports" / "runs.db") as conn:
        (queued,) = conn.execute(
            "SELECT COUNT(*) FROM review_queue WHERE run_id = ?", (run_id,)
        ).fetchone()
    assert queued == 6


def test_the_printed_resume_command_keeps_the_ledger_it_was_given(project: Path) -> None:
    # The run was told where its evidence goes; the printed command that finishes it must say
    # so too, or following it literally attaches the evidence to the default ledger instead.
    (project / "s.yaml").write_text(PLAIN_SUITE)
    # The ledger's lock file cannot be made once the run has begun (a folder in its place); a
    # ledger path that is wrong at the start is refused before anything is sent.
    target_that_blocks(project, "audit/ledger.jsonl.lock", "timing_blocker")
    done = run_cli(
        "run", "s.yaml", "--target", "tb.yaml", "--reports", "reports", "--no-report",
        "--ledger", "audit/ledger.jsonl", cwd=project,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    printed = re.search(r"finish with: (assurance run .*)", done.stderr)
    assert printed, done.stderr

    (project / "audit" / "ledger.jsonl.lock").rmdir()
    again = run_cli(*shlex.split(printed.group(1))[1:], cwd=project)
    assert again.returncode == 0, again.stderr
    run_id = _resume_id(done.stderr)
    assert run_id in (project / "audit" / "ledger.jsonl").read_text(encoding="utf-8")
    assert not (project / "reports" / "evidence" / "ledger.jsonl").exists()


def _fail_with_a_full_disk(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "report.html")


def test_the_repair_commands_after_a_post_run_fault_name_the_reports_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk while the reports are written, and a ledger that refuses the records: the
    # notes' commands must work as printed, for a run whose reports are not in ./reports.
    from assurance_harness.register import ledger
    from assurance_harness.register.evidence_record import EvidenceError
    from assurance_harness.runner.run import run_suite

    def refused(*_args: object, **_kwargs: object) -> None:
        raise EvidenceError("the ledger refused the records")

    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    with monkeypatch.context() as patch:
        patch.setattr("assurance_harness.report.write_reports", _fail_with_a_full_disk)
        patch.setattr(ledger, "attach_run", refused)
        outcome = run_suite("s.yaml", "t.yaml", reports_dir="audit-runs", use_cache=False)
    notes = "\n".join(outcome.notes)
    commands = re.findall(r"(?:retry with|then): (assurance [^)\n]*)", notes)
    assert len(commands) == 2, notes
    for command in commands:
        done = run_cli(*shlex.split(command)[1:], cwd=project)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert (outcome.run_dir / "report.html").exists()
    ledger_file = project / "audit-runs" / "evidence" / "ledger.jsonl"
    assert outcome.run_id in ledger_file.read_text(encoding="utf-8")


def test_a_full_disk_while_the_reports_are_written_is_exit_3(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A storage fault is exit 3 (README, exit codes) whichever file it hits: CI that reads 0
    # uploads a junit.xml that is not there. Resuming the finished run writes the reports.
    from assurance_harness.runner.run import run_suite

    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    with monkeypatch.context() as patch:
        patch.setattr("assurance_harness.report.write_reports", _fail_with_a_full_disk)
        outcome = run_suite("s.yaml", "t.yaml", attach_evidence=False, use_cache=False)
    assert outcome.exit_code == 3, outcome.notes
    assert not (outcome.run_dir / "junit.xml").exists()
    again = run_suite("s.yaml", "t.yaml", attach_evidence=False, resume=outcome.run_id)
    assert again.exit_code == 0, again.notes
    assert (outcome.run_dir / "junit.xml").exists()


def test_resume_refuses_a_dataset_that_changed_since_the_run_began(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The suite file is unchanged but its dataset was edited: the journal's responses answer the
    # old prompts, and the manifest would record the new dataset's SHA-256 beside them.
    from assurance_harness.errors import UsageError
    from assurance_harness.runner.executors.base import LocalScoring
    from assurance_harness.runner.run import RunInterrupted, run_suite

    monkeypatch.chdir(project)
    (project / "cases.jsonl").write_text(
        "".join(f'{{"id": "c{i}", "text": "hello {i}"}}\n' for i in range(4)), encoding="utf-8"
    )
    (project / "d.yaml").write_text(
        "suite: dataset-resume\ndataset: {path: cases.jsonl, fields: {prompt: text}}\n"
        "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    with monkeypatch.context() as patch:
        patch.setattr(LocalScoring, "score", _stop)
        with pytest.raises(RunInterrupted) as stop:
            run_suite("d.yaml", "t.yaml", write_reports=False, attach_evidence=False)

    (project / "cases.jsonl").write_text(
        "".join(f'{{"id": "c{i}", "text": "goodbye {i}"}}\n' for i in range(4)), encoding="utf-8"
    )
    with pytest.raises(UsageError, match=r"cases\.jsonl"):
        run_suite(
            "d.yaml", "t.yaml", write_reports=False, attach_evidence=False,
            resume=stop.value.run_id,
        )  # fmt: skip


@pytest.mark.parametrize("failing", ["write_summary", "write_manifest", "write_state"])
def test_a_full_disk_at_the_summary_under_redaction_resumes_to_the_same_verdict(
    project: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    # Under a redaction policy the journal is rewritten redacted just before summary.json is
    # written. A full disk at summary.json left the run resumable, but its journal redacted:
    # the resume scored "<EMAIL_ADDRESS>" where the run had scored the address.
    from assurance_harness.runner.run import run_suite
    from assurance_harness.store.runlog import RunLogWriter

    monkeypatch.chdir(project)
    (project / "assurance.yaml").write_text("privacy:\n  redaction:\n    enabled: true\n")
    cases = "".join(f"  - {{id: c{i}, prompt: 'mail pupil{i}@example.com'}}\n" for i in range(4))
    (project / "p.yaml").write_text(
        "suite: redacted-resume\ncases:\n" + cases + "scorers: [{id: m, use: regex, with: "
        "{pattern: example}}]\nmetrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 1}]\n"
    )
    clean = run_suite("p.yaml", "t.yaml", reports_dir="clean", write_reports=False)
    assert clean.summary["metrics"]["r"]["value"] == 1.0

    with monkeypatch.context() as patch:
        real_state = RunLogWriter.write_state

        def final_state_fails(writer: RunLogWriter, state: Any) -> None:
            if state.status == "running":  # the run's start: let it begin
                return real_state(writer, state)
            _fail_with_a_full_disk()

        fault = final_state_fails if failing == "write_state" else _fail_with_a_full_disk
        patch.setattr(RunLogWriter, failing, fault)
        with pytest.raises(RunFailedError) as failed:
            run_suite("p.yaml", "t.yaml", reports_dir="faulty", write_reports=False)
    run_id = _resume_id(str(failed.value))
    again = run_suite("p.yaml", "t.yaml", reports_dir="faulty", write_reports=False, resume=run_id)
    assert again.summary["metrics"]["r"]["value"] == clean.summary["metrics"]["r"]["value"]
    assert again.exit_code == clean.exit_code == 0
    # Stored as an uninterrupted run stores them: redacted, no copy left waiting, and what the
    # manifest hashes.
    folder = project / "faulty" / run_id
    assert not list(folder.glob("*.redacted"))
    for name in ("cases.jsonl", "responses.jsonl"):
        text = (folder / name).read_text()
        assert "example.com" not in text and "<EMAIL_ADDRESS>" in text, name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (
        manifest["cases"]["sha256"]
        == hashlib.sha256((folder / "cases.jsonl").read_bytes()).hexdigest()
    )


def test_a_run_that_stopped_before_its_redacted_inputs_took_their_place_is_finished_by_resume(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process stopped between run.json saying finished and the redacted copies replacing
    the originals: ``--resume`` of the finished run puts them in place."""
    from assurance_harness.privacy import stored
    from assurance_harness.runner.run import run_suite

    monkeypatch.chdir(project)
    (project / "assurance.yaml").write_text("privacy:\n  redaction:\n    enabled: true\n")
    (project / "p.yaml").write_text(
        "suite: redacted-stop\ncases:\n  - {id: c0, prompt: 'mail pupil@example.com'}\n"
        "scorers: [{id: m, use: regex, with: {pattern: example}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 1}]\n"
    )
    with monkeypatch.context() as patch:
        patch.setattr(stored, "commit_redacted_inputs", lambda _run_dir: None)
        first = run_suite("p.yaml", "t.yaml", reports_dir="r", write_reports=False)
    assert list(first.run_dir.glob("*.redacted"))  # the stop being simulated
    again = run_suite("p.yaml", "t.yaml", reports_dir="r", write_reports=False, resume=first.run_id)
    assert again.summary == first.summary
    assert not list(first.run_dir.glob("*.redacted"))
    assert "example.com" not in (first.run_dir / "responses.jsonl").read_text()


class _ShortWrites:
    """``os`` for the ledger, whose writes stop half-way (a disk that fills during the append)."""

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    @staticmethod
    def write(fd: int, data: bytes) -> int:
        return os.write(fd, data[: len(data) // 2])


def test_a_full_disk_during_the_ledger_append_leaves_a_ledger_that_resume_can_finish(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk fills while a passed run's evidence is appended: half a record reaches the
    # ledger. Once there is room again, --resume must attach the evidence and the ledger verify;
    # a torn record left behind makes every later append fail and `evidence verify` cry tamper.
    # The ledger's storage fault fails the run (exit 3) naming the ledger, with its --resume.
    from assurance_harness.register import ledger_store
    from assurance_harness.register.ledger_verify import verify_ledger
    from assurance_harness.runner.run import run_suite

    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    with monkeypatch.context() as patch:
        patch.setattr(ledger_store, "os", _ShortWrites())
        with pytest.raises(ledger_store.LedgerFaultError) as failed:
            run_suite("s.yaml", "t.yaml", write_reports=False, use_cache=False)
    assert failed.value.exit_code == 3
    assert str(failed.value).startswith("reports/evidence/ledger.jsonl: cannot append:"), failed
    run_id = _resume_id(str(failed.value))

    again = run_suite("s.yaml", "t.yaml", write_reports=False, resume=run_id)
    assert again.exit_code == 0, again.notes
    report = verify_ledger(project / "reports" / "evidence" / "ledger.jsonl")
    assert report.ok, report.issues


def test_two_resumes_of_one_run_at_once_send_nothing_twice(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CI retry starts while the first resume still runs: both sent every missing request and
    # both rewrote the run's files, so the evidence the first attached no longer matched them.
    from assurance_harness.register.ledger_verify import verify_ledger
    from assurance_harness.runner.executors.base import LocalExecutor
    from assurance_harness.runner.run import RunInterrupted, run_suite

    monkeypatch.chdir(project)
    (project / "slow_target.py").write_text(
        "import time\ndef reply(messages):\n    time.sleep(0.3)\n"
        "    return 'echo ' + messages[-1]['content']\n",
        encoding="utf-8",
    )
    (project / "slow.yaml").write_text(
        "type: callable\nfunction: slow_target:reply\npython_path: [.]\nconcurrency: 1\n"
    )
    (project / "s.yaml").write_text(PLAIN_SUITE)
    with monkeypatch.context() as patch:
        patch.setattr(LocalExecutor, "send", _stop)
        with pytest.raises(RunInterrupted) as stop:
            run_suite("s.yaml", "slow.yaml", write_reports=False)
    run_id = stop.value.run_id

    args = [*CLI, "run", "s.yaml", "--target", "slow.yaml", "--no-report", "--resume", run_id]
    procs = [subprocess.Popen(args, cwd=project, stderr=subprocess.PIPE, text=True)]
    time.sleep(0.5)
    procs.append(subprocess.Popen(args, cwd=project, stderr=subprocess.PIPE, text=True))
    codes = [p.wait(timeout=120) for p in procs]
    errors = [p.stderr.read() if p.stderr else "" for p in procs]
    assert sorted(codes) in ([0, 0], [0, 3]), errors
    assert not any("Traceback" in e for e in errors)
    journal = (project / "reports" / run_id / "responses.jsonl").read_text(encoding="utf-8")
    assert len(journal.splitlines()) == 6  # each request sent once
    report = verify_ledger(project / "reports" / "evidence" / "ledger.jsonl")
    assert report.ok, report.issues


def test_a_run_file_that_is_a_folder_is_named_not_its_temporary_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # results.jsonl is a folder when the resumed run writes it: the line must name
    # results.jsonl (what to fix), not the '.results.jsonl.XXXX.tmp' that was being renamed.
    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    run_id = _run_stopped_while_scoring(monkeypatch)
    (project / "reports" / run_id / "results.jsonl").mkdir()

    args = ["run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence"]
    done = run_cli(*args, "--resume", run_id, cwd=project)
    assert done.returncode == 3, done.stderr
    first = next(line for line in done.stderr.splitlines() if line.startswith("error: "))
    assert first.endswith(f"{run_id}/results.jsonl: Is a directory"), first
    assert f"--resume {run_id}" in done.stderr

    (project / "reports" / run_id / "results.jsonl").rmdir()
    again = run_cli(*args, "--resume", run_id, cwd=project)
    assert again.returncode == 0, again.stderr


def test_ctrl_c_while_a_resume_redoes_the_post_run_steps_prints_the_resume_command(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run is recorded but not indexed (runs.db was a folder); Ctrl-C while the resume
    # indexes it said "interrupted before sending started; nothing to resume".
    from assurance_harness.runner import poststeps
    from assurance_harness.runner.run import RunInterrupted, run_suite

    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    # runs.db becomes a folder (which sqlite cannot open) once the run has begun: one there at
    # the start is refused before anything is sent (test_reports_folder_refused).
    (project / "t.yaml").unlink()
    target_that_blocks(project, "reports/runs.db", "timing_ctrlc_indexblocker", target="t.yaml")
    with pytest.raises(RunFailedError) as failed:
        run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False)
    run_id = _resume_id(str(failed.value))
    (project / "reports" / "runs.db").rmdir()

    with monkeypatch.context() as patch:
        patch.setattr(poststeps, "index_run_step", _stop)
        try:
            run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False, resume=run_id)
        except KeyboardInterrupt:  # the CLI then says "nothing to resume"
            pytest.fail("Ctrl-C escaped the run without its resume command")
        except RunInterrupted as stop:
            assert f"--resume {run_id}" in stop.resume_command
        else:
            pytest.fail("the interrupted resume returned")
    done = run_suite("s.yaml", "t.yaml", write_reports=False, attach_evidence=False, resume=run_id)
    assert done.exit_code == 0, done.notes


def test_a_storage_fault_in_a_directory_run_names_the_suites_it_did_not_run(
    project: Path,
) -> None:
    # `assurance run suites/` stops at the first suite's storage fault; resuming that one and
    # reading exit 0 must not pass for the whole directory: the line names what never ran.
    (project / "suites").mkdir()
    for name in ("a", "b", "c"):
        (project / "suites" / f"{name}.yaml").write_text(
            REVIEW_SUITE.replace("review-faults", f"suite-{name}").replace(
                "require_reviewed: true", ""
            )
        )
    # runs.db becomes a folder (which sqlite cannot open) once the run has begun: one there at
    # the start is refused before anything is sent (test_reports_folder_refused).
    (project / "t.yaml").unlink()
    target_that_blocks(project, "reports/runs.db", "timing_dirrun_indexblocker", target="t.yaml")
    done = run_cli(
        "run", "suites", "--target", "t.yaml", "--no-report", "--no-evidence", cwd=project
    )
    assert done.returncode == 3, done.stderr
    assert "--resume" in done.stderr
    assert "suites/b.yaml" in done.stderr and "suites/c.yaml" in done.stderr, done.stderr


@pytest.mark.parametrize("damage", ['{"run_id": "x", "sta', "[]", '{"run_id": 1}'])
def test_resuming_a_run_whose_run_json_is_damaged_names_the_file(
    project: Path, damage: str
) -> None:
    # run.json is written atomically, so only a bad disk or an edit tears it: that is the
    # run folder's damage, to be named, not "internal error: JSONDecodeError ... a bug".
    run_dir = project / "reports" / "20260101T000000Z-review-faults-0bad"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(damage, encoding="utf-8")
    done = run_cli(
        "run", "review.yaml", "--target", "t.yaml", "--resume", run_dir.name, cwd=project
    )
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "run.json" in done.stderr and "damaged" in done.stderr, done.stderr


def test_resuming_a_run_without_its_cases_file_says_it_is_damaged(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cases.jsonl gone between the crash and --resume: reading it failed as "cannot write
    # .../cases.jsonl: No such file or directory; after fixing this, run the same command again".
    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    run_id = _run_stopped_while_scoring(monkeypatch)
    (project / "reports" / run_id / "cases.jsonl").unlink()
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--resume", run_id, cwd=project)
    assert done.returncode == 2, done.stderr
    assert "cannot write" not in done.stderr
    assert "cases.jsonl" in done.stderr and "damaged" in done.stderr, done.stderr


def test_ctrl_c_before_a_resume_continues_does_not_say_nothing_to_resume(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while a resume still reads the run folder (a large cases file): the run is as it
    # was and the same command continues it; "nothing to resume" would send the user elsewhere.
    from assurance_harness.runner import run as run_module
    from tests.testing.cli import invoke_in_process

    monkeypatch.chdir(project)
    (project / "s.yaml").write_text(PLAIN_SUITE)
    run_id = _run_stopped_while_scoring(monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(run_module, "_check_same_cases", _stop)
        done = invoke_in_process(["run", "s.yaml", "--target", "t.yaml", "--resume", run_id])
    assert done.exit_code == 130, done.output
    assert "nothing to resume" not in done.output
    assert f"--resume {run_id}" in done.output, done.output
