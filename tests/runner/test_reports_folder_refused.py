"""A reports folder that cannot hold a run is refused before anything is sent (exit 2, one line
naming the path and the fix): a folder in runs.db's place, a regular file, a named pipe or a
socket given as --reports. Sending first lost every answer's cost to a run that then failed
(exit 3)."""

from __future__ import annotations

import os
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import SUITE, callable_target

COUNTING = (
    "from pathlib import Path\n\n"
    "def reply(messages):\n"
    "    with Path('sent.log').open('a') as log:\n"
    "        log.write('x')\n"
    "    return 'echo ' + messages[-1]['content']\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    callable_target(tmp_path, "reportsrefused_target", COUNTING)
    (tmp_path / "s.yaml").write_text(SUITE.format(name="refused"), encoding="utf-8")
    return tmp_path


def _run(project: Path, reports: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--reports", reports, "--no-report",
        cwd=project, timeout=60,
    )  # fmt: skip


def _one_error_line(proc) -> str:  # type: ignore[no-untyped-def]
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "Traceback" not in text and "internal error" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


def test_a_folder_in_runs_db_s_place_is_refused_before_sending(project: Path) -> None:
    """Was: both requests sent, then exit 3 'cannot write R/runs.db: unable to open database
    file' (with a --resume that failed the same way)."""
    (project / "R" / "runs.db").mkdir(parents=True)
    line = _one_error_line(_run(project, "R"))
    assert line.startswith("error: R/runs.db: is a directory, not the run index database; "), line
    assert "move it aside" in line
    assert not (project / "sent.log").exists()  # nothing sent
    assert [p.name for p in (project / "R").iterdir()] == ["runs.db"]  # no run folder left


def test_a_regular_file_as_reports_is_refused_before_sending(project: Path) -> None:
    """Was: exit 3 'cannot write R: ...' (the run folder could not be made), as if the disk had
    failed: a path mistyped onto a file is the caller's mistake."""
    (project / "R").write_text("not a folder\n", encoding="utf-8")
    line = _one_error_line(_run(project, "R"))
    assert line == (
        "error: --reports R: is a file, not a folder; give the folder of run folders and "
        "runs.db, or move it aside"
    ), line
    assert not (project / "sent.log").exists()  # nothing sent
    assert (project / "R").read_text(encoding="utf-8") == "not a folder\n"  # left as it was


def test_a_reports_path_through_a_file_is_refused_before_sending(project: Path) -> None:
    """Was: exit 3 'cannot write F/R: ...', as for a disk fault."""
    (project / "F").write_text("not a folder\n", encoding="utf-8")
    line = _one_error_line(_run(project, "F/R"))
    assert line == (
        "error: --reports F/R: F is a file, not a folder; give the folder of run folders and "
        "runs.db, or move it aside"
    ), line
    assert not (project / "sent.log").exists()


def test_a_named_pipe_as_reports_is_refused(project: Path) -> None:
    """Was: exit 3 'cannot write R: Not a directory', as if the disk had failed."""
    os.mkfifo(project / "R")
    line = _one_error_line(_run(project, "R"))
    assert line.startswith("error: --reports R: is a named pipe, not a folder;"), line
    assert not (project / "sent.log").exists()


def test_a_socket_as_reports_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)  # a socket's path is limited to 107 bytes: bind it relative
    listener = socket.socket(socket.AF_UNIX)
    listener.bind("R")
    try:
        line = _one_error_line(_run(project, "R"))
    finally:
        listener.close()
    assert line.startswith("error: --reports R: is a socket, not a folder;"), line
    assert not (project / "sent.log").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("runs", "list"),  # was: 'no runs yet (P/runs.db does not exist)', exit 0
        ("review", "queue"),  # was: 'P/runs.db: P is a file, not a folder'
        ("report", "abc"),  # was: 'run 'abc' not found (...); no runs under P/'
        ("register", "status", "--register", "r.yaml"),
        ("ui", "--index"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_refuses_a_named_pipe_as_reports(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    os.mkfifo(tmp_path / "P")
    line = _one_error_line(run_cli(*command, "--reports", "P", cwd=tmp_path, timeout=60))
    assert line.startswith("error: --reports P: is a named pipe, not a folder;"), line


@pytest.mark.parametrize(
    "command",
    [
        ("runs", "list"),  # was: 'no runs yet (P/runs.db does not exist)', exit 0
        ("review", "queue"),  # was: 'P/runs.db: P is a file, not a folder; move it aside'
        ("report", "abc"),  # was: 'run 'abc' not found (...); no runs under P/'
        ("register", "status", "--register", "r.yaml"),  # was: 'r.yaml: file not found'
        ("ui", "--index"),  # was: '--reports P: is a file, not a folder; give a folder ...'
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_refuses_a_regular_file_as_reports(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "P").write_text("x", encoding="utf-8")
    line = _one_error_line(run_cli(*command, "--reports", "P", cwd=tmp_path, timeout=60))
    assert line.startswith("error: --reports P: is a file, not a folder; give the folder of"), line


def _damaged_index(path: Path, damage: str) -> None:
    """A runs.db that SQLite opens and then cannot read: bytes that are no database, or a real
    database cut to half its size (a copy interrupted, a full disk)."""
    path.parent.mkdir(parents=True)
    if damage == "garbage":
        path.write_bytes(bytes(range(256)) * 80)
        return
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE runs (run_id TEXT PRIMARY KEY, blob BLOB)")
        conn.executemany(
            "INSERT INTO runs VALUES (?, ?)", [(str(i), b"x" * 900) for i in range(60)]
        )
    os.truncate(path, path.stat().st_size // 2)


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_a_damaged_runs_db_is_refused_before_sending(project: Path, damage: str) -> None:
    """Was: both requests sent, then exit 3 'cannot write R/runs.db: file is not a database'
    (or 'database disk image is malformed') with a --resume that failed the same way, and no
    word of the fix 'runs list' gives for the same file."""
    _damaged_index(project / "R" / "runs.db", damage)
    line = _one_error_line(_run(project, "R"))
    assert line.startswith("error: R/runs.db: the run index cannot be read ("), line
    assert "repair it or move it aside" in line, line
    assert not (project / "sent.log").exists()  # nothing sent
    assert [p.name for p in (project / "R").iterdir()] == ["runs.db"]  # no run folder left


def _unusable_index(path: Path, kind: str) -> None:
    """A runs.db whose header is whole that SQLite still cannot index a run in."""
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling symlink":
        path.symlink_to(path.parent / "gone" / "runs.db")
    else:
        sql = "CREATE TABLE runs (x)" if kind == "other table" else "CREATE VIEW runs AS SELECT 1"
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(sql)


@pytest.mark.parametrize("kind", ["other table", "view", "fifo", "dangling symlink"])
def test_a_runs_db_no_run_can_be_indexed_in_is_refused_before_sending(
    project: Path, kind: str
) -> None:
    """Was: both requests sent, then exit 3 'cannot write R/runs.db: no such column:
    started_at' ('views may not be indexed', 'disk I/O error', 'unable to open database file')
    with a --resume that failed the same way."""
    _unusable_index(project / "R" / "runs.db", kind)
    line = _one_error_line(_run(project, "R"))
    assert line.startswith("error: R/runs.db: "), line
    assert "move it aside" in line or "remove the link" in line, line
    assert not (project / "sent.log").exists()  # nothing sent
    assert [p.name for p in (project / "R").iterdir()] == ["runs.db"]  # no run folder left


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A project with one finished run, ``reports/<run id>``; the folder's path, relative to the
    project (``--reports reports/<TAB>`` completes to it)."""
    from tests.testing.project import echo_runs

    (folder,) = echo_runs(tmp_path, "inrun")
    return folder.relative_to(tmp_path)


@pytest.mark.parametrize(
    "command",
    [
        ("runs", "list"),  # was: 'no runs yet (R/runs.db does not exist)', exit 0
        ("review", "queue"),  # was: an empty queue, exit 0
        ("evidence", "list"),  # was: an empty ledger, exit 0
        ("register", "status", "--register", "r.yaml"),  # was: every risk untested, exit 0
        ("ui", "--index"),  # was: index.html written into the run's folder, exit 0
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_refuses_a_run_s_own_folder_as_reports(
    tmp_path: Path, run_folder: Path, command: tuple[str, ...]
) -> None:
    """A run's folder given as --reports (one level too deep) read as an empty reports folder:
    'register status' showed every risk untested, exit 0, beside a ledger in the real reports
    folder that says otherwise, and 'ui --index' wrote into the run's evidence folder."""
    (tmp_path / "r.yaml").write_text(
        "register_version: 1\nsystem: {name: Demo, intended_use: homework help, owner: QA}\n"
        "risks:\n  - {id: R-001, title: t, category: safety, owner: QA, likelihood: 1, "
        "impact: 1, suites: [inrun]}\n",
        encoding="utf-8",
    )
    before = sorted(p.name for p in (tmp_path / run_folder).iterdir())
    line = _one_error_line(
        run_cli(*command, "--reports", str(run_folder), cwd=tmp_path, timeout=60)
    )
    assert line == (
        f"error: --reports {run_folder}: is the folder of run {run_folder.name}, not a folder "
        f"of run folders; give the folder that holds it ({run_folder.parent})"
    ), line
    assert sorted(p.name for p in (tmp_path / run_folder).iterdir()) == before


def test_a_run_s_own_folder_as_reports_is_refused_before_sending(
    tmp_path: Path, run_folder: Path
) -> None:
    """Was: the run sent everything and wrote itself, runs.db and cache.sqlite (and, with a
    register, an evidence ledger) inside the other run's folder, exit 0."""
    before = sorted(p.name for p in (tmp_path / run_folder).iterdir())
    (tmp_path / "sent.log").unlink(missing_ok=True)
    callable_target(tmp_path, "inrun_counting_target", COUNTING, target="tc.yaml")
    proc = run_cli(
        "run", "s.yaml", "--target", "tc.yaml", "--reports", str(run_folder), "--no-report",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    line = _one_error_line(proc)
    assert line.startswith(f"error: --reports {run_folder}: is the folder of run "), line
    assert not (tmp_path / "sent.log").exists()  # nothing sent
    assert sorted(p.name for p in (tmp_path / run_folder).iterdir()) == before
