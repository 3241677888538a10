"""``assurance run --register PATH`` names the register the run's evidence is for: a path that
is no register file is a usage error before anything is sent (issue 12, "never silently
wrong"). Observed: ``--register typo.yaml`` ran, passed and wrote no evidence without a word;
``--register /`` sent every request and then said "evidence not attached", exit 3; and
``--evidence-for X`` with no register said "no register at None".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

SUITE = (
    "suite: reg\ncases:\n  - {id: a, prompt: hi}\n"
    "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    callable_target(
        tmp_path,
        "reg_bot",
        "def reply(messages):\n"
        "    open('calls.txt', 'a').write('x')\n"
        "    return 'echo ' + messages[-1]['content']\n",
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    return tmp_path


def _refused_before_sending(project: Path, *extra: str) -> str:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", *extra, cwd=project)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert not (project / "calls.txt").exists(), "requests were sent"
    return errors[0]


@pytest.mark.parametrize("register", ["typo.yaml", "a-folder"])
def test_a_register_path_that_is_no_file_is_refused_before_sending(
    project: Path, register: str
) -> None:
    line = _refused_before_sending(project, "--register", register)
    assert f"--register {register}" in line


def test_evidence_for_without_a_register_says_how_to_give_one(project: Path) -> None:
    line = _refused_before_sending(project, "--evidence-for", "Acme Bot")
    assert "None" not in line and "--register" in line


def test_no_evidence_ignores_the_register_option(project: Path) -> None:
    done = run_cli(
        *("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence"),
        *("--register", "typo.yaml"),
        cwd=project,
    )
    assert done.returncode == 0, done.stderr


def test_concurrency_on_the_command_line_has_the_target_files_limit(project: Path) -> None:
    # A target file allows at most 4096 requests in flight; --concurrency 99999999 was taken.
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--concurrency", "5000", cwd=project)
    assert done.returncode == 2, done.stderr
    assert "4096" in done.stderr and not (project / "calls.txt").exists()


@pytest.mark.parametrize("register", ["typo.yaml", "a-folder"])
def test_evidence_attach_with_a_register_path_that_is_no_file_is_refused(
    project: Path, register: str
) -> None:
    # Observed: 'evidence attach RUN --register typo.yaml' said "nothing to attach", exit 0:
    # the register the user named was silently not read, so no risk of it was evidenced.
    (project / "s.yaml").write_text(SUITE.replace("cases:", "evidence_for: [R-001]\ncases:", 1))
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence",
                    "--reports", "r", cwd=project)  # fmt: skip
    assert first.returncode == 0, first.stderr
    (run_id,) = [p.name for p in (project / "r").iterdir() if p.is_dir()]
    done = run_cli("evidence", "attach", run_id, "--reports", "r", "--register", register,
                   cwd=project)  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and f"--register {register}" in errors[0], done.stderr
    assert not (project / "r" / "evidence" / "ledger.jsonl").exists()


def test_a_verdict_with_a_register_path_that_is_no_file_is_refused(project: Path) -> None:
    suite = SUITE.replace("gates:", "review: {label: m.matched, sample: 1.0}\ngates:", 1)
    (project / "s.yaml").write_text(suite)
    first = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence",
                    "--reports", "r", cwd=project)  # fmt: skip
    assert first.returncode == 0, first.stderr
    (run_id,) = [p.name for p in (project / "r").iterdir() if p.is_dir()]
    done = run_cli("review", "adjudicate", run_id, "a#0", "--agree", "--reviewer", "ana",
                   "--reports", "r", "--register", "typo.yaml", cwd=project)  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "--register typo.yaml" in done.stderr and "Traceback" not in done.stderr
    assert not (project / "r" / "evidence" / "ledger.jsonl").exists()


BROKEN_REGISTERS = {
    "not YAML": "risks: [\n",
    "no system": "register_version: 1\nrisks: []\n",
}


@pytest.mark.parametrize("text", BROKEN_REGISTERS.values(), ids=BROKEN_REGISTERS.keys())
@pytest.mark.parametrize("given", [True, False], ids=["--register", "default register"])
def test_a_register_file_that_does_not_load_is_refused_before_sending(
    project: Path, text: str, given: bool
) -> None:
    # Observed: every request was sent and scored, then 'evidence not attached: R:1: ...',
    # exit 3 -- a mistake in a configuration file, found only after the run had been paid for.
    path = project / ("r.yaml" if given else "register/risk_register.yaml")
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    line = _refused_before_sending(project, *(["--register", "r.yaml"] if given else []))
    assert ("r.yaml" if given else "risk_register.yaml") in line, line
