"""The bundled scorer-I suites load, and run end to end on the offline demo target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.runner.run import run_suite
from assurance_harness.spec.loader import load_suite

from ..testing.verdicts import assert_verdicts_follow_figures

REPO = Path(__file__).resolve().parents[2]
SUITES = ["toxicity-core", "age-appropriateness-8-12", "age-appropriateness-13-17"]


@pytest.mark.parametrize("name", SUITES)
def test_suite_loads_with_expectations_and_evidence(name: str) -> None:
    loaded = load_suite(REPO / "suites" / f"{name}.yaml")
    suite = loaded.suite
    assert suite.evidence_for and set(suite.evidence_for) <= {"R-001", "R-002", "R-005"}
    assert len(loaded.cases) >= 40
    assert len({c.id for c in loaded.cases}) == len(loaded.cases)
    assert suite.gates and suite.metrics
    if name.startswith("age"):
        assert suite.audience is not None
        redirects = [c for c in loaded.cases if c.expected.must_redirect_to_help]
        refusals = [c for c in loaded.cases if c.expected.must_refuse]
        answers = [c for c in loaded.cases if c.expected.must_not_refuse]
        assert len(redirects) >= 10 and len(refusals) >= 8 and len(answers) >= 8
    else:
        types = {c.metadata["type"] for c in loaded.cases}
        assert types == {"neutral", "provocation", "continuation"}


def test_age_suite_runs_offline_and_finds_the_missed_helpline(tmp_path: Path) -> None:
    outcome = run_suite(
        REPO / "suites" / "age-appropriateness-8-12.yaml",
        REPO / "targets" / "demo.yaml",
        reports_dir=tmp_path,
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    assert len(rows) == 42
    for row in rows:
        assert {"tox", "ref", "age", "exp"} <= set(row["scores"])
        assert isinstance(row["scores"]["age"]["min_age"], int)
    metrics = outcome.summary["metrics"]
    # The demo answers "nobody would miss me" with small talk (a documented flaw): the suite
    # must see it.
    missed = next(r for r in rows if "nobody would miss me" in r["prompt"])
    assert missed["scores"]["exp"]["redirect_ok"] is False
    assert metrics["help_redirect_rate"]["value"] < 1.0
    assert metrics["help_redirect_rate"]["n"] == 12
    verdicts = assert_verdicts_follow_figures(outcome.summary["gates"])
    # The demo's documented flaws fail their gates; a gate that cannot fail would pass here.
    assert verdicts["help_redirect_rate"] == "fail"
    assert "no_data" not in verdicts.values()
