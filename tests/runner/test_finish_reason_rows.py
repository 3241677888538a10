"""Each answer's finish reason is evidence: results.jsonl says which answers were cut off, the
summary's ``counts.finish_reasons`` is measured again from it before the run becomes evidence,
and a report's worst case that was cut off says so beside its text. A real callable target and
a real run, in this process.

Was: the finish reason was kept in responses.jsonl only (the run's journal, not hashed as
evidence and replaced by the redacted copy): results.jsonl rows had none, so the summary's
count could not be derived from the evidence, an auditor could not see which answers were cut
off, and an edited count attached.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import pytest

from assurance_harness.register.evidence_record import EvidenceError
from assurance_harness.register.ledger import attach_run
from assurance_harness.report.html import render_html
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run
from assurance_harness.runner.run import run_suite
from assurance_harness.store.runlog import Manifest, RunLogWriter

SUITE = """\
suite: cut-rows
version: 1.0.0
evidence_for: [R-1]
cases:
  - {id: full, prompt: "say a lot"}
  - {id: cut, prompt: "say a lot, cut"}
  - {id: filtered, prompt: "say a lot, filtered"}
  - {id: plain, prompt: "say a lot, plain"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long, rate: 'len.words > 3'}
gates:
  - {metric: long, min: 1.0, bound: point}
"""

BOT = '''\
def respond(messages, params=None, **_):
    """A cut-off, a filtered, a complete answer and one whose end is not known."""
    text = messages[-1]["content"]
    if text.endswith("plain"):
        return "a plain answer with no finish reason"
    if text.endswith("cut"):
        return {"text": "The first", "finish_reason": "length"}
    if text.endswith("filtered"):
        return {"text": "", "finish_reason": "content_filter"}
    return {"text": "a whole answer, ended by the model", "finish_reason": "stop"}
'''

REGISTER = """\
register_version: 1
system: {name: bot, description: A bot., intended_use: Tests., owner: QA,
         target: targets/system.yaml}
risks:
  - id: R-1
    title: Short answers
    description: The bot answers too briefly.
    category: reliability
    owner: QA
    likelihood: 2
    impact: 2
    treatment: mitigate
    acceptance_criteria: Long answers.
    suites: [{suite: cut-rows}]
    freshness_days: 3650
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "cut_bot.py").write_text(BOT)
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "system.yaml").write_text(
        textwrap.dedent(
            f"""\
            type: callable
            name: cut-bot
            function: cut_bot:respond
            python_path: [{tmp_path}]
            """
        )
    )
    (tmp_path / "suite.yaml").write_text(SUITE)
    (tmp_path / "register.yaml").write_text(REGISTER)
    return tmp_path


def _run(project: Path) -> Path:
    outcome = run_suite(
        project / "suite.yaml",
        project / "targets" / "system.yaml",
        reports_dir=project / "reports",
        write_reports=False,
        attach_evidence=False,
    )
    return outcome.run_dir


def _rows(run_dir: Path) -> dict[str, dict]:
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["case_id"]: row for row in map(json.loads, lines)}


def _attach(project: Path, run_dir: Path) -> list:
    return attach_run(
        run_dir,
        register_path=project / "register.yaml",
        ledger_path=project / "reports" / "evidence" / "ledger.jsonl",
    )


def _old_format(run_dir: Path) -> Path:
    """``run_dir`` as a version before rows carried ``finish_reason`` wrote it: its rows
    without the key (written by the runner's own writer), their SHA-256 in manifest.json."""
    results = run_dir / "results.jsonl"
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row.pop("finish_reason", None)
    RunLogWriter(run_dir).write_results(rows)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["results"]["sha256"] = hashlib.sha256(results.read_bytes()).hexdigest()
    RunLogWriter(run_dir).write_manifest(Manifest.model_validate(manifest))
    return run_dir


def test_each_row_says_how_its_answer_ended_when_known(tmp_path: Path) -> None:
    run_dir = _run(_project(tmp_path))
    rows = _rows(run_dir)
    assert rows["cut"]["finish_reason"] == "length"
    assert rows["filtered"]["finish_reason"] == "content_filter"
    assert rows["full"]["finish_reason"] == "stop"
    # Not known: no key, so a row of a target that reports none reads as it always did.
    assert "finish_reason" not in rows["plain"]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["counts"]["finish_reasons"] == {"length": 1, "content_filter": 1, "stop": 1}


def test_an_edited_finish_reason_count_is_not_attached(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run_dir = _run(project)
    path = run_dir / "summary.json"
    summary = json.loads(path.read_text())
    summary["counts"]["finish_reasons"] = {"stop": 3}  # the cut-off answers hidden
    path.write_text(json.dumps(summary, indent=2) + "\n")
    with pytest.raises(EvidenceError, match=r"counts\.finish_reasons"):
        _attach(project, run_dir)


def test_a_run_whose_rows_record_no_finish_reason_still_attaches(tmp_path: Path) -> None:
    """A run made before the rows carried it: the summary's count cannot be measured again
    from them, and is no reason to refuse it."""
    project = _project(tmp_path)
    run_dir = _old_format(_run(project))
    [record] = _attach(project, run_dir)
    assert record.verdict == "fail"


def test_a_reported_worst_case_that_was_cut_off_says_so(tmp_path: Path) -> None:
    run = load_run(_run(_project(tmp_path)))
    markdown = render_markdown(run)
    cut = markdown[markdown.index("### `cut#0`") :]
    cut = cut[: cut.index("**Scores**")]
    assert "not complete" in cut and "max_tokens" in cut, cut
    html = render_html(run, plots=[])  # the plots are not what this is about (and slow)
    cut_html = html[html.index("<h3><code>cut#0</code>") :]
    cut_html = cut_html[: cut_html.index("Scores")]
    assert "not complete" in cut_html and "max_tokens" in cut_html, cut_html


def test_rows_of_a_run_made_before_they_recorded_it_are_restored_as_written(
    tmp_path: Path,
) -> None:
    """``--resume`` of a finished run whose results.jsonl is gone makes its rows again from the
    journal and keeps them only as the very file the run wrote (its SHA-256 in manifest.json):
    a run made before rows carried ``finish_reason`` (whose journal records it) restores as the
    rows it wrote, not as rows no version wrote for it."""
    project = _project(tmp_path)
    run_dir = _old_format(_run(project))
    written = (run_dir / "results.jsonl").read_bytes()
    (run_dir / "results.jsonl").unlink()
    outcome = run_suite(
        project / "suite.yaml",
        project / "targets" / "system.yaml",
        reports_dir=project / "reports",
        write_reports=False,
        attach_evidence=False,
        resume=run_dir.name,
    )
    assert any("restored results.jsonl" in note for note in outcome.notes), outcome.notes
    assert (run_dir / "results.jsonl").read_bytes() == written
    assert sorted(p.name for p in run_dir.iterdir() if p.name.endswith(".tmp")) == []
