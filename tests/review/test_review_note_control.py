"""A verdict's note is evidence: it goes into the append-only ledger, written before the store
keeps the verdict. A note holding a NUL (which a form, not a person typing, sends) was refused by
the team store only after its review record was in the ledger: the ledger then vouched for a
verdict the page said was not recorded. In the embedded store it was kept, so one history read
differently in the two stores."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from assurance_harness.register.ledger import read_ledger
from assurance_harness.review.store import ReviewStore
from assurance_harness.ui.app import Settings

from .reviewkit import make_project
from .serve import serving
from .test_ui_hostile_http import _form_session, _request


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_a_note_with_a_nul_is_refused_before_anything_is_recorded(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: str
) -> None:
    if store == "postgresql":
        monkeypatch.setenv("ASSURANCE_STORE", request.getfixturevalue("pg_url"))
    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    settings = Settings(project.reports, project.register, project.ledger, reviewer="alice")
    with serving(settings) as base:
        path = f"/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
        token, cookie = _form_session(base, path)
        status, text, _ = _request(
            base,
            "POST",
            path,
            f"csrf_token={token}&decision=agree&reviewer=alice&note=a%00b".encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"assurance_csrf={cookie}",
            },
        )
    assert status == 400, (status, text[:300])
    error = re.search(r'id="error">([^<]*)', text)
    assert error and "note" in error.group(1) and "U+0000" in error.group(1), text[:800]
    assert 'id="saved"' not in text
    # Was (team store): EV-000002, a review with the note "a\x00b", and no verdict stored.
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
    assert ReviewStore(project.reports / "runs.db").history(run_id) == []


def test_a_note_with_a_control_character_is_one_line_exit_2_on_the_command_line(
    tmp_path: Path,
) -> None:
    from tests.testing.cli import one_line_refusal, run_cli

    project = make_project(tmp_path)
    run_id = project.run(reports=False).run_id
    result = run_cli(
        "review",
        "adjudicate",
        run_id,
        "c2#0",
        "--agree",
        "--reviewer",
        "alice",
        "--note",
        "fine\x1b[2K\rall clear",  # ESC: erases what the terminal showed before it
        "--reports",
        project.reports,
        cwd=tmp_path,
    )
    line = one_line_refusal(result)
    assert "note" in line and "U+001B" in line, line
    assert not [r for r in read_ledger(project.ledger, reviews=True) if r.is_review]
