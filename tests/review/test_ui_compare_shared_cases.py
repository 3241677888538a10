"""The web app's compare page labels figures over only the cases a paired test compared, as
the terminal and Markdown do: with 30 toxic cases added to the candidate's suite, the page
showed 0.01 beside 0.01 (the 200 cases compared) with nothing saying the candidate's whole run
read 0.1391, and before that the whole run's figures beside a difference of none."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.ui.app import Settings

from ..report.runfixtures import toxicity_run
from .serve import get_page, serving


def test_the_compare_page_labels_figures_of_the_compared_cases(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "base", {1, 2}, n_cases=200, index=True)
    toxicity_run(reports, "cand", {1, 2, *range(200, 230)}, n_cases=230, index=True)
    settings = Settings(reports, tmp_path / "register.yaml", tmp_path / "ledger.jsonl")
    with serving(settings) as base:
        html = get_page(f"{base}/compare?a=base&b=cand")
    assert "on the 200 cases compared" in html, html
    assert "whole run 0.1391" in html, html
