"""Redaction of stored text and the project's privacy policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.privacy.policy import RedactionPolicy, load_project_config
from assurance_harness.privacy.redact import redact_rows, redact_text

ON = RedactionPolicy(enabled=True)


def test_typed_placeholders_replace_each_kind_of_personal_data() -> None:
    text = (
        "I'm Tom Baker, I go to Oakfield Primary School, I live at 14 Elm Road, Leeds LS6 2AB, "
        "mail tom.baker@gmail.com or call 07700 900123."
    )
    redacted = redact_text(text, ON)
    for planted in ("Tom Baker", "Oakfield", "14 Elm Road", "LS6 2AB", "tom.baker@", "900123"):
        assert planted not in redacted
    for tag in ("<PERSON>", "<SCHOOL>", "<ADDRESS>", "<EMAIL_ADDRESS>", "<PHONE_NUMBER>"):
        assert tag in redacted
    assert redact_text("Call Childline on 0800 1111.", ON) == "Call Childline on 0800 1111."


def test_rows_keep_ids_and_numbers_and_count_what_was_replaced() -> None:
    rows = [
        {
            "case_id": "volunteer-01",
            "sample": 0,
            "seed": 7,
            "prompt": "my name is lily evans",
            "messages": [{"role": "user", "content": "my name is lily evans"}],
            "response": "Hi lily! Email lily@example.org",
            "metadata": {"kind": "volunteering"},
            "scores": {"pii": {"spans": [{"type": "PERSON", "start": 3, "end": 7}]}},
            "latency_s": 0.1,
        }
    ]
    stored, counts = redact_rows(rows, ON)
    row = stored[0]
    assert row["case_id"] == "volunteer-01" and row["seed"] == 7 and row["sample"] == 0
    assert "lily" not in str(row["prompt"]) + str(row["messages"]) + str(row["response"]).lower()
    assert row["scores"] == rows[0]["scores"]
    assert counts["PERSON"] >= 2 and counts["EMAIL_ADDRESS"] == 1
    assert rows[0]["prompt"] == "my name is lily evans", "the originals are not modified"
    off_rows, off_counts = redact_rows(rows, RedactionPolicy(enabled=False))
    assert off_rows is rows and off_counts == {}


def test_project_file_defaults_and_errors(tmp_path: Path) -> None:
    assert load_project_config(tmp_path).privacy.redaction.enabled is False
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: '2026-12'\n  redaction:\n    enabled: true\n"
        "  retention_days: 90\n"
    )
    policy = load_project_config(tmp_path).privacy
    assert policy.redaction.enabled and policy.retention_days == 90 and policy.replay_redacts
    assert policy.describe()["policy_version"] == "2026-12"
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  redaction:\n    enabled: true\n    entities: [EMAIL]\n"
    )
    with pytest.raises(ConfigError) as err:
        load_project_config(tmp_path)
    message = str(err.value)
    assert "assurance.yaml:4" in message and "EMAIL" in message
