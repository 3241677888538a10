"""Audit: a scorer's reviewed figures were keyed by its registry name alone, so verdicts given
when a suite configured it one way (``contains`` with ``terms: [hate]``) vouched for a suite
that configured it another way (``terms: [hate, question]``, which flags more): a gate's
``min_validity`` passed on evidence about a different classifier. Verdicts count only for the
scorer as configured (name, version, its recorded ``params``, the review label), and a run that
recorded no settings is a configuration of its own, never pooled with a configured one."""

from __future__ import annotations

import json
from pathlib import Path

from assurance_harness.report import write_reports

from .test_reviewed_validity import _reviewed, _with_gates

GATE = "  - {metric: bad_rate, max: 1.0, id: loose, min_validity: {precision: 0.01}}\n"


def _gate(run_dir: Path) -> dict:
    (gate,) = json.loads((run_dir / "summary.json").read_text())["gates"]
    return gate


def test_verdicts_under_other_scorer_settings_do_not_vouch(tmp_path: Path) -> None:
    from assurance_harness.runner.run import run_suite

    suite = _with_gates(GATE)
    project, reviewed_run = _reviewed(tmp_path, suite)
    # The same suite, the same target, but the scorer configured to flag more.
    wider = project.root / "wider.yaml"
    wider.write_text(suite.replace("terms: [hate]", "terms: [hate, question]"), encoding="utf-8")
    outcome = run_suite(
        wider, project.target, reports_dir=project.reports, register_path=project.register,
        use_cache=False,
    )  # fmt: skip
    gate = _gate(outcome.run_dir)
    assert gate["verdict"] == "fail"
    (check,) = gate["validity_checked"]
    assert check["source"] is None  # the verdicts on terms: [hate] were not counted
    (reason,) = gate["validity_unmet"]
    assert "no human verdicts on contains with this run's settings" in reason
    assert "3 were given under other settings" in reason
    write_reports(outcome.run_dir, ["md"])
    assert "reviewed on" not in (outcome.run_dir / "report.md").read_text().lower()

    from assurance_harness.scorers.reviewed import reviewed_validity

    (identity,) = reviewed_validity(project.reports)
    assert identity.name == "contains" and identity.settings is not None
    assert '"terms":["hate"]' in identity.settings and identity.label == "{scorer}.matched"

    # An older run recorded no settings: its verdicts are a configuration of their own, said
    # so, and vouch for no other run (not even one configured exactly as it probably was).
    summary_path = project.reports / reviewed_run / "summary.json"
    summary = json.loads(summary_path.read_text())
    for info in summary["scorers"].values():
        info.pop("params"), info.pop("version")
    summary_path.write_text(json.dumps(summary))
    figures = reviewed_validity(project.reports)
    ((unknown, mine),) = figures.items()
    assert unknown.settings is None and unknown.unrecorded_run == reviewed_run
    assert "settings not recorded" in mine.text()
    assert figures.for_summary(summary, reviewed_run).get("kw") is mine  # its own run's rows
    again = project.run()  # configured as the reviewed run probably was, but not known to be
    gate = _gate(again.run_dir)
    assert gate["verdict"] == "fail" and gate["validity_checked"][0]["source"] is None
    assert "on runs that recorded no settings" in gate["validity_unmet"][0]
