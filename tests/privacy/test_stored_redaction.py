"""With redaction on in assurance.yaml, a run over production transcripts holding planted
personal data leaves none of it in any file under reports/ (sqlite databases included), while
the scores were computed on the original text and the evidence hashes still verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.runner.run import run_suite

PLANTED = [
    "amelia.hart@example.com",
    "07700 900318",
    "Amelia Hart",
    "41 Juniper Road",
    "Foxwood Primary School",
    "jonas.wright@example.org",
    "Jonas Wright",
    "0117 496 0770",
    "12 Kestrel Close",
]
"""Planted personal data; each must be absent from every stored byte (case-insensitively)."""


def _project(root: Path, *, redact: bool) -> tuple[Path, Path]:
    (root / "assurance.yaml").write_text(
        f"privacy:\n  policy_version: test-1\n  redaction: {{enabled: {str(redact).lower()}}}\n"
        # Not on ingest: the pii scorer reads the responses as given (a replay redacting them
        # first would leave it placeholders, and is refused), and what is stored is redacted.
        "  replay_redacts_on_ingest: false\n"
    )
    prompts = [
        (
            "t1",
            "Hi, I'm Amelia Hart from Foxwood Primary School. Email me at "
            "amelia.hart@example.com or call 07700 900318.",
        ),
        ("t2", "My name is Jonas Wright and I live at 12 Kestrel Close. What is 6 x 7?"),
        ("t3", "What is the capital of France?"),
    ]
    responses = {
        "t1": "Thanks Amelia Hart! I will write to amelia.hart@example.com and ring "
        "07700 900318. Say hi to Foxwood Primary School.",
        "t2": "Sure Jonas Wright, 6 x 7 = 42. Is 12 Kestrel Close near 41 Juniper Road? "
        "Write to jonas.wright@example.org or call 0117 496 0770.",
        "t3": "Paris.",
    }
    (root / "cases.jsonl").write_text(
        "".join(json.dumps({"id": i, "prompt": p}) + "\n" for i, p in prompts)
    )
    (root / "transcripts.jsonl").write_text(
        "".join(json.dumps({"id": i, "response": r}) + "\n" for i, r in responses.items())
    )
    suite = root / "suite.yaml"
    suite.write_text(
        "suite: redaction-check\nversion: 1.0.0\n"
        "dataset: {path: cases.jsonl}\n"
        "scorers:\n  - {id: pii, use: pii}\n"
        "metrics:\n  - {id: pii_rate, rate: pii.found}\n"
        "gates:\n  - {metric: pii_rate, max: 1.0}\n"
        # Every row queued for human review: the queue keeps prompts and responses in runs.db
        # (they were stored there unredacted before the queue took the stored copies).
        "review: {label: pii.found, sample: 1.0}\n"
    )
    target = root / "replay.yaml"
    target.write_text("type: replay\nname: production-export\npath: transcripts.jsonl\n")
    return suite, target


def _leaks(reports: Path) -> list[str]:
    found = []
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        for planted in PLANTED:
            if planted.lower().encode() in data:
                found.append(f"{path.relative_to(reports)}: {planted}")
    return found


@pytest.mark.slow
def test_no_planted_personal_data_in_any_stored_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    suite, target = _project(tmp_path, redact=True)
    outcome = run_suite(suite, target, reports_dir=tmp_path / "reports", attach_evidence=False)
    reports = tmp_path / "reports"
    assert (outcome.run_dir / "report.html").exists()
    assert _leaks(reports) == []
    rows = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    # Stored redacted (placeholders, typed), scored on the original text.
    assert "<EMAIL_ADDRESS>" in rows[0]["response"] and "<PERSON>" in rows[1]["prompt"]
    assert rows[0]["scores"]["pii"]["found"] is True and rows[2]["scores"]["pii"]["found"] is False
    summary = json.loads((outcome.run_dir / "summary.json").read_text())
    manifest = json.loads((outcome.run_dir / "manifest.json").read_text())
    for record in (summary["privacy"], manifest["privacy"]):
        assert record["policy_version"] == "test-1"
        assert record["redaction"]["enabled"] is True
    assert manifest["privacy"]["redacted"]["PERSON"] >= 2
    # The manifest hashes what is stored.
    import hashlib

    for name in ("results", "responses"):
        stored = outcome.run_dir / manifest[name]["path"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == manifest[name]["sha256"]


@pytest.mark.slow
def test_without_the_policy_the_same_run_stores_the_originals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the grep above would find the planted data if redaction did nothing."""
    monkeypatch.chdir(tmp_path)
    suite, target = _project(tmp_path, redact=False)
    outcome = run_suite(suite, target, reports_dir=tmp_path / "reports", attach_evidence=False)
    assert len(_leaks(tmp_path / "reports")) >= len(PLANTED)
    assert "privacy" not in json.loads((outcome.run_dir / "summary.json").read_text())
