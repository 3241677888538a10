"""An operator none of whose variants was compared with its original (every one a failed
request, left unchanged, or without an original) is a group without data in flip-rate and
attack-success, so a gate on every group fails on it and says why. It was left out of
``groups``: a ``max:`` gate passed on the operators that were measured, as if the one that
measured nothing had been robust. Rows and a streamed run's columns agree."""

from __future__ import annotations

from pathlib import Path

from tests.metrics.columns_check import compare_with_rows
from tests.metrics.pairs_fixture import pair_row, pairs_suite


def _row(case: str, meta: dict[str, object], matched: bool, *, error: bool = False) -> dict:
    http_400 = {"type": "http_error", "message": "400"}
    return pair_row(case, meta, matched=matched, error=http_400 if error else None)


def _original(source: str) -> dict:
    meta = {"source_id": source, "original": True, "perturbation": "none"}
    return _row(source, meta, True)


def _variant(source: str, op: str, matched: bool, *, error: bool = False, changed: bool = True):
    meta = {
        "source_id": source,
        "original": False,
        "perturbation": op,
        "perturbation_changed": changed,
    }
    return _row(f"{source}~{op}#0", meta, matched, error=error)


ROWS = [
    _original("a"),
    _original("b"),
    _variant("a", "typo", True),
    _variant("b", "typo", True),
    # Every leetspeak request failed (an endpoint refusing the digits with a 400, say).
    _variant("a", "leetspeak", False, error=True),
    _variant("b", "leetspeak", False, error=True),
    # The synonym operator changed neither prompt.
    _variant("a", "synonym", True, changed=False),
    _variant("b", "synonym", True, changed=False),
]


def test_an_operator_that_measured_nothing_fails_each_group_gate(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.5), encoding="utf-8")
    values, verdicts = compare_with_rows(suite, ROWS, samples=1, chunk=3, seed=0)
    for metric, verdict in zip(("flips", "asr"), verdicts, strict=True):
        groups = values[metric].groups or {}
        assert sorted(groups) == ["leetspeak", "synonym", "typo"], (metric, groups)
        assert groups["typo"].value == 0.0 and groups["typo"].n == 2
        for op in ("leetspeak", "synonym"):
            assert groups[op].value is None and groups[op].n == 0, (metric, op)
        leet = str(groups["leetspeak"].details.get("no_data_reason"))
        assert "2 failed" in leet, (metric, leet)
        synonym = str(groups["synonym"].details.get("no_data_reason"))
        assert "2 left unchanged" in synonym, (metric, synonym)
        assert verdict["verdict"] == "fail", (metric, verdict)
        assert sorted(verdict.get("groups_without_data") or []) == ["leetspeak", "synonym"]


def test_a_case_that_is_no_variant_makes_no_group(tmp_path: Path) -> None:
    """A suite's plain case (no source, no operator) beside the perturbed ones is no variant of
    anything: it makes no operator group without data (a gate failing on 'None')."""
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.5), encoding="utf-8")
    plain = _row("plain", {}, True)
    rows = [*ROWS[:4], plain]
    values, verdicts = compare_with_rows(suite, rows, samples=1, chunk=2, seed=0)
    for metric, verdict in zip(("flips", "asr"), verdicts, strict=True):
        assert sorted(values[metric].groups or {}) == ["typo"], (metric, values[metric])
        assert verdict["verdict"] == "pass", (metric, verdict)
