"""A robustness rate whose originals' requests failed (their variants answered) said "no
original row to compare the variants with (meta.original is true on none): the perturb and
attack expanders keep each original unless keep_original: false", sending the author to an
expander setting that was right, away from the failures that were the cause. It says now that
the originals failed, and how many; rows and a streamed run's columns alike."""

from __future__ import annotations

from pathlib import Path

from tests.metrics.columns_check import compare_with_rows
from tests.metrics.pairs_fixture import pair_row, pairs_suite


def _row(case: str, meta: dict[str, object], *, failed: bool) -> dict[str, object]:
    return pair_row(
        case, meta, error={"type": "timeout", "message": "timed out"} if failed else None
    )


def _rows(failed_originals: list[str]) -> list[dict[str, object]]:
    rows = []
    for source in ("a", "b"):
        original = {"source_id": source, "original": True, "perturbation": "none"}
        rows.append(_row(source, original, failed=source in failed_originals))
        variant = {"source_id": source, "original": False, "perturbation": "typo"}
        rows.append(_row(f"{source}~typo#0", variant, failed=False))
    return rows


def test_originals_that_all_failed_are_named_as_the_cause(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, _rows(["a", "b"]), samples=1, chunk=1, seed=0)
    for metric in ("flips", "asr"):
        value = values[metric]
        assert value.value is None
        reason = str(value.details.get("reason"))
        assert "2 original" in reason and "failed" in reason, (metric, reason)
        assert "keep_original" not in reason, (metric, reason)
        assert value.details.get("n_failed_originals") == 2, value.details


def test_a_run_without_failed_originals_keeps_its_details_shape(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, _rows([]), samples=1, chunk=2, seed=0)
    assert "n_failed_originals" not in values["flips"].details
