"""The annex shows a run's verdicts as edited where its summary.json is not what the run
measured, though its manifest.json was rewritten to match. It compared summary.json with the
manifest's hash only: a run the ledger holds no record of, its failed gate edited to "pass"
and the manifest's hash updated, read "pass" beside a checked bound above the limit, with no
note, while 'evidence attach' refuses the same run (its results give "fail"). A run in the
ledger whose summary.json differs from the hash its evidence holds reads edited too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

from .test_summary_integrity import _edit, _flip_to_pass, _outcome, _run, make_project


def _manifest_follows(run_dir: Path) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    manifest["summary"]["sha256"] = hashlib.sha256(
        (run_dir / "summary.json").read_bytes()
    ).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _pack(project: Path, run_dir: Path) -> str:
    out = project / "annex"
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", run_dir.name, "--out", str(out), "--reports",
         str(project / "reports"), "--register", str(project / "register.yaml")],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    return (out / "annex.md").read_text("utf-8")


def test_an_unledgered_runs_summary_edited_with_its_manifest_reads_edited(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    run_dir = _run(project)  # not attached: the ledger holds no record of it
    _edit(run_dir, _flip_to_pass)
    _manifest_follows(run_dir)

    markdown = _pack(project, run_dir)

    verdicts = markdown.split("## 4. Gate verdicts", 1)[1].split("## 5.", 1)[0]
    assert "Edited" in verdicts or "edited" in verdicts, verdicts
    limitations = markdown.split("## 6. Limitations", 1)[1].split("## 7.", 1)[0]
    assert "summary.json was edited since the run" in limitations, limitations


def test_an_unedited_unledgered_run_reads_as_measured(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_dir = _run(project)

    markdown = _pack(project, run_dir)

    assert "summary.json was edited" not in markdown
    assert "**fail**" in markdown.split("## 4. Gate verdicts", 1)[1].split("## 5.", 1)[0]


def test_a_ledgered_runs_summary_edited_with_its_manifest_reads_edited(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    run_dir = _outcome(project, evidence=True).run_dir
    _edit(run_dir, _flip_to_pass)
    _manifest_follows(run_dir)

    markdown = _pack(project, run_dir)

    limitations = markdown.split("## 6. Limitations", 1)[1].split("## 7.", 1)[0]
    assert "summary.json was edited since the run" in limitations, limitations


def test_the_annex_says_of_a_ledgered_runs_edited_summary_what_compare_says(
    tmp_path: Path,
) -> None:
    """One check of a summary against the ledger (``RunLog.summary_changed`` told the ledger's
    hashes), not the annex's own copy of it, which named the edit in words of its own."""
    from assurance_harness.compare.runs import read_compared
    from assurance_harness.formatting.markdown import md_text

    project = make_project(tmp_path)
    run_dir = _outcome(project, evidence=True).run_dir
    _edit(run_dir, _flip_to_pass)
    _manifest_follows(run_dir)
    said = read_compared(run_dir, project / "reports").summary_changed()
    assert said is not None and "ledger" in said

    markdown = _pack(project, run_dir)

    verdicts = markdown.split("## 4. Gate verdicts", 1)[1].split("## 5.", 1)[0]
    assert f"**Edited**: {md_text(said)}." in verdicts, verdicts
