"""A baseline whose run folder is gone names the baseline (suite and target) and how to fix it,
for ``run --baseline``, ``compare baseline`` and ``baseline check``, not "run '...' not found"
as if the user had typed that id (issue 12)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of
from tests.testing.project import echo_project


def test_a_baseline_whose_run_is_gone_names_the_baseline_and_the_fix(tmp_path: Path) -> None:
    project = echo_project(tmp_path, "ghosted")
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-evidence", cwd=project)
    assert first.returncode == 0, first.stderr
    ghost = run_id_of(first)
    assert run_cli("baseline", "set", ghost, cwd=project).returncode == 0
    shutil.rmtree(project / "reports" / ghost)

    again = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-evidence", "--baseline", cwd=project
    )
    later = re.search(r"results in reports/(\S+)", again.stdout + again.stderr)
    assert later, again.stdout + again.stderr
    for proc in (
        again,
        run_cli("compare", "baseline", later.group(1), cwd=project),
        run_cli("baseline", "check", cwd=project),
    ):
        errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert len(errors) == 1, proc.stderr
        assert "baseline of suite 'ghosted' and target 't'" in errors[0]
        assert ghost in errors[0]
        assert "assurance baseline set" in errors[0]
        assert "assurance baseline clear ghosted --target t" in errors[0]
