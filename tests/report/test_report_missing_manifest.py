"""A finished run whose manifest.json was deleted (by hand, or a copy made without it). The
manifest holds the SHA-256 of results.jsonl and summary.json and the versions that produced
them: without it nothing can tell the run's files from edited ones, so the run cannot stand as
evidence. Observed: ``assurance report`` wrote the reports without a word (exit 0) and
``assurance trend`` plotted the run among the measured nights. Now the report says so in every
format and on stderr, as it does of a results.jsonl or summary.json changed since the run (and
keeps the run's own reports), and trend leaves the run out, saying how many and why."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli
from tests.testing.project import echo_runs


def test_a_report_of_a_run_without_its_manifest_says_so_in_every_format(tmp_path: Path) -> None:
    (run_dir,) = echo_runs(tmp_path, "manifest-gone")
    (run_dir / "manifest.json").unlink()
    out = tmp_path / "out"
    done = run_cli("report", run_dir, "-o", out, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, done.stderr
    said = f"{run_dir / 'manifest.json'}: missing"
    assert said in warnings[0] and "not evidence" in warnings[0], warnings
    for name in ("report.md", "report.html", "junit.xml"):
        text = (out / name).read_text(encoding="utf-8")
        assert "manifest.json: missing" in text and "not evidence" in text, name
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "not evidence" in document["manifest_missing"], document.keys()


def test_a_report_without_the_manifest_keeps_the_runs_own_reports(tmp_path: Path) -> None:
    (run_dir,) = echo_runs(tmp_path, "manifest-gone")
    kept = run_dir / "report.md"
    kept.write_text("the run's own report\n", encoding="utf-8")
    (run_dir / "manifest.json").unlink()
    done = run_cli("report", run_dir, "-f", "md", cwd=tmp_path, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "manifest.json: missing" in done.stderr and "--out" in done.stderr, done.stderr
    assert kept.read_text(encoding="utf-8") == "the run's own report\n"


def test_trend_leaves_out_a_run_without_its_manifest_and_says_how_many(tmp_path: Path) -> None:
    first, second, third = echo_runs(tmp_path, "manifest-trend", count=3)
    for run in (first, third):
        (run / "manifest.json").unlink()
    done = run_cli(
        "trend", "manifest-trend", "r", "--format", "json", "-o", tmp_path / "t.png", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    points = json.loads(done.stdout)
    assert [p["run_id"] for p in points["points"]] == [second.name], points
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    named = [w for w in warnings if "manifest.json: missing" in w]
    assert len(named) == 2 and all("not evidence" in w for w in named), warnings
    assert any("2 runs of manifest-trend are left out" in w for w in warnings), warnings
