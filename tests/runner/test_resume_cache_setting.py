"""``--resume`` continues a run with the cache setting it was started with, and its manifest
records that setting. Observed: a finished ``--no-cache`` run whose summary.json was gone,
resumed with a plain ``--resume ID``, got a manifest.json saying ``"cache": {"read": true}``
though run.json still said ``use_cache: false`` and nothing was read; and a plain resume (or
``--retry-errors``) of a ``--no-cache`` run took the answers of the requests it still had to
send from the response cache, recording cached answers as a fresh measurement."""

from __future__ import annotations

import json
from contextlib import chdir
from pathlib import Path

from tests.testing.cli import invoke_in_process
from tests.testing.project import callable_target

TARGET = """\
from pathlib import Path

HERE = Path(__file__).parent


def reply(messages, case_id):
    with (HERE / "calls.txt").open("a") as log:
        log.write(case_id + "\\n")
    if (HERE / "BROKEN").exists() and case_id == "b":
        raise ConnectionError("connection reset by peer")
    return "echo " + messages[-1]["content"]
"""
"""Logs each case sent to ``calls.txt``; fails case ``b`` while a file ``BROKEN`` exists."""


def _project(root: Path, suite: str) -> Path:
    """``s.yaml`` of three cases (suite ``suite``, no evidence: a plain run reads the cache) and
    ``t.yaml`` calling :data:`TARGET`."""
    callable_target(root, f"{suite.replace('-', '_')}_calls", TARGET)
    (root / "s.yaml").write_text(
        f"suite: {suite}\ncases:\n"
        "  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n  - {id: c, prompt: you}\n"
        "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
        "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n",
        encoding="utf-8",
    )
    return root


def _runs(root: Path) -> set[Path]:
    reports = root / "reports"
    return (
        {p for p in reports.iterdir() if (p / "run.json").exists()} if reports.exists() else set()
    )


def _run(root: Path, *options: str, code: int = 0) -> str:
    """``assurance run s.yaml --target t.yaml --no-report OPTIONS`` in ``root``; its output."""
    with chdir(root):
        done = invoke_in_process(["run", "s.yaml", "--target", "t.yaml", "--no-report", *options])
    assert done.exit_code == code, done.output
    return done.output


def _new_run(root: Path, *options: str, code: int = 0) -> Path:
    """The folder of a new run made with ``options``."""
    before = _runs(root)
    _run(root, *options, code=code)
    (folder,) = _runs(root) - before
    return folder


def _calls(root: Path) -> list[str]:
    path = root / "calls.txt"
    return path.read_text().split() if path.exists() else []


def _cache(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / "manifest.json").read_text())["cache"])


def _cached_run(root: Path) -> None:
    """A run that reads and writes the cache: every case's answer is in it afterwards."""
    _run(root)
    assert sorted(_calls(root)) == ["a", "b", "c"]


def test_a_finished_no_cache_run_resumed_records_the_cache_unread(tmp_path: Path) -> None:
    root = _project(tmp_path, "rc-finished")
    folder = _new_run(root, "--no-cache")
    assert _cache(folder)["read"] is False
    (folder / "summary.json").unlink()

    _run(root, "--resume", folder.name)

    assert _cache(folder) == {
        "read": False,
        "cached": 0,
        "requests": 3,
        "from_runs": {},
        "max_age_s": None,
    }
    assert json.loads((folder / "run.json").read_text())["options"]["use_cache"] is False


def test_a_no_cache_run_resumed_sends_what_is_missing_not_cached_answers(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, "rc-missing")
    _cached_run(root)
    folder = _new_run(root, "--no-cache")
    # What a kill -9 after the first answer leaves: the journal's first record, no summary.
    journal = folder / "responses.jsonl"
    journal.write_text(journal.read_text().splitlines(keepends=True)[0])
    (folder / "summary.json").unlink()
    before = len(_calls(root))

    _run(root, "--resume", folder.name)

    assert len(_calls(root)) - before == 2, "the two missing answers were not sent"
    cache = _cache(folder)
    assert (cache["read"], cache["cached"], cache["from_runs"]) == (False, 0, {})


def test_a_no_cache_run_retrying_its_errors_sends_them_again(tmp_path: Path) -> None:
    root = _project(tmp_path, "rc-retry")
    _cached_run(root)
    (root / "BROKEN").touch()
    folder = _new_run(root, "--no-cache", code=3)  # one error in three: above the default 10%
    (root / "BROKEN").unlink()
    before = len(_calls(root))

    _run(root, "--resume", folder.name, "--retry-errors")

    assert _calls(root)[before:] == ["b"], "the errored request was not sent again"
    cache = _cache(folder)
    assert (cache["read"], cache["cached"], cache["from_runs"]) == (False, 0, {})


def test_resume_refuses_another_cache_setting_than_the_runs(tmp_path: Path) -> None:
    root = _project(tmp_path, "rc-other")
    fresh = _new_run(root, "--no-cache")
    reading = _new_run(root)
    assert _cache(reading)["read"] is True
    for folder in (fresh, reading):
        (folder / "summary.json").unlink()
    sent = _calls(root)

    for folder, typed, started in (
        (fresh, "--cache", "started without reading the response cache"),
        (reading, "--no-cache", "started reading the response cache"),
    ):
        out = _run(root, typed, "--resume", folder.name, code=2)
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {typed}:"), out
        assert "run.json" in out and f"drop {typed}" in out, out
        assert not (folder / "summary.json").exists()
        assert started in out, out
    assert _calls(root) == sent


def test_a_cache_reading_run_resumed_still_reads_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path, "rc-reads")
    _cached_run(root)
    folder = _new_run(root)
    assert _cache(folder)["cached"] == 3
    (folder / "summary.json").unlink()

    _run(root, "--resume", folder.name)

    cache = _cache(folder)
    assert (cache["read"], cache["cached"]) == (True, 3)
