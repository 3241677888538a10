"""``evidence attach`` of a smoke test (``run --limit N``) whose run.json was edited. Observed:
the refusal read ``limit`` from run.json only, which nothing hashes, so after one edit there
(``options.limit`` set to null) the run of the suite's first case was attached as evidence,
exit 0. The run's manifest.json records the command it was started with, ``--limit`` in it:
the run is refused where either says it was a smoke test (exit 2, one line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process, run_cli
from tests.testing.project import echo_project


def test_a_smoke_test_whose_run_json_forgets_its_limit_is_not_attached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    echo_project(tmp_path, suite="smoke_edit")
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(text.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    args = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")
    done = run_cli(*args, "--limit", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in (tmp_path / "r").iterdir() if (p / "run.json").is_file()]
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    state["options"]["limit"] = None
    state["command"] = state["command"].replace(" --limit 1", "")
    (run_dir / "run.json").write_text(json.dumps(state), encoding="utf-8")

    monkeypatch.chdir(tmp_path)
    attached = invoke_in_process(["evidence", "attach", run_dir.name, "--reports", "r"])

    assert attached.exit_code == 2, attached.output
    lines = attached.output.strip().splitlines()
    assert len(lines) == 1 and "smoke test (--limit 1)" in lines[0], attached.output
    assert not (tmp_path / "r" / "evidence" / "ledger.jsonl").exists()
