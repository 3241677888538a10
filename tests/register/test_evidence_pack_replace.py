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


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize("fault", ["ctrl-c", "oserror"])
def test_a_pack_replaced_is_whole_after_a_fault_as_it_is_moved_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, nth: int
) -> None:
    first, second = echo_runs(tmp_path, "pack-swap", count=2)
    out = tmp_path / "out"
    pack = out / "annex"
    rc, text = _pack(tmp_path, pack, first)
    assert rc == 0, text
    earlier = _whole(pack)

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

    rc, text = _pack(tmp_path, pack, first, second)  # redone: the new pack, whole
    assert rc == 0, text
    assert f"runs/{second.name}/summary.json" in _whole(pack)
    assert sorted(os.listdir(out)) == ["annex"]
