"""The record shows what was actually sent (issue 10, observed item 5).

Observed: the suite's ``generation`` silently overrides the target's (target ``max_tokens: 30``,
suite 300: 300 was sent), while manifest.json and report.json recorded only the target's 30.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assurance_harness.register.ledger import read_ledger
from assurance_harness.runner.run import run_suite


def test_manifest_ledger_and_report_record_the_merged_parameters(tmp_path: Path) -> None:
    (tmp_path / "echo_params.py").write_text(
        "def respond(messages, params):\n"
        "    system = [m['content'] for m in messages if m['role'] == 'system']\n"
        "    return (f\"max_tokens={params['max_tokens']} temperature={params['temperature']} \"\n"
        '            f"system={system}")\n'
    )
    target = tmp_path / "target.yaml"
    target.write_text(
        "type: callable\nfunction: echo_params:respond\npython_path: ['.']\n"
        "system_prompt: target prompt\n"
        "generation: {max_tokens: 30, temperature: 0.7}\n"
    )
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "suite: sent-params\nevidence_for: [R-001]\nsystem_prompt: suite prompt\n"
        "generation: {max_tokens: 300}\n"
        "cases: [{id: a, prompt: one}]\n"
        "metrics:\n  - {id: answered, rate: \"'max_tokens' in response\"}\n"
        "gates:\n  - {metric: answered, min: 1.0}\n"
    )
    reports = tmp_path / "reports"
    outcome = run_suite(suite, target, reports_dir=reports)
    (row,) = [json.loads(line) for line in (outcome.run_dir / "results.jsonl").open()]
    # What the target received:
    assert row["response"] == "max_tokens=300 temperature=0.7 system=['suite prompt']"

    manifest = json.loads((outcome.run_dir / "manifest.json").read_text())
    sent = manifest["generation"]
    assert sent["params"] == {"max_tokens": 300, "temperature": 0.7}
    assert sent["set_by"] == {"max_tokens": str(suite), "temperature": str(target)}
    assert sent["overridden"] == {"max_tokens": {str(target): 30}}
    assert sent["seed"] == "per request, derived from the suite seed 0"
    assert sent["system_prompt"] == {
        "sha256": hashlib.sha256(b"suite prompt").hexdigest(),
        "set_by": str(suite),
    }

    (record,) = read_ledger(reports / "evidence" / "ledger.jsonl")
    assert record.run["generation"] == sent

    report = json.loads((outcome.run_dir / "report.json").read_text())
    assert json.dumps(sent, sort_keys=True) in json.dumps(report, sort_keys=True)
    markdown = (outcome.run_dir / "report.md").read_text()
    assert "max_tokens" in markdown and "300" in markdown
    # Said in words where the verdict is read, not only inside the manifest's JSON dump:
    said = " ".join(markdown.replace("\\_", "_").split())  # Markdown escapes underscores
    assert f"Generation sent: max_tokens=300 ({suite}; overrides 30 from {target})" in said
    assert f"temperature=0.7 ({target})" in said
    assert f"System prompt: SHA-256 {sent['system_prompt']['sha256']} (from {suite})" in said
    assert "Cache: 0 of 1 answers came from the response cache (not read by this run)" in said
    html = " ".join((outcome.run_dir / "report.html").read_text().split())
    assert "<dt>Generation sent</dt><dd>max_tokens=300" in html
    labels = [item["label"] for item in report["sent"]]
    assert labels == ["Generation sent", "Seed", "System prompt", "Cache"]
