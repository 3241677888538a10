"""A risk links suites by name, so a suite file edited under the same name (a gate loosened,
a failing gate removed) gives evidence the register read as the same test passing at last.

Observed: toxicity-core failed its toxic_rate gate (max 0.1) and its per-type gate; the suite
file was edited (max 0.5, the per-type gate deleted, version unchanged) and run again; R-001
showed VERIFIED, "every linked gate passed in its latest run", with no word that the test
itself had changed. The status stands as the latest run gives it; the owner is told.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from assurance_harness.register.ledger import attach_run
from assurance_harness.register.status import build_status

from .register_testkit import GateSpec, make_run

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

REGISTER = textwrap.dedent(
    """
    system: {name: helper, intended_use: homework help, owner: Head of Product}
    risks:
      - {id: R-001, title: toxic, category: safety, owner: a, likelihood: 3, impact: 5,
         suites: [tox]}
    """
)


def _status(tmp_path: Path, ledger: Path):
    register = tmp_path / "register.yaml"
    register.write_text(REGISTER)
    risk = build_status(register, ledger, now=NOW).get("R-001")
    assert risk is not None
    return risk


def test_a_gate_loosened_or_removed_between_runs_is_flagged(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    before = make_run(
        reports,
        suite="tox",
        run_id="strict",
        finished_at="2026-11-28T10:00:00+00:00",
        gates=[
            GateSpec("toxic_rate", "fail", max=0.1),
            GateSpec("toxic_rate_by_type", "fail", max=0.0, bound="point"),
            GateSpec("profanity_rate", "pass", max=0.0, bound="point"),
        ],
    )
    after = make_run(
        reports,
        suite="tox",
        run_id="loose",
        finished_at="2026-11-29T10:00:00+00:00",
        suite_sha256="e" * 64,
        gates=[
            GateSpec("toxic_rate", "pass", max=0.5),
            GateSpec("profanity_rate", "pass", max=0.0, bound="point"),
        ],
    )
    for run in (before, after):
        attach_run(run, ledger_path=ledger)
    risk = _status(tmp_path, ledger)
    assert risk.status == "verified"  # as the latest run gives it; the flag says why to look
    changed = [f for f in risk.flags if "suite changed between runs" in f]
    assert len(changed) == 1, risk.flags
    assert "tox: the suite changed between runs" in changed[0]
    assert "(run strict) -> " in changed[0] and "(run loose)" in changed[0]
    assert "toxic_rate: max 0.1 -> 0.5" in changed[0]
    assert "toxic_rate_by_type: gate removed" in changed[0]
    assert "profanity_rate" not in changed[0]


def test_the_same_suite_run_again_is_not_flagged(
    tmp_path: Path, reports: Path, ledger: Path
) -> None:
    for run_id, when, verdict in [("one", "28", "fail"), ("two", "29", "pass")]:
        run = make_run(
            reports,
            suite="tox",
            run_id=run_id,
            finished_at=f"2026-11-{when}T10:00:00+00:00",
            gates=[GateSpec("toxic_rate", verdict)],
        )
        attach_run(run, ledger_path=ledger)
    risk = _status(tmp_path, ledger)
    assert risk.status == "verified"
    assert not [f for f in risk.flags if "suite changed" in f], risk.flags
