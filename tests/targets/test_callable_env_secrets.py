"""A key that a callable target's own code reads from the environment stays out of the run.

A ``callable`` target often wraps a vendor SDK that reads ``OPENAI_API_KEY`` itself; the SDK's
401 (``Incorrect API key provided: sk-...``) is raised through the function, and a debugging
wrapper may return what it sent. The harness cannot know which variable the code reads, so it
scrubs the values of those whose names say they hold a secret, as a crash's traceback is
scrubbed. Before, the key reached responses.jsonl, results.jsonl, the reports, the response
cache and the terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.scrub import is_secret_name

from ..testing.cli import run_cli

KEY = "sk-live-CALLABLECANARY-98765"

MODULE = """
import os


def respond(messages):
    key = os.environ["OPENAI_API_KEY"]
    if messages[-1]["content"] == "refuse":
        raise RuntimeError(f"Error code: 401 - Incorrect API key provided: {key}")
    return {"text": f"sent with Authorization: Bearer {key}", "model_version": f"m-{key}"}
"""

SUITE = (
    "suite: wrapped\ncases:\n  - {id: a, prompt: refuse}\n  - {id: b, prompt: echo}\n"
    "scorers:\n  - {id: len, use: length}\n"
    "metrics:\n  - {id: long, rate: 'len.words > 1'}\n"
    "gates:\n  - {metric: long, min: 0.0}\nmax_error_rate: 0.9\n"
)


def test_a_key_the_callables_code_reads_is_in_no_file_and_no_output(tmp_path: Path) -> None:
    (tmp_path / "wrapper.py").write_text(MODULE)
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "target.yaml").write_text(
        "type: callable\nfunction: wrapper:respond\npython_path: [.]\n"
    )
    done = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "target.yaml",
        "--reports",
        "reports",
        cwd=tmp_path,
        env={"OPENAI_API_KEY": KEY, "TMPDIR": str(tmp_path)},
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert {"responses.jsonl", "results.jsonl", "report.html", "cache.sqlite"} <= {
        p.name for p in files
    }
    assert [str(p) for p in files if KEY[:12].encode() in p.read_bytes()] == []
    assert KEY[:12] not in output
    journal = next((tmp_path / "reports").glob("*/responses.jsonl")).read_text()
    assert "Incorrect API key provided: <redacted>" in journal
    assert "Bearer <redacted>" in journal


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        # Names a password or a token goes by as often as KEY or TOKEN: a database's (DB_PASS,
        # MYSQL_PWD), a personal access token (GITHUB_PAT, Azure DevOps'), a passphrase. Their
        # values were not scrubbed from a callable's answers and errors, nor a crash's traceback.
        ("DB_PASS", True),
        ("PASS", True),
        ("MYSQL_PWD", True),
        ("GITHUB_PAT", True),
        ("ADO_PAT", True),
        ("SMTP_PW", True),
        ("GPG_PASSPHRASE", True),
        ("OPENAI_API_KEY", True),
        ("PWD", False),  # the shell's working directory
        ("OLDPWD", False),
        ("PATH", False),
        ("COMPASS_MODE", False),
        ("BYPASS_CACHE", False),
        ("PASSENGER_APP_ENV", False),
        ("PATTERN_FILE", False),
    ],
)
def test_names_a_password_or_a_token_goes_by_are_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
