"""Storage faults end a run with exit 3, one line and the way on; nothing collected is lost and
``--resume`` completes the run and its index entry once the cause is fixed (issue 12).

The faults are real ones that hold even for root (who ignores file permissions): runs.db or the
ledger's folder blocked once the run has begun, a reports path that is a dangling symlink. A
reports path that is a file from the start is the caller's mistake, refused before anything is
sent (exit 2, test_reports_folder_refused).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from assurance_harness.runner import run as run_module
from assurance_harness.runner.run import run_suite
from tests.testing.cli import run_cli
from tests.testing.project import target_that_blocks

SUITE = (
    "suite: store-faults\nevidence_for: [R-001]\ncases:\n  - {id: a, prompt: hi}\n"
    "  - {id: b, prompt: there}\nscorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "storefault_target.py").write_text(
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n", encoding="utf-8"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: storefault_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    return tmp_path


def _run(project: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "run",
        "s.yaml",
        "--target",
        "t.yaml",
        "--reports",
        "reports",
        "--no-report",
        *extra,
        cwd=project,
    )


def _resume_id(stderr: str) -> str:
    found = re.search(r"--resume (\S+)", stderr)
    assert found, stderr
    return found.group(1)


def test_a_reports_path_that_is_a_dangling_symlink_is_named_as_one(project: Path) -> None:
    """Was: ``no free run id in reports after 100 tries``: making the run folder raised
    FileExistsError (from the link, not from a taken id) and was drawn again 100 times."""
    (project / "reports").symlink_to(project / "gone")
    done = _run(project)
    assert done.returncode == 3, done.stderr
    assert "no free run id" not in done.stderr
    assert f"cannot write reports: a symlink to {project / 'gone'}, which does not exist" in (
        done.stderr
    ), done.stderr
    assert "nothing was sent" in done.stderr


def test_an_unwritable_runs_db_is_exit_3_and_resume_completes_the_index(project: Path) -> None:
    # runs.db becomes a folder (which sqlite cannot open) once the run has begun: one there at
    # the start is refused before anything is sent (test_reports_folder_refused).
    (project / "t.yaml").unlink()
    target_that_blocks(project, "reports/runs.db", "storefault_indexblocker", target="t.yaml")
    done = _run(project, "--no-evidence")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot write reports/runs.db" in done.stderr
    run_id = _resume_id(done.stderr)
    assert (project / "reports" / run_id / "summary.json").exists()  # nothing lost

    (project / "reports" / "runs.db").rmdir()  # the target's marker keeps it from coming back
    again = _run(project, "--no-evidence", "--resume", run_id)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(project / "reports" / "runs.db") as conn:
        row = conn.execute("SELECT status, n_requests FROM runs WHERE run_id=?", (run_id,))
        assert row.fetchone() == ("passed", 2)


def test_an_unwritable_ledger_is_exit_3_and_resume_attaches_evidence(project: Path) -> None:
    # The ledger's lock file cannot be made once the run has begun (a folder in its place): a
    # ledger path that is wrong at the start is refused before anything is sent (exit 2).
    (project / "t.yaml").unlink()
    target_that_blocks(project, "audit/ledger.jsonl.lock", "storefault_blocker", target="t.yaml")
    done = _run(project, "--ledger", "audit/ledger.jsonl")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    # The ledger's storage fault (LedgerFaultError) names the lock file and the run's --resume.
    assert "error: audit/ledger.jsonl.lock: cannot open the ledger's lock" in done.stderr
    run_id = _resume_id(done.stderr)

    # The cause fixed, the run resumed with its own ledger (a resume continues a run as it was
    # started: another --ledger typed here is refused, runner.resumeoptions).
    (project / "audit" / "ledger.jsonl.lock").rmdir()
    again = _run(project, "--ledger", "audit/ledger.jsonl", "--resume", run_id)
    assert again.returncode == 0, again.stderr
    assert run_id in (project / "audit" / "ledger.jsonl").read_text(encoding="utf-8")


def test_run_ids_never_collide(project: Path, monkeypatch) -> None:
    # Same suite, same second, same random suffix: the second run takes another id.
    monkeypatch.setattr(run_module.secrets, "token_hex", lambda n: "abcd")
    monkeypatch.setattr(run_module, "datetime", _FrozenDatetime)
    monkeypatch.chdir(project)
    ids = []
    for _ in range(2):
        try:
            ids.append(run_suite("s.yaml", "t.yaml", attach_evidence=False, write_reports=False))
        finally:
            monkeypatch.setattr(run_module.secrets, "token_hex", _counter())
    assert ids[0].run_id != ids[1].run_id
    assert all((project / "reports" / o.run_id / "summary.json").exists() for o in ids)
    shutil.rmtree(project / "reports")


class _FrozenDatetime:
    from datetime import datetime as _real

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def]
        return cls._real(2026, 1, 1, 12, 0, 0, tzinfo=tz)


def _counter():  # type: ignore[no-untyped-def]
    values = iter(["abcd", "abcd", "ef01", "ef02"])
    return lambda n: next(values)


def test_a_runs_db_damaged_during_the_run_is_named_with_its_fix(project: Path) -> None:
    """Was: 'cannot write reports/runs.db: file is not a database' and the --resume, which
    failed the same way until the user found the fix the other commands name."""
    (project / "storefault_target.py").write_text(
        "from pathlib import Path\n\n"
        "def reply(messages):\n"
        "    index = Path('reports/runs.db')\n"
        "    if not Path('damaged').exists():\n"
        "        index.write_bytes(bytes(range(256)) * 16)\n"
        "        Path('damaged').write_text('')\n"
        "    return 'echo ' + messages[-1]['content']\n",
        encoding="utf-8",
    )
    done = _run(project, "--no-evidence")
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert (
        "error: cannot write reports/runs.db: the run index cannot be read (file is not a "
        "database); repair it or move it aside"
    ) in done.stderr, done.stderr
    run_id = _resume_id(done.stderr)

    (project / "reports" / "runs.db").rename(project / "runs.db.bad")  # as the line says
    again = _run(project, "--no-evidence", "--resume", run_id)
    assert again.returncode == 0, again.stderr


def test_reports_not_written_are_said_when_the_ledger_fails_too(project: Path) -> None:
    """Both post-run steps hit a storage fault: only the ledger's line was printed, and the
    reports' failure (report.json, junit.xml never written) was dropped with the notes."""
    command = ("run", "s.yaml", "--target", "t.yaml", "--ledger", "audit/ledger.jsonl")
    first = run_cli(*command, cwd=project)
    assert first.returncode == 0, first.stderr
    (run_dir,) = (p for p in (project / "reports").iterdir() if (p / "summary.json").exists())
    report = run_dir / "report.html"
    report.unlink()
    report.mkdir()  # the report cannot be written
    lock = project / "audit" / "ledger.jsonl.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()  # nor the ledger appended to
    done = run_cli(*command, "--resume", run_dir.name, cwd=project)
    assert done.returncode == 3, done.stderr
    assert "cannot open the ledger's lock" in done.stderr
    assert "reports not written: cannot write reports/" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_killed_in_its_evidence_step_is_not_listed_as_complete(project: Path) -> None:
    """``kill -9`` while the run waits for the ledger's lock (a CI timeout): the run was
    indexed before its evidence step, so ``runs list`` showed it finished, no resume, and the
    register its risk as "no evidence yet" with nothing to say the run's evidence was due. A
    run is indexed once its evidence is attached: one killed before is listed from its folder
    with the resume that completes it."""
    import fcntl
    import os
    import signal

    from tests.testing.cli import start_cli

    (project / "audit").mkdir()
    holder = os.open(project / "audit" / "ledger.jsonl.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        proc = start_cli(
            "run",
            "s.yaml",
            "--target",
            "t.yaml",
            "--reports",
            "reports",
            "--no-report",
            "--ledger",
            "audit/ledger.jsonl",
            cwd=project,
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("waiting:"):
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        os.close(holder)
    (run_dir,) = (p for p in (project / "reports").iterdir() if (p / "summary.json").exists())
    listed = run_cli("runs", "list", "--reports", "reports", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert run_dir.name in listed.stdout
    assert "--resume RUN_ID' indexes one" in listed.stderr, listed.stderr

    again = _run(project, "--ledger", "audit/ledger.jsonl", "--resume", run_dir.name)
    assert again.returncode == 0, again.stderr
    assert run_dir.name in (project / "audit" / "ledger.jsonl").read_text(encoding="utf-8")
    listed = run_cli("runs", "list", "--reports", "reports", cwd=project)
    assert "indexes one" not in listed.stderr
