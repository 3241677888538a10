"""Several ``assurance`` processes on one project at once, as CI pipelines and teams run them:
a process that waits for another's lock (the run index ``runs.db``, the evidence ledger) says
so in one line, and a wait that runs out leaves nothing lost and names the command that
finishes the job. The lock is held from the test, so the overlap is forced, not hoped for."""

from __future__ import annotations

import fcntl
import os
import queue
import re
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from tests.testing.cli import cli_command, run_cli
from tests.testing.project import callable_target, echo_project

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The echo project, its suite evidence for R-001 (no register needed to attach it)."""
    root = echo_project(tmp_path, suite=f"conc-{tmp_path.name[-12:]}")
    suite = (root / "s.yaml").read_text(encoding="utf-8")
    (root / "s.yaml").write_text(suite.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    return root


class Lines:
    """A child's stderr read line by line on a thread, so the test can wait for one line with a
    deadline while the child blocks."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for(self, needle: str, timeout: float = 15) -> str | None:
        """The first line (from now) holding ``needle``, or None when the child ended or the
        time ran out first."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.seen.append(line)
            if needle in line:
                return line

    def rest(self) -> str:
        self._thread.join(timeout=30)
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return "".join(self.seen)


def _start(project: Path, *args: str) -> tuple[subprocess.Popen[str], Lines]:
    proc = subprocess.Popen(
        cli_command(*args), cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return proc, Lines(proc)


@contextmanager
def _runs_db_held(db: Path) -> Iterator[sqlite3.Connection]:
    """Another process's long write on runs.db: its one write lock, held until the block ends."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def _first_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A finished run without evidence, made in this process (a subprocess's start-up is
    seconds here); its run id."""
    from assurance_harness.runner.run import run_suite

    with monkeypatch.context() as patch:
        patch.chdir(project)
        outcome = run_suite(
            "s.yaml", "t.yaml", reports_dir="r", write_reports=False, attach_evidence=False
        )
    assert outcome.exit_code == 0, outcome.notes
    return outcome.run_id


def test_a_run_waiting_for_runs_db_says_so_once_then_finishes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first_run(project, monkeypatch)  # runs.db exists
    db = project / "r" / "runs.db"
    with _runs_db_held(db):
        proc, lines = _start(project, *RUN, "--no-evidence")
        waiting = lines.wait_for("waiting")
    assert proc.wait(timeout=60) == 0, lines.rest()
    stderr = lines.rest()
    assert waiting is not None, f"no line said the run was waiting for runs.db:\n{stderr}"
    assert str(Path("r") / "runs.db") in waiting and "another process" in waiting
    assert stderr.count("waiting:") == 1, stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone() == (2,)


def test_on_a_terminal_the_waiting_line_is_printed_above_the_live_bar(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a terminal the run draws a live Rich bar, which owns stderr while it runs: the line
    # of another thread (the lock watcher) must come out whole above the bar, once.
    pty = pytest.importorskip("pty")
    import select
    import time

    _first_run(project, monkeypatch)
    leader, follower = pty.openpty()
    screen = b""
    try:
        with _runs_db_held(project / "r" / "runs.db"):
            proc = subprocess.Popen(
                cli_command(*RUN, "--no-evidence"),
                cwd=project,
                stdin=follower,
                stdout=follower,
                stderr=follower,
                env={**os.environ, "COLUMNS": "200", "TERM": "xterm"},
            )
            os.close(follower)
            follower = -1
            deadline = time.monotonic() + 30  # the notice comes after 1 s of waiting
            while b"waiting: " not in screen and time.monotonic() < deadline:
                if select.select([leader], [], [], 0.2)[0]:
                    screen += os.read(leader, 65536)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode("utf-8", "replace"))
    assert text.count("waiting: ") == 1, text
    line = text[text.index("waiting: ") :].split("\r\n")[0]
    assert "runs.db is locked by another process" in line and line.endswith("for it"), line
    assert "status passed" in text and "Traceback" not in text


def test_an_attach_waiting_for_the_ledger_lock_says_so_once_then_appends(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _first_run(project, monkeypatch)
    ledger = project / "r" / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir()
    holder = os.open(ledger.with_name("ledger.jsonl.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another process appending, for as long as it takes
        proc, lines = _start(project, "evidence", "attach", run_id, "--reports", "r")
        waiting = lines.wait_for("waiting")
    finally:
        os.close(holder)
    assert proc.wait(timeout=60) == 0, lines.rest()
    stderr = lines.rest()
    assert waiting is not None, f"no line said the attach was waiting for the ledger:\n{stderr}"
    assert "ledger.jsonl.lock" in waiting and "another process" in waiting
    assert stderr.count("waiting:") == 1, stderr
    verify = run_cli("evidence", "verify", "--ledger", ledger, cwd=project)
    assert verify.returncode == 0 and "OK: 1 records" in verify.stdout, verify.stdout


def test_a_run_that_waited_out_runs_db_says_why_and_its_resume_indexes_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lock is taken once the run has begun (after its check before sending, which refuses
    # a lock held already: tests/runner/test_runs_db_locked.py), and held past its end.
    from assurance_harness.errors import RunFailedError
    from assurance_harness.runner import run as runner_run
    from assurance_harness.runner.run import run_suite
    from assurance_harness.store import database

    monkeypatch.chdir(project)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.5)
    options = {"reports_dir": "r", "write_reports": False, "attach_evidence": False}
    assert run_suite("s.yaml", "t.yaml", **options).exit_code == 0
    db = project / "r" / "runs.db"
    with ExitStack() as hold:
        checked = runner_run.check_index_path

        def then_held(path: Path) -> None:
            checked(path)
            hold.enter_context(_runs_db_held(db))

        monkeypatch.setattr(runner_run, "check_index_path", then_held)
        with pytest.raises(RunFailedError) as failed:
            run_suite("s.yaml", "t.yaml", **options)
    monkeypatch.setattr(runner_run, "check_index_path", checked)
    message = str(failed.value)
    assert "r/runs.db" in message and "another process" in message, message
    run_id = message.split("--resume ")[-1].split()[0]
    assert (project / "r" / run_id / "summary.json").exists()  # nothing collected is lost

    again = run_suite("s.yaml", "t.yaml", resume=run_id, **options)
    assert again.exit_code == 0, again.notes
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchall()
    assert rows == [("passed",)]


def test_attach_and_report_of_a_run_another_process_is_running_say_so(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not "complete it with --resume": that resume is refused while the run goes on.
    from tests.testing.cli import invoke_in_process

    callable_target(
        project,
        "held_target",
        "import os, time\ndef reply(messages):\n    while os.path.exists('HOLD'):\n"
        "        time.sleep(0.01)\n    return 'echo ' + messages[-1]['content']\n",
        "held.yaml",
    )
    (project / "HOLD").touch()
    proc, lines = _start(project, "run", "s.yaml", "--target", "held.yaml", "--reports", "r")
    try:
        started = lines.wait_for(": run ")
        assert started is not None, lines.rest()
        run_id = started.split(": run ")[1].strip()
        monkeypatch.chdir(project)
        for args in (["evidence", "attach", run_id], ["report", run_id]):
            result = invoke_in_process([*args, "--reports", "r"])
            assert result.exit_code == 2, result.output
            assert "another process" in result.output, result.output
            assert "--resume" not in result.output, result.output
    finally:
        (project / "HOLD").unlink()
    assert proc.wait(timeout=60) == 0, lines.rest()


def _run_with_one_error(project: Path, review: str = "") -> str:
    """A passed run of 20 cases whose first request errored (under the 10% allowed), so
    ``--retry-errors`` has one to send again; its run id. ``review``: a suite's review policy
    line, to queue rows."""
    cases = "".join(f"  - {{id: c{i}, prompt: 'p{i}'}}\n" for i in range(20))
    (project / "s.yaml").write_text(
        "suite: conc-retry\nevidence_for: [R-001]\ncases:\n" + cases + "scorers: [{id: m, use: "
        "regex, with: {pattern: echo}}]\nmetrics: [{id: r, rate: m.matched}]\n" + review + ""
        "gates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    callable_target(
        project,
        "flaky_conc",
        "import os\ndef reply(messages):\n    text = messages[-1]['content']\n"
        "    if text == 'p0' and os.path.exists('BROKEN'):\n        raise RuntimeError('down')\n"
        "    return 'echo ' + text\n",
        "t.yaml",
    )
    (project / "BROKEN").touch()
    first = run_cli(*RUN, "--no-evidence", cwd=project)
    assert first.returncode == 0, first.stderr  # 1 error in 20: under the 10% allowed
    (project / "BROKEN").unlink()
    (run_id,) = [p.name for p in (project / "r").iterdir() if p.is_dir()]
    return run_id


def _retry_inside(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, project: Path, run_id: str
) -> list[subprocess.CompletedProcess[str]]:
    """Make ``owner.name`` (the step that records what a command read of the run) first start
    a ``--resume ID --retry-errors`` in another process: the command has read the run's files,
    so a retry starting now must not rewrite them. The retry's result lands in the list."""
    retry: list[subprocess.CompletedProcess[str]] = []
    real = getattr(owner, name)
    env = _short_busy_wait(project)

    def once_the_retry_tried(*args: object, **kwargs: object) -> object:
        retry.append(
            run_cli(
                *RUN, "--no-evidence", "--resume", run_id, "--retry-errors", cwd=project, env=env
            )
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, once_the_retry_tried)
    return retry


