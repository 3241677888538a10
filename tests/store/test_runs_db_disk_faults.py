"""A runs.db on a full disk or a read-only file system is said as that, with its fix, and is a
storage fault (exit 3, the ``--resume`` offered where a run folder exists), alike for ``run``,
``--resume`` and ``runs list``: the file is intact, so "repair it or move it aside" (a damaged
index) and "permission denied" (file modes) sent the user to the wrong fix, and exit 2 with no
resume command said the command was wrong when the disk was. (A command that only reads
reads a read-only index: test_read_only_reports_cli.)

The faults are real: a small tmpfs filled to the last block, or remounted read-only. Mounting
needs privileges CI may not have; the tests skip there."""

from __future__ import annotations

import errno
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from assurance_harness.errors import ExitCode
from assurance_harness.store.faults import sqlite_fault
from tests.testing.cli import run_cli
from tests.testing.project import SUITE, callable_target
from tests.testing.tmpfs import fill, immutable, tmpfs

Mount = Callable[..., Path]

DIES = (
    "import os, signal\nfrom pathlib import Path\n\n"
    "def reply(messages):\n"
    "    if Path('DIE').exists() and messages[-1]['content'] == 'there':\n"
    "        os.kill(os.getpid(), signal.SIGKILL)  # killed mid-run: the folder stays unfinished\n"
    "    return 'echo ' + messages[-1]['content']\n"
)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Mount]:
    """Mount a tmpfs of ``size`` at a folder (made); skip where mounting is not permitted."""
    mounted: list[Path] = []

    def _mount(folder: Path, size: str = "1m") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        if shutil.which("mount") is None:
            pytest.skip("no mount command")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield _mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The echo suite and a target that kills the run at its second case while ``DIE`` exists,
    the project outside the mounts (only the reports folder's disk is at fault)."""
    module = f"dies_{tmp_path.name[-12:].replace('-', '_')}"
    callable_target(tmp_path, module, DIES)
    (tmp_path / "s.yaml").write_text(SUITE.format(name="diskfault"), encoding="utf-8")
    return tmp_path


def _run(project: Path, reports: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = ["run", "s.yaml", "--target", "t.yaml", "--reports", str(reports), "--no-report"]
    return run_cli(*args, "--no-evidence", "--no-cache", *extra, cwd=project, timeout=120)


def _errors(proc: subprocess.CompletedProcess[str]) -> str:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    return "\n".join(line for line in proc.stderr.splitlines() if line.startswith("error:"))


def _unfinished_run(project: Path, reports: Path) -> str:
    """A run killed mid-way in ``reports``: its id."""
    before = {p.name for p in reports.iterdir()}
    (project / "DIE").write_text("", encoding="utf-8")
    killed = _run(project, reports)
    (project / "DIE").unlink()
    assert killed.returncode == -9, killed.stderr
    (made,) = {p.name for p in reports.iterdir()} - before
    return made


def _integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_full_disk_under_runs_db_is_said_as_one_for_run_and_runs_list(
    project: Path, mount: Mount
) -> None:
    """Was: exit 2, 'the run index cannot be read (disk I/O error); repair it or move it
    aside', for an index that was whole once space was freed."""
    reports = mount(project / "R")
    assert _run(project, reports).returncode == 0
    filler = fill(reports)
    folders = {p.name for p in reports.iterdir() if p.is_dir()}

    refused = _run(project, reports)
    errors = _errors(refused)
    assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
    assert f"{reports}/runs.db: the disk is full" in errors, errors
    assert "free space" in errors and "--reports" in errors, errors
    assert "repair it" not in errors and "cannot be read" not in errors, errors
    assert "nothing was sent" in errors, errors
    assert {p.name for p in reports.iterdir() if p.is_dir()} == folders  # no run folder made

    listed = run_cli("runs", "list", "--reports", str(reports), cwd=project)
    errors = _errors(listed)
    assert listed.returncode == ExitCode.RUN_FAILED, listed.stderr
    assert f"{reports}/runs.db: the disk is full" in errors, errors
    assert "repair it" not in errors, errors

    filler.unlink()
    assert _integrity(reports / "runs.db") == "ok"
    assert run_cli("runs", "list", "--reports", str(reports), cwd=project).returncode == 0


def test_resume_on_a_full_disk_is_exit_3_with_the_resume_command(
    project: Path, mount: Mount
) -> None:
    """Was: exit 2, the 'repair it' line, and no way to finish the run."""
    reports = mount(project / "R")
    assert _run(project, reports).returncode == 0  # runs.db made
    run_id = _unfinished_run(project, reports)
    filler = fill(reports)

    refused = _run(project, reports, "--resume", run_id)
    errors = _errors(refused)
    assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
    assert f"{reports}/runs.db: the disk is full" in errors, errors
    assert "repair it" not in errors, errors
    assert f"--resume {run_id}" in errors, errors

    filler.unlink()
    done = _run(project, reports, "--resume", run_id)
    assert done.returncode == 0, done.stderr


def test_sqlite_full_is_said_as_a_full_disk(mount: Mount, tmp_path: Path) -> None:
    """SQLite's own SQLITE_FULL ('database or disk is full'), met writing the index (as the
    finished run's row is), names the full disk and its fix, exit 3."""
    folder = mount(tmp_path / "m")
    db = folder / "runs.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (b BLOB)")
        conn.commit()
        fill(folder)
        with pytest.raises(sqlite3.Error) as raised:
            conn.execute("INSERT INTO t VALUES (?)", (b"x" * 200_000,))
            conn.commit()
    fault = sqlite_fault(db, raised.value)
    assert str(fault).startswith(f"{db}: the disk is full"), fault
    assert "repair it" not in str(fault)
    assert fault.exit_code == ExitCode.RUN_FAILED


def test_resume_in_a_read_only_reports_folder_is_exit_3_with_the_resume_command(
    project: Path, mount: Mount
) -> None:
    """Was: exit 2 'the folder is read-only ...' and no resume command (exit 3 where the
    folder held no runs.db): the disk failed, not the command. A listing only reads, and
    reads the read-only folder (``store.readonly``)."""
    reports = mount(project / "R", "4m")
    assert _run(project, reports).returncode == 0  # runs.db made
    run_id = _unfinished_run(project, reports)
    _remount(reports, "ro")

    refused = _run(project, reports, "--resume", run_id)
    errors = _errors(refused)
    assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
    assert f"{reports}/runs.db" in errors and "read-only" in errors, errors
    assert f"--resume {run_id}" in errors, errors

    listed = run_cli("runs", "list", "--reports", str(reports), cwd=project)
    assert _errors(listed) == "" and listed.returncode == 0, listed.stderr
    assert run_id in listed.stdout, listed.stdout

    _remount(reports, "rw")
    done = _run(project, reports, "--resume", run_id)
    assert done.returncode == 0, done.stderr


def _read_only_index(mount: Mount, folder: Path, project: Path) -> Path:
    """A whole runs.db on a read-only tmpfs (made by a run there)."""
    ro = mount(folder, "4m")
    assert _run(project, ro).returncode == 0
    _remount(ro, "ro")
    return ro / "runs.db"


def _bind_read_only(path: Path, request: pytest.FixtureRequest) -> None:
    """``path`` (a file) bind-mounted read-only onto itself; skip where that is not permitted."""
    done = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.decode().strip()}")
    request.addfinalizer(lambda: subprocess.run(["umount", "-l", str(path)], check=False))
    subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True)


