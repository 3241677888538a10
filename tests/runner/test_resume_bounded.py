"""A resumed run finds what its journal holds a block at a time (cases on disk, the journal
indexed through temporary files, no dict of every response) and sends only what is missing:
with a journal out of order, with retried requests, junk and a torn last line, in blocks far
smaller than the run, it records what an uninterrupted run records."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.runner.run import run_suite
from assurance_harness.store import journalindex, spill

from .rowfiles import comparable_rows

SUITE = """\
suite: resume-bounded
samples: 2
dataset: {path: cases.jsonl, fields: {prompt: text, id: id, meta.group: group}}
scorers:
  - {id: len, use: length}
metrics:
  - {id: words, mean: len.words, by: meta.group}
  - {id: long, rate: "len.words > 3"}
"""

BOT = """\
from pathlib import Path

def reply(messages, params):
    text = messages[-1]["content"]
    with open(Path(__file__).parent / "sent.txt", "a") as handle:
        handle.write(text + "\\n")
    n = int(text.split()[-1])
    return "word " * (n % 7 + params["seed"] % 2)
"""


def _run(tmp: Path, reports: str, resume: str | None = None) -> tuple[Path, list[dict[str, Any]]]:
    outcome = run_suite(
        tmp / "suite.yaml",
        tmp / "bot.yaml",
        reports_dir=tmp / reports,
        resume=resume,
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    return outcome.run_dir, comparable_rows(outcome.run_dir)


def test_resume_in_small_blocks_sends_only_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "resume_bot.py").write_text(BOT)  # not "bot": modules stay imported
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: resume_bot:reply\npython_path: ['.']\nconcurrency: 4\n"
    )
    with (tmp_path / "cases.jsonl").open("w") as handle:
        for i in range(90):
            handle.write(json.dumps({"id": f"c{i}", "text": f"case {i}", "group": "ab"[i % 2]}))
            handle.write("\n")
    _, whole = _run(tmp_path, "whole")

    # An interrupted run: a third of the requests never answered, the rest out of order, some
    # answered twice (the later record counts), a junk line and a torn last line.
    run_dir, _ = _run(tmp_path, "resumed")
    for name in ("summary.json", "manifest.json", "results.jsonl"):
        (run_dir / name).unlink(missing_ok=True)
    records = (run_dir / "responses.jsonl").read_text().splitlines(keepends=True)
    rng = random.Random(3)
    rng.shuffle(records)
    kept, dropped = records[60:], records[:60]
    retried = [json.loads(line) for line in kept[:20]]
    for record in retried:
        record["response"] = "stale"
    stale = [json.dumps(r) + "\n" for r in retried]
    journal = stale + kept[:50] + ["not json\n"] + kept[50:] + [dropped[0][:-9]]
    (run_dir / "responses.jsonl").write_text("".join(journal))
    (tmp_path / "sent.txt").unlink()

    monkeypatch.setattr(spill, "BLOCK", 16)  # every array and the sort in many blocks
    monkeypatch.setattr(spill, "SORT_ROWS", 10)
    monkeypatch.setattr(spill, "FENCE", 4)
    monkeypatch.setattr(journalindex, "BLOCK", 16)
    monkeypatch.setattr(journalindex, "PAGE", 32)
    _, resumed = _run(tmp_path, "resumed", resume=run_dir.name)
    assert resumed == whole
    sent = sorted((tmp_path / "sent.txt").read_text().splitlines())
    expected = [json.loads(line)["case_id"].replace("c", "case ") for line in dropped]
    assert sent == sorted(expected)
