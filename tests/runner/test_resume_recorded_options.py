"""The command that resumes a run repeats the options that decide what the run writes and where
its evidence goes (``--no-report``, ``--no-evidence``, ``--register``, ``--ledger``,
``--evidence-for``, ``--executor``, ``--ray-address``), whichever way it is made: printed when
the run stops (Ctrl-C), or rebuilt from run.json (``runs list`` for a run killed with
``kill -9``, which printed nothing). Observed: run.json did not record them, so the listed
command of a run started with ``--register other.yaml --ledger other.jsonl`` attached its
evidence to the default register's ledger, and wrote the report it was told not to; and the
listed command of a run started with ``--no-evidence`` attached evidence and scored the run
against the default register's audience, which the run had not been."""

from __future__ import annotations

import json
import shlex
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.testing.cli import run_cli, start_cli
from tests.testing.project import callable_target

BOT = """
import os, time

def reply(messages):
    time.sleep(float(os.environ.get("BOT_SLEEP", "0")))
    return "echo " + messages[-1]["content"]
"""
N_CASES = 40
REGISTER = """register_version: 1
system: {{name: Demo, intended_use: homework help, owner: Safety lead{audience}}}
risks:
  - {{id: R-001, title: Wrong answers, category: reliability, owner: QA, likelihood: 3, impact: 3}}
"""
KIDS = ", audience: {min_age: 8, max_age: 12}"