def _short_busy_wait(project: Path) -> dict[str, str]:
    """The environment of a retry process whose SQLite busy wait is 2 s, not 30 s: a command
    holding runs.db while the retry starts (an adjudication) is refused once that wait is out,
    and the test need not wait out the full 30 s to see it."""
    site = project / "short-busy-wait"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(
        "import assurance_harness.store.database as database\ndatabase.BUSY_TIMEOUT_S = 2.0\n",
        encoding="utf-8",
    )
    src = Path(__file__).resolve().parents[2] / "src"
    return {"PYTHONPATH": os.pathsep.join([str(site), str(src)])}


def _refused_in_one_line(retry: list[subprocess.CompletedProcess[str]]) -> None:
    (tried,) = retry
    assert tried.returncode == 3, tried.stdout + tried.stderr
    assert "another process" in tried.stderr and "Traceback" not in tried.stderr


def test_a_retry_cannot_rewrite_a_run_while_evidence_attach_reads_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The retry checked the ledger for the run's evidence before the attach had appended it,
    # then rewrote results.jsonl and summary.json: the attach recorded the old files' figures
    # and hashes, and the ledger no longer verified.
    from assurance_harness.register import evidence_map
    from tests.testing.cli import invoke_in_process

    run_id = _run_with_one_error(project)

    retry = _retry_inside(monkeypatch, evidence_map, "append_bodies", project, run_id)
    monkeypatch.chdir(project)
    attached = invoke_in_process(["evidence", "attach", run_id, "--reports", "r"])
    assert attached.exit_code == 0, attached.output
    _refused_in_one_line(retry)
    verify = run_cli("evidence", "verify", "--ledger", Path("r/evidence/ledger.jsonl"), cwd=project)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_two_runs_at_once_into_one_reports_folder_keep_both(project: Path) -> None:
    # Each run's target waits until both runs are sending: the two overlap from the first
    # request to their post-run steps (run index, ledger), as two CI jobs on one project do.
    callable_target(
        project,
        "meet_target",
        "import os, time\ndef reply(messages):\n"
        "    open(os.path.join('meet', str(os.getpid())), 'w').close()\n"
        "    deadline = time.monotonic() + 30\n"
        "    while len(os.listdir('meet')) < 2 and time.monotonic() < deadline:\n"
        "        time.sleep(0.01)\n"
        "    return 'echo ' + messages[-1]['content']\n",
        "meet.yaml",
    )
    (project / "meet").mkdir()
    args = ("run", "s.yaml", "--target", "meet.yaml", "--reports", "r", "--no-report")
    started = [_start(project, *args) for _ in range(2)]
    for proc, lines in started:
        assert proc.wait(timeout=60) == 0, lines.rest()
    assert len(os.listdir(project / "meet")) == 2  # both were sending at once
    run_dirs = sorted(p for p in (project / "r").iterdir() if p.is_dir() and p.name != "evidence")
    assert len(run_dirs) == 2
    for run_dir in run_dirs:  # each folder holds its own two responses, once each
        journal = (run_dir / "responses.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(journal) == 2
    with sqlite3.connect(project / "r" / "runs.db") as conn:
        indexed = {row[0] for row in conn.execute("SELECT run_id FROM runs")}
    assert indexed == {p.name for p in run_dirs}
    verify = run_cli("evidence", "verify", "--ledger", "r/evidence/ledger.jsonl", cwd=project)
    assert verify.returncode == 0 and "OK: 2 records" in verify.stdout, verify.stdout


def test_a_retry_cannot_rewrite_a_run_while_baseline_set_accepts_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The retry refuses the accepted baseline, but looked before 'baseline set' had stored it:
    # the baseline then stood for figures nobody accepted.
    from assurance_harness.compare.baseline import BaselineStore
    from tests.testing.cli import invoke_in_process

    run_id = _run_with_one_error(project)
    summary = project / "r" / run_id / "summary.json"
    accepted_summary = summary.read_bytes()
    retry = _retry_inside(monkeypatch, BaselineStore, "set", project, run_id)
    monkeypatch.chdir(project)
    accepted = invoke_in_process(["baseline", "set", run_id, "--reports", "r"])
    assert accepted.exit_code == 0, accepted.output
    _refused_in_one_line(retry)
    assert summary.read_bytes() == accepted_summary  # the figures accepted stand


def test_an_attach_that_waited_out_the_ledger_lock_is_exit_3_not_a_failed_gate(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exit 1 is a failed gate (or an untrustworthy ledger) to CI; a lock another process held
    # too long is a failed step that the same command redoes: exit 3, nothing appended.
    from assurance_harness.register import ledger_store
    from tests.testing.cli import invoke_in_process

    run_id = _first_run(project, monkeypatch)
    monkeypatch.setattr(ledger_store, "LOCK_WAIT_S", 0.3)
    ledger = project / "r" / "evidence" / "ledger.jsonl"
    ledger.parent.mkdir()
    holder = os.open(ledger.with_name("ledger.jsonl.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        monkeypatch.chdir(project)
        result = invoke_in_process(["evidence", "attach", run_id, "--reports", "r"])
    finally:
        os.close(holder)
    assert result.exit_code == 3, result.output
    assert "ledger.jsonl.lock" in result.output and "Traceback" not in result.output
    assert not ledger.exists()


def test_a_command_that_waited_out_runs_db_is_exit_3_not_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exit 2 says the command line or a file is wrong; nothing is, and the same command works
    # once the other process lets go.
    from assurance_harness.store import database
    from tests.testing.cli import invoke_in_process

    run_id = _first_run(project, monkeypatch)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.3)
    monkeypatch.chdir(project)
    with _runs_db_held(project / "r" / "runs.db"):
        result = invoke_in_process(["baseline", "set", run_id, "--reports", "r"])
    assert result.exit_code == 3, result.output
    assert "another process" in result.output and "Traceback" not in result.output
    again = invoke_in_process(["baseline", "set", run_id, "--reports", "r"])
    assert again.exit_code == 0, again.output


def test_a_retry_cannot_rewrite_a_run_while_a_reviewer_adjudicates_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The adjudication's ledger record hashes results.jsonl and summary.json. A retry that
    # started after the adjudication read them (and before its record was appended, which the
    # retry's evidence check looks for) rewrote both: the record then failed verification.
    from assurance_harness.register import ledger
    from tests.testing.cli import invoke_in_process

    run_id = _run_with_one_error(project, review='review: {label: "m.matched"}\n')
    retry = _retry_inside(monkeypatch, ledger, "append_records", project, run_id)
    monkeypatch.chdir(project)
    given = invoke_in_process(
        ["review", "adjudicate", run_id, "c1#0", "--agree", "--reviewer", "ana", "--reports", "r"]
    )
    assert given.exit_code == 0, given.output
    _refused_in_one_line(retry)
    verify = run_cli("evidence", "verify", "--ledger", Path("r/evidence/ledger.jsonl"), cwd=project)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_two_verdicts_of_one_reviewer_at_once_are_chained_one_after_the_other(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A verdict's ledger record names the one it supersedes. That was read from runs.db before
    # the append, outside any lock: two verdicts of one reviewer on one row at once both
    # superseded the same earlier one, so the ledger held two standing verdicts of one
    # reviewer, and runs.db kept whichever was stored last, not the ledger's last.
    from assurance_harness.register import ledger
    from assurance_harness.review.store import ReviewStore
    from tests.testing.cli import invoke_in_process

    run_id = _run_with_one_error(project, review='review: {label: "m.matched"}\n')
    monkeypatch.chdir(project)
    verdict = ["review", "adjudicate", run_id, "c1#0", "--reviewer", "ana", "--reports", "r"]
    first = invoke_in_process([*verdict, "--agree"])
    assert first.exit_code == 0, first.output
    real = ledger.append_records
    other: list[tuple[subprocess.Popen[str], Lines]] = []

    def append_while_another_verdict_is_given(*args: object, **kwargs: object) -> object:
        if not other:  # the same reviewer, another window: it gives its verdict meanwhile
            other.append(_start(project, *verdict, "--label", "false"))
            other[0][1].wait_for("waiting:", timeout=30)  # None: it finished, never waited
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "append_records", append_while_another_verdict_is_given)
    given = invoke_in_process([*verdict, "--label", "true", "--note", "second look"])
    assert given.exit_code == 0, given.output
    ((proc, lines),) = other
    assert proc.wait(timeout=60) == 0, lines.rest()
    assert "Traceback" not in lines.rest()

    records = ledger.read_ledger(project / "r/evidence/ledger.jsonl", reviews=True)
    reviews = [r for r in records if r.is_review]
    assert len(reviews) == 3
    supersedes = [r.review["supersedes"] for r in reviews]
    assert supersedes == [[], [reviews[0].id], [reviews[1].id]]
    standing = ReviewStore(project / "r/runs.db").current(run_id)[(run_id, "c1#0")]["ana"]
    assert standing.ledger_ids == [reviews[2].id]
    assert [v.supersedes is None for v in ReviewStore(project / "r/runs.db").history(run_id)] == [
        True,
        False,
        False,
    ]


def test_evidence_verify_while_another_process_appends_reports_no_tampering(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verify read the ledger, then its .head anchor, outside the ledger's lock: an append
    # landing between the two (a CI run finishing while an auditor verifies) left an anchor
    # past the records read, reported as records removed: exit 1, tampering that never was.
    from assurance_harness.register import ledger_verify
    from tests.testing.cli import invoke_in_process

    first = run_cli(*RUN, cwd=project)
    assert first.returncode == 0, first.stderr  # one record, and the anchor naming it
    later = _first_run(project, monkeypatch)  # finished, its evidence not attached yet
    real = ledger_verify.read_anchor
    other: list[tuple[subprocess.Popen[str], Lines]] = []

    def anchor_read_once_another_process_appended(path: Path) -> object:
        if not other:
            other.append(_start(project, "evidence", "attach", later, "--reports", "r"))
            other[0][1].wait_for("waiting:", timeout=30)  # None: it appended, never waited
        return real(path)

    monkeypatch.setattr(ledger_verify, "read_anchor", anchor_read_once_another_process_appended)
    monkeypatch.chdir(project)
    verify = invoke_in_process(["evidence", "verify", "--ledger", "r/evidence/ledger.jsonl"])
    ((proc, lines),) = other
    assert proc.wait(timeout=60) == 0, lines.rest()
    assert verify.exit_code == 0, verify.output
    assert "OK: 1 records" in verify.output, verify.output
    again = run_cli("evidence", "verify", "--ledger", "r/evidence/ledger.jsonl", cwd=project)
    assert again.returncode == 0 and "OK: 2 records" in again.stdout, again.stdout + again.stderr
