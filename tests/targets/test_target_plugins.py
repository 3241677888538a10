"""A third-party target adapter (entry point group ``assurance_harness.targets``) that fails in
its own code: whatever it raises, and wherever (as it is imported, built, started or closed,
or asked for its fingerprint), the command ends in one line naming the target file and the
plugin, exit 2 or 3 (never 0 or 1, never a traceback, no crash file: the bug is the plugin's,
not the harness's), with the resume command where answers were collected."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.plugins import installed_plugin

PLUGIN = """\
import asyncio
import os

from assurance_harness.datatypes import GenerationResponse
from assurance_harness.targets.base import Target, TargetSpec

WHERE, _, RAISE = os.environ.get("FAULT", "").partition(":")


class PluginAbort(BaseException):
    pass


def fault(where):
    if WHERE != where:
        return
    if RAISE.startswith("SystemExit"):
        raise SystemExit(int(RAISE.removeprefix("SystemExit")))
    if RAISE == "PluginAbort":
        raise PluginAbort("the plugin gave up")
    if RAISE == "GeneratorExit":
        raise GeneratorExit
    raise RuntimeError(f"broken in {where}")


class FaultySpec(TargetSpec):
    type: str = "faulty"


class Faulty(Target):
    type = "faulty"
    Spec = FaultySpec

    def __init__(self, spec, *, base_dir="."):
        fault("init")
        super().__init__(spec, base_dir=base_dir)

    async def start(self):
        fault("start")

    async def close(self):
        if WHERE == "close" and RAISE == "hang":
            await asyncio.Event().wait()  # never returns
        fault("close")

    def fingerprint(self):
        fault("fingerprint")
        return super().fingerprint()

    async def generate(self, request):
        if WHERE == "returns":
            return None if RAISE == "None" else GenerationResponse(text=42)
        return GenerationResponse(text="echo " + request.messages[-1]["content"])
