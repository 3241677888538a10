"""``--resume`` with a target configuration other than the run's names both target files: the
one given and the one the run was made with (run.json's target.path), so the fix is plain."""

from __future__ import annotations

import re
from pathlib import Path

from tests.testing.cli import one_line_refusal, run_cli
from tests.testing.project import echo_project


def _run(project: Path, target: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "run", "s.yaml", "--target", target, "--reports", "reports", "--no-report",
        "--no-evidence", *extra, cwd=project, timeout=60,
    )  # fmt: skip


def _first_run(project: Path) -> str:
    done = _run(project, "t.yaml")
    assert done.returncode == 0, done.stderr
    found = re.search(r"run (\S+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return found.group(1)


def test_another_target_file_is_named_beside_the_run_s(tmp_path: Path) -> None:
    """Was: 'run '...' was made against a different target configuration; resume with the same
    --target file', naming neither file."""
    project = echo_project(tmp_path, "other-target")
    run_id = _first_run(project)
    other = (project / "t.yaml").read_text(encoding="utf-8") + "timeout_s: 7\n"
    (project / "t2.yaml").write_text(other, encoding="utf-8")
    line = one_line_refusal(_run(project, "t2.yaml", "--resume", run_id))
    assert f"run '{run_id}' was made against t.yaml" in line, line
    assert "--target t2.yaml" in line and "resume with --target t.yaml" in line, line


def test_an_edited_target_file_is_named_as_edited(tmp_path: Path) -> None:
    project = echo_project(tmp_path, "edited-target")
    run_id = _first_run(project)
    with (project / "t.yaml").open("a", encoding="utf-8") as target:
        target.write("timeout_s: 7\n")
    line = one_line_refusal(_run(project, "t.yaml", "--resume", run_id))
    assert f"run '{run_id}' was made against t.yaml" in line, line
    assert "edited since" in line, line
