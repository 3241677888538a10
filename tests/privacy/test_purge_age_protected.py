"""``runs purge --older-than`` and a run whose run.json was edited to look old. Observed: the
age came from run.json's ``finished_at``, which neither manifest.json nor the evidence ledger
hashes, so ``runs purge --older-than 30d`` deleted the transcripts of a run made today after
one edit there (exit 0, "purged 1 run(s)"). A purge destroys evidence: where the dates the run's
files and its ledger records give disagree, the run is kept and named, exit 3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.privacy.purgedkit import echo_run_today
from tests.testing.cli import run_cli

OLD = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def made_today(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """A project with a run made now, its evidence in the ledger (True) or not (False): made
    once, copied into each test (the project holds no absolute path)."""
    made = {}
    for evidence in (True, False):
        root = tmp_path_factory.mktemp(f"today-{int(evidence)}")
        echo_run_today(root, f"backdated_{int(evidence)}", evidence=evidence)
        made[evidence] = root
    return made


def _backdate(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["started_at"] = data["finished_at"] = OLD
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("evidence", "edited"),
    [
        (True, ("run.json",)),
        (False, ("run.json",)),
        (True, ("run.json", "summary.json", "manifest.json")),
        (False, ("run.json", "summary.json")),
    ],
    ids=["ledger-run-json", "run-json", "ledger-all-three", "summary-too"],
)
def test_a_run_backdated_by_an_edit_is_kept_and_named(
    tmp_path: Path, made_today: dict[bool, Path], evidence: bool, edited: tuple[str, ...]
) -> None:
    shutil.copytree(made_today[evidence], tmp_path, dirs_exist_ok=True)
    (run_dir,) = [p for p in (tmp_path / "r").iterdir() if (p / "run.json").is_file()]
    for name in edited:
        _backdate(run_dir / name)
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}

    done = run_cli("runs", "purge", "--older-than", "30d", "--reports", "r", cwd=tmp_path)

    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 3, done.stdout + done.stderr
    said = [line for line in done.stderr.splitlines() if run_dir.name in line]
    assert len(said) == 1 and "not purged" in said[0], done.stderr
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before
    ledger = tmp_path / "r" / "evidence" / "ledger.jsonl"
    assert not ledger.exists() or "RETENTION" not in ledger.read_text(encoding="utf-8")
