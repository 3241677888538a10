"""Arguments and file names that are not UTF-8 (Python sees lone surrogates) are a one-line
usage or configuration error, never an internal error: a suite file so named must not get as far
as sending requests and then crash writing evidence or reports."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.testing.cli import run_cli

BAD = os.fsdecode(b"x\xff")
SUITE = """suite: tiny
version: 1.0.0
cases:
  - {id: a, prompt: "hello there"}
scorers:
  - {id: len, use: length}
metrics:
  - {id: long_rate, rate: "len.words > 5"}
gates:
  - {metric: long_rate, max: 1.0}
"""


def _project(tmp_path: Path) -> Path:
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples", tmp_path / "examples")
    (tmp_path / "target.yaml").write_text(
        "type: callable\nfunction: demo_assistant:respond\npython_path: [examples]\n"
    )
    return tmp_path


def _clean(proc: object, codes: tuple[int, ...] = (2,)) -> None:
    text = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert proc.returncode in codes, text  # type: ignore[attr-defined]
    assert "internal error" not in text and "Traceback" not in text, text


def test_a_suite_file_name_that_is_not_utf8_is_refused_before_sending(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / f"{BAD}.yaml").write_text(SUITE)
    _clean(run_cli("run", f"{BAD}.yaml", "--target", "target.yaml", cwd=root))
    (root / "suites").mkdir()
    (root / "suites" / f"{BAD}.yaml").write_text(SUITE)
    _clean(run_cli("run", "suites", "--target", "target.yaml", cwd=root))


@pytest.mark.parametrize(
    "args",
    [
        ("baseline", "set", "2", "--note", BAD),  # "2": a prefix of the one run id,
        ("review", "adjudicate", "nope", "a#0", "--agree", "--reviewer", BAD),
        ("trend", BAD, "long_rate"),
    ],
)
def test_text_arguments_that_are_not_utf8_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    root = _project(tmp_path)
    (root / "suite.yaml").write_text(SUITE)
    first = run_cli("run", "suite.yaml", "--target", "target.yaml", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    _clean(run_cli(*args, cwd=root))


@pytest.mark.parametrize(
    ("name", "value", "args"),
    [
        ("ASSURANCE_STORE", "postgresql://u" + BAD + "@h/d", ["runs", "list"]),
        ("ASSURANCE_REVIEWER", BAD, ["review", "adjudicate", "r1", "a#0", "--agree"]),
    ],
)
def test_settings_in_the_environment_that_are_not_utf8_are_usage_errors(
    tmp_path: Path, name: str, value: str, args: list[str]
) -> None:
    """Was: an internal error (UnicodeEncodeError) once the value was written or sent; the
    message must name the variable and show the bytes, not fail to print them."""
    proc = run_cli(*args, "--reports", tmp_path, cwd=tmp_path, env={name: value})
    _clean(proc)
    assert name in proc.stderr and "\\xff" in proc.stderr, proc.stderr


def test_a_secret_setting_that_is_not_utf8_is_refused_without_showing_it(tmp_path: Path) -> None:
    proc = run_cli(
        "runs", "list", "--reports", tmp_path, cwd=tmp_path,
        env={"ASSURANCE_REVIEW_TOKEN": "s3cret" + BAD},
    )  # fmt: skip
    _clean(proc)
    assert "ASSURANCE_REVIEW_TOKEN" in proc.stderr and "s3cret" not in proc.stderr, proc.stderr
