"""Status rules: one risk in each status, the latest run deciding, and review flags."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from assurance_harness.register.ledger import attach_run
from assurance_harness.register.status import build_status

from .register_testkit import GateSpec, make_run

NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

REGISTER = textwrap.dedent(
    """
    system: {name: helper, intended_use: homework help, owner: Head of Product}
    risks:
      - {id: R-001, title: toxic, category: safety, owner: a, likelihood: 3, impact: 5,
         residual_likelihood: 2, suites: [tox]}
      - {id: R-002, title: age, category: safety, owner: a, likelihood: 2, impact: 2,
         residual_likelihood: 1, suites: [age]}
      - {id: R-003, title: bias, category: fairness, owner: a, likelihood: 3, impact: 3,
         suites: [bias], freshness_days: 30}
      - {id: R-004, title: jailbreak, category: security, owner: a, likelihood: 4, impact: 4,
         residual_likelihood: 3, suites: [robust]}
      - {id: R-005, title: privacy, category: privacy, owner: a, likelihood: 3, impact: 4}
      - {id: R-006, title: help, category: wellbeing, owner: a, likelihood: 2, impact: 5,
         suites: [age, age-teen]}
      - {id: R-007, title: flip, category: safety, owner: a, likelihood: 2, impact: 5,
         suites: [flip]}
    """
)


@pytest.fixture
def status(tmp_path: Path, reports: Path, ledger: Path):
    register = tmp_path / "register.yaml"
    register.write_text(REGISTER)

    def run(suite: str, risks: list[str], verdict: str, when: str, **kw) -> None:
        path = make_run(
            reports,
            suite=suite,
            evidence_for=risks,
            finished_at=when,
            gates=[GateSpec(f"{suite}_rate", verdict, worst_cases=["c-1#0"])],
            **kw,
        )
        attach_run(path, ledger_path=ledger)

    run("tox", ["R-001"], "pass", "2026-11-29T10:00:00+00:00")
    run("age", ["R-002", "R-006"], "fail", "2026-11-29T11:00:00+00:00")
    run("bias", ["R-003"], "pass", "2026-09-01T10:00:00+00:00")
    # an old failure, then a newer pass (recorded first: time, not file order, decides).
    run("flip", ["R-007"], "pass", "2026-11-28T10:00:00+00:00")
    run("flip", ["R-007"], "fail", "2026-11-20T10:00:00+00:00")
    run("extra", ["R-099"], "pass", "2026-11-29T10:00:00+00:00", model_version="other-2.0")
    return build_status(register, ledger, now=NOW)


def test_each_status(status) -> None:
    got = {r.risk_id: r.status for r in status.risks}
    assert got == {
        "R-001": "verified",
        "R-002": "failing",
        "R-003": "stale",
        "R-004": "untested",
        "R-005": "untested",
        "R-006": "failing",
        "R-007": "verified",
        "R-099": "verified",  # evidence passes; the flag says the register lacks it
    }
    assert status.integrity.ok
    assert status.unknown_risk_ids == ["R-099"]
    assert status.counts() == {
        "failing": 2,
        "awaiting review": 0,
        "untested": 2,
        "stale": 1,
        "verified": 3,
    }


def test_reasons_name_the_evidence(status) -> None:
    r2 = status.get("R-002")
    assert r2.reasons == [
        f"age: gate failed in run {r2.suites[0].run_id}: age_rate <= 0.1 (upper bound)"
    ]
    assert status.get("R-003").reasons[0].startswith("bias: latest evidence is 90 days old")
    assert status.get("R-004").reasons == ["no evidence yet from robust"]
    assert status.get("R-005").reasons == ["no suite covers this risk"]
    r7 = status.get("R-007")
    assert [len(s.history) for s in r7.suites] == [2]
    assert r7.suites[0].records[0].verdict == "pass"


def test_flags_for_review_never_change_ratings(status, tmp_path: Path) -> None:
    r2 = status.get("R-002")
    assert r2.risk.residual_rating == "low"
    assert r2.flags == ["residual rating is 'low' while a linked gate fails: review the rating"]
    r4 = status.get("R-004")
    assert (
        r4.flags
        == ["residual rating 'high' (below inherent 'high') has no technical evidence behind it"]
        or "has no technical evidence" in r4.flags[0]
    )
    assert "re-run bias" in status.get("R-003").flags[0]
    assert "no such risk" in status.get("R-099").flags[0]
    # The register file is untouched.
    assert (tmp_path / "register.yaml").read_text() == REGISTER


def test_tampered_ledger_is_reported(status, ledger: Path, tmp_path: Path) -> None:
    lines = ledger.read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace('"verdict":"pass"', '"verdict":"fail"')
    ledger.write_text("".join(lines))
    again = build_status(tmp_path / "register.yaml", ledger, now=NOW)
    assert not again.integrity.ok
    assert again.integrity.issues[0].kind == "edited"


def test_a_risk_can_rest_on_selected_gates(tmp_path: Path, reports: Path, ledger: Path) -> None:
    register = tmp_path / "register.yaml"
    register.write_text(
        textwrap.dedent(
            """
            system: {name: helper, intended_use: homework help, owner: Head of Product}
            risks:
              - {id: R-010, title: help, category: wellbeing, owner: a, likelihood: 2, impact: 5,
                 suites: [{suite: age, gates: [help_rate]}]}
              - {id: R-011, title: all gates, category: safety, owner: a, likelihood: 2,
                 impact: 5, suites: [age]}
              - {id: R-012, title: typo, category: safety, owner: a, likelihood: 2, impact: 5,
                 suites: [{suite: age, gates: [help_rat]}]}
            """
        )
    )
    run = make_run(
        reports,
        suite="age",
        evidence_for=["R-010", "R-011", "R-012"],
        gates=[GateSpec("help_rate", "pass"), GateSpec("over_refusal_rate", "fail")],
        finished_at="2026-11-29T10:00:00+00:00",
    )
    attach_run(run, ledger_path=ledger)
    status = build_status(register, ledger, now=NOW)
    assert [r.status for r in status.risks] == ["verified", "failing", "untested"]
    assert [rec.gate["metric"] for rec in status.get("R-010").suites[0].records] == ["help_rate"]
    assert status.get("R-012").reasons == [
        "age: gates help_rat named in the register match no gate of the suite (its gates: "
        "help_rate, over_refusal_rate); fix the name in the risk's suites entry"
    ]


def test_a_suite_listed_twice_is_an_error(tmp_path: Path) -> None:
    from assurance_harness.errors import ConfigError
    from assurance_harness.register.loader import load_register

    register = tmp_path / "register.yaml"
    register.write_text(
        "system: {name: h, intended_use: u, owner: o}\n"
        "risks:\n"
        "  - {id: R-1, title: t, category: safety, owner: a, likelihood: 1, impact: 1,\n"
        "     suites: [age, {suite: age, gates: [x]}]}\n"
    )
    with pytest.raises(ConfigError, match=r"register\.yaml:4: risks\[0\]\.suites: suite 'age'"):
        load_register(register)


def test_a_failing_run_recorded_after_a_pass_but_dated_before_it_is_not_hidden(
    tmp_path: Path, reports: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The latest run is chosen by the time it finished, so an old run attached late does not
    become current. But a machine whose clock was behind (set back, or a CI runner hours
    slow beside the one before it) dates a newer run before the one it follows: its failure
    was hidden behind the earlier pass, and the risk read VERIFIED. The ledger's order and its
    ``recorded_at`` going backwards tell the two apart: such a run may be the latest."""
    from assurance_harness.register import ledger_store

    register = tmp_path / "register.yaml"
    register.write_text(REGISTER)
    for run_id, when, verdict in [("ahead", "29", "pass"), ("behind", "28", "fail")]:
        path = make_run(
            reports, suite="tox", run_id=run_id, finished_at=f"2026-11-{when}T10:00:00+00:00",
            gates=[GateSpec("tox_rate", verdict)],
        )  # fmt: skip
        monkeypatch.setattr(ledger_store, "_utc_now", lambda w=when: f"2026-11-{w}T10:00:05+00:00")
        attach_run(path, ledger_path=ledger)
    risk = build_status(register, ledger, now=NOW).get("R-001")
    assert risk is not None
    assert risk.status == "failing", risk.reasons
    assert any("run behind" in r and "clock" in r for r in risk.reasons), risk.reasons
    # An old run attached late (the clock moving forward) is still not the latest.
    other = tmp_path / "other"
    other.mkdir()
    late, new = (
        make_run(other, suite="flip", run_id=run_id, evidence_for=["R-007"],
                 finished_at=f"2026-11-{day}T10:00:00+00:00", gates=[GateSpec("f", verdict)])
        for run_id, day, verdict in [("old-fail", "01", "fail"), ("new-pass", "29", "pass")]
    )  # fmt: skip
    for path, at in [(new, "2026-11-29T11:00:00+00:00"), (late, "2026-11-29T12:00:00+00:00")]:
        monkeypatch.setattr(ledger_store, "_utc_now", lambda a=at: a)
        attach_run(path, ledger_path=other / "ledger.jsonl")
    flip = build_status(register, other / "ledger.jsonl", now=NOW).get("R-007")
    assert flip is not None and flip.status == "verified", flip.reasons
