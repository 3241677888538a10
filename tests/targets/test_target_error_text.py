"""A TargetError whose text cannot be read (an adapter's own subclass with a broken ``__str__``)
is one failed request, recorded and counted, not a crash of the run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.targets.test_targets_check_failures import UNPRINTABLE_TARGET_ERROR
from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = (
    "suite: unprintable\nversion: 1.0.0\ncases: [{id: a, prompt: hi}]\n"
    "scorers: [{id: n, use: length}]\nmetrics: [{id: w, mean: n.words}]\n"
)


def test_a_run_records_a_target_error_whose_text_cannot_be_read(tmp_path: Path) -> None:
    # The journal took str(error): the __str__'s ValueError ended the run as an internal error
    # ("no response was recorded"), where any other target error is a failed request.
    callable_target(tmp_path, "unprintable_run_target", UNPRINTABLE_TARGET_ERROR)
    (tmp_path / "s.yaml").write_text(SUITE)
    proc = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path, timeout=60)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 3, text
    assert "internal error" not in text and "errors 1" in text, text
    results = next((tmp_path / "reports").glob("*/results.jsonl"))
    row = json.loads(results.read_text().splitlines()[0])
    assert row["error"]["message"] == "Unprintable: (its message could not be read)", row
