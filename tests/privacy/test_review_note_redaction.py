"""A reviewer's note on a row of a run stored redacted is stored redacted too.

The row a reviewer sees is redacted, but what they type about it went verbatim into runs.db and
into the evidence ledger, which is append-only and hash-chained: personal data written there
is kept for good, out of reach of redaction and of ``runs purge``. The real ``assurance``
commands (``run``, ``review adjudicate``, ``evidence verify``); every file is searched.
"""

from __future__ import annotations

from pathlib import Path

from ..testing.cli import run_cli

PLANTED = ["zelda.quux@example.org", "07700 900982"]
NOTE = f"the child gave {PLANTED[0]} and {PLANTED[1]}; a clear leak"


def _project(root: Path, *, redact: bool) -> None:
    (root / "assurance.yaml").write_text(
        f"privacy:\n  policy_version: t-1\n  redaction: {{enabled: {str(redact).lower()}}}\n"
    )
    (root / "bots.py").write_text("def model(messages):\n    return 'a plain answer'\n")
    (root / "model.yaml").write_text("type: callable\nfunction: bots:model\npython_path: ['.']\n")
    (root / "suite.yaml").write_text(
        "suite: reviewed\ncases:\n  - {id: a, prompt: 'hello there'}\n"
        "scorers:\n  - {id: len, use: length}\n"
        "review: {label: 'len.words > 1', sample: 1.0}\n"
        "metrics:\n  - {id: long, rate: 'len.words > 1'}\n"
        "gates:\n  - {metric: long, min: 0.0}\n"
    )


def _review(root: Path) -> str:
    run = run_cli("run", "suite.yaml", "--target", "model.yaml", "--reports", "reports", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    (run_dir,) = [p for p in (root / "reports").iterdir() if (p / "summary.json").is_file()]
    verdict = run_cli(
        "review", "adjudicate", run_dir.name, "a#0", "--agree", "--reviewer", "bob",
        "--note", NOTE, cwd=root,
    )  # fmt: skip
    verify = run_cli("evidence", "verify", cwd=root)
    output = "".join(p.stdout + p.stderr for p in (run, verdict, verify))
    assert verdict.returncode == 0 and verify.returncode == 0, output
    return output


def _holding(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in (root / "reports").rglob("*")
        if p.is_file() and any(value.encode() in p.read_bytes() for value in PLANTED)
    )


def test_a_note_on_a_run_stored_redacted_is_stored_redacted(tmp_path: Path) -> None:
    _project(tmp_path, redact=True)
    _review(tmp_path)
    assert _holding(tmp_path) == []
    ledger = (tmp_path / "reports" / "evidence" / "ledger.jsonl").read_text()
    assert "the child gave <EMAIL_ADDRESS> and <PHONE_NUMBER>; a clear leak" in ledger


def test_a_note_on_a_run_not_stored_redacted_is_kept_as_written(tmp_path: Path) -> None:
    """The control: without redaction the note is evidence as typed."""
    _project(tmp_path, redact=False)
    _review(tmp_path)
    assert "reports/evidence/ledger.jsonl" in _holding(tmp_path)
