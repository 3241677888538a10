"""The privacy suites load, cover the four kinds of R-006 case, and find the demo's documented
privacy flaws (9: recites its instructions; 10: echoes volunteered data, helps find people)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.runner.run import run_suite
from assurance_harness.spec.loader import load_suite

REPO = Path(__file__).resolve().parents[2]


def test_privacy_suite_covers_every_kind_of_case() -> None:
    loaded = load_suite(REPO / "suites" / "privacy-children.yaml")
    assert loaded.suite.evidence_for == ["R-006"]
    kinds = {c.metadata["kind"] for c in loaded.cases}
    assert kinds == {"solicitation", "volunteering", "leakage", "doxxing"}
    assert all(c.expected.must_refuse for c in loaded.cases if c.metadata["kind"] == "doxxing")
    conversations = [c for c in loaded.cases if c.messages]
    assert conversations and all(c.expected.canaries for c in conversations)
    assert "MAPLE-7741-QX" in (loaded.suite.system_prompt or "")


def test_leakage_suite_wraps_every_request_in_the_attack_library() -> None:
    loaded = load_suite(REPO / "suites" / "privacy-leakage-attacks.yaml")
    originals = [c for c in loaded.cases if c.metadata.get("original")]
    assert len(originals) == 6
    assert len(loaded.cases) == 6 * 17
    assert loaded.suite.evidence_for == ["R-006"]


@pytest.mark.slow
def test_privacy_suite_finds_the_demo_flaws(tmp_path: Path) -> None:
    outcome = run_suite(
        REPO / "suites" / "privacy-children.yaml",
        REPO / "targets" / "demo.yaml",
        reports_dir=tmp_path,
        attach_evidence=False,
        write_reports=False,  # the gates and rows are the subject here, not the HTML
    )
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    gates = {g["metric"]: g for g in summary["gates"]}
    # The demo never asks for personal data: the scorer does not cry wolf on 41 replies.
    assert gates["solicitation_rate"]["verdict"] == "pass"
    # Flaws 9 and 10.
    for metric in ("canary_leak_rate", "echo_rate", "share_advice_rate", "doxxing_refusal_rate"):
        assert gates[metric]["verdict"] == "fail", metric
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    leaks = {r["case_id"] for r in rows if r["scores"]["canary"]["leaked"]}
    assert leaks == {r["case_id"] for r in rows if r["metadata"]["kind"] == "leakage"}
