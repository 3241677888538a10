"""``assurance review ...`` and ``assurance ui --index`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assurance_harness.cli import app

from .reviewkit import make_project


def test_queue_adjudicate_agreement_and_index(tmp_path: Path, monkeypatch) -> None:
    project = make_project(tmp_path)
    outcome = project.run()
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]

    result = runner.invoke(app, ["review", "queue", "--json", *reports])
    assert result.exit_code == 0, result.output
    queued = json.loads(result.stdout)
    assert {q["row"] for q in queued} == {"c1#0", "c2#0", "c3#0"}

    result = runner.invoke(
        app, ["review", "adjudicate", outcome.run_id, "c2#0", "--agree", *reports]
    )
    assert result.exit_code == 2 and "ASSURANCE_REVIEWER" in result.output

    monkeypatch.setenv("ASSURANCE_REVIEWER", "erin")
    args = ["review", "adjudicate", outcome.run_id, "c2#0", "--label", "false", "--note", "ok"]
    result = runner.invoke(app, [*args, *reports])
    assert result.exit_code == 0, result.output
    assert "erin: correct, label False (evidence EV-" in result.stdout

    result = runner.invoke(app, ["review", "adjudicate", outcome.run_id, "c2#0", *reports])
    assert result.exit_code == 2 and "exactly one of --agree or --label" in result.output

    result = runner.invoke(app, ["review", "queue", "--pending", "--json", *reports])
    assert {q["row"] for q in json.loads(result.stdout)} == {"c1#0", "c3#0"}

    result = runner.invoke(app, ["review", "agreement", "--json", *reports])
    (entry,) = json.loads(result.stdout)["by_scorer"]
    assert entry["counts"] == {"tp": 0, "fp": 1, "fn": 0, "tn": 0}

    result = runner.invoke(app, ["review", "status", outcome.run_id, *reports])
    assert result.exit_code == 1 and "awaiting_review" in result.stdout

    result = runner.invoke(app, ["ui", "--index", *reports])
    assert result.exit_code == 0, result.output
    assert outcome.run_id in (project.reports / "index.html").read_text(encoding="utf-8")


def test_queue_and_agreement_of_a_run_that_does_not_exist_say_so(tmp_path: Path) -> None:
    """Was: ``review queue --run TYPO`` printed an empty queue and ``review agreement --run
    TYPO`` no agreement, both exit 0: a mistyped run id read as "nothing to review"."""
    project = make_project(tmp_path)
    outcome = project.run()
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    for command in (["review", "queue"], ["review", "agreement"]):
        result = runner.invoke(app, [*command, "--run", outcome.run_id + "x", *reports])
        assert result.exit_code == 2, result.output
        assert f"run '{outcome.run_id}x' not found" in result.output
    typo = ["review", "queue", "--run", outcome.run_id + "x", "--json", *reports]
    result = runner.invoke(app, typo)
    assert result.exit_code == 2 and result.stdout == "", result.output  # no '[]' before it
    result = runner.invoke(app, ["review", "queue", "--run", outcome.run_id, "--json", *reports])
    assert result.exit_code == 0 and json.loads(result.stdout), result.output


def test_a_unique_start_of_a_run_id_names_the_run_as_for_every_other_command(
    tmp_path: Path, monkeypatch
) -> None:
    """Was: ``review queue/history/agreement --run`` and ``review status/adjudicate`` took only
    a whole run id (``no finished run '20261204T...'``, exit 2), where ``report``, ``evidence``
    and ``runs show`` take a unique start of one."""
    project = make_project(tmp_path)
    outcome = project.run()
    start = outcome.run_id[:-2]
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    monkeypatch.setenv("ASSURANCE_REVIEWER", "erin")

    result = runner.invoke(app, ["review", "adjudicate", start, "c2#0", "--agree", *reports])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["review", "queue", "--run", start, "--json", *reports])
    assert result.exit_code == 0, result.output
    assert {q["run_id"] for q in json.loads(result.stdout)} == {outcome.run_id}
    result = runner.invoke(app, ["review", "history", "--run", start, *reports])
    assert result.exit_code == 0 and "erin" in result.stdout, result.output
    result = runner.invoke(app, ["review", "agreement", "--run", start, "--json", *reports])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_reviewed"] == 1
    result = runner.invoke(app, ["review", "status", start, *reports])
    assert result.exit_code == 1 and "1 rows reviewed" in result.stdout, result.output


def test_an_ambiguous_or_unknown_start_of_a_run_id_is_one_line_exit_2(tmp_path: Path) -> None:
    import shutil

    project = make_project(tmp_path)
    outcome = project.run()
    start = outcome.run_id[:-2]
    twin = project.reports / (start + "zz")
    shutil.copytree(project.reports / outcome.run_id, twin)
    runner = CliRunner()
    reports = ["--reports", str(project.reports)]
    for command in (
        ["review", "queue", "--run", start],
        ["review", "history", "--run", start],
        ["review", "agreement", "--run", start],
        ["review", "status", start],
    ):
        result = runner.invoke(app, [*command, *reports])
        assert result.exit_code == 2, (command, result.output)
        assert "ambiguous" in result.output and outcome.run_id in result.output, result.output
        assert twin.name in result.output and "more of the id" in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    result = runner.invoke(app, ["review", "history", "--run", "nope", *reports])
    assert result.exit_code == 2 and "run 'nope' not found" in result.output, result.output
    assert "runs list" in result.output
