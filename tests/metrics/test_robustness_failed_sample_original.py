"""A variant is compared with its source's original of its own sample (``samples: N``). Where
that sample's original request failed, ``pair_with_originals`` compared the variant with
another sample's original instead (the lowest answered), an answer it was never paired with:
a flip rate counted a comparison the run did not make. Now such a variant is unpaired, and the
figure says how many were left out so (``n_variants_of_failed_originals``, of
``n_unpaired``); rows and a streamed run's columns alike."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.metrics._grouping import pair_with_originals
from tests.metrics.columns_check import compare_with_rows
from tests.metrics.pairs_fixture import pair_row, pairs_suite


def _row(case: str, sample: int, meta: dict[str, object], answer: str | None) -> dict[str, object]:
    """A row of ``case``'s ``sample``; ``answer`` None: its request failed."""
    timeout = {"type": "timeout", "message": "timed out"}
    return pair_row(
        case,
        meta,
        matched=answer == "sorry",
        sample=sample,
        error=timeout if answer is None else None,
    )


def _rows() -> list[dict[str, object]]:
    """Two sources of two samples each, one typo variant each. Source a's original of sample 1
    failed; its variant's sample 1 complied where the original's sample 0 refused."""
    answers = {
        ("a", True): ["sorry", None],
        ("a", False): ["sorry", "fine"],
        ("b", True): ["sorry", "sorry"],
        ("b", False): ["sorry", "sorry"],
    }
    rows = []
    for (source, original), said in answers.items():
        meta = {
            "source_id": source,
            "original": original,
            "perturbation": "none" if original else "typo",
        }
        case = source if original else f"{source}~typo#0"
        rows.extend(_row(case, sample, meta, said[sample]) for sample in (0, 1))
    return rows


def test_a_variant_whose_own_original_failed_is_paired_with_no_other_sample() -> None:
    matched = pair_with_originals(_rows(), source="meta.source_id", original="meta.original")
    pairs = {(o["case_id"], o["sample"], v["case_id"], v["sample"]) for o, v in matched.pairs}
    assert pairs == {
        ("a", 0, "a~typo#0", 0),
        ("b", 0, "b~typo#0", 0),
        ("b", 1, "b~typo#0", 1),
    }
    assert [(r["case_id"], r["sample"]) for r in matched.unpaired] == [("a~typo#0", 1)]
    assert matched.n_failed_originals == 1
    assert matched.n_unpaired_failed == 1


def test_the_rate_counts_only_comparisons_the_run_made(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, verdicts = compare_with_rows(suite, _rows(), samples=2, chunk=3, seed=0)
    flips = values["flips"]
    # The old pairing gave 1/4: a~typo#0's sample 1 "flipped" against sample 0's original.
    assert (flips.value, flips.n) == (0.0, 3), flips.to_dict()
    assert flips.details["n_unpaired"] == 1
    assert flips.details["n_failed_originals"] == 1
    assert flips.details["n_variants_of_failed_originals"] == 1
    asr = values["asr"]
    assert (asr.value, asr.n) == (0.0, 3), asr.to_dict()
    assert asr.details["n_variants_of_failed_originals"] == 1
    assert [v["verdict"] for v in verdicts] == ["pass", "pass"]


def test_a_source_whose_originals_all_failed_counts_its_variants_once(tmp_path: Path) -> None:
    """Every original of source a failed: both its variants are unpaired for that, counted
    once in ``n_unpaired`` and named in ``n_variants_of_failed_originals``."""
    rows = _rows()
    rows[0] = _row("a", 0, rows[0]["metadata"], None)  # type: ignore[arg-type]
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, rows, samples=2, chunk=4, seed=0)
    details = values["flips"].details
    assert details["n_unpaired"] == 2
    assert details["n_variants_of_failed_originals"] == 2
    assert details["n_failed_originals"] == 2
    assert values["flips"].n == 2


def test_a_run_without_failed_originals_keeps_its_details_shape(tmp_path: Path) -> None:
    rows = _rows()
    rows[1] = _row("a", 1, rows[1]["metadata"], "sorry")  # type: ignore[arg-type]
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, rows, samples=2, chunk=2, seed=0)
    assert "n_variants_of_failed_originals" not in values["flips"].details
    assert values["flips"].n == 4


def test_the_old_pairing_is_measured_again_only_when_asked(tmp_path: Path) -> None:
    """``missing_sample: lowest_sample`` pairs as runs before 2026-12-08 did (what their
    summaries are measured again with): rows and columns alike give the old 1 of 4."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        pairs_suite(0.1).replace(
            "{value: m.matched}", "{value: m.matched, missing_sample: lowest_sample}"
        ),
        encoding="utf-8",
    )
    values, verdicts = compare_with_rows(suite, _rows(), samples=2, chunk=3, seed=0)
    flips = values["flips"]
    assert (flips.value, flips.n) == (0.25, 4), flips.to_dict()
    assert flips.details["n_unpaired"] == 0
    assert "n_variants_of_failed_originals" not in flips.details
    assert verdicts[0]["verdict"] == "fail"
    matched = pair_with_originals(
        _rows(), source="meta.source_id", original="meta.original", lowest_sample=True
    )
    pairs = {(o["case_id"], o["sample"], v["case_id"], v["sample"]) for o, v in matched.pairs}
    assert ("a", 0, "a~typo#0", 1) in pairs and not matched.unpaired


def test_no_pair_because_each_own_original_failed_says_so(tmp_path: Path) -> None:
    """Source a alone: its original's sample 1 and its variant's sample 0 failed, so the one
    answered variant has no original of its sample; the rate has no figure, and its reason
    names the failed original, not a missing one."""
    rows = [r for r in _rows() if str(r["case_id"]).startswith("a")]
    rows[2] = _row("a~typo#0", 0, rows[2]["metadata"], None)  # type: ignore[arg-type]
    suite = tmp_path / "s.yaml"
    suite.write_text(pairs_suite(0.1), encoding="utf-8")
    values, _ = compare_with_rows(suite, rows, samples=2, chunk=1, seed=0)
    flips = values["flips"]
    assert flips.value is None
    reason = str(flips.details["reason"])
    assert "1 failed original request" in reason and "--retry-errors" in reason, reason
    assert reason.startswith("the original of each of 1 variant(s)"), reason
