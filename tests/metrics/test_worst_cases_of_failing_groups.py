"""A gate that fails on a group names worst cases from its failing groups only.

Observed: a per-operator gate ``max: 0.2, bound: upper`` failed on operator ``typo`` (three
variants, none flipped: its upper bound 0.56 broke the limit) while ``leet`` (two flips in 60)
passed; with no row of ``typo`` to show, the worst cases fell back to the flips of every
operator, so the report, annex and register named ``leet``'s rows as the failing gate's
evidence. A failing group with no row that pushed it toward failing now shows none, for rows
and columns alike; a failing overall figure still shows its own."""

from __future__ import annotations

from typing import Any

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: worst
cases: [{id: a, prompt: x, metadata: {source_id: a, original: true, perturbation: none}}]
scorers: [{id: ref, use: refusal}]
metrics:
  - {id: flips, flip-rate: {value: ref.is_refusal}}
  - {id: asr, attack-success: {refused: ref.is_refusal}}
  - {id: answered, rate: "not ref.is_refusal", where: "not meta.original", by: meta.perturbation}
gates:
  - {metric: flips, max: 0.2, bound: upper}
  - {metric: asr, max: 0.2, bound: upper}
  - {metric: answered, max: 0.2, bound: upper}
"""
FLIPPED = (10, 11)
"""The ``leet`` variants answered where their original was refused."""


def _row(case_id: str, refused: bool, *, source: str, op: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "sample": 0,
        "response": "r",
        "error": None,
        "expected": {},
        "metadata": {
            "source_id": source,
            "original": op == "none",
            "perturbation": op,
            "perturbation_changed": True,
        },
        "scores": {"ref": {"is_refusal": refused}},
    }


def _rows(flipped: tuple[int, ...] = FLIPPED) -> list[dict[str, Any]]:
    """60 refused originals; ``typo`` perturbs three of them and flips none, ``leet`` perturbs
    all 60 and flips ``flipped``."""
    rows = [_row(f"c{i}", True, source=f"c{i}", op="none") for i in range(60)]
    rows += [_row(f"c{i}~typo", True, source=f"c{i}", op="typo") for i in range(3)]
    rows += [_row(f"c{i}~leet", i not in flipped, source=f"c{i}", op="leet") for i in range(60)]
    return rows


def test_a_group_that_failed_on_its_bound_alone_names_no_other_groups_rows(write) -> None:
    _, verdicts = compare_with_rows(write("s.yaml", SUITE), _rows(), samples=1, chunk=7, seed=0)
    for verdict in verdicts:
        assert verdict["verdict"] == "fail", verdict
        assert verdict["failing_groups"] == ["typo"], verdict
        assert verdict["worst_cases"] == [], verdict  # not leet's c10~leet#0, c11~leet#0


def test_a_failing_group_with_rows_to_show_still_shows_them(write) -> None:
    """A flip in ``typo`` is its evidence: it is named, and ``leet``'s flips are not."""
    rows = _rows()
    rows[60] = _row("c0~typo", False, source="c0", op="typo")
    _, verdicts = compare_with_rows(write("s.yaml", SUITE), rows, samples=1, chunk=7, seed=0)
    for verdict in verdicts:
        assert verdict["failing_groups"] == ["typo"], verdict
        assert verdict["worst_cases"] == ["c0~typo#0"], verdict


def test_a_failing_overall_figure_still_names_its_rows(write) -> None:
    """Where the overall figure failed too, the rows that pushed it there are its evidence."""
    suite = SUITE.replace("max: 0.2, bound: upper", "max: 0.01, bound: point")
    _, verdicts = compare_with_rows(write("s.yaml", suite), _rows(), samples=1, chunk=7, seed=0)
    for verdict in verdicts:
        assert verdict["verdict"] == "fail", verdict
        assert verdict["checked"] > 0.01 and verdict["failing_groups"] == ["leet"], verdict
        assert verdict["worst_cases"] == ["c10~leet#0", "c11~leet#0"], verdict


PAIRED = """suite: worst
cases: [{id: a, prompt: x, metadata: {source_id: a, original: true, perturbation: none}}]
scorers: [{id: m, use: length}]
metrics:
  - id: delta
    paired: {value: m.words, pair_by: meta.source_id, group: meta.perturbation, reference: none}
gates:
  - {metric: delta, min: -0.1, bound: lower}
"""


def test_a_paired_gate_on_its_furthest_groups_figure_names_no_other_groups_rows(write) -> None:
    """A paired delta's own figure is its furthest group's, not one over every row: where that
    group failed on its lower bound alone (``typo``'s deltas 0.3, 0, 0), the rows that moved
    the other way are ``leet``'s (two deltas of -0.05), a group that passed."""
    rows = []
    for op, count in (("none", 60), ("typo", 3), ("leet", 60)):
        for i in range(count):
            words = 1.0 + (0.3 if (op, i) == ("typo", 0) else 0.0)
            words -= 0.05 if op == "leet" and i in FLIPPED else 0.0
            row = _row(f"c{i}" if op == "none" else f"c{i}~{op}", True, source=f"c{i}", op=op)
            row["scores"] = {"m": {"words": words}}
            rows.append(row)
    got, verdicts = compare_with_rows(write("s.yaml", PAIRED), rows, samples=1, chunk=7, seed=0)
    [verdict] = verdicts
    assert verdict["verdict"] == "fail" and verdict["failing_groups"] == ["typo"], verdict
    assert verdict["checked"] == got["delta"].groups["typo"].ci_low, verdict
    assert verdict["worst_cases"] == [], verdict  # not leet's c10~leet#0, c11~leet#0
