"""The terminal stays alive through a run: the run id from the start, sending, then scoring.

Issue 13: a bar stuck at 408/408 for 75 s while the scorers ran looked hung, the run id appeared
only at the end, and a CI log (no TTY) got no progress at all.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from assurance_harness.cli_progress import RunProgress
from assurance_harness.datatypes import Case
from assurance_harness.runner.scoring import apply_scorers
from assurance_harness.spec.loader import load_suite

CASES = 30
SUITE = (
    "suite: prog\nsamples: 2\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'question {i}'}}\n" for i in range(CASES))
    + "scorers:\n  - {id: len, use: length, batch_size: 8}\n"
    "metrics:\n  - {id: long, rate: 'len.words > 3'}\n"
    "gates:\n  - {metric: long, max: 1.0}\n"
)
BOT = "import time\n\n\ndef reply(text):\n    time.sleep(0.03)\n    return 'answer: ' + str(text)\n"
TARGET = "type: callable\nname: slow-bot\nfunction: slow_bot:reply\npython_path: ['.']\n"


def test_apply_scorers_reports_each_batch(write) -> None:
    suite = load_suite(write("s.yaml", SUITE))
    rows = [
        {"case_id": c.id, "sample": 0, "response": "a b c d e", "error": None, "scores": {}}
        for c in suite.cases[:20]
    ]
    rows.append({"case_id": "c20", "sample": 0, "response": None, "error": {}, "scores": {}})
    cases: dict[str, Case] = {c.id: c for c in suite.cases}
    calls: list[tuple[str, int, int]] = []
    apply_scorers(suite.scorers, rows, cases, suite.context(), progress=lambda *a: calls.append(a))
    # started, then after each batch of 8; the failed request is not counted
    assert calls == [("len", 0, 20), ("len", 8, 20), ("len", 16, 20), ("len", 20, 20)]


def test_plain_lines_are_rate_limited_and_cover_scoring() -> None:
    buffer = io.StringIO()
    now = [0.0]
    progress = RunProgress(
        "prog",
        console=Console(file=buffer, width=200, markup=False),
        live=False,
        every_s=5.0,
        clock=lambda: now[0],
    )
    with progress:
        progress.started_run("20261202T070000Z-prog-ab12")
        for done in range(1001):  # 1000 responses over 20 s
            now[0] = done * 0.02
            progress(done, 1000, 0)
        for done in range(0, 1001, 50):  # one scorer, 50 per batch over 30 s
            now[0] = 20 + done * 0.03
            progress.scoring("tox", done, 1000)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "prog: run 20261202T070000Z-prog-ab12"
    sending = [line for line in lines if ": sending " in line]
    scoring = [line for line in lines if ": scoring tox " in line]
    assert sending[0].startswith("prog: sending 0/1000 (0%)")
    assert sending[-1].startswith("prog: sending 1000/1000 (100%)")
    assert 5 <= len(sending) <= 7  # start, every 5 s of 20 s, end: never one per response
    assert "about" in sending[1] and "left" in sending[1]
    assert scoring[0].startswith("prog: scoring tox 0/1000") and "1000/1000" in scoring[-1]
    assert 6 <= len(scoring) <= 9


def test_a_run_without_a_tty_prints_its_id_then_plain_progress_lines(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "target.yaml").write_text(TARGET)
    (tmp_path / "slow_bot.py").write_text(BOT)
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        "ASSURANCE_PROGRESS_EVERY": "0.3",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "assurance_harness.cli", "run", "suite.yaml", "-t", "target.yaml",
         "--no-evidence", "--no-report", "--no-cache", "--concurrency", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("suite: ")]
    assert re.fullmatch(r"suite: run \d{8}T\d{6}Z-prog-[0-9a-f]+", lines[0]), lines
    run_id = lines[0].split(" run ")[1]
    assert run_id in proc.stdout  # the same id the outcome names at the end
    sending = [line for line in lines if ": sending " in line]
    total = 2 * CASES
    assert sending[0].startswith(f"suite: sending 0/{total} ")
    assert sending[-1].startswith(f"suite: sending {total}/{total} (100%)")
    assert 3 <= len(sending) < total // 4, lines  # every 0.3 s of ~2 s, not one per response
    assert any(f"scoring len {total}/{total}" in line for line in lines), lines
    assert "\r" not in proc.stderr and "\x1b[" not in proc.stderr  # no bar drawn in a log


def test_the_live_bar_names_the_run_and_each_scorer() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True, markup=False)
    with RunProgress("prog", console=console, live=True) as progress:
        progress.started_run("20261202T070000Z-prog-ab12")
        for done in range(11):
            progress(done, 10, 1)
        for scorer in ("tox", "age"):
            for done in (0, 5, 10):
                progress.scoring(scorer, done, 10)
    text = buffer.getvalue()
    assert "prog: run 20261202T070000Z-prog-ab12" in text
    assert "errors 1" in text and "10/10" in text
    assert "scoring age" in text  # the bar goes on past sending, one scorer after the other


def test_a_run_scored_in_chunks_reports_progress_over_the_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed run scores chunk after chunk (``rowstream.CHUNK_ROWS``): the bar must count
    the run's responses, not restart at 0/chunk for every chunk (that reads as going back)."""
    from assurance_harness.runner import rowstream
    from assurance_harness.runner import run as run_module

    monkeypatch.setattr(rowstream, "CHUNK_ROWS", 25)
    (tmp_path / "fast_bot.py").write_text("def reply(text):\n    return 'answer: ' + str(text)\n")
    (tmp_path / "target.yaml").write_text(TARGET.replace("slow_bot", "fast_bot"))
    (tmp_path / "suite.yaml").write_text(SUITE)
    calls: list[tuple[str, int, int]] = []
    run_module.run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "target.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
        scoring_progress=lambda *a: calls.append(a),
    )
    total = 2 * CASES  # 60 responses in chunks of 25, 25 and 10
    done = [d for _, d, _ in calls]
    assert done == sorted(done), calls  # never goes back
    assert {t for _, _, t in calls} == {total}, calls
    assert calls[-1] == ("len", total, total)
    assert ("len", 25, total) in calls and ("len", 50, total) in calls
