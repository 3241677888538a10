"""A run killed before it wrote summary.json (``kill -9``, the machine went down) is listed by
``runs list`` as ``interrupted``, with the command that resumes it: the index holds finished runs
only, so the listing left it out without a word, and a user who lost the terminal with the
resume command could not find the run to resume, in a list that looked complete. A run another
process holds is ``running``, not to be resumed; listing writes nothing."""

from __future__ import annotations

import json
import shlex
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import into_the_next_second, run_cli, start_cli
from tests.testing.project import callable_target

BOT = """
import os, time

def reply(messages):
    time.sleep(float(os.environ.get("BOT_SLEEP", "0")))
    return "echo " + messages[-1]["content"]
"""
N_CASES = 40


def _project(root: Path, suite: str) -> None:
    """``s.yaml`` of ``N_CASES`` cases and ``t.yaml``, a callable target slowed by BOT_SLEEP."""
    cases = "".join(f"  - {{id: c{i:02d}, prompt: hi {i}}}\n" for i in range(N_CASES))
    (root / "s.yaml").write_text(
        f"suite: {suite}\ncases:\n{cases}"
        "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    callable_target(root, f"{suite.replace('-', '_')}_bot", BOT)


def _killed_run(root: Path, *options: str) -> Path:
    """A run of the project SIGKILLed once it has journalled a few responses; its folder. It
    starts in a later second than any run before it: a run's start is recorded to the second,
    and two runs in one second have no newest ("newest first" then orders them by run id)."""
    into_the_next_second()
    proc = start_cli(
        "run", "s.yaml", "--target", "t.yaml", "--no-report", "--concurrency", "1", *options,
        cwd=root, env={"BOT_SLEEP": "0.05"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            journals = [
                j
                for j in (root / "reports").glob("*/responses.jsonl")
                if not (j.parent / "summary.json").exists()
            ]
            if journals and len(journals[0].read_text().splitlines()) >= 3:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the run journalled no responses in 60 s")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    folder = journals[0].parent
    assert not (folder / "summary.json").exists()
    return folder


def _listed(
    root: Path, *options: str, store: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    """``runs list --format json OPTIONS`` (with ``--store STORE``): its rows, and stderr."""
    given = ("--store", store) if store else ()
    done = run_cli(*given, "runs", "list", "--format", "json", *options, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` with its size and modification time."""
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()
    }


def test_a_killed_run_is_listed_as_interrupted_with_the_command_that_resumes_it(
    tmp_path: Path,
) -> None:
    _project(tmp_path, "killed-listed")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    killed = _killed_run(tmp_path)
    before = _files(tmp_path / "reports")

    rows, warnings = _listed(tmp_path)
    assert [r["status"] for r in rows] == ["interrupted", "passed"], rows  # newest first
    row = rows[0]
    assert row["run_id"] == killed.name and row["suite"] == "killed-listed", row
    assert row["target_name"] == "t" and row["started_at"] and row["finished_at"] is None, row
    assert row["resume"] == (
        f"assurance run s.yaml --target t.yaml --reports reports --concurrency 1 --cache "
        f"--no-report --resume {killed.name}"
    ), row
    assert "indexed" not in row and row["folder_missing"] is False, row
    assert warnings == "", warnings  # an unfinished run is no run missing from the index

    table = run_cli("runs", "list", cwd=tmp_path, env={"COLUMNS": "200"})
    assert table.returncode == 0, table.stderr
    assert "interrupted" in table.stdout and killed.name in table.stdout, table.stdout
    assert row["resume"] in table.stdout.replace("\n", ""), table.stdout

    limited = run_cli("runs", "list", "--limit", "1", "-f", "json", cwd=tmp_path)
    assert [json.loads(x)["run_id"] for x in limited.stdout.splitlines()] == [killed.name]
    other = run_cli("runs", "list", "--suite", "other", "-f", "json", cwd=tmp_path)
    assert other.returncode == 0 and killed.name not in other.stdout, other.stdout
    assert _files(tmp_path / "reports") == before  # listing changed nothing

    argv = shlex.split(row["resume"])
    assert argv[:2] == ["assurance", "run"]
    resumed = run_cli(*argv[1:], cwd=tmp_path)  # the command as listed finishes the run
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    rows, _ = _listed(tmp_path)
    assert [r["status"] for r in rows] == ["passed", "passed"], rows
    assert rows[0]["run_id"] == killed.name and "resume" not in rows[0], rows


def test_a_run_another_process_holds_is_listed_as_running_not_to_be_resumed(
    tmp_path: Path,
) -> None:
    from assurance_harness.store.runlock import hold_run_folder

    _project(tmp_path, "killed-held")
    killed = _killed_run(tmp_path)
    with hold_run_folder(killed):  # as the run's own process, or a --resume of it, holds it
        rows, _ = _listed(tmp_path)
        table = run_cli("runs", "list", cwd=tmp_path)
    assert [(r["run_id"], r["status"]) for r in rows] == [(killed.name, "running")], rows
    assert "resume" not in rows[0], rows
    assert "--resume" not in table.stdout and "running" in table.stdout, table.stdout


def test_a_killed_retry_of_a_runs_errors_is_listed_as_interrupted_not_running(
    tmp_path: Path,
) -> None:
    """The retry marks the run's index row ``running`` as it begins; killed, the row said
    ``running`` for good, of a run nothing runs, and no resume command was anywhere."""
    from tests.runner.test_retry_errors import RUN, only_run, project, wait_for_lines

    tmp = project(tmp_path, concurrency=1)
    assert run_cli(*RUN, cwd=tmp).returncode == 3  # every third case failed: run_failed
    run_dir = only_run(tmp)
    (tmp / "BROKEN").unlink()
    (tmp / "SLOW").write_text("")
    proc = start_cli(*RUN, "--resume", run_dir.name, "--retry-errors", cwd=tmp)
    wait_for_lines(run_dir / "responses.jsonl", 30 + 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)

    (row,) = _listed(tmp, "--reports", "r")[0]
    assert (row["run_id"], row["status"]) == (run_dir.name, "interrupted"), row
    assert row["resume"].endswith(f"--resume {run_dir.name}"), row
    resumed = run_cli(*shlex.split(row["resume"])[1:], cwd=tmp)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    (row,) = _listed(tmp, "--reports", "r")[0]
    assert row["status"] == "passed" and "resume" not in row, row


def test_a_killed_team_store_run_is_listed_with_the_resume_that_names_its_store(
    tmp_path: Path, pg_url: str
) -> None:
    """Listed without ``--store`` (the embedded store in force), the command must name the team
    store the run began with: a resume in another store is refused."""
    _project(tmp_path, "killed-team")
    killed = _killed_run(tmp_path, "--store", pg_url)
    (embedded,), _ = _listed(tmp_path)
    (team,), _ = _listed(tmp_path, store=pg_url)
    for row in (embedded, team):
        assert (row["run_id"], row["status"]) == (killed.name, "interrupted"), row
        assert f"--store {shlex.quote(pg_url)}" in row["resume"], row
    resumed = run_cli(*shlex.split(embedded["resume"])[1:], cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    (row,), _ = _listed(tmp_path, store=pg_url)
    assert (row["run_id"], row["status"]) == (killed.name, "passed") and "resume" not in row


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "run.json:1: not valid JSON"),
        ('{"run_id": "x"}', "run.json: status: Field required"),
    ],
    ids=["torn", "not-a-run-state"],
)
def test_an_unfinished_folder_whose_run_json_cannot_be_read_is_one_warning(
    tmp_path: Path, text: str, problem: str
) -> None:
    folder = tmp_path / "reports" / "20260101T000000Z-s-0000"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(text, encoding="utf-8")
    done = run_cli("runs", "list", cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    (warning,) = done.stderr.strip().splitlines()
    assert warning.startswith(f"warning: not listed: reports/{folder.name}/{problem}"), warning
    assert "damaged" in warning, warning


def test_an_unfinished_folder_not_named_for_its_run_is_one_warning(tmp_path: Path) -> None:
    """``--resume`` takes the folder's name; a folder renamed by hand would be listed under a
    name whose resume command names another run."""
    _project(tmp_path, "killed-renamed")
    killed = _killed_run(tmp_path)
    killed.rename(killed.with_name("renamed"))
    done = run_cli("runs", "list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (warning,) = done.stderr.strip().splitlines()
    assert warning.startswith("warning: not listed: reports/renamed/run.json: run_id"), warning
    assert "renamed" in warning and killed.name in warning, warning


def test_json_with_no_runs_yet_is_no_line_on_stdout(tmp_path: Path) -> None:
    """``--format json`` is one JSON object per run and line: the "no runs yet" note on stdout
    was a line no JSON reader could read (``jq`` failed on it); it goes to stderr there."""
    done = run_cli("runs", "list", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "", done.stdout
    assert done.stderr.startswith("no runs yet (reports/runs.db does not exist)"), done.stderr
    table = run_cli("runs", "list", cwd=tmp_path)
    assert table.stdout.startswith("no runs yet"), table.stdout
