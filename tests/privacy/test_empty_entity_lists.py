"""``entities: []`` (redaction's or the pii scorer's) read as "every type", since an empty
list was passed on as no filter: a user who wrote it to redact or look for nothing got every
type, URL included, without a word. It is refused on its line; leaving the key out is "every
type", and ``enabled: false`` redacts nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app


def _validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, result.output


def test_an_empty_redaction_list_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "assurance.yaml"
    project.write_text("privacy:\n  redaction:\n    enabled: true\n    entities: []\n")
    code, output = _validate(project)
    assert code == 2, output
    assert output.startswith(f"{project}:4: privacy.redaction.entities: "), output
    assert "empty" in output and "enabled: false" in output, output


def test_an_empty_pii_scorer_list_is_refused(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: s\ncases: [{id: a, prompt: hi}]\n"
        "scorers:\n  - id: p\n    use: pii\n    with: {entities: []}\n"
        "metrics: [{id: r, rate: p.found}]\ngates: [{metric: r, max: 0}]\n"
    )
    code, output = _validate(suite)
    assert code == 2, output
    assert f"{suite}:6: scorers[0].with.entities" in output and "empty" in output, output