"""

ENTRY_POINTS = """\
[assurance_harness.targets]
faulty = faultyplug:Faulty
unloadable = no_such_module_hp:Thing
"""

SUITE = (
    "suite: plugged\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)
NAMED = "error: t.yaml: the target plugin 'faulty' (faultyplug:Faulty) failed"


def _project(root: Path, kind: str = "faulty") -> dict[str, str]:
    env = installed_plugin(root, "faultyplug", {"faultyplug": PLUGIN}, ENTRY_POINTS)
    (root / "s.yaml").write_text(SUITE, encoding="utf-8")
    (root / "t.yaml").write_text(f"type: {kind}\n", encoding="utf-8")
    (root / "tmp").mkdir()
    return {**env, "TMPDIR": str(root / "tmp")}  # where a crash file would be saved


def _run(root: Path, env: dict[str, str], fault: str = "", *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"),
        *("--no-cache", *extra),
        cwd=root,
        env={**env, "FAULT": fault},
        timeout=60,
    )


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def _no_crash(root: Path, proc) -> None:  # type: ignore[no-untyped-def]
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    assert not list((root / "tmp").glob("assurance-crash-*")), text


@pytest.mark.parametrize(
    "raised", ["RuntimeError", "SystemExit0", "SystemExit1", "PluginAbort", "GeneratorExit"]
)
def test_an_adapter_failing_as_it_starts_names_the_target_file_and_the_plugin(
    tmp_path: Path, raised: str
) -> None:
    # It was "internal error: RuntimeError: ..." naming neither the target file nor the plugin,
    # with a crash file saved; a SystemExit ended the command silently with the plugin's code
    # (0: as if every gate passed, 1: as if one failed).
    env = _project(tmp_path)
    proc = _run(tmp_path, env, f"start:{raised}")
    assert proc.returncode == 3, proc.stderr
    errors = _errors(proc.stderr)
    assert errors[0].startswith(NAMED), errors
    assert ("SystemExit" if raised.startswith("SystemExit") else raised) in errors[0], errors
    assert errors[1:] == ["error: no response was recorded; run again after a fix"], errors
    _no_crash(tmp_path, proc)
    assert not [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]


@pytest.mark.parametrize(
    "fault", ["init:RuntimeError", "init:SystemExit0", "fingerprint:PluginAbort"]
)
def test_an_adapter_failing_before_anything_is_sent_names_the_target_file_and_the_plugin(
    tmp_path: Path, fault: str
) -> None:
    env = _project(tmp_path)
    proc = _run(tmp_path, env, fault)
    assert proc.returncode == 3, proc.stderr
    errors = _errors(proc.stderr)
    assert len(errors) == 1 and errors[0].startswith(NAMED), errors
    _no_crash(tmp_path, proc)


def test_an_adapter_failing_as_it_closes_keeps_the_answers_and_the_run_resumes(
    tmp_path: Path,
) -> None:
    env = _project(tmp_path)
    proc = _run(tmp_path, env, "close:PluginAbort")
    assert proc.returncode == 3, proc.stderr
    errors = _errors(proc.stderr)
    assert errors[0].startswith(NAMED) and "PluginAbort: the plugin gave up" in errors[0], errors
    resume = re.fullmatch(
        r"error: the responses so far are saved; .*continue with: (.*)", errors[1]
    )
    assert resume is not None and len(errors) == 2, errors
    _no_crash(tmp_path, proc)
    (run,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]
    journal = (run / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["response"] for line in journal) == ["echo hi", "echo there"]

    args = resume.group(1).split()[1:]  # 'assurance' dropped
    finished = run_cli(*args, cwd=tmp_path, env=env, timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert (run / "summary.json").is_file()


def test_an_adapter_whose_close_never_returns_is_left_after_its_timeout_with_a_warning(
    tmp_path: Path,
) -> None:
    """Was: the run hung at its end for ever, every answer in, until a signal ended it."""
    env = _project(tmp_path)
    (tmp_path / "t.yaml").write_text("type: faulty\ntimeout_s: 0.5\n", encoding="utf-8")
    proc = run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"),
        cwd=tmp_path,
        env={**env, "FAULT": "close:hang"},
        timeout=20,
    )
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [
        "warning: t.yaml: the target's close() did not return within its timeout_s (0.5 s); "
        "the run went on without it (every answer is saved)"
    ], proc.stderr
    _no_crash(tmp_path, proc)
    (run,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]
    assert json.loads((run / "summary.json").read_text(encoding="utf-8"))["status"] == "passed"


def test_targets_check_and_validate_name_the_target_file_and_the_plugin(tmp_path: Path) -> None:
    env = _project(tmp_path)
    checked = run_cli(
        "targets", "check", "t.yaml", cwd=tmp_path, env={**env, "FAULT": "start:SystemExit0"}
    )
    assert checked.returncode == 3, checked.stderr
    assert _errors(checked.stderr)[0].startswith(NAMED), checked.stderr
    _no_crash(tmp_path, checked)
    validated = run_cli(
        "validate", "t.yaml", cwd=tmp_path, env={**env, "FAULT": "init:SystemExit1"}
    )
    assert validated.returncode == 2, validated.stdout + validated.stderr
    assert "t.yaml: the target plugin 'faulty' (faultyplug:Faulty) failed" in validated.stderr
    _no_crash(tmp_path, validated)


@pytest.mark.parametrize(
    "command", [("run", "s.yaml", "--target"), ("validate",), ("targets", "check")]
)
def test_a_plugin_that_cannot_be_imported_is_named_at_the_type_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = _project(tmp_path, kind="unloadable")
    proc = run_cli(*command, "t.yaml", cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        "t.yaml:1: type: cannot load target plugin 'unloadable' (no_such_module_hp:Thing): "
        "ModuleNotFoundError: No module named 'no_such_module_hp'; "
    ) in proc.stderr, proc.stderr
    _no_crash(tmp_path, proc)


@pytest.mark.parametrize(("fault", "said"), [("returns:None", "NoneType"), ("returns:int", "int")])
def test_an_answer_that_is_not_a_response_is_an_error_row_not_a_crash(
    tmp_path: Path, fault: str, said: str
) -> None:
    env = _project(tmp_path)
    proc = _run(tmp_path, env, fault)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # every request failed
    _no_crash(tmp_path, proc)
    (run,) = [p for p in (tmp_path / "reports").iterdir() if p.is_dir()]
    rows = [json.loads(line) for line in (run / "responses.jsonl").read_text().splitlines()]
    assert [row["error"]["type"] for row in rows] == ["bad_response"] * 2, rows
    assert (
        said in rows[0]["error"]["message"] and "GenerationResponse" in rows[0]["error"]["message"]
    )
