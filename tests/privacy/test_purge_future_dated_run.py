"""``runs purge`` and a run whose dates were edited into the future, consistently in every
record of its end (run.json, summary.json, manifest.json with summary.json's new hash, its
evidence records in the ledger, chained again). Observed: it is never old enough to purge, and
nothing said so: exit 0, its prompts and responses kept past the retention period for good.
It is kept (deleting evidence on a guess is worse) and named, with its date, as a run the purge
cannot date is ("not purged: ..."): exit 3, a warning with ``--dry-run``. A clock a little
ahead (``FINISHED_AT_TOLERANCE``) is no future date."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from tests.privacy.purgedkit import age_run
from tests.testing.cli import invoke_in_process
from tests.testing.project import echo_project

FUTURE = "2099-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def made_today(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a run made now, its evidence in the ledger: made once, copied into each
    test (the project holds no absolute path)."""
    root = tmp_path_factory.mktemp("future")
    echo_project(root, suite="forward_dated")
    text = (root / "s.yaml").read_text(encoding="utf-8")
    (root / "s.yaml").write_text(text.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # no register here: the suite's evidence_for is the run's evidence
        done = invoke_in_process(
            ["run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report"]
        )
    assert done.exit_code == 0, done.output
    assert "R-001" in (root / "r" / "evidence" / "ledger.jsonl").read_text(encoding="utf-8")
    return root


def _dated(tmp_path: Path, made_today: Path, when: str) -> Path:
    shutil.copytree(made_today, tmp_path, dirs_exist_ok=True)
    (run_dir,) = [p for p in (tmp_path / "r").iterdir() if (p / "run.json").is_file()]
    age_run(run_dir, when)
    return run_dir


def _files(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["purge", "dry-run"])
def test_a_run_dated_in_the_future_is_kept_and_named(
    tmp_path: Path, made_today: Path, dry_run: list[str]
) -> None:
    run_dir = _dated(tmp_path, made_today, FUTURE)
    before = _files(run_dir)

    reports = str(tmp_path / "r")
    done = invoke_in_process(
        ["runs", "purge", "--older-than", "30d", "--reports", reports, *dry_run]
    )

    assert "Traceback" not in done.output, done.output
    assert done.exit_code == (0 if dry_run else 3), done.output
    said = [line for line in done.output.splitlines() if run_dir.name in line]
    assert len(said) == 1 and "not purged" in said[0], done.output
    assert "2099-01-01" in said[0] and "future" in said[0], said
    assert _files(run_dir) == before
    ledger = tmp_path / "r" / "evidence" / "ledger.jsonl"
    assert "RETENTION" not in ledger.read_text(encoding="utf-8")


def test_a_run_dated_a_little_ahead_is_new_not_named(tmp_path: Path, made_today: Path) -> None:
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    run_dir = _dated(tmp_path, made_today, ahead.isoformat(timespec="seconds"))
    done = invoke_in_process(
        ["runs", "purge", "--older-than", "30d", "--reports", str(run_dir.parent)]
    )
    assert done.exit_code == 0, done.output
    assert run_dir.name not in done.output, done.output
    assert json.loads((run_dir / "run.json").read_text())["finished_at"].startswith(
        ahead.date().isoformat()
    )
