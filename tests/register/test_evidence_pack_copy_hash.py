"""``evidence pack`` and a run file changed between its hash and its copy. Observed: the hashes
in the annex's table were taken (``_file_hashes``) before the files were copied, and
SHA256SUMS hashed the copies, so a file changed in between was packed with an annex stating
another hash while ``sha256sum -c`` passed on it. Each copy is now hashed as it is written and
the pack refused where it is not the file the annex states (exit 3, one line), nothing of it
written: the earlier pack in its folder is left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register import annex
from tests.testing.cli import invoke_in_process
from tests.testing.project import echo_runs


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_file_changed_after_its_hash_refuses_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (run,) = echo_runs(tmp_path, "pack-copy-hash")
    pack = tmp_path / "annex"
    monkeypatch.chdir(tmp_path)
    first = invoke_in_process(["evidence", "pack", run.name, "-o", str(pack)])
    assert first.exit_code == 0, first.output
    before = _files(pack)
    cases = run / "cases.jsonl"
    built_by = annex.build_annex

    def then_changed(*args: Any, **kwargs: Any) -> annex.Annex:
        built = built_by(*args, **kwargs)  # every file hashed for the annex's table
        with cases.open("a", encoding="utf-8") as handle:  # and changed before its copy
            handle.write('{"id": "late", "prompt": "written after the hash"}\n')
        return built

    monkeypatch.setattr(annex, "build_annex", then_changed)
    done = invoke_in_process(["evidence", "pack", run.name, "-o", str(pack)])

    assert done.exit_code == 3, done.output
    assert "Traceback" not in done.output, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and f"{run.name}/cases.jsonl: changed" in lines[0], done.output
    assert _files(pack) == before  # the earlier pack, whole
    assert [p.name for p in tmp_path.iterdir() if ".pack-" in p.name] == []  # no staging left
