"""The web app's risk page over a ledger that fails verification, over real HTTP on 127.0.0.1.

Observed: ``/register`` showed "The evidence ledger failed verification", but the drill-down
``/register/R-001`` read "verified ... every linked gate passed" with no banner, after the failing
gate's record had been edited to pass (not re-hashed)."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.register.ledger import verify_ledger
from assurance_harness.ui.app import Settings

from .reviewkit import GROUPS_SUITE, make_project
from .serve import get_page, serving


def test_the_risk_page_of_a_tampered_ledger_has_the_banner_and_is_not_verified(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, suite_text=GROUPS_SUITE)
    project.run(reports=False)  # bad_rate's gate fails: R-001 is failing
    text = project.ledger.read_text(encoding="utf-8")
    assert '"verdict":"fail"' in text
    project.ledger.write_text(text.replace('"verdict":"fail"', '"verdict":"pass"'), "utf-8")
    assert not verify_ledger(project.ledger).ok
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        register = get_page(f"{base}/register")
        risk = get_page(f"{base}/register/R-001")
    assert "The evidence ledger failed verification" in register
    assert "The evidence ledger failed verification" in risk
    assert 'id="risk-status">verified<' not in risk
    assert 'id="risk-status">untested<' in risk