@pytest.mark.parametrize("how", ["a link into a read-only tmpfs", "a read-only bind mount"])
def test_a_runs_db_on_a_read_only_file_system_is_not_permission_denied(
    project: Path, mount: Mount, tmp_path: Path, how: str, request: pytest.FixtureRequest
) -> None:
    """Was: exit 2 'permission denied (unable to open database file); give this user read and
    write access to it' (root has every access; the file system is read-only), while 'runs
    list' on the folder itself said 'read-only'."""
    reports = project / "R"
    if how.startswith("a link"):
        reports.mkdir()
        (reports / "runs.db").symlink_to(_read_only_index(mount, tmp_path / "ro", project))
    else:
        assert _run(project, reports).returncode == 0
        _bind_read_only(reports / "runs.db", request)

    refused = _run(project, reports)
    errors = _errors(refused)
    assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
    assert f"{reports}/runs.db: is on a read-only file system" in errors, errors
    assert "permission denied" not in errors, errors
    assert "nothing was sent" in errors, errors

    # A listing only reads: the file is opened read-only (``store.readonly``), immutable where
    # SQLite follows the link to a folder that can hold no -wal and -shm.
    listed = run_cli("runs", "list", "--reports", str(reports), cwd=project)
    assert _errors(listed) == "" and listed.returncode == 0, listed.stderr


