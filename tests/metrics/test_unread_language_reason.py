"""A refusal rate that skips answers in a language the scorer does not read says so, naming
the language, not the llm-judge's hint.

The refusal scorer leaves such an answer unread (``parse_error``, ``unread_reason``
"language_unsupported: written in Polish, ..."). The skipped rows' note said "scorer 'ref'
could not parse the answer it was given on 3 of them ...: check that the prompt it sends (a
judge's rubric) asks for an answer in a format the scorer reads": the wrong fix for a scorer
that sends no prompt. The same from a streamed run's columns as from rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.metrics.columns_check import compare_with_rows

SUITE = """suite: languages
cases: [{id: c0, prompt: p}]
scorers: [{id: ref, use: refusal}]
metrics:
  - {id: refused, rate: ref.is_refusal}
  - {id: refusal_score, mean: ref.score}
  - {id: polish_refused, rate: ref.is_refusal, where: "meta.lang == 'pl'"}
"""

READS = "English and, by phrase patterns, Spanish, French, German, Italian, Portuguese and Dutch"


def _ref(is_refusal: bool | None, written: str | None = None) -> dict[str, Any]:
    if written is None:
        return {"is_refusal": is_refusal, "score": 0.9 if is_refusal else 0.1, "parse_error": False}
    return {
        "is_refusal": None,
        "score": None,
        "parse_error": True,
        "unread_reason": f"language_unsupported: {written}; the refusal scorer reads {READS}",
    }


def _rows() -> list[dict[str, Any]]:
    refs = [
        ("en", _ref(True)),
        ("en", _ref(False)),
        ("pl", _ref(None, "written in Polish, by its common words")),
        ("en", _ref(True)),
        ("pl", _ref(None, "written in Polish, by its common words")),
        ("zh", _ref(None, "written mostly in CJK script")),
    ]
    return [
        {
            "case_id": f"c{i}",
            "sample": 0,
            "response": "r",
            "error": None,
            "expected": {},
            "metadata": {"lang": lang},
            "scores": {"ref": ref},
        }
        for i, (lang, ref) in enumerate(refs)
    ]


def test_rows_skipped_for_their_language_name_it(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    got, _ = compare_with_rows(tmp_path / "suite.yaml", _rows(), samples=1, chunk=2, seed=0)
    for metric_id in ("refused", "refusal_score"):
        details = got[metric_id].details
        assert got[metric_id].n == 3 and details["n_skipped_unread"] == {"ref": 3}
        reason = details["skipped_reason"]
        assert "scorer 'ref' could not score 3 of them: language not supported" in reason, reason
        assert "written in Polish, by its common words: 2" in reason, reason
        assert "written mostly in CJK script: 1" in reason, reason
        assert "judge" not in reason, reason
    none = got["polish_refused"]
    assert none.value is None
    assert "scorer 'ref' could not score 2 of them: language not supported" in str(
        none.details.get("no_data_reason")
    ), none.details
