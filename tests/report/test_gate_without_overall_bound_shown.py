"""Where a gate that failed on its groups' figures, its overall figure without a bound, is shown
(the terminal, report.md, report.html, JUnit, the annex, the web app's run page), it names the
groups and why the overall figure was not checked: a verdict of ``fail`` beside an overall 4
under ``max: 1`` on the lower bound read as a failure of that figure, and the annex and the run
page said nothing of the overall figure at all."""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.register.test_summary_before_groups_without_overall_bound import (
    SAME_DELTA,
    write_project,
)
from tests.runner.test_retry_errors import Invoke, cli

__all__ = ["cli"]  # the fixture, used by name

GROUPS = "y; without a figure: x"
WHY = f"overall: {SAME_DELTA}; group 'x': "


def _project(root: Path) -> None:
    write_project(root, 1.0)
    suite = (root / "s.yaml").read_text().replace("evidence_for: [R-902]\n", "")
    (root / "s.yaml").write_text(suite.replace("  - {metric: gap, max: 1.0, bound: point}\n", ""))


def test_the_run_and_its_reports_name_the_groups_and_why_the_overall_was_not_checked(
    tmp_path: Path, cli: Invoke
) -> None:
    _project(tmp_path)
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r")
    assert done.returncode == 1, done.stdout
    out = " ".join(done.stdout.split())
    assert f"fail groups: {GROUPS}" in out, out
    assert f"no data: {WHY}" in out, out
    assert out.count("no variance to bound it by") == 2, out  # overall's and x's, once each
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    failure = ET.parse(run_dir / "junit.xml").find("testsuite/testcase/failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert f"failing groups: {GROUPS}" in message and f"no data: {WHY}" in message, message
    for name in ("report.md", "report.html"):
        text = (run_dir / name).read_text(encoding="utf-8").replace("&#39;", "'")
        assert GROUPS in text and WHY in text, name


def test_the_annex_says_the_overall_figure_was_not_checked(tmp_path: Path, cli: Invoke) -> None:
    _project(tmp_path)
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")
    assert done.returncode == 1, done.stdout
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    packed = cli(tmp_path, "evidence", "pack", run_dir.name, "--reports", "r", "-o", "annex")
    assert packed.returncode == 0, packed.stdout
    annex = (tmp_path / "annex" / "annex.md").read_text(encoding="utf-8")
    limitations = " ".join(annex[annex.index("Limitations") :].split())
    assert (
        "nb: gate 'gap <= 1 (lower bound)' failed on its groups' figures; its overall "
        f"figure was not checked ({SAME_DELTA})." in limitations
    ), limitations


def test_the_web_apps_run_page_says_why_beside_the_groups(tmp_path: Path, cli: Invoke) -> None:
    from assurance_harness.ui.app import Settings
    from tests.review.serve import get_page, serving

    _project(tmp_path)
    done = cli(tmp_path, "run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")
    assert done.returncode == 1, done.stdout
    (run_dir,) = (p for p in (tmp_path / "r").iterdir() if p.is_dir())
    reports = tmp_path / "r"
    settings = Settings(reports, tmp_path / "register.yaml", reports / "evidence" / "ledger.jsonl")
    with serving(settings) as base:
        html = get_page(f"{base}/runs/{urllib.parse.quote(run_dir.name, safe='')}")
    gates = html.split('id="gates"', 1)[1].split("</table>", 1)[0].replace("&#39;", "'")
    assert f'<td>{GROUPS}<div class="muted">no data: {WHY}' in gates, gates
