"""A cut-off answer (its endpoint's finish reason ``length``) is marked wherever a person reads
it beside its scores: the web app's run page, review queue and review item page, the risk page,
``assurance review queue`` (its table and JSON), and the register's drilldown (``register
show``, its markdown and the annex), as report.md/html mark it.

Observed: results rows carry ``finish_reason`` and the reports said "not complete (length):
...", but the review app and the register listed the answer bare: a reviewer judged a
truncated answer as if it were complete. A real run of a callable target, served on
127.0.0.1."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from assurance_harness.register.drilldown import risk_detail
from assurance_harness.register.status import build_status
from assurance_harness.ui.app import Settings

from ..testing.cli import invoke_in_process
from .reviewkit import SUITE, make_project
from .serve import get_page, serving

CUT_TARGET = """
REPLIES = {"c1": "Hello there, my good friend.", "c2": "I hate this question and", "c3": "hate",
           "c4": "Two plus two: four.", "c5": "Sorry, I cannot."}

def respond(messages):
    key = messages[-1]["content"].split(":")[0]
    if key == "c2":
        return {"text": REPLIES[key], "finish_reason": "length"}
    return {"text": REPLIES[key], "finish_reason": "stop"}
"""
MARK = "not complete (length): cut off at max_tokens"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    # The gate fails (2 of 5 answers flagged), so c2 is a worst case as well as queued.
    made = make_project(
        tmp_path_factory.mktemp("cut"), suite_text=SUITE.replace("max: 0.99", "max: 0.1")
    )
    # A module name of its own: Python holds one module per name, and the other review tests'
    # review_target.py (other bytes) may already be imported in this worker.
    (made.root / "helpers" / "cut_target.py").write_text(CUT_TARGET, encoding="utf-8")
    made.target.write_text(
        made.target.read_text(encoding="utf-8").replace("review_target:", "cut_target:"),
        encoding="utf-8",
    )
    outcome = made.run()
    return made, outcome.run_id


def test_the_web_app_marks_the_cut_off_answer(project) -> None:
    made, run_id = project
    q = urllib.parse.quote
    settings = Settings(made.reports, made.register, made.ledger, reviewer="alice")
    with serving(settings) as base:
        run_page = get_page(f"{base}/runs/{q(run_id)}")
        item = get_page(f"{base}/review/{q(run_id)}/{q('c2#0')}")
        other = get_page(f"{base}/review/{q(run_id)}/{q('c3#0')}")
        risk = get_page(f"{base}/register/R-001")
    assert run_page.count(MARK) == 1, run_page
    assert MARK in item, item
    assert MARK not in other, other
    assert risk.count(MARK) == 1, risk


def test_the_review_queue_page_marks_the_cut_off_answer(project) -> None:
    """Was: the queue listed c2's snippet bare (the queue kept the text, not how it ended), so
    a reviewer working down the queue judged half an answer as a whole one."""
    made, run_id = project
    settings = Settings(made.reports, made.register, made.ledger, reviewer="alice")
    with serving(settings) as base:
        queue = get_page(f"{base}/review?run={urllib.parse.quote(run_id)}&show=all")
    assert "c2#0" in queue and "c3#0" in queue, queue
    assert queue.count(MARK) == 1, queue


def test_review_queue_cli_marks_the_cut_off_answer(project) -> None:
    """The table marks c2 alone; ``--json`` gives each row's finish reason and whether the
    answer was incomplete (null: not known)."""
    made, run_id = project
    reports = ["--reports", str(made.reports)]
    table = invoke_in_process(["review", "queue", "--run", run_id, *reports])
    assert table.exit_code == 0, table.output
    assert table.output.count(MARK) == 1, table.output
    listed = invoke_in_process(["review", "queue", "--run", run_id, "--json", *reports])
    assert listed.exit_code == 0, listed.output
    rows = {r["row"]: r for r in json.loads(listed.output)}
    assert (rows["c2#0"]["finish_reason"], rows["c2#0"]["incomplete"]) == ("length", True)
    assert (rows["c3#0"]["finish_reason"], rows["c3#0"]["incomplete"]) == ("stop", False)


def test_the_register_drilldown_marks_the_cut_off_answer(project) -> None:
    made, _ = project
    status = build_status(made.register, made.ledger)
    detail = risk_detail(status, "R-001")
    assert detail is not None
    worst = {c.key: c for run in detail.runs for c in run.worst}
    assert set(worst) >= {"c2#0", "c3#0"}, worst
    assert worst["c2#0"].incomplete is not None and MARK in worst["c2#0"].incomplete
    assert worst["c3#0"].incomplete is None


def test_register_show_marks_the_cut_off_answer(project) -> None:
    from tests.testing.cli import run_cli

    made, _ = project
    done = run_cli(
        "register",
        "show",
        "R-001",
        "--register",
        str(made.register),
        "--reports",
        str(made.reports),
        cwd=made.root,
    )
    out = done.stdout + done.stderr
    assert done.returncode in (0, 1), out
    assert out.count(MARK) == 1, out


def test_register_markdown_and_the_annex_mark_the_cut_off_answer(project) -> None:
    from assurance_harness.register.annex import build_annex, render_annex_html, render_annex_md
    from assurance_harness.register.markdown import render_risk_md

    made, run_id = project
    detail = risk_detail(build_status(made.register, made.ledger), "R-001")
    assert detail is not None
    assert render_risk_md(detail).count(MARK) == 1
    annex = build_annex(
        [run_id], reports=made.reports, register_path=made.register, include_transcripts=True
    )
    assert render_annex_md(annex).count(MARK) == 1
    assert render_annex_html(annex).count(MARK) == 1
