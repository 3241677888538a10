"""``dataset.where`` compares a row's value with the one written in the suite as values, not as
Python's text for them. Observed: ``where: {n: null}`` also kept rows whose value is the text
"None"; ``where: {flag: true}`` kept a CSV's "True" but not its "true"; ``where: {level: 1}``
left out a JSON row holding ``1.0``: a suite ran on other cases than the filter says, silently.
"""

from __future__ import annotations

import json

import pytest

from assurance_harness.spec.loader import load_suite


def _kept(write, rows_text: str, suffix: str, where: str) -> list[str]:
    write(f"d.{suffix}", rows_text)
    suite = write("s.yaml", f"suite: x\ndataset: {{path: d.{suffix}, where: {where}}}\n")
    return [c.id for c in load_suite(suite).cases]


JSON_ROWS = "".join(
    json.dumps({"id": i, "prompt": "p", "v": v}) + "\n"
    for i, v in [("null", None), ("text-None", "None"), ("one", 1), ("one-point-0", 1.0),
                 ("true", True), ("text-true", "true"), ("zero", 0), ("false", False)]
)  # fmt: skip


@pytest.mark.parametrize(
    ("where", "kept"),
    [
        ("{v: null}", ["null"]),
        ("{v: 1}", ["one", "one-point-0"]),
        ("{v: true}", ["true", "text-true"]),  # text that spells it, as a CSV's
        ("{v: false}", ["false"]),
        ("{v: 0}", ["zero"]),
        ("{v: [1, null]}", ["null", "one", "one-point-0"]),
        ("{v: 'true'}", ["true", "text-true"]),
    ],
)
def test_json_rows_are_kept_by_value(write, where: str, kept: list[str]) -> None:
    assert _kept(write, JSON_ROWS, "jsonl", where) == kept


CSV_ROWS = "id,prompt,v\nempty,p,\nlower,p,true\nupper,p,True\nint,p,1\nfloat,p,1.0\ntext,p,None\n"


@pytest.mark.parametrize(
    ("where", "kept"),
    [
        ("{v: true}", ["lower", "upper"]),
        ("{v: 1}", ["int", "float"]),
        ("{v: null}", ["empty"]),
        ("{v: None}", ["text"]),  # YAML reads the word None as text
    ],
)
def test_csv_text_is_kept_by_the_value_it_spells(write, where: str, kept: list[str]) -> None:
    assert _kept(write, CSV_ROWS, "csv", where) == kept
