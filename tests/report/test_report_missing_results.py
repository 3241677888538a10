"""``assurance report`` and ``run --resume`` of a finished run whose results.jsonl was deleted.
Observed: the report said "No individual cases to show (no gate failed, or the failing gates
name none)" beside two failing gates, with no warning, and ``--resume`` said "was already
complete; its results are unchanged". A results file cut short or edited gets a "Changed"
notice and a warning; a missing one now gets them too, and ``--resume`` refuses (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of
from tests.testing.project import callable_target

from .runfixtures import toxicity_run


def test_a_report_of_a_run_whose_results_were_deleted_says_so(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    results = toxicity_run(reports, "r-1", {1, 2, 30}, n_cases=40) / "results.jsonl"
    results.unlink()

    done = run_cli("report", "r-1", "--reports", reports, "-o", tmp_path / "out", timeout=60)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and str(results) in warnings[0], done.stderr
    assert "missing" in warnings[0], warnings
    out = tmp_path / "out"
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "no gate failed" not in markdown, markdown
    for name in ("report.md", "report.html", "junit.xml"):
        assert "results.jsonl: missing" in (out / name).read_text(encoding="utf-8"), name
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "missing" in document["results_changed"], document.keys()


SUITE = (
    "suite: resumed\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, max: 0.0}]\n"
)


def test_resume_of_a_finished_run_whose_results_were_deleted_refuses(tmp_path: Path) -> None:
    """Where its journal cannot give them back (a response line lost too): a resume that
    restores the rows from the journal is ``tests/runner/test_resume_restores_results.py``."""
    callable_target(
        tmp_path,
        "resumed_bot",
        "def reply(messages):\n    return 'echo ' + messages[-1]['content']\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr  # the gate fails: worst cases
    run_id = run_id_of(done)
    run_dir = tmp_path / "reports" / run_id
    (run_dir / "results.jsonl").unlink()
    journal = run_dir / "responses.jsonl"
    journal.write_bytes(b"".join(journal.read_bytes().splitlines(keepends=True)[:-1]))
    report_before = (run_dir / "report.md").read_bytes()

    again = run_cli(
        "run", "s.yaml", "--target", "t.yaml", "--resume", run_id, cwd=tmp_path, timeout=60
    )
    text = again.stdout + again.stderr
    assert again.returncode == 3, text
    assert "unchanged" not in text, text
    assert f"{run_id}/results.jsonl: missing" in again.stderr, again.stderr
    assert (run_dir / "report.md").read_bytes() == report_before  # not rewritten without rows
