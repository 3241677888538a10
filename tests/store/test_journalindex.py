"""The journal index reads a run's responses back in request order, a range at a time, with
the journal's own rules: the last record for a request wins, a torn last line is ignored."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assurance_harness.datatypes import ErrorInfo, ResponseRecord
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


def _error(case: str, sample: int) -> str:
    error = ErrorInfo(type="timeout", message="timed out")
    record = ResponseRecord(case_id=case, sample=sample, seed=1, response=None, error=error)
    return json.dumps(record.to_dict()) + "\n"


def test_a_retry_sends_the_errors_from_before_it_began_and_counts_what_they_came_to(
    tmp_path: Path,
) -> None:
    """``--retry-errors`` (``runner.retryerrors``): the requests to send again are those whose
    last record is an error from before the retry's first byte; an error of the retry itself is
    not sent again by resuming it, and ``retried`` counts answered and failed-again."""
    position = {"a": 0, "b": 1, "c": 2, "d": 3}
    journal = tmp_path / "responses.jsonl"
    before = _line("a", 0, "a0") + _error("b", 0) + _error("c", 0) + _error("d", 0)
    journal.write_text(before + _line("b", 0, "b0 again") + _error("c", 0))
    since = len(before.encode())

    def positions(keys: list[tuple[str, int]]) -> np.ndarray:
        return np.array([position[c] for c, _ in keys])

    index = JournalIndex(journal, positions, 5)  # position 4: never sent
    earlier = JournalIndex(journal, positions, 5, stop=since)
    assert earlier.errors() == 3 and earlier.missing() == 1
    assert index.retrying(since) == 1  # d: its error is from before; c failed again since
    assert index.pending(errors_before=since).numpy().tolist() == [3, 4]
    assert index.pending().numpy().tolist() == [4]
    assert index.retried(earlier, since) == (1, 1)  # b answered, c failed again (d not yet)


def test_a_chunk_decoded_in_one_call_is_each_line_decoded_alone(tmp_path: Path) -> None:
    """``read`` decodes a chunk's lines as one JSON array; the records must be those of each
    line read alone, whatever the line holds (an error, text that looks like JSON, non-ASCII,
    a duplicated key), and a chunk the one call cannot read falls back to line by line."""
    from assurance_harness.store.journalindex import _decode_lines

    records = [
        ResponseRecord(case_id="a", sample=0, seed=1, response='], [{"x": 1}'),
        ResponseRecord(
            case_id="b", sample=0, seed=2, response=None, error=ErrorInfo("timeout", "slow", 504)
        ),
        ResponseRecord(case_id="c", sample=0, seed=3, response="\u00e9 \U0001f600 caf\u00e9"),
    ]
    lines = [(json.dumps(r.to_dict(), ensure_ascii=False) + "\n").encode() for r in records]
    lines.append(b'{"case_id": "d", "sample": 0, "seed": 4, "response": "x", "seed": 5}\n')
    assert _decode_lines(lines) == [json.loads(line) for line in lines]
    journal = tmp_path / "responses.jsonl"
    journal.write_bytes(b"".join(lines))
    index = JournalIndex(journal, lambda keys: np.array([ord(c) - 97 for c, _ in keys]), 4)
    got = index.read(0, 4)
    assert got[:3] == records
    assert got[3].seed == 5  # the last of a duplicated key, as json.loads gives
    index.close()
    # Not one JSON array (a BOM, a line of two values): each line alone, as before.
    assert _decode_lines([b"\xef\xbb\xbf" + lines[0], lines[1]]) == [
        json.loads(b"\xef\xbb\xbf" + lines[0]),
        json.loads(lines[1]),
    ]
    with pytest.raises(ValueError):
        _decode_lines([lines[0], b"1, 2\n"])
