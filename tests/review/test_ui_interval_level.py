"""The web app's run and risk pages show each interval with its level: a 0.999 interval read
"0.0003 – 0.5" in the run page's gates and metrics tables and the risk page's evidence table,
as a 95% one would (the trend page labelled it already)."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from assurance_harness.ui.app import Settings

from .reviewkit import GROUPS_SUITE, make_project
from .serve import get_page, serving

SUITE = GROUPS_SUITE.replace(
    '{id: bad_rate, rate: "kw.matched", by: meta.group}',
    '{id: bad_rate, rate: "kw.matched", by: meta.group, confidence: 0.999}',
)


def _cells(html: str, table: str) -> list[str]:
    """The interval cells (those with a dash between two figures) of one table."""
    pattern = rf"<table(?:(?!</table>).)*?{table}(?:(?!</table>).)*</table>"
    found = re.search(pattern, html, re.S)
    assert found, html
    return re.findall(r'<td class="num">([^<]*\d[^<]* – [^<]*)</td>', found.group(0))


def test_run_and_risk_pages_label_intervals_with_their_level(tmp_path: Path) -> None:
    assert SUITE != GROUPS_SUITE
    project = make_project(tmp_path, suite_text=SUITE)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        run = get_page(f"{base}/runs/{urllib.parse.quote(run_id, safe='')}")
        risk = get_page(f"{base}/register/R-001")
    gates, metrics = _cells(run, 'id="gates"'), _cells(run, 'id="metrics"')
    assert len(gates) == 1 and len(metrics) == 2, (gates, metrics)
    assert gates[0].startswith("99.9% "), gates
    assert metrics[0].startswith("99.9% ") and metrics[1].startswith("95% "), metrics
    evidence = _cells(risk, "<th>interval</th>")
    assert evidence and all(cell.startswith("99.9% ") for cell in evidence), evidence
