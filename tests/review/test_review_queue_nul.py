"""A queued row whose prompt or answer holds a NUL (U+0000), in the PostgreSQL team store.

PostgreSQL's TEXT cannot hold NUL: the run stored its review queue there after every answer was
in, the insert was refused, the run exited 3, and every ``--resume`` met the same refusal, so
the run could never finish. The embedded store keeps NUL as it is. Real runs through the CLI,
on the throwaway cluster of ``tests/testing/postgres.py`` (skips without PostgreSQL)."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest

from assurance_harness.review.store import ReviewStore
from assurance_harness.store.postgres import PostgresDatabase
from assurance_harness.ui.app import Settings

from ..register.test_team_ledger import _rows
from ..testing.cli import run_cli
from .reviewkit import SUITE, make_project
from .serve import get_page, serving

pytestmark = pytest.mark.slow

NUL_ANSWER = "I hate\x00 this question."
"""c2's answer: flagged (it holds "hate"), so queued for review."""
NUL_PROMPT = "c2: r\x00ant"
SHOWN_ANSWER = "I hate\u2400 this question."
NOTE = "keeps each NUL (U+0000) of a prompt or response as \u2400 (U+2400)"


def _nul_project(root: Path) -> None:
    """The review project of ``reviewkit``, with a NUL in c2's prompt (a YAML ``\\0``) and in
    the answer the target gives it."""
    project = make_project(root, suite_text=SUITE.replace('"c2: rant"', '"c2: r\\0ant"'))
    module = root / "helpers" / "review_target.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("'I hate this question.'", repr(NUL_ANSWER)), encoding="utf-8")
    assert repr(NUL_ANSWER) in module.read_text(encoding="utf-8")
    del project


def _run(root: Path, *store: str) -> tuple[int, str, str]:
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--register", "register.yaml", *store,
        cwd=root,
    )  # fmt: skip
    text = done.stdout + done.stderr
    assert "Traceback" not in text, text
    (run_dir,) = [p.parent for p in (root / "reports").glob("*/responses.jsonl")]
    return done.returncode, text, run_dir.name


