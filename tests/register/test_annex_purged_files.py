"""The annex's manifest of hashes tells a run file deleted by a recorded retention purge from
one that is lost. Both read "missing": a reader could not tell a deliberate deletion, recorded
in the ledger, from a damaged run folder. A purged file now reads "purged" with the time the
purge record gives (and whether its hash then matched the manifest); a file gone without a
record stays "missing"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app
from assurance_harness.register.ledger import attach_run, read_ledger

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run


def _pack(reports: Path, out: Path, *run_ids: str) -> tuple[str, str]:
    result = CliRunner().invoke(
        app,
        ["evidence", "pack", *run_ids, "--out", str(out), "--reports", str(reports),
         "--register", str(EXAMPLE_REGISTER)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return (out / "annex.md").read_text("utf-8"), (out / "annex.html").read_text("utf-8")


def _file_rows(markdown: str, name: str) -> list[str]:
    """The manifest table's row of ``name``, for each run in the order packed."""
    return [line for line in markdown.splitlines() if line.startswith(f"| {name} |")]


def test_purged_run_files_read_purged_and_lost_ones_missing(reports: Path, ledger: Path) -> None:
    old = make_run(
        reports,
        finished_at="2026-01-10T09:00:00+00:00",
        gates=[GateSpec("toxic_rate", "pass", worst_cases=["toxicity-core-001#0"])],
    )
    # Lost, not purged: a newer run (not evidence) whose results.jsonl was deleted by hand.
    lost = make_run(reports, finished_at="2026-11-29T10:00:00+00:00", run_id="lost-run")
    ledger.parent.mkdir(parents=True)
    attach_run(old, ledger_path=ledger)
    purge = CliRunner().invoke(
        app, ["runs", "purge", "--older-than", "90d", "--reports", str(reports)]
    )
    assert purge.exit_code == 0, purge.output
    record = read_ledger(ledger)[-1]
    purged_at = str(record.run["purged_at"])  # e.g. 2026-12-05T21:04:20+00:00
    assert "results.jsonl" in record.run["purged_files"]
    (lost / "results.jsonl").unlink()

    markdown, html = _pack(reports, reports.parent / "pack", old.name, lost.name)

    results, lost_results = _file_rows(markdown, "results.jsonl")
    when = f"{purged_at[:10]} {purged_at[11:16]} UTC"
    assert "purged" in results and when in results and "missing" not in results, results
    assert "matches manifest" in results or "matched manifest" in results, results
    cases = _file_rows(markdown, "cases.jsonl")[0]
    assert "purged" in cases and "missing" not in cases, cases
    assert "missing" in lost_results and "purged" not in lost_results, lost_results
    assert "purged" in html and when in html
    # The gate's worst cases, whose rows were purged, are said to be gone, not silently absent.
    assert "toxicity-core-001#0" in markdown, markdown
