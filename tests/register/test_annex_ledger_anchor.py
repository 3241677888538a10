"""The annex says, per run and per file, what the evidence ledger vouches for. Its hash
manifest checked each file against the run's own manifest.json only, which whoever edits the
files can rewrite too: a results.jsonl edited after the run, its manifest's hash updated to
match, read "matches manifest" although the ledger holds another hash. And a run the ledger
holds no record of (made with --no-evidence, or a folder put in the reports) read as the rest,
beside "Evidence ledger: ... chain and run files verified", which covers only runs it holds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, make_run

NOT_RECORDED = "not recorded in the evidence ledger"


def _pack(reports: Path, out: Path, *run_ids: str, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", *run_ids, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == code, result.output
    return (out / "annex.md").read_text("utf-8"), (out / "annex.html").read_text("utf-8")


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_a_run_the_ledger_holds_no_record_of_says_so(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    attached = make_run(reports, suite="toxicity-core")
    loose = make_run(reports, suite="privacy-children", evidence_for=["R-006"])
    ledger.parent.mkdir(parents=True)
    attach_run(attached, ledger_path=ledger, register_path=EXAMPLE_REGISTER)

    markdown, html = _pack(reports, tmp_path / "pack", attached.name, loose.name)

    suites = _section(markdown, "## 2.", "## 3.")
    mine, theirs = suites.split("### privacy-children", 1)[1], suites.split("### privacy", 1)[0]
    assert NOT_RECORDED in mine and NOT_RECORDED not in theirs, suites
    limitations = _section(markdown, "## 6. Limitations", "## 7.")
    assert f"{loose.name} is {NOT_RECORDED}" in limitations, limitations
    assert f"{attached.name} is {NOT_RECORDED}" not in limitations, limitations
    assert NOT_RECORDED in _section(html, "Suites run and why", "Results"), html
    assert f"{loose.name} is {NOT_RECORDED}" in html


def test_a_file_rewritten_with_its_manifest_differs_from_the_ledger(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    run = make_run(reports)
    ledger.parent.mkdir(parents=True)
    attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    results = run / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b"response 1", b"response X"))
    manifest = json.loads((run / "manifest.json").read_text("utf-8"))
    manifest["results"]["sha256"] = hashlib.sha256(results.read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    # The ledger fails verification (exit 1), and the pack is still written, saying so.
    markdown, html = _pack(reports, tmp_path / "pack", run.name, code=1)

    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in _section(markdown, "## 7.", "## 8.").splitlines()
        if line.startswith("| ")
    }
    assert "DIFFERS from the evidence ledger" in rows["results.jsonl"], rows
    assert "DIFFERS from the evidence ledger" in rows["manifest.json"], rows
    for name in ("summary.json", "cases.jsonl"):
        assert "DIFFERS" not in rows[name], rows
    assert html.count("DIFFERS from the evidence ledger") == 2, html


def test_a_purged_file_that_differed_from_the_ledger_says_so(
    reports: Path, ledger: Path, tmp_path: Path
) -> None:
    """A file edited (its manifest with it) and then purged read "matched manifest then":
    the hash the purge recorded is checked against the ledger's too."""
    run = make_run(reports, finished_at="2026-01-10T09:00:00+00:00")
    ledger.parent.mkdir(parents=True)
    attach_run(run, ledger_path=ledger, register_path=EXAMPLE_REGISTER)
    results = run / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b"response 1", b"response X"))
    manifest = json.loads((run / "manifest.json").read_text("utf-8"))
    manifest["results"]["sha256"] = hashlib.sha256(results.read_bytes()).hexdigest()
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    purge = CliRunner().invoke(
        app, ["runs", "purge", "--older-than", "90d", "--reports", str(reports)]
    )
    assert purge.exit_code == 0, purge.output

    markdown, _html = _pack(reports, tmp_path / "pack", run.name, code=1)

    row = next(x for x in markdown.splitlines() if x.startswith("| results.jsonl |"))
    assert "purged" in row and "DIFFERED from the evidence ledger then" in row, row
