"""guard-model's ``api_key_env`` holding the key itself is refused, never copied into a run.

A target's ``api_key_env`` that looks like a key is refused at ``validate`` without being
shown; guard-model's was accepted: no key was sent (no variable has that name) and the suite's
scorer settings, the key among them, went into manifest.json, summary.json and every report.
"""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli

KEY = "sk-live-GUARDCANARY-24680"

SUITE = (
    "suite: guarded\ncases:\n  - {id: a, prompt: hello}\n"
    "scorers:\n  - {id: g, use: guard-model, with: {base_url: 'http://127.0.0.1:9/v1', "
    f"model: lg, api_key_env: {KEY}}}}}\n"
    "metrics:\n  - {id: f, rate: 'g.flagged'}\n"
)


def test_a_key_pasted_into_guard_api_key_env_is_refused_without_printing_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    done = run_cli("validate", "suite.yaml", cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "api_key_env" in output and "looks like an API key" in output
    assert KEY[:12] not in output