def _project(root: Path, suite: str) -> None:
    """``s.yaml`` (evidence for R-001) of ``N_CASES`` cases, ``t.yaml``, a callable target slowed
    by BOT_SLEEP, and two registers: the default one and ``other.yaml``."""
    cases = "".join(f"  - {{id: c{i:02d}, prompt: hi {i}}}\n" for i in range(N_CASES))
    (root / "s.yaml").write_text(
        f"suite: {suite}\nevidence_for: [R-001]\ncases:\n{cases}"
        "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    callable_target(root, f"{suite.replace('-', '_')}_bot", BOT)
    (root / "register").mkdir()
    (root / "register" / "risk_register.yaml").write_text(REGISTER.format(audience=""))
    (root / "other.yaml").write_text(REGISTER.format(audience=""))


def _stopped_run(root: Path, sig: signal.Signals, *options: str) -> tuple[Path, str]:
    """A run of the project stopped with ``sig`` once it has journalled a few responses; its
    folder and what it wrote to its terminal."""
    proc = start_cli(
        "run", "s.yaml", "--target", "t.yaml", "--concurrency", "1", *options,
        cwd=root, env={"BOT_SLEEP": "0.05"},
    )  # fmt: skip
    try:
        deadline, journals = time.monotonic() + 60, []
        while time.monotonic() < deadline and proc.poll() is None:
            journals = list((root / "reports").glob("*/responses.jsonl"))
            if journals and len(journals[0].read_text().splitlines()) >= 3:
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    if not journals or len(journals[0].read_text().splitlines()) < 3:
        pytest.fail(f"the run journalled no responses: {out + err}")
    folder = journals[0].parent
    assert not (folder / "summary.json").exists(), out + err
    return folder, out + err


def _listed_resume(root: Path, run_id: str) -> str:
    """The command ``runs list`` shows for the interrupted run ``run_id``."""
    done = run_cli("runs", "list", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    (row,) = [r for r in rows if r["run_id"] == run_id]
    assert row["status"] == "interrupted", row
    return str(row["resume"])


def _run_listed(root: Path, command: str) -> None:
    argv = shlex.split(command)
    assert argv[:2] == ["assurance", "run"], command
    done = run_cli(*argv[1:], cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr


def _ledger_runs(path: Path) -> set[Any]:
    if not path.exists():
        return set()
    return {json.loads(line)["run_id"] for line in path.read_text().splitlines() if line}


def test_a_killed_runs_listed_resume_keeps_its_register_ledger_and_no_report(
    tmp_path: Path,
) -> None:
    _project(tmp_path, "opts-killed")
    options = ("--no-report", "--register", "other.yaml", "--ledger", "other.jsonl")
    folder, _ = _stopped_run(tmp_path, signal.SIGKILL, *options)

    listed = _listed_resume(tmp_path, folder.name)
    assert listed == (
        "assurance run s.yaml --target t.yaml --reports reports --concurrency 1 --no-cache "
        f"--no-report --register other.yaml --ledger other.jsonl --resume {folder.name}"
    ), listed

    _run_listed(tmp_path, listed)
    assert _ledger_runs(tmp_path / "other.jsonl") == {folder.name}
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()
    assert not (folder / "report.html").exists()


def test_a_stopped_no_evidence_runs_printed_and_listed_resume_keep_no_evidence(
    tmp_path: Path,
) -> None:
    """Resumed without ``--no-evidence`` the run would also be scored against the default
    register's audience (children), which it was not told of: its figures change, silently."""
    _project(tmp_path, "opts-stopped")
    (tmp_path / "register" / "risk_register.yaml").write_text(REGISTER.format(audience=KIDS))
    folder, said = _stopped_run(tmp_path, signal.SIGINT, "--no-report", "--no-evidence")
    printed = (
        "assurance run s.yaml --target t.yaml --reports reports --concurrency 1 "
        f"--no-report --no-evidence --resume {folder.name}"
    )
    assert f"continue with: {printed}" in " ".join(said.split()), said

    listed = _listed_resume(tmp_path, folder.name)
    # The same command; run.json records the cache choice the run made (it read the cache).
    assert listed == printed.replace("--concurrency 1", "--concurrency 1 --cache"), listed

    _run_listed(tmp_path, listed)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["suite"]["audience"] is None, summary["suite"]
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()
    assert not (folder / "report.html").exists()


def test_a_run_with_default_options_records_no_new_option_and_both_commands_agree(
    tmp_path: Path,
) -> None:
    """run.json of a run with every option at its default keeps its bytes: no new key (the
    suite's evidence is due, so the run did not read the response cache). The default register,
    which the command line finds by itself, is not named by either command."""
    _project(tmp_path, "opts-default")
    folder, said = _stopped_run(tmp_path, signal.SIGINT)
    state = json.loads((folder / "run.json").read_text())
    assert list(state["options"]) == ["concurrency", "use_cache"], state
    printed = (
        "assurance run s.yaml --target t.yaml --reports reports --concurrency 1 "
        f"--resume {folder.name}"
    )
    assert f"continue with: {printed}" in " ".join(said.split()), said
    listed = _listed_resume(tmp_path, folder.name)
    assert listed == printed.replace("--concurrency 1", "--concurrency 1 --no-cache"), listed


GOLDEN_RUN = Path(__file__).parents[1] / "register" / "golden" / "reports"
GOLDEN_RUN /= "20261202T030141Z-golden-refusal-e0f7"


def test_every_recorded_option_is_in_the_command_rebuilt_from_run_json(tmp_path: Path) -> None:
    """The options of a run with ``--executor ray`` (too slow to start here) and the rest, written
    to run.json and read back: ``resume_of`` gives the command printed for the invocation."""
    from assurance_harness.runner.run import resume_command, resume_of, run_options
    from assurance_harness.store.runlog import RunLogWriter, read_state

    given = run_options(
        concurrency=3, use_cache=False, write_reports=False, register_path="r e.yaml",
        ledger_path="l.jsonl", evidence_for="Acme Bot", executor="ray",
        ray_address="ray://head:10001",
    )  # fmt: skip
    state = read_state(GOLDEN_RUN).model_copy(update={"options": given})
    RunLogWriter(tmp_path).write_state(state)
    recorded = read_state(tmp_path)
    command = resume_of(recorded, Path("reports"))
    assert command == resume_command(
        "suite.yaml", "target.yaml", Path("reports"), state.run_id, given, use_cache=False
    )
    assert command.endswith(
        " --concurrency 3 --no-cache --no-report --executor ray --ray-address ray://head:10001 "
        "--evidence-for 'Acme Bot' --register 'r e.yaml' --ledger l.jsonl "
        f"--resume {state.run_id}"
    ), command


def test_a_run_json_made_before_the_options_were_recorded_reads_as_the_defaults() -> None:
    from assurance_harness.runner.run import resume_of
    from assurance_harness.store.runlog import RunLogWriter, read_state

    state = read_state(GOLDEN_RUN)
    assert RunLogWriter.render(state) == (GOLDEN_RUN / "run.json").read_text(encoding="utf-8")
    assert resume_of(state, Path("reports")) == (
        "assurance run suite.yaml --target target.yaml --reports reports --no-cache "
        f"--resume {state.run_id}"
    )


def _resume(root: Path, run_id: str, *typed: str) -> Any:
    """``assurance run s.yaml --target t.yaml --resume RUN_ID`` with ``typed`` options only."""
    return run_cli("run", "s.yaml", "--target", "t.yaml", *typed, "--resume", run_id, cwd=root)


@pytest.mark.parametrize(
    "started",
    [("--no-evidence",), ("--no-report", "--register", "other.yaml", "--ledger", "other.jsonl")],
    ids=["no-evidence", "other-register"],
)
def test_a_plain_resume_continues_the_run_with_the_options_it_was_started_with(
    tmp_path: Path, started: tuple[str, ...]
) -> None:
    """``--resume RUN_ID`` typed by hand, without the options the run was started with.
    Observed: the run attached its evidence to the default register's ledger (and was scored
    against that register's audience) and wrote the reports it was told not to, silently."""
    _project(tmp_path, "opts-plain")
    (tmp_path / "register" / "risk_register.yaml").write_text(REGISTER.format(audience=KIDS))
    folder, _ = _stopped_run(tmp_path, signal.SIGKILL, *started)

    done = _resume(tmp_path, folder.name)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["suite"]["audience"] is None, summary["suite"]
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()
    if "--no-evidence" in started:
        assert not (tmp_path / "other.jsonl").exists()
        assert (folder / "report.html").exists()
    else:
        assert _ledger_runs(tmp_path / "other.jsonl") == {folder.name}
        assert not (folder / "report.html").exists()


def test_a_resume_typed_with_options_the_run_was_not_started_with_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each option that decides what the run writes and where its evidence goes, typed with
    another value than the run's: one line naming it, both values and the fix, exit 2, before
    anything is sent or written. Observed: accepted, the run's evidence went elsewhere. The
    same values typed again are the run's own: accepted."""
    from tests.testing.cli import invoke_in_process

    _project(tmp_path, "opts-typed")
    started = ("--no-report", "--register", "other.yaml", "--ledger", "other.jsonl")
    folder, _ = _stopped_run(tmp_path, signal.SIGKILL, *started)
    journal = (folder / "responses.jsonl").read_bytes()
    monkeypatch.chdir(tmp_path)
    for typed, named in [
        (["--no-evidence"], ["without --no-evidence", "drop --no-evidence"]),
        (["--ledger", "l2.jsonl"], ["--ledger l2.jsonl", "--ledger other.jsonl"]),
        (
            ["--register", "register/risk_register.yaml"],
            ["--register register/risk_register.yaml", "--register other.yaml"],
        ),
    ]:
        done = invoke_in_process(
            ["run", "s.yaml", "--target", "t.yaml", *typed, "--resume", folder.name]
        )
        assert done.exit_code == 2, done.output
        (line,) = done.output.strip().splitlines()
        assert line.startswith("error: "), line
        for words in [f"run '{folder.name}' was started", *named, "start a new run"]:
            assert words in line, line
    assert (folder / "responses.jsonl").read_bytes() == journal
    assert not (folder / "summary.json").exists()
    assert not (tmp_path / "other.jsonl").exists()
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()

    done = _resume(tmp_path, folder.name, "--register", "./other.yaml", "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _ledger_runs(tmp_path / "other.jsonl") == {folder.name}


def test_a_no_evidence_run_of_an_older_version_is_resumed_as_its_command_started_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run from before run.json recorded these options (its ``options`` hold only the
    concurrency and the cache, as with the defaults; its command names ``--no-evidence``): the
    command that started it tells them. Observed: read as a run with the defaults, a plain
    ``--resume`` attached its evidence to the default ledger, and a typed ``--register`` was
    taken, silently."""
    from tests.testing.cli import invoke_in_process

    _project(tmp_path, "opts-no-evidence")
    folder, _ = _stopped_run(tmp_path, signal.SIGKILL, "--no-evidence")
    state = json.loads((folder / "run.json").read_text())
    assert state["options"].pop("attach_evidence") is False, state
    assert list(state["options"]) == ["concurrency", "use_cache"], state
    assert "--no-evidence" in state["command"], state
    (folder / "run.json").write_text(json.dumps(state))

    monkeypatch.chdir(tmp_path)
    done = invoke_in_process(
        ["run", "s.yaml", "--target", "t.yaml", "--register", "other.yaml", "--resume", folder.name]
    )
    assert done.exit_code == 2, done.output
    (line,) = done.output.strip().splitlines()
    for words in [
        f"error: --register other.yaml: run '{folder.name}' was started with --no-evidence",
        "drop --register",
        "start a new run",
    ]:
        assert words in line, line

    done = _resume(tmp_path, folder.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stderr, done.stderr
    assert (folder / "summary.json").exists()
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()
    assert not (tmp_path / "other.jsonl").exists()

    # Made through the library (no command): not known; the options typed are taken, said once.
    state["command"] = None
    (folder / "run.json").write_text(json.dumps(state))
    done = invoke_in_process(
        ["run", "s.yaml", "--target", "t.yaml", "--no-evidence", "--resume", folder.name]
    )
    assert done.exit_code == 0, done.output
    (line,) = [w for w in done.output.splitlines() if w.startswith("warning: ")]
    assert f"the options run '{folder.name}' was started with are not known" in line, line
    assert "type those of --no-report, --no-evidence, --register" in line, line
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()


def test_the_options_a_resume_continues_with_as_typed_against_as_recorded() -> None:
    """``continued_options`` on run.json states as each kind of run wrote them: what a typed
    option comes to, and where the same command line that started the run resumes it."""
    from assurance_harness.errors import UsageError
    from assurance_harness.runner.resumeoptions import continued_options
    from assurance_harness.runner.run import run_options
    from assurance_harness.store.runlog import RunOptions, read_state

    golden = read_state(GOLDEN_RUN)

    def resumed(
        recorded: RunOptions,
        typed: dict[str, Any],
        command: str | None = "x",
        warned: list[str] | None = None,
    ) -> Any:
        state = golden.model_copy(update={"options": recorded, "command": command})
        try:
            given = RunOptions(**typed)
            return continued_options(
                state,
                given,
                set(typed),
                reports=Path("reports"),
                warn=(warned if warned is not None else []).append,
            )
        except UsageError as exc:
            return str(exc)

    ray = run_options(executor="ray", ray_address="ray://head:10001", concurrency=4)
    assert resumed(ray, {}).model_dump() == ray.model_dump()
    # Another executor typed: how requests are sent changes no figure; its address is not kept.
    local = resumed(ray, {"executor": "local"})
    assert (local.executor, local.ray_address, local.concurrency) == ("local", None, 4)
    # A smoke test attaches no evidence whatever its register: the command that started it
    # (--limit 3 --register other.yaml) resumes it.
    smoke = run_options(limit=3, attach_evidence=False, register_path="other.yaml")
    assert resumed(smoke, {"register_path": "other.yaml"}).register_path == "other.yaml"
    # --no-evidence --register other.yaml: the register is not read, as in a new run.
    quiet = run_options(attach_evidence=False, register_path="other.yaml")
    kept = resumed(quiet, {"attach_evidence": False, "register_path": "other.yaml"})
    assert kept.attach_evidence is False
    said = resumed(run_options(evidence_for="Acme Bot"), {"evidence_for": "Other Bot"})
    assert said.startswith(
        "--evidence-for 'Other Bot': run '20261202T030141Z-golden-refusal-e0f7' was started "
        "with --evidence-for 'Acme Bot'"
    ), said
    assert "drop --evidence-for (or give --evidence-for 'Acme Bot')" in said, said
    # The defaults recorded by this version (its command names none of the options) ...
    said = resumed(RunOptions(), {"write_reports": False}, command="assurance run s.yaml")
    assert "was started without --no-report" in said, said
    # ... and by an older one, which recorded none: its command tells them, as click read it
    # (a value flag takes the next word whatever it is; no abbreviations; none after ``--``).
    said = resumed(RunOptions(), {"write_reports": False}, "assurance run s.yaml --no-report")
    assert said.write_reports is False, said
    said = resumed(RunOptions(), {"ledger_path": "l2.jsonl"}, "assurance run s --ledger=o.jsonl")
    assert "was started with --ledger o.jsonl" in said, said
    for command, started in [
        ("assurance run s.yaml -t t.yaml --no-evidence", {"attach_evidence": False}),
        (
            "assurance --store sqlite:///x.db run s.yaml --register=other.yaml --ledger o.jsonl "
            "--no-report --evidence-for 'Acme Bot' --executor=ray --ray-address auto",
            {
                "register_path": "other.yaml",
                "ledger_path": "o.jsonl",
                "write_reports": False,
                "evidence_for": "Acme Bot",
                "executor": "ray",
                "ray_address": "auto",
            },
        ),
        ("assurance run s.yaml --no-evidence --register other.yaml", {"attach_evidence": False}),
        ("assurance run s.yaml --ledger --no-evidence", {"ledger_path": "--no-evidence"}),
        ("assurance run s.yaml --no-rep --no-evid", {}),
        ("assurance run -t t.yaml -- --no-evidence", {}),
    ]:
        warned: list[str] = []
        kept = resumed(RunOptions(), {}, command, warned)
        assert kept.model_dump() == RunOptions(**started).model_dump(), command
        assert warned == [], command
    # Not known (a run through the library or pytest, a command this version could not have
    # written): the typed options are taken as given, and a warning says so.
    for command in [
        None,
        "pytest tests --assurance-no-evidence",
        "assurance run s.yaml --ledger",
        "assurance run 's.yaml",
        "assurance run s.yaml --no-report=yes",
    ]:
        warned = []
        assert (
            resumed(RunOptions(), {"write_reports": False}, command, warned).write_reports is False
        )
        assert resumed(RunOptions(), {}, command, warned).attach_evidence is True
        assert len(warned) == 2, (command, warned)
        assert "options run '20261202T030141Z-golden-refusal-e0f7' was started with" in warned[0]
