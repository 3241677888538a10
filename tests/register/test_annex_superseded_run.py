"""An annex names a run that a newer run of its suite, against the system's target, replaced.

Observed: ``evidence pack OLD`` where a newer run of the same suite and target is in the
ledger showed OLD in section 2 as "Run: OLD ... status ..." with its gates in section 4, and
added the newer run only as "included because the status of R-001 rests on it". Nothing said
that OLD is not the run the register judges by: an older pass read as the current evidence
beside a risk whose status the newer, failing run decides.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assurance_harness.register.annex import build_annex, render_annex_html, render_annex_md
from assurance_harness.register.ledger import attach_run

from .register_testkit import EXAMPLE_REGISTER, GateSpec, make_run

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _two_runs(reports: Path, ledger: Path) -> tuple[Path, Path]:
    old = make_run(reports, evidence_for=["R-001"], finished_at="2026-11-29T03:00:00+00:00")
    new = make_run(
        reports,
        evidence_for=["R-001"],
        gates=[GateSpec("toxic_rate", "fail", value=0.3, ci_low=0.2, ci_high=0.4)],
        finished_at="2026-11-30T03:00:00+00:00",
    )
    for run in (old, new):
        attach_run(run, register_path=EXAMPLE_REGISTER, ledger_path=ledger)
    return old, new


def test_a_named_run_a_newer_one_replaced_says_so(reports: Path, ledger: Path) -> None:
    old, new = _two_runs(reports, ledger)
    annex = build_annex(
        [old.name], reports=reports, register_path=EXAMPLE_REGISTER, ledger_path=ledger, now=NOW
    )
    assert [ar.run.run_id for ar in annex.runs] == [old.name, new.name]
    expected = (
        f"Not the latest: run {new.name} of this suite against the system's target is newer; "
        "the status of R-001 (section 5) rests on it, not on this run"
    )
    md = " ".join(render_annex_md(annex).split())
    assert f"- {expected}" in md
    assert md.count("Not the latest") == 1
    html = " ".join(render_annex_html(annex).split())
    assert expected.replace("'", "&#39;") in html
    assert annex.runs[0].superseded_by == {"R-001": new.name}
    assert annex.runs[1].superseded_by == {}


def test_the_latest_run_named_gets_no_such_line(reports: Path, ledger: Path) -> None:
    _, new = _two_runs(reports, ledger)
    annex = build_annex(
        [new.name], reports=reports, register_path=EXAMPLE_REGISTER, ledger_path=ledger, now=NOW
    )
    assert [ar.run.run_id for ar in annex.runs] == [new.name]
    assert "Not the latest" not in render_annex_md(annex)
    assert "Not the latest" not in render_annex_html(annex)