def test_a_runs_db_gone_read_only_mid_run_names_the_file_system(
    project: Path, mount: Mount, tmp_path: Path
) -> None:
    """Was: exit 3 with the resume command, but 'permission denied' as the reason."""
    target = _read_only_index(mount, tmp_path / "ro", project)
    reports = project / "R"
    (project / "t.yaml").unlink()
    callable_target(
        project,
        f"swaps_{tmp_path.name[-12:].replace('-', '_')}",
        "import os\n\n"
        "def reply(messages):\n"
        f"    if not os.path.islink({str(reports / 'runs.db')!r}):\n"
        f"        os.symlink({str(target)!r}, {str(reports / 'runs.db')!r})\n"
        "    return 'echo ' + messages[-1]['content']\n",
    )
    done = _run(project, reports)
    errors = _errors(done)
    assert done.returncode == ExitCode.RUN_FAILED, done.stderr
    assert f"cannot write {reports}/runs.db: is on a read-only file system" in errors, errors
    assert "permission denied" not in errors, errors
    run_id = re.search(r"--resume (\S+)", errors)
    assert run_id, errors
    assert (reports / run_id.group(1) / "summary.json").exists()  # nothing lost

    _remount(target.parent, "rw")
    again = _run(project, reports, "--resume", run_id.group(1))
    assert again.returncode == 0, again.stderr


def _use_up_inodes(folder: Path) -> list[Path]:
    """Make empty files in ``folder`` until its file system has no inode left; them."""
    made: list[Path] = []
    try:
        while True:
            path = folder / f"inode-{len(made)}"
            path.touch()
            made.append(path)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    return made


def test_a_reports_folder_out_of_inodes_is_said_as_that_not_as_an_unreadable_index(
    project: Path, tmp_path: Path
) -> None:
    """Was: exit 2, 'the run index cannot be read (unable to open database file); repair it
    or move it aside', for a whole runs.db beside which SQLite could make no -wal or -shm
    file: the disk has bytes free but no inode, and moving the index aside loses nothing
    but sends the user the wrong way."""
    with tmpfs(tmp_path / "R", size="4m", inodes=64) as reports:
        assert _run(project, reports).returncode == 0
        made = _use_up_inodes(reports)
        listed = run_cli("runs", "list", "--reports", str(reports), cwd=project)
        for refused in (listed, _run(project, reports)):
            errors = _errors(refused)
            assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
            assert f"{reports}/runs.db: no new file can be made" in errors, errors
            assert "inodes" in errors, errors
            assert "repair it" not in errors and "cannot be read" not in errors, errors
        for path in made:
            path.unlink()
        assert _integrity(reports / "runs.db") == "ok"
        assert run_cli("runs", "list", "--reports", str(reports), cwd=project).returncode == 0


def test_an_immutable_runs_db_is_said_as_immutable_not_as_file_modes(project: Path) -> None:
    """Was: 'permission denied; give this user read and write access to it', for a file
    ``chattr +i`` made immutable: no file mode lets even root write it (EPERM, not EACCES)."""
    reports = project / "R"
    assert _run(project, reports).returncode == 0
    db = reports / "runs.db"
    with immutable(db):
        refused = _run(project, reports)
    errors = _errors(refused)
    assert refused.returncode == ExitCode.RUN_FAILED, refused.stderr
    assert f"{db}: is immutable" in errors and "chattr -i" in errors, errors
    assert "give this user" not in errors, errors


def test_report_of_a_run_folder_on_a_full_disk_is_the_runs_db_storage_fault(
    project: Path, mount: Mount, tmp_path: Path
) -> None:
    """Was: exit 3 'internal error: OperationalError: disk I/O error (a bug ...)', a crash
    file written: a run given as its folder reads the reviews in the runs.db beside it without
    the store's fault handling that --reports gives. (On a read-only disk the report is
    written elsewhere: test_read_only_reports_cli.)"""
    reports = mount(project / "R", "4m")
    assert _run(project, reports).returncode == 0
    (run_dir,) = [p for p in reports.iterdir() if p.is_dir()]
    fill(reports)

    done = run_cli("report", str(run_dir), "--out", str(tmp_path / "elsewhere"), cwd=project)
    errors = _errors(done)
    assert done.returncode == ExitCode.RUN_FAILED, done.stderr
    assert errors.startswith(f"error: {reports}/runs.db: "), errors
    assert "disk is full" in errors, errors
    assert "crash" not in done.stderr, done.stderr
