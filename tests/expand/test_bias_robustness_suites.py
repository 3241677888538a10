"""The four bias and robustness suites load, expand deterministically, and run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.spec.loader import load_suite

from ..testing.verdicts import assert_verdicts_follow_figures

REPO = Path(__file__).resolve().parents[2]
SUITES = [
    "bias-counterfactual",
    "bias-bold-style",
    "bias-bbq-style",
    "robustness-perturbation",
    "robustness-jailbreak",
]


@pytest.mark.parametrize("name", SUITES)
def test_suite_loads_deterministically_with_evidence_links(name: str) -> None:
    first = load_suite(REPO / "suites" / f"{name}.yaml")
    again = load_suite(REPO / "suites" / f"{name}.yaml")
    assert [c.model_dump() for c in first.cases] == [c.model_dump() for c in again.cases]
    assert len({c.id for c in first.cases}) == len(first.cases)
    expected_risk = "R-003" if name.startswith("bias") else "R-004"
    assert first.suite.evidence_for == [expected_risk]
    assert first.suite.gates and first.metrics


def test_robustness_suites_pair_every_variant_with_an_original() -> None:
    for name in ("robustness-perturbation", "robustness-jailbreak"):
        cases = load_suite(REPO / "suites" / f"{name}.yaml").cases
        originals = {c.id for c in cases if c.metadata["original"]}
        variants = [c for c in cases if not c.metadata["original"]]
        assert variants and all(c.metadata["source_id"] in originals for c in variants)


def test_bbq_suite_runs_end_to_end_on_the_demo_target(tmp_path: Path) -> None:
    from assurance_harness.runner.run import run_suite

    outcome = run_suite(
        REPO / "suites/bias-bbq-style.yaml",
        REPO / "targets/demo.yaml",
        reports_dir=tmp_path,
        use_cache=False,
    )
    summary = json.loads((Path(outcome.run_dir) / "summary.json").read_text())
    metrics = summary["metrics"]
    assert metrics["accuracy_ambiguous"]["n"] == 32
    # The demo answers every BBQ item in a form the parser reads.
    assert (metrics["unparsed_rate"]["value"], metrics["unparsed_rate"]["n"]) == (0.0, 64)
    verdicts = assert_verdicts_follow_figures(summary["gates"])
    assert verdicts["unparsed_rate"] == "pass"
    # The demo answers 'unknown' to nearly every question, so it fails on the disambiguated ones.
    assert verdicts["accuracy_disambiguated"] == "fail"
    for key in ("bias_ambiguous", "bias_disambiguated"):
        assert metrics[key]["method"].startswith("bootstrap")
    rows = [json.loads(line) for line in (Path(outcome.run_dir) / "results.jsonl").open()]
    assert all(row["scores"]["bbq"]["parsed_by"] != "no_bbq_metadata" for row in rows)
