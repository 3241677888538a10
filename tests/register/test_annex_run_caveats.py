"""The impact-assessment annex names what its runs' own reports say of their figures: a run
completed by ``--retry-errors`` (some answers measured after the run's first pass) and a run's
warnings (answers that were empty text). The annex gave "Requests: 30, errors 0" and no
limitation for either: the paperwork read as a clean first pass of answers that said
something."""

from __future__ import annotations

from pathlib import Path

from tests.runner.test_retry_errors import Invoke, cli, only_run, project

__all__ = ["cli"]  # the fixture, used by name

RUN = ("run", "s.yaml", "--target", "t.yaml", "--reports", "r", "--no-report")


def _limitations(annex: Path) -> str:
    text = (annex / "annex.md").read_text(encoding="utf-8")
    return text[text.index("Limitations") :]


def test_the_annex_names_a_retry_and_the_runs_warnings(tmp_path: Path, cli: Invoke) -> None:
    tmp = project(tmp_path)
    assert cli(tmp, *RUN).returncode == 3
    run_dir = only_run(tmp)
    (tmp / "BROKEN").unlink()
    assert cli(tmp, *RUN, "--resume", run_dir.name, "--retry-errors").returncode == 0
    packed = cli(tmp, "evidence", "pack", run_dir.name, "--reports", "r", "-o", "annex")
    assert packed.returncode == 0, packed.stdout
    limitations = _limitations(tmp / "annex")
    assert "er: 10 errored requests were sent again (--retry-errors) at " in limitations
    assert "each request's latest answer" in limitations

    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "blank_annex_bot.py").write_text("def reply(messages):\n    return ''\n")
    (blank / "t.yaml").write_text(
        "type: callable\nfunction: blank_annex_bot:reply\npython_path: [.]\n"
    )
    (blank / "s.yaml").write_text(
        "suite: blank\ncases:\n  - {id: a, prompt: hi}\n  - {id: b, prompt: there}\n"
        "scorers: [{id: len, use: length}]\nmetrics: [{id: long, rate: 'len.chars > 3'}]\n"
        "gates: [{metric: long, max: 0.5}]\n"
    )
    assert cli(blank, *RUN).returncode == 0
    blank_run = only_run(blank)
    packed = cli(blank, "evidence", "pack", blank_run.name, "--reports", "r", "-o", "annex")
    assert packed.returncode == 0, packed.stdout
    assert "blank: 2 of 2 answers were empty text" in _limitations(blank / "annex")
