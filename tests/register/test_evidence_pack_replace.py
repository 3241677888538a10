"""``evidence pack -o DIR`` over an earlier pack replaces it whole or not at all. Observed: the new
pack, written in a staging folder inside DIR, was moved in file by file after the earlier pack's
files were deleted, SHA256SUMS first: a Ctrl-C (or a failed rename) between two of those moves
left DIR with the new SHA256SUMS naming files that were not there, and the earlier pack gone.

The faults here are real: a SIGINT raised in this process with Python's handler in place, or
the OSError a rename fails with, at the first or second rename into or out of DIR's folder."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process
from tests.testing.project import echo_runs


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _pack(root: Path, out: Path, *runs: Path) -> tuple[int, str]:
    args = ["evidence", "pack", *(r.name for r in runs), "-o", str(out)]
    done = invoke_in_process([*args, "--reports", str(root / "reports")])
    return done.exit_code, done.output


def _whole(pack: Path) -> dict[str, bytes]:
    """The pack's files, asserted to be exactly those its SHA256SUMS lists, as listed."""
    files = _files(pack) if pack.is_dir() else {}
    assert "SHA256SUMS" in files, f"no SHA256SUMS in {pack}: {sorted(files)}"
    listed = {}
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    held = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    del held["SHA256SUMS"]
    assert held == listed, f"SHA256SUMS lists {sorted(listed)}, the folder holds {sorted(held)}"
    return files


@contextmanager
def _fault_at_rename(
    monkeypatch: pytest.MonkeyPatch, where: Path, nth: int, fault: str
) -> Iterator[list[str]]:
    """At the ``nth`` rename from or into ``where``: a real Ctrl-C (then the rename) or an
    OSError (no rename). Yields the renames seen there."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    replace = os.replace
    seen: list[str] = []

    def faulty(src: str | Path, dst: str | Path) -> None:
        if str(where) in (str(Path(src).parent), str(Path(dst).parent)) or any(
            str(p).startswith(str(where) + os.sep) for p in (src, dst)
        ):
            seen.append(f"{src} -> {dst}")
            if len(seen) == nth:
                if fault == "oserror":
                    raise OSError(28, "No space left on device", str(dst))
                signal.raise_signal(signal.SIGINT)
        replace(src, dst)

    monkeypatch.setattr(os, "replace", faulty)
    try:
        yield seen
    finally:
        monkeypatch.setattr(os, "replace", replace)
        signal.signal(signal.SIGINT, previous)


def _earlier_pack(root: Path, name: str) -> tuple[Path, Path, Path, dict[str, bytes]]:
    """Two runs, and a pack of the first at ``root/out/annex``: (first, second, the pack's
    folder, its files)."""
    first, second = echo_runs(root, name, count=2)
    pack = root / "out" / "annex"
    rc, text = _pack(root, pack, first)
    assert rc == 0, text
    return first, second, pack, _whole(pack)


def _packed_again(root: Path, pack: Path, first: Path, second: Path) -> None:
    """Redone after the fault: the new pack, whole, alone in its folder."""
    rc, text = _pack(root, pack, first, second)
    assert rc == 0, text
    assert f"runs/{second.name}/summary.json" in _whole(pack)
    assert sorted(os.listdir(pack.parent)) == ["annex"]


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize("fault", ["ctrl-c", "oserror"])
def test_a_pack_replaced_is_whole_after_a_fault_as_it_is_moved_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, nth: int
) -> None:
    first, second, pack, earlier = _earlier_pack(tmp_path, "pack-swap")
    out = pack.parent

    with _fault_at_rename(monkeypatch, out, nth, fault) as seen:
        rc, text = _pack(tmp_path, pack, first, second)
    assert len(seen) >= nth, seen
    assert "Traceback" not in text, text
    if fault == "oserror":
        assert rc == 3, text
        assert _whole(pack) == earlier  # the earlier pack as it was
    else:
        assert rc == 130, text
        now = _whole(pack)  # the earlier pack or the new one, never a mix
        assert now == earlier or f"runs/{second.name}/summary.json" in now, sorted(now)
    assert sorted(os.listdir(out)) == ["annex"]  # nothing staged or set aside is left

    _packed_again(tmp_path, pack, first, second)


_KILLED_AT_RENAME = """
import os, sys
from assurance_harness import cli
where, nth, after = sys.argv.pop(1), int(sys.argv.pop(1)), sys.argv.pop(1) == "after"
replace, seen = os.replace, []
def killed(src, dst):
    if os.path.dirname(str(src)) == where or os.path.dirname(str(dst)) == where:
        seen.append(src)
        if len(seen) == nth and not after:
            os._exit(9)
        replace(src, dst)
        if len(seen) == nth:
            os._exit(9)
    else:
        replace(src, dst)
os.replace = killed
sys.argv[0] = "assurance"
cli.main()
"""


@pytest.mark.parametrize(("nth", "when"), [(1, "before"), (2, "before"), (2, "after")])
def test_what_a_pack_killed_as_it_was_moved_in_left_is_cleared_by_the_next(
    tmp_path: Path, nth: int, when: str
) -> None:
    """Killed (no cleanup runs) before the earlier pack was set aside, before the new one was
    renamed in, or after: the staging folder, or the earlier pack set aside, is left beside the
    folder. The next pack puts the earlier one back first, or deletes what is no pack, and so
    writes the new pack alone, whole."""
    from assurance_harness.register.annex import _recover_pack

    first, second, pack, earlier = _earlier_pack(tmp_path, "pack-killed")
    out = pack.parent
    args = ["evidence", "pack", first.name, second.name, "-o", pack, "--reports", "reports"]
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_RENAME, str(out), str(nth), when, *map(str, args)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stdout + killed.stderr
    assert len(os.listdir(out)) == 2  # the pack or none, and a staging or earlier one beside

    _recover_pack(pack)
    assert sorted(os.listdir(out)) == ["annex"]
    now = _whole(pack)  # the earlier pack, unless the new one was renamed in
    assert now == earlier if when == "before" else f"runs/{second.name}/summary.json" in now

    _packed_again(tmp_path, pack, first, second)


def test_a_pack_into_a_writable_folder_whose_parent_is_read_only_is_written(
    tmp_path: Path,
) -> None:
    """Observed: staging the pack beside DIR needs DIR's parent writable. A pack folder that
    can be written in a share that cannot (its own mount, a folder given to one user) failed,
    "cannot write .../.pack.pack-19cc50c9.tmp: Read-only file system", a name the user never
    gave, where the pack was written before. There the pack is staged inside DIR, as before,
    and moved in with Ctrl-C held, so it is still whole."""
    from tests.testing.tmpfs import read_only, tmpfs

    first, second = echo_runs(tmp_path, "pack-ro-parent", count=2)
    share = tmp_path / "share"
    pack = share / "annex"
    pack.mkdir(parents=True)
    with read_only(share), tmpfs(pack, size="8m"):
        rc, text = _pack(tmp_path, pack, first)
        assert rc == 0, text
        assert f"runs/{first.name}/summary.json" in _whole(pack)
        rc, text = _pack(tmp_path, pack, first, second)  # over the earlier pack
        assert rc == 0, text
        assert f"runs/{second.name}/summary.json" in _whole(pack)
        assert sorted(os.listdir(share)) == ["annex"]