def _results_row(root: Path, run_id: str, case: str) -> dict[str, object]:
    with (root / "reports" / run_id / "results.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    (row,) = [r for r in rows if r["case_id"] == case]
    return row


def test_a_nul_in_a_queued_row_finishes_the_run_with_the_team_store(
    pg_url: str, tmp_path: Path
) -> None:
    """Was: exit 3, "store ...: PostgreSQL text fields cannot contain NUL (0x00) bytes", and
    the same on every resume. Now the run finishes by its gate (exit 1: awaiting review) and
    the queue holds the row, each NUL shown as the stand-in ``␀``; the run folder keeps the
    exact text."""
    _nul_project(tmp_path)
    code, text, run_id = _run(tmp_path, "--store", pg_url)
    assert code == 1, text
    items = {i.row_key: i for i in ReviewStore(PostgresDatabase(pg_url)).queue(run_id)}
    assert "c2#0" in items, sorted(items)
    assert items["c2#0"].response == SHOWN_ANSWER
    assert items["c2#0"].prompt == "c2: r\u2400ant"
    row = _results_row(tmp_path, run_id, "c2")
    assert row["response"] == NUL_ANSWER and row["prompt"] == NUL_PROMPT
    # The queue table shows the stand-in and says what it stands for.
    listed = run_cli("--store", pg_url, "review", "queue", "--run", run_id, cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert SHOWN_ANSWER in listed.stdout and NOTE in " ".join(listed.stdout.split())
    # Redoing the finished run's post-run steps changes nothing; its evidence re-measures the
    # review queue from the run folder (untouched) and verifies; a verdict can be given on it.
    records = _rows(pg_url)
    assert records
    again = _run(tmp_path, "--store", pg_url, "--resume", run_id)
    assert again[0] == 1, again[1]
    assert _rows(pg_url) == records
    for args in (
        ("evidence", "attach", run_id, "--register", "register.yaml"),
        ("evidence", "verify"),
        ("review", "adjudicate", run_id, "c2#0", "--agree", "--reviewer", "alice"),
    ):
        done = run_cli("--store", pg_url, *args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stdout + done.stderr)
    assert len(_rows(pg_url)) == len(records) + 1  # the verdict's review record


def test_the_review_pages_say_what_the_stand_in_stands_for(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _nul_project(tmp_path)
    code, text, run_id = _run(tmp_path, "--store", pg_url)
    assert code == 1, text
    monkeypatch.setenv("ASSURANCE_STORE", pg_url)
    reports = tmp_path / "reports"
    settings = Settings(reports, tmp_path / "register.yaml", reports / "evidence" / "x.jsonl")
    with serving(settings) as base:
        queue = get_page(f"{base}/review?show=all")
        item = get_page(f"{base}/review/{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}")
    for page in (queue, item):
        assert SHOWN_ANSWER in page and 'id="nul-note"' in page and NOTE in page, page[:2000]
    assert "c2: r\u2400ant" in item


def test_the_embedded_store_keeps_the_nul_as_it_is(tmp_path: Path) -> None:
    """Unchanged: SQLite holds NUL, and nothing is said of a stand-in."""
    _nul_project(tmp_path)
    code, text, run_id = _run(tmp_path)
    assert code == 1, text
    items = {i.row_key: i for i in ReviewStore(tmp_path / "reports" / "runs.db").queue(run_id)}
    assert items["c2#0"].response == NUL_ANSWER and items["c2#0"].prompt == NUL_PROMPT
    listed = run_cli("review", "queue", "--run", run_id, cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "I hate\\x00 this" in listed.stdout and "U+2400" not in listed.stdout


HIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls but tab and line breaks, and DEL: what an HTML page must not hold as text."""
PAGE_NOTE = "shows each NUL (U+0000) of a prompt or response as \u2400 (U+2400)"


def test_the_pages_show_a_nul_of_the_embedded_store_as_the_stand_in_and_say_so(
    tmp_path: Path,
) -> None:
    """SQLite keeps NUL. Was: the review item, queue and run pages wrote it raw into the HTML
    (a browser drops it: "I hate this question." read as stored), and an escape character too.
    Now each NUL shows as ``␀`` with the note the team store's pages show, in the words true of
    this store; another control character as its escape (``formatting.visible``)."""
    suite = SUITE.replace('"c2: rant"', '"c2: r\\0a\\ent"')  # a NUL and an ESC in the prompt
    make_project(tmp_path, suite_text=suite)
    module = tmp_path / "helpers" / "review_target.py"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace("'I hate this question.'", repr(NUL_ANSWER)), encoding="utf-8")
    code, output, run_id = _run(tmp_path)
    assert code == 1, output
    item = ReviewStore(tmp_path / "reports" / "runs.db").item(run_id, "c2#0")
    assert item.prompt == "c2: r\x00a\x1bnt" and item.response == NUL_ANSWER
    reports = tmp_path / "reports"
    settings = Settings(reports, tmp_path / "register.yaml", reports / "evidence" / "x.jsonl")
    quoted = f"{urllib.parse.quote(run_id)}/{urllib.parse.quote('c2#0')}"
    with serving(settings) as base:
        pages = {
            "queue": get_page(f"{base}/review?show=all"),
            "item": get_page(f"{base}/review/{quoted}"),
            "run": get_page(f"{base}/runs/{urllib.parse.quote(run_id)}"),
            "runs": get_page(f"{base}/"),
        }
    for name, page in pages.items():
        hidden = HIDDEN.search(page)
        assert hidden is None, (name, page[max(0, hidden.start() - 200) : hidden.end() + 200])
    for name in ("queue", "item", "run"):
        page = pages[name]
        assert SHOWN_ANSWER in page and 'id="nul-note"' in page, (name, page[:2000])
        assert PAGE_NOTE in " ".join(page.split()), (name, page[:2000])
    assert "c2: r\u2400a\\x1bnt" in pages["item"]
