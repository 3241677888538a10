"""Ctrl-C after every response arrived (while scoring) still leaves a resumable run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assurance_harness.runner.executors.base import LocalScoring
from assurance_harness.runner.run import RunInterrupted, run_suite


def _files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "echo_target.py").write_text(
        "def respond(messages, **kw):\n    return 'echo ' + messages[-1]['content']\n"
    )
    target = tmp_path / "target.yaml"
    target.write_text("type: callable\nfunction: echo_target:respond\npython_path: ['.']\n")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "suite: interrupt-scoring\nsamples: 2\n"
        "cases: [{id: a, prompt: one}, {id: b, prompt: two}]\n"
        "metrics:\n  - {id: echoed, rate: \"'echo' in response\"}\n"
        "gates:\n  - {metric: echoed, min: 1.0}\n"
    )
    return suite, target


def test_ctrl_c_while_scoring_names_the_resume_command_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite, target = _files(tmp_path)
    reports = tmp_path / "reports"

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        # Ctrl-C arrives while the scorers run, after the journal holds every response.
        patch.setattr(LocalScoring, "score", interrupted)
        with pytest.raises(RunInterrupted) as stop:
            run_suite(
                suite, target, reports_dir=reports, write_reports=False, attach_evidence=False
            )
    assert stop.value.done == stop.value.total == 4
    assert f"--resume {stop.value.run_id}" in stop.value.resume_command
    outcome = run_suite(
        suite,
        target,
        reports_dir=reports,
        resume=stop.value.run_id,
        write_reports=False,
        attach_evidence=False,
    )
    assert outcome.exit_code == 0 and outcome.summary["counts"]["requests"] == 4


def test_resuming_a_finished_run_leaves_its_files_and_evidence_untouched(
    tmp_path: Path, repo_root: Path
) -> None:
    # Re-running the printed resume command after the run had finished used to rewrite
    # summary.json and manifest.json (new finished_at), so `evidence verify` called it tampering.
    from assurance_harness.register.ledger import read_ledger

    suite, target = _files(tmp_path)
    suite.write_text(
        suite.read_text().replace("samples: 2\n", "samples: 2\nevidence_for: [R-001]\n")
    )
    reports = tmp_path / "reports"
    ledger = reports / "evidence" / "ledger.jsonl"
    register = tmp_path / "risk_register.yaml"  # whose system is this test's target
    register.write_text(
        (repo_root / "register" / "risk_register.yaml")
        .read_text()
        .replace("target: targets/demo.yaml", f"target: {target}")
    )
    first = run_suite(
        suite, target, reports_dir=reports, write_reports=False, register_path=register
    )
    frozen = {
        name: (first.run_dir / name).read_bytes()
        for name in ("summary.json", "manifest.json", "results.jsonl", "run.json")
    }
    n_records = len(read_ledger(ledger))
    again = run_suite(
        suite,
        target,
        reports_dir=reports,
        resume=first.run_id,
        write_reports=False,
        register_path=register,
    )
    assert again.exit_code == first.exit_code and again.summary == first.summary
    assert any("already complete" in note for note in again.notes)
    for name, data in frozen.items():
        assert (first.run_dir / name).read_bytes() == data, name
    assert n_records > 0 and len(read_ledger(ledger)) == n_records


def test_a_target_that_cannot_start_leaves_no_half_made_run_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assurance_harness.errors import HarnessError

    suite, _ = _files(tmp_path)
    target = tmp_path / "keyed.yaml"
    target.write_text(
        "type: openai\nbase_url: http://127.0.0.1:9/v1\nmodel: m\n"
        "api_key_env: ASSURANCE_TEST_KEY_NOT_SET\n"
    )
    monkeypatch.delenv("ASSURANCE_TEST_KEY_NOT_SET", raising=False)
    reports = tmp_path / "reports"
    with pytest.raises(HarnessError, match="ASSURANCE_TEST_KEY_NOT_SET"):
        run_suite(suite, target, reports_dir=reports, write_reports=False, attach_evidence=False)
    assert [p for p in reports.iterdir() if p.is_dir()] == []


def test_run_ids_are_one_safe_folder_name_whatever_the_suite_is_called() -> None:
    from assurance_harness.runner.run import new_run_id

    for name in ("../../escape me/x", "bias/bbq", "toxicity core (v2)", "..", "résumé"):
        run_id = new_run_id(name)
        assert re.fullmatch(r"\d{8}T\d{6}Z-[A-Za-z0-9._-]+-[0-9a-f]{4}", run_id), run_id
        assert ".." not in run_id and "/" not in run_id
    assert new_run_id("toxicity-core").split("-", 1)[1][:-5] == "toxicity-core"
