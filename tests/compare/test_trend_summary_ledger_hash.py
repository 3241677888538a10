"""A trend leaves out a run whose summary.json is not the file its evidence in the ledger hashed.

Observed: ``toxicity-core``'s toxic_rate was edited from 0.1087 to 0 in a run's summary.json,
and the SHA-256 its manifest.json records rewritten to match. ``assurance evidence verify``
failed on the run and the annex called its figures edited (it checks the ledger's hash), but
``assurance trend toxicity-core toxic_rate`` drew 0 for that night with no word: it checked the
summary against the manifest only, which whoever edits one can rewrite too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assurance_harness.compare.trend import trend_points

from ..report.runfixtures import ledgered_runs


def _forge(run_dir: Path) -> None:
    """The figure edited, and the manifest's hash of the summary made to match."""
    summary = json.loads((run_dir / "summary.json").read_text())
    summary["metrics"]["r"]["value"] = 0.0
    (run_dir / "summary.json").write_text(json.dumps(summary))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["summary"]["sha256"] = hashlib.sha256(
        (run_dir / "summary.json").read_bytes()
    ).hexdigest()
    (run_dir / "manifest.json").write_text(json.dumps(manifest))


def test_a_summary_edited_with_its_manifest_is_left_out_and_named(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ledgered_runs(reports, 3)
    assert [p.value for p in trend_points(reports, "tv", "r")] == [0.3, 0.3, 0.3]
    _forge(reports / "run-1")
    left_out: list[str] = []
    points = trend_points(reports, "tv", "r", left_out=left_out)
    assert [p.run_id for p in points] == ["run-0", "run-2"]
    assert len(left_out) == 1 and left_out[0].startswith("run-1: "), left_out
    assert "SHA-256 its evidence holds in the ledger" in left_out[0], left_out


def test_the_plot_takes_no_limit_from_such_a_summary(tmp_path: Path) -> None:
    """The plot's threshold line is the latest run's gate: edited with its manifest, the
    edit's limit was drawn, the run itself left out."""
    from assurance_harness.compare.trend import gate_thresholds

    reports = tmp_path / "reports"
    ledgered_runs(reports, 3)
    assert gate_thresholds(reports, "tv", "r") == {"max": 0.5}
    summary = json.loads((reports / "run-2" / "summary.json").read_text())
    summary["gates"][0]["max"] = 0.9
    (reports / "run-2" / "summary.json").write_text(json.dumps(summary))
    manifest = json.loads((reports / "run-2" / "manifest.json").read_text())
    sha = hashlib.sha256((reports / "run-2" / "summary.json").read_bytes()).hexdigest()
    manifest["summary"]["sha256"] = sha
    (reports / "run-2" / "manifest.json").write_text(json.dumps(manifest))
    assert gate_thresholds(reports, "tv", "r") == {"max": 0.5}
