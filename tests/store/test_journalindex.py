"""The journal index reads a run's responses back in request order, a range at a time, with
the journal's own rules: the last record for a request wins, a torn last line is ignored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assurance_harness.datatypes import ResponseRecord
from assurance_harness.store.journalindex import JournalIndex


def _line(case: str, sample: int, text: str) -> str:
    record = ResponseRecord(case_id=case, sample=sample, seed=1, response=text)
    return json.dumps(record.to_dict()) + "\n"


def test_records_come_back_in_request_order_last_one_winning(tmp_path: Path) -> None:
    cases = ["a", "b", "c"]
    position = {c: i for i, c in enumerate(cases)}
    journal = tmp_path / "responses.jsonl"
    journal.write_text(
        _line("c", 1, "c1")
        + _line("a", 0, "first a0")
        + "not json\n"
        + _line("b", 0, "b0")
        + _line("zz", 0, "not a request of this run")
        + _line("a", 0, "a0")  # a retried request: the later record counts
        + _line("a", 1, "a1")
        + _line("c", 0, "c0")
        + _line("b", 1, "b1")[:-5]  # torn by a crash
    )
    index = JournalIndex(
        journal,
        lambda keys: np.array([position[c] * 2 + s if c in position else -1 for c, s in keys]),
        6,
    )
    assert index.missing() == 1  # b#1 only in the torn line
    assert [r.response for r in index.read(0, 3)] == ["a0", "a1", "b0"]
    assert [r.response for r in index.read(4, 6)] == ["c0", "c1"]


def test_no_journal_yet_means_every_request_is_missing(tmp_path: Path) -> None:
    index = JournalIndex(tmp_path / "responses.jsonl", lambda keys: np.zeros(len(keys)), 4)
    assert index.missing() == 4
