"""A target's error message or model version may hold lone UTF-16 surrogates (an endpoint's
JSON error body cut mid-emoji, an exception quoting such text). The journal is UTF-8: such a
record must be cleaned where it is made, as a reply's text is, not crash the run."""

from __future__ import annotations

import json
from pathlib import Path

from assurance_harness.runner import run


def _run(
    tmp_path: Path, suite: str, module: str, source: str
) -> tuple[run.RunOutcome, dict[str, dict]]:
    """Run ``suite`` against a callable target, the function ``reply`` of ``module`` (a name of
    its own per test: imported modules stay cached), whose code is ``source``; the outcome and
    the journal's records by case id."""
    (tmp_path / "suite.yaml").write_text(suite)
    (tmp_path / f"{module}.py").write_text(source)
    (tmp_path / "bot.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: ['.']\nconcurrency: 1\n"
    )
    outcome = run.run_suite(
        tmp_path / "suite.yaml",
        tmp_path / "bot.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    lines = (outcome.run_dir / "responses.jsonl").read_text("utf-8").splitlines()
    return outcome, {r["case_id"]: r for r in map(json.loads, lines)}


def test_lone_surrogates_in_an_error_or_model_version_are_replaced(tmp_path: Path) -> None:
    outcome, records = _run(
        tmp_path,
        "suite: surrogates\ncases:\n  - {id: ok, prompt: 'fine'}\n  - {id: bad, prompt: 'raise'}\n"
        "scorers: [{id: len, use: length}]\nmetrics: [{id: words, mean: len.words}]\n"
        "max_error_rate: 1\n",
        "surrogate_bot",
        "def reply(messages):\n"
        "    if 'raise' in messages[-1]['content']:\n"
        "        raise RuntimeError('cut mid-emoji \\ud83d')\n"
        "    return {'text': 'a b', 'model_version': 'v\\udc80'}\n",
    )
    assert "cut mid-emoji \ufffd" in records["bad"]["error"]["message"]
    assert records["ok"]["model_version"] == "v\ufffd"
    assert outcome.summary["metrics"]["words"]["value"] == 2


def test_a_model_version_or_finish_reason_that_is_not_text_is_recorded_as_text(
    tmp_path: Path,
) -> None:
    """A callable (or an endpoint's JSON) may give a number: results.jsonl's rows require text,
    so the run crashed with a traceback (exit 1) when it wrote its first row."""
    outcome, records = _run(
        tmp_path,
        "suite: numbers\ncases:\n  - {id: ok, prompt: 'fine'}\n"
        "scorers: [{id: len, use: length}]\nmetrics: [{id: words, mean: len.words}]\n",
        "number_bot",
        "def reply(messages):\n"
        "    return {'text': 'a b', 'model_version': 3, 'finish_reason': 1}\n",
    )
    record = records["ok"]
    assert (record["model_version"], record["finish_reason"]) == ("3", "1")
    assert outcome.summary["metrics"]["words"]["value"] == 2
