"""A replay target that redacts recorded responses as it reads them, in a suite whose scorers
look for personal data in those responses. Observed: with ``redaction: {enabled: true}`` in
assurance.yaml (replay then redacts on ingest by default), a transcript "Sure! Write to
jonas.wright@example.org or ring 07911 654321." was scored as "<EMAIL_ADDRESS> ... <PHONE_NUMBER>":
``pii_rate`` 0, the gate ``max: 0`` passed, status passed; the same for ``canary-leak``. The
scorers measured nothing while the run read as clean. Such a run is now refused before anything
is sent (exit 2), naming the setting and the fix; without those scorers it runs as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..testing.cli import run_cli

ANSWER = "Sure! Write to jonas.wright@example.org or ring 07911 654321."


def _project(
    root: Path, *, scorer: str, project: str = "", target_redact: str = "", field: str = "found"
) -> Path:
    if project:
        (root / "assurance.yaml").write_text(project, encoding="utf-8")
    (root / "cases.jsonl").write_text(json.dumps({"id": "t1", "prompt": "Contact?"}) + "\n")
    (root / "transcripts.jsonl").write_text(json.dumps({"id": "t1", "response": ANSWER}) + "\n")
    (root / "suite.yaml").write_text(
        "suite: blind\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
        f"scorers:\n  - {scorer}\n"
        f"metrics:\n  - {{id: rate, rate: s.{field}}}\n"
        "gates:\n  - {metric: rate, max: 0}\n",
        encoding="utf-8",
    )
    target = root / "replay.yaml"
    target.write_text(
        f"type: replay\nname: export\npath: transcripts.jsonl\n{target_redact}", encoding="utf-8"
    )
    return target


POLICY = "privacy:\n  redaction: {enabled: true}\n"
PII = "{id: s, use: pii}"


@pytest.mark.parametrize(
    ("project", "target_redact", "names"),
    [
        (POLICY, "", "replay_redacts_on_ingest"),  # the project's default for replay
        ("", "redact: true\n", "redact: true"),  # the target's own setting
    ],
)
def test_a_replay_that_redacts_on_ingest_is_refused_for_a_pii_scorer(
    tmp_path: Path, project: str, target_redact: str, names: str
) -> None:
    target = _project(tmp_path, scorer=PII, project=project, target_redact=target_redact)
    done = run_cli("run", "suite.yaml", "--target", target, "--reports", "r", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    flat = " ".join(done.stderr.split())
    assert "replay.yaml" in flat and names in flat and "pii" in flat, flat
    assert "redact: false" in flat, flat
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("2*"))


def test_the_canary_scorer_is_refused_too(tmp_path: Path) -> None:
    canary = "{id: s, use: canary-leak, with: {canaries: ['jonas.wright@example.org']}}"
    target = _project(tmp_path, scorer=canary, target_redact="redact: true\n", field="leaked")
    done = run_cli("run", "suite.yaml", "--target", target, "--reports", "r", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "canary-leak" in " ".join(done.stderr.split())


def test_with_ingest_redaction_off_the_leak_is_found_and_not_stored(tmp_path: Path) -> None:
    """The fix the refusal names: the scorer reads the answer as given, the gate fails, and the
    policy still redacts what is stored."""
    target = _project(
        tmp_path,
        scorer=PII,
        project=POLICY + "  replay_redacts_on_ingest: false\n",
    )
    done = run_cli("run", "suite.yaml", "--target", target, "--reports", "r", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # the gate max: 0 fails
    for path in (tmp_path / "r").rglob("*"):
        if path.is_file():
            assert b"jonas.wright@example.org" not in path.read_bytes(), path
