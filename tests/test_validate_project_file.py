"""``assurance validate`` checks the project file (``assurance.yaml``) as ``run`` reads it: it
said "not a suite (suite:), target (type:) or register (risks:) file" for the bundled
examples/assurance.yaml, and for a folder holding one, while a project file with
``retention_days: -5`` passed every ``validate`` of its suites and failed only at ``run``."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

REPO = Path(__file__).resolve().parents[1]


def _validate(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *map(str, paths)])
    return result.exit_code, result.output


def test_the_bundled_project_file_is_valid(tmp_path: Path) -> None:
    shutil.copy(REPO / "examples" / "assurance.yaml", tmp_path / "assurance.yaml")
    assert _validate(tmp_path / "assurance.yaml") == (0, "1 file(s) valid\n")
    assert _validate(tmp_path) == (0, "1 file(s) valid\n")


def test_a_bad_project_file_is_located(tmp_path: Path) -> None:
    project = tmp_path / "assurance.yaml"
    project.write_text("privacy:\n  retention_days: -5\n")
    code, output = _validate(project)
    assert code == 2, output
    assert output.startswith(f"{project}:2: privacy.retention_days: "), output


def test_a_misspelt_section_is_located(tmp_path: Path) -> None:
    project = tmp_path / "assurance.yaml"
    project.write_text("store: sqlite\nprivcy:\n  retention_days: 5\n")
    code, output = _validate(project)
    assert code == 2 and f"{project}:2: unknown section 'privcy'" in output, output
