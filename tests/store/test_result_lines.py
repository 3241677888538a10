"""results.jsonl lines of rows the runner makes are written without validating them again
(``runlog._as_dumped``): the bytes equal validating and dumping each row, for rows that take
that path and for every kind of row that does not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from pydantic import ValidationError

from assurance_harness.store import runlog
from assurance_harness.store.runlog import ResultRow, result_line


def _validated(row: dict) -> bytes:
    data = runlog._dump(ResultRow.model_validate(row))
    line = runlog._row_json(data, ascii=False) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        return (runlog._row_json(data, ascii=True) + "\n").encode("ascii")


def _row(**changes: object) -> dict:
    row = {
        "case_id": "c0",
        "sample": 0,
        "seed": 257902505,
        "prompt": "Question 0: what is 0 plus 0?",
        "messages": None,
        "response": "The answer is 0. word",
        "error": None,
        "metadata": {"group": "g0", "n": [1, 2.5, None, True, {"k": "v"}]},
        "expected": {},
        "scores": {"num": {"matched": True, "count": 1}, "len": {"chars": 41.0}},
        "latency_s": 0.000623,
        "attempts": 1,
        "cached": False,
        "model_version": None,
    }
    row.update(changes)
    return row


@dataclass
class Point:
    x: int


class Inner(ResultRow):
    pass


PLAIN = [
    _row(),
    _row(messages=[{"role": "user", "content": "hi"}], prompt="hi"),
    _row(error={"type": "timeout", "message": "no response", "status": None}, response=None),
    _row(latency_s=float("nan"), seed=None, attempts=None, model_version="m-1", cached=True),
    _row(response="cut mid-emoji \ud83d", metadata={"s": "\ud800"}),
    _row(expected={"must_refuse": True, "must_contain": ["a"]}),
]
VALIDATED = [
    _row(latency_s=1),  # an int latency is written as a float
    _row(sample=True),
    _row(metadata={"when": date(2024, 1, 2)}),
    _row(metadata={"t": (1, 2)}),
    _row(metadata={"d": {1: "x"}}),
    _row(scores={"p": {"at": Point(3)}}),
    _row(scores={"m": {"inner": Inner(case_id="x")}}),
    _row(extra_field="kept"),
    {k: v for k, v in reversed(_row().items())},
    {k: v for k, v in _row().items() if k != "seed"},
]


@pytest.mark.parametrize("row", PLAIN + VALIDATED)
def test_a_line_equals_the_validated_rows_line(row: dict) -> None:
    assert result_line(row) == _validated(row)
    assert (runlog._as_dumped(row) is not None) == any(row is p for p in PLAIN)


def test_the_plain_path_also_uses_numpy_numbers_validated() -> None:
    np = pytest.importorskip("numpy")
    row = _row(scores={"s": {"v": np.float64(0.5), "n": np.int64(3)}})
    assert runlog._as_dumped(row) is None
    assert result_line(row) == _validated(row)


@pytest.mark.parametrize(
    "bad",
    [
        _row(scores={"s": 1}),
        _row(messages=["hi"]),
        _row(case_id=None),
        _row(metadata=[]),
        _row(metadata={1: "x"}),
    ],
)
def test_a_row_the_model_rejects_is_still_rejected(bad: dict) -> None:
    with pytest.raises(ValidationError):
        result_line(bad)


def test_a_float_that_is_not_finite_is_strict_json_and_text_saying_so_is_kept() -> None:
    text = 'say "NaN", \\"Infinity\\" or -Infinity \\ NaN'
    row = _row(
        response=text,
        scores={"s": {"v": float("nan"), "up": float("inf"), "down": [float("-inf")]}},
    )

    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    for line in (result_line(row), result_line(_row(**{**row, "prompt": "\ud800"}))):
        data = json.loads(line, parse_constant=refuse)
        assert data["response"] == text
        assert data["scores"]["s"] == {"v": None, "up": float("inf"), "down": [float("-inf")]}


@pytest.mark.parametrize("row", PLAIN + VALIDATED)
def test_the_reused_encoder_writes_what_json_dumps_writes(row: dict) -> None:
    """``_row_json`` encodes with one C encoder made once (``runlog._STRICT_ROW``); its text
    must be ``json.dumps``'s, and a row with a float that is not finite still goes the loose
    way (NaN as null)."""
    data = runlog._as_dumped(row) or runlog._dump(ResultRow.model_validate(row))
    try:
        expected = json.dumps(data, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        assert '"latency_s": null' in runlog._row_json(data, ascii=False)
        return
    assert runlog._row_json(data, ascii=False) == expected
