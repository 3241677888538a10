"""``register show`` and ``evidence pack`` read the worst cases from a run's results.jsonl: a
results file damaged after the evidence was recorded (bytes that are not UTF-8, a folder in its
place) is shown as changed or named as damaged, never an internal error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

SUITE = """suite: tiny
version: 1.0.0
evidence_for: [R-001]
cases:
  - {id: a, prompt: "hello there"}
  - {id: b, prompt: "what is 2+2"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long_rate, rate: "len.words > 0"}
gates:
  - {metric: long_rate, max: 0.0}
"""
REGISTER = """register_version: 1
system: {name: Demo, intended_use: homework help, owner: Safety lead}
risks:
  - {id: R-001, title: Long answers, category: safety, owner: T&S, likelihood: 3, impact: 4,
     suites: [tiny]}
"""


@pytest.fixture(scope="module")
def attached(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("results")
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples", root / "examples")
    (root / "suite.yaml").write_text(SUITE)
    (root / "register.yaml").write_text(REGISTER)
    (root / "target.yaml").write_text(
        "type: callable\nfunction: demo_assistant:respond\npython_path: [examples]\n"
    )
    proc = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--register", "register.yaml", cwd=root
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the gate fails: worst cases
    return root


@pytest.fixture
def project(attached: Path, tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "w"
    shutil.copytree(attached, root)
    (run_dir,) = [p for p in (root / "reports").iterdir() if (p / "manifest.json").exists()]
    return root, run_dir


def _cli(root: Path, *args: str) -> tuple[int, str]:
    proc = run_cli(*args, "--register", "register.yaml", cwd=root)
    text = proc.stdout + proc.stderr
    assert "internal error" not in text, text
    return proc.returncode, text


def test_results_with_bytes_that_are_not_utf8(project: tuple[Path, Path]) -> None:
    root, run_dir = project
    with (run_dir / "results.jsonl").open("ab") as handle:
        handle.write(b'{"case_id": "\xff\xfe"}\n')
    code, text = _cli(root, "register", "show", "R-001")
    assert code == 0, text
    assert "CHANGED since recorded" in text and "worst case a#0" in text, text
    code, text = _cli(root, "evidence", "pack", run_dir.name, "-o", "annex")
    assert code == 1, text
    assert "results.jsonl changed since the run was recorded" in text, text


def test_results_replaced_by_a_folder(project: tuple[Path, Path]) -> None:
    root, run_dir = project
    (run_dir / "results.jsonl").unlink()
    (run_dir / "results.jsonl").mkdir()
    code, text = _cli(root, "register", "show", "R-001")
    assert code == 0, text
    assert "(missing)" in text, text
    code, text = _cli(root, "evidence", "pack", run_dir.name, "-o", "annex")
    assert code == 2, text
    assert f"{run_dir.name}/results.jsonl: is not a file" in text, text


@pytest.mark.parametrize("option", ["--runs=-1", "--cases=-1"])
def test_show_refuses_a_negative_count(attached: Path, option: str) -> None:
    """A slice [:-1] dropped the last run or worst case without a word."""
    proc = run_cli("register", "show", "R-001", option, "--register", "register.yaml", cwd=attached)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert option.split("=")[0] in text, text


def test_results_with_a_line_nested_too_deep(project: tuple[Path, Path]) -> None:
    """Was: ``register show`` and ``evidence pack`` ended in "internal error: RecursionError"
    and the web app's risk page in a 500, where ``report`` skips the line with a warning."""
    from assurance_harness.ui.app import Settings
    from tests.review.serve import get_page, serving

    root, run_dir = project
    deep = b'{"case_id": "x", "a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}\n"
    with (run_dir / "results.jsonl").open("ab") as handle:
        handle.write(deep)
    code, text = _cli(root, "register", "show", "R-001")
    assert code == 0, text
    assert "CHANGED since recorded" in text and "worst case a#0" in text, text
    code, text = _cli(root, "evidence", "pack", run_dir.name, "-o", "annex")
    assert code == 1, text
    assert "results.jsonl changed since the run was recorded" in text, text
    reports = root / "reports"
    settings = Settings(reports, root / "register.yaml", reports / "evidence" / "ledger.jsonl")
    with serving(settings) as base:
        page = get_page(f"{base}/register/R-001")
    assert "a#0" in page and "results.jsonl: changed since the evidence was recorded" in page
