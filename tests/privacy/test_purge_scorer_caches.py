"""'runs purge' deletes a purged run's answers from the model scorers' cache files too.

``llm-judge`` and ``guard-model`` keep their answers in an SQLite file of their own when the
suite names one (``cache: FILE``), and a judge quotes what it grades (its ``reason``), a guard may
repeat its input. With redaction off those files were written, and a purge deleted the run's
prompts and responses from its folder, the review queue and the response cache, but never from
them: the purged text stayed on disk. Here the real ``assurance`` command runs a judge (a
callable target that quotes the prompt and response) and a guard (a real server on 127.0.0.1
that repeats its input), the run is purged, and every file of the project is searched.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from aiohttp import web

from ..testing.cli import run_cli
from ..testing.openai_stub import ThreadedServer, completion, json_response
from .purgedkit import age_run

PLANTED = "zelda.quux@example.org"

BOTS = """\
import json

def model(messages):
    return "Noted: " + messages[-1]["content"]

def judge(messages):
    with open("judge_calls.txt", "a") as calls:  # how often it was asked, not what
        calls.write("asked\\n")
    return json.dumps({"verdict": "harmful", "score": 0.9, "reason": messages[-1]["content"]})
"""


async def _guard(request: web.Request) -> web.Response:
    """A guard that says safe and repeats the conversation it was given."""
    body = await request.json()
    said = " ".join(str(m.get("content")) for m in body.get("messages", []))
    return json_response(completion(f"safe {said}"))


def _project(root: Path, guard_url: str) -> None:
    (root / "bots.py").write_text(BOTS)
    for name in ("model", "judge"):
        (root / f"{name}.yaml").write_text(
            f"type: callable\nfunction: bots:{name}\npython_path: ['.']\n"
        )
    (root / "suite.yaml").write_text(
        "suite: cached-scorers\ncases:\n"
        f"  - {{id: a, prompt: 'write to {PLANTED}'}}\n"
        "scorers:\n"
        "  - id: j\n    use: llm-judge\n"
        "    with: {target: judge.yaml, cache: caches/judge.sqlite, "
        "rubric: 'Grade. Prompt: {prompt} Response: {response}'}\n"
        "  - id: g\n    use: guard-model\n"
        f"    with: {{base_url: '{guard_url}', model: g, cache: caches/guard.sqlite}}\n"
        "metrics:\n  - {id: harmful, rate: j.flagged}\n"
        "gates:\n  - {metric: harmful, max: 1.0}\n"
    )


def _holding(root: Path) -> list[str]:
    """The files under ``root`` (the suite itself aside) holding the planted value."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.name != "suite.yaml" and PLANTED.encode() in p.read_bytes()
    )


def _run(root: Path) -> str:
    done = run_cli("run", "suite.yaml", "--target", "model.yaml", "--no-report", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    (run_id,) = [
        line.split("results in reports/")[1].strip()
        for line in done.stdout.splitlines()
        if "results in reports/" in line
    ]
    return run_id


def _answers(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


def _purge(root: Path, *extra: str) -> str:
    done = run_cli("runs", "purge", "--older-than", "90d", *extra, cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_purge_deletes_the_runs_answers_from_the_scorers_cache_files(tmp_path: Path) -> None:
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url)
        run_id = _run(tmp_path)
    held = _holding(tmp_path)
    assert "caches/judge.sqlite" in held and "caches/guard.sqlite" in held, held
    age_run(tmp_path / "reports" / run_id)

    output = _purge(tmp_path)
    assert _holding(tmp_path) == []
    assert f"purged {run_id}" in output
    judge = tmp_path / "caches" / "judge.sqlite"
    assert f"deleted 1 cached answer(s) of the purged runs from {judge}" in output, output


def test_dry_run_names_the_cached_answers_and_deletes_none(tmp_path: Path) -> None:
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url)
        run_id = _run(tmp_path)
    age_run(tmp_path / "reports" / run_id)
    before = _holding(tmp_path)

    output = _purge(tmp_path, "--dry-run")
    assert _holding(tmp_path) == before
    guard_file = tmp_path / "caches" / "guard.sqlite"
    assert f"would delete 1 cached answer(s) of the purged runs from {guard_file}" in output


def test_an_answer_a_kept_run_shares_is_deleted_too(tmp_path: Path) -> None:
    """The old run's answers were read from the cache by a newer run that stays: they are the
    purged run's texts all the same, so they go (the newer run keeps its own copy in its
    results; scoring it again asks the judge again)."""
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url)
        old = _run(tmp_path)
        kept = _run(tmp_path)
    asked = (tmp_path / "judge_calls.txt").read_text().splitlines()
    assert len(asked) == 1  # the newer run read the old run's answer from the cache
    age_run(tmp_path / "reports" / old)

    _purge(tmp_path)
    assert _answers(tmp_path / "caches" / "judge.sqlite") == 0
    assert _answers(tmp_path / "caches" / "guard.sqlite") == 0
    assert _holding(tmp_path) == [
        f"reports/{kept}/cases.jsonl",
        f"reports/{kept}/responses.jsonl",
        f"reports/{kept}/results.jsonl",
    ]


def test_a_kept_run_keeps_the_answers_only_it_received(tmp_path: Path) -> None:
    """Only the purged run's entries go: a newer run's other answers stay in the file."""
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url)
        old = _run(tmp_path)
        suite = tmp_path / "suite.yaml"
        suite.write_text(suite.read_text().replace(PLANTED, "someone else"))
        _run(tmp_path)
    assert _answers(tmp_path / "caches" / "judge.sqlite") == 2
    age_run(tmp_path / "reports" / old)

    _purge(tmp_path)
    assert _answers(tmp_path / "caches" / "judge.sqlite") == 1
    assert _holding(tmp_path) == []


@pytest.mark.parametrize("extra", [(), ("--dry-run",)], ids=["purge", "dry-run"])
def test_a_cache_file_that_is_not_where_the_run_used_it_is_named(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    """The project moved, or the file did: the purge passed over the cache file its run's
    summary names without a word, and said nothing of the copies of the purged text it may
    still hold wherever it is now."""
    with ThreadedServer(_guard) as guard:
        _project(tmp_path, guard.base_url)
        run_id = _run(tmp_path)
    age_run(tmp_path / "reports" / run_id)
    judge = tmp_path / "caches" / "judge.sqlite"
    judge.rename(tmp_path / "judge-moved.sqlite")

    output = _purge(tmp_path, *extra)
    (line,) = [x for x in output.splitlines() if str(judge) in x]
    assert line.startswith("warning: ") and "not there" in line and run_id in line, line
    assert "were not deleted" in line, line
