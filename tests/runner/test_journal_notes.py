"""A fresh run's journal index noted while sending (``runner.journalnotes``) equals the one read
from the finished journal, and the notes give up (the run reads its journal) whenever they
cannot follow the executor."""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assurance_harness.datatypes import ErrorInfo, GenerationRequest, ResponseRecord
from assurance_harness.runner import journalnotes, run
from assurance_harness.runner.journalnotes import JournalNotes
from assurance_harness.store import journalindex, spill
from assurance_harness.store.journalindex import JournalIndex, index_journal
from assurance_harness.store.rundir import RunDir

CASES = [SimpleNamespace(id=f"c{i}") for i in range(300)]
SAMPLES = 2


def _plan() -> list[GenerationRequest]:
    return [
        GenerationRequest(case_id=c.id, sample=s, seed=s, messages=[], params={})
        for c in CASES
        for s in range(SAMPLES)
    ]


def _record(request: GenerationRequest, failed: bool) -> ResponseRecord:
    return ResponseRecord(
        case_id=request.case_id,
        sample=request.sample,
        seed=request.seed,
        response=None if failed else f"answer é {request.case_id}",
        error=ErrorInfo(type="server_error", message="boom") if failed else None,
    )


def _send(notes: JournalNotes, *, in_flight: int, seed: int) -> None:
    """An executor with ``in_flight`` requests out at a time, answered in a random order."""
    rng = random.Random(seed)
    out: list[GenerationRequest] = []
    for request in notes.requests():
        out.append(request)
        if len(out) >= in_flight:
            notes.on_record(_record(out.pop(rng.randrange(len(out))), rng.random() < 0.1))
    rng.shuffle(out)
    for request in out:
        notes.on_record(_record(request, False))


def _arrays(index: JournalIndex) -> tuple[np.ndarray, np.ndarray]:
    return index.offsets.numpy(), index.failed.numpy()


@pytest.mark.parametrize("in_flight", [1, 7, 64])
def test_noted_index_equals_the_index_read_from_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_flight: int
) -> None:
    monkeypatch.setattr(spill, "BLOCK", 64)  # several blocks and pages
    monkeypatch.setattr(journalnotes, "BLOCK", 64)
    monkeypatch.setattr(journalindex, "PAGE", 50)
    run_dir = RunDir(tmp_path / "run")
    run_dir.create()
    notes = JournalNotes(run_dir, _plan())
    run_dir.open_journal()
    _send(notes, in_flight=in_flight, seed=in_flight)
    run_dir.close_journal()
    noted = notes.finish()
    assert noted is not None
    read = index_journal(run_dir.responses, CASES, SAMPLES, folder=tmp_path)
    for mine, theirs in zip(_arrays(noted), _arrays(read), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert noted.missing() == 0 and noted.errors() == read.errors() > 0
    assert noted.read(10, 20) == read.read(10, 20)
    noted.close()
    read.close()


def _gives_up(tmp_path: Path, act: object) -> None:
    run_dir = RunDir(tmp_path / "run")
    run_dir.create()
    notes = JournalNotes(run_dir, _plan())
    run_dir.open_journal()
    assert callable(act)
    act(notes)
    run_dir.close_journal()
    assert notes.finish() is None


def test_a_request_taken_by_index_gives_up(tmp_path: Path) -> None:
    _gives_up(tmp_path, lambda notes: notes.requests()[3])


def test_a_record_of_a_request_not_taken_gives_up(tmp_path: Path) -> None:
    _gives_up(tmp_path, lambda notes: notes.on_record(_record(_plan()[5], False)))


def test_a_request_taken_and_not_answered_gives_up(tmp_path: Path) -> None:
    def act(notes: JournalNotes) -> None:
        taken = iter(notes.requests())
        notes.on_record(_record(next(taken), False))
        next(taken)

    _gives_up(tmp_path, act)


def test_too_many_requests_out_at_once_give_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journalnotes, "MAX_IN_FLIGHT", 10)

    def act(notes: JournalNotes) -> None:
        taken = list(notes.requests())  # the whole plan before any answer
        assert not notes._taken  # nothing more held once given up
        for request in taken:
            notes.on_record(_record(request, False))

    _gives_up(tmp_path, act)


@pytest.mark.parametrize("use_cache", [False, True])
def test_a_fresh_run_scores_from_the_noted_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_cache: bool
) -> None:
    """The run reads no journal for its index; a resumed one does. Observed with the response
    cache on (the default): the cache's read-ahead took the plan's requests by index, which
    the notes cannot follow, so every run with a cache read its whole journal again (about
    1.5 s of a 100,000-case run)."""
    (tmp_path / "suite.yaml").write_text(
        "suite: notes\nsamples: 2\ncases:\n"
        + "".join(f"  - {{id: c{i}, prompt: 'case {i}'}}\n" for i in range(20))
        + "scorers: [{id: len, use: length}]\nmetrics: [{id: words, mean: len.words}]\n"
    )
    (tmp_path / "notes_bot.py").write_text("def reply(messages):\n    return 'a b c'\n")
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: notes_bot:reply\npython_path: ['.']\nconcurrency: 3\n"
    )
    read: list[int] = []
    original = run._journal_index
    monkeypatch.setattr(run, "_journal_index", lambda *a: read.append(1) or original(*a))
    outcome = run.run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "bot.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=use_cache,
        write_reports=False,
        attach_evidence=False,
    )
    assert not read
    assert outcome.summary["metrics"]["words"]["value"] == 3
