"""A variant whose request failed was in no count of a flip-rate or attack-success: not a
pair, not unpaired, not skipped, so a rate of 0.0 over the variants that answered gave no hint
that others (a jailbreak a target's filter answered with an error, say) were never heard. The
details count them (``n_failed_variants``), as they count failed originals; rows and a
streamed run's columns alike."""

from __future__ import annotations

from pathlib import Path

from tests.metrics.columns_check import compare_with_rows
from tests.metrics.pairs_fixture import pair_row, pairs_suite


def _row(case: str, meta: dict[str, object], *, failed: bool) -> dict[str, object]:
    http_500 = {"type": "http_500", "message": "server error"}
    return pair_row(case, meta, matched=True, found=["sorry"], error=http_500 if failed else None)


def _rows(failed: set[str]) -> list[dict[str, object]]:
    rows = []
    for source in ("a", "b", "c"):
        original = {"source_id": source, "original": True, "perturbation": "none"}
        rows.append(_row(source, original, failed=False))
        for op in ("typo", "leetspeak"):
            case = f"{source}~{op}#0"
            variant = {"source_id": source, "original": False, "perturbation": op}
            rows.append(_row(case, variant, failed=case in failed))
    return rows


def test_failed_variants_are_counted(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(), encoding="utf-8")
    failed = {"a~leetspeak#0", "b~leetspeak#0"}
    plain = _row("plain", {}, failed=True)  # a failed case of no source is no variant
    values, _ = compare_with_rows(suite, [*_rows(failed), plain], samples=1, chunk=2, seed=0)
    for metric in ("flips", "asr"):
        value = values[metric]
        assert value.n == 4, (metric, value)
        assert value.details.get("n_failed_variants") == 2, (metric, value.details)


def test_a_run_without_failed_variants_keeps_its_details_shape(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(), encoding="utf-8")
    values, _ = compare_with_rows(suite, _rows(set()), samples=1, chunk=3, seed=0)
    assert "n_failed_variants" not in values["flips"].details
    assert "n_failed_variants" not in values["asr"].details
