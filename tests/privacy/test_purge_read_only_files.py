"""``runs purge --dry-run`` and files whose own mode forbids writing (a plot image saved 0444, a
results file made read-only to protect it). On POSIX, deleting or renaming a file needs write
permission on its folder, not on the file. Observed: the dry run asked each file for a write
open, so for a user (not root, whom file modes do not stop) owning the run folder it warned
that such an image "cannot be deleted" and left the run out of what it would purge, though the
purge deletes it. Now it warns only where the purge would fail: a flag on the file (immutable,
append-only: for root too) or a sticky folder whose file belongs to neither the user nor the
folder's owner (``privacy.deletable.refusal``, tested on the ownership and modes it reads, so
this holds as root too).

The run itself is checked as the user who owns it: as root, the test takes the effective uid
of ``nobody`` for the dry run (its folder made outside pytest's root-only temporary folder)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assurance_harness.privacy.deletable import refusal
from assurance_harness.privacy.retention import purge_runs
from tests.register.register_testkit import make_run

NOBODY = 65534
OLD = "2026-01-10T09:00:00+00:00"


def _stat(mode: int, uid: int) -> os.stat_result:
    """A stat result with ``mode`` and owner ``uid``: all ``refusal`` reads."""
    return os.stat_result((mode, 1, 1, 1, uid, uid, 0, 0, 0, 0))


FOLDER = stat.S_IFDIR | 0o755
STICKY = stat.S_IFDIR | stat.S_ISVTX | 0o777
READ_ONLY = stat.S_IFREG | 0o444


def test_a_files_own_mode_never_refuses_its_deletion() -> None:
    for uid in (0, 1000):
        assert refusal(_stat(FOLDER, uid), _stat(READ_ONLY, uid), uid, pinned=False) is None
        assert refusal(_stat(FOLDER, uid), _stat(stat.S_IFREG, uid), uid, pinned=False) is None


def test_a_flag_on_the_file_refuses_it_for_everyone() -> None:
    for uid in (0, 1000):
        writable = _stat(stat.S_IFREG | 0o644, uid)
        assert refusal(_stat(FOLDER, uid), writable, uid, pinned=True) == errno.EPERM


def test_a_sticky_folder_refuses_only_another_users_file() -> None:
    others = _stat(READ_ONLY, 2000)
    assert refusal(_stat(STICKY, 0), others, 1000, pinned=False) == errno.EPERM
    assert refusal(_stat(STICKY, 1000), others, 1000, pinned=False) is None  # its folder
    assert refusal(_stat(STICKY, 0), _stat(READ_ONLY, 1000), 1000, pinned=False) is None
    assert refusal(_stat(STICKY, 0), others, 0, pinned=False) is None  # root


@contextmanager
def _as_owner(folder: Path) -> Iterator[None]:
    """The block run as the user owning ``folder``: as root, ``folder`` is given to nobody and
    the effective uid is nobody's until the block ends (skipped where it cannot be taken)."""
    if os.geteuid() != 0:
        yield
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    try:
        os.seteuid(NOBODY)
    except OSError as exc:
        pytest.skip(f"cannot take another user's uid here: {exc}")
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can reach (pytest's own is root's alone when root runs it)."""
    path = Path(tempfile.mkdtemp(prefix="purge-modes-"))
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def _purge(reports: Path, *, dry_run: bool) -> tuple[list[str], list[str]]:
    """The ids a purge (or dry run) purged, and the lines it kept runs with."""
    kept: list[str] = []
    found = purge_runs(
        reports,
        reports / "evidence" / "ledger.jsonl",
        dt.timedelta(days=90),
        record=lambda bodies: None,
        kept=lambda run_id, why: kept.append(why),
        now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        dry_run=dry_run,
    )
    return [run.run_id for run in found], kept


def test_the_dry_run_lists_a_run_with_read_only_files_its_user_owns(shared_folder: Path) -> None:
    reports = shared_folder / "reports"
    run = make_run(reports, finished_at=OLD, run_id="old-a")
    (run / "plots").mkdir()
    image = run / "plots" / "toxic_rate.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    for path in (image, run / "results.jsonl"):
        path.chmod(0o444)
    assert _purge(reports, dry_run=True) == (["old-a"], [])  # imports made while all can be read

    with _as_owner(reports):
        dry = _purge(reports, dry_run=True)
        done = _purge(reports, dry_run=False)

    assert dry == (["old-a"], []), dry
    assert done == (["old-a"], []), done  # as the dry run said: the purge deletes them
    assert not image.exists() and not (run / "results.jsonl").exists()
