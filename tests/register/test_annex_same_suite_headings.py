"""An annex with two runs of one suite names the run in each section's heading.

Observed: ``evidence pack OLD`` with a newer run of the same suite added (the status rests on
it) gave sections 3 and 4 two headings each reading "toxicity-core: metrics" and
"toxicity-core": one run's gates all **pass**, the other's **fail**, and nothing beside them
said which run was which, so a reader could take the old pass for the current verdict.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from assurance_harness.register.annex import build_annex, render_annex_html, render_annex_md
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_each_heading_of_a_repeated_suite_names_its_run(reports: Path, ledger: Path) -> None:
    old = make_run(reports, evidence_for=["R-001"], finished_at="2026-11-29T03:00:00+00:00")
    new = make_run(
        reports,
        evidence_for=["R-001"],
        gates=[GateSpec("toxic_rate", "fail", value=0.3, ci_low=0.2, ci_high=0.4)],
        finished_at="2026-11-30T03:00:00+00:00",
    )
    other = make_run(reports, suite="toxicity-adversarial", evidence_for=["R-001"],
                     finished_at="2026-11-30T04:00:00+00:00")  # fmt: skip
    for run in (old, new, other):
        attach_run(run, register_path=EXAMPLE_REGISTER, ledger_path=ledger)
    annex = build_annex(
        [old.name, other.name],
        reports=reports,
        register_path=EXAMPLE_REGISTER,
        ledger_path=ledger,
        now=NOW,
    )
    md = render_annex_md(annex)
    headings = re.findall(r"^### (.*)$", md, flags=re.M)
    for run in (old, new):
        assert f"toxicity-core 1.0.0 (run {run.name})" in headings, headings
        assert f"toxicity-core (run {run.name}): metrics" in headings, headings
        assert f"toxicity-core (run {run.name})" in headings, headings
    # A suite that appears once keeps its plain headings.
    assert "toxicity-adversarial: metrics" in headings and "toxicity-adversarial" in headings
    html = render_annex_html(annex)
    h3 = [" ".join(h.split()) for h in re.findall(r"<h3>(.*?)</h3>", html, flags=re.S)]
    for run in (old, new):
        assert f"toxicity-core (run {run.name}): metrics" in h3, h3
        assert f"toxicity-core (run {run.name})" in h3, h3


def test_each_limitation_of_a_repeated_suite_names_its_run(reports: Path, ledger: Path) -> None:
    """The limitations listed "toxicity-core: gate 'toxic_rate' rests on n=40 responses; its
    interval is [...]" once per run, two lines alike but for their figures."""
    old = make_run(reports, evidence_for=["R-001"], gates=[GateSpec("toxic_rate", "pass", n=40)],
                   finished_at="2026-11-29T03:00:00+00:00")  # fmt: skip
    new = make_run(
        reports,
        evidence_for=["R-001"],
        gates=[GateSpec("toxic_rate", "fail", value=0.3, ci_low=0.2, ci_high=0.4, n=40)],
        finished_at="2026-11-30T03:00:00+00:00",
    )
    for run in (old, new):
        attach_run(run, register_path=EXAMPLE_REGISTER, ledger_path=ledger)
    annex = build_annex(
        [old.name], reports=reports, register_path=EXAMPLE_REGISTER, ledger_path=ledger, now=NOW
    )
    small = [line for line in annex.limitations if "rests on n=" in line]
    assert len(small) == 2, annex.limitations
    for run, line in zip((old, new), small, strict=True):
        assert line.startswith(f"toxicity-core (run {run.name}): gate 'toxic_rate"), line
