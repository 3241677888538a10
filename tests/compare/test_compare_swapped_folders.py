"""Run folders whose files are another run's. Observed: with two runs' results.jsonl,
manifest.json and summary.json swapped, ``compare R1 R2`` compared R2 -> R1 (baseline and
candidate reversed) with exit 0 and no word, and ``report R1`` wrote R2's report; a run folder
copied under another name was compared with the run itself as "no significant regression",
without the "are one run" warning ``compare R R`` prints. A folder named for one run holding
another's files is now refused (exit 3) naming both ids; a copy is one run."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def _swap(one: Path, other: Path) -> None:
    for name in ("results.jsonl", "manifest.json", "summary.json"):
        held = (one / name).read_bytes()
        (one / name).write_bytes((other / name).read_bytes())
        (other / name).write_bytes(held)


def test_folders_holding_each_others_runs_are_refused(tmp_path: Path) -> None:
    first, second = echo_runs(tmp_path, "swapped", count=2)
    _swap(first, second)
    for args in (
        ("compare", first.name, second.name),
        ("baseline", "set", first.name, "--force"),
        ("report", first.name, "-o", "out"),
    ):
        result = run_cli(*args, cwd=tmp_path, timeout=60)
        text = result.stdout + result.stderr
        assert result.returncode == 3, (args, text)
        assert "no significant regression" not in text, text
        assert f"'{first.name}'" in result.stderr and f"'{second.name}'" in result.stderr, text
        assert "Traceback" not in text and "internal error" not in text, text
    assert not (tmp_path / "out").exists()


def test_a_copy_of_a_run_folder_is_one_run_with_it(tmp_path: Path) -> None:
    (run,) = echo_runs(tmp_path, "copied")
    shutil.copytree(run, tmp_path / "reports" / "copy-of-run")
    result = run_cli("compare", "copy-of-run", run.name, cwd=tmp_path, timeout=60)
    text = result.stdout + result.stderr
    assert f"the baseline and the candidate are one run ({run.name})" in text, text
