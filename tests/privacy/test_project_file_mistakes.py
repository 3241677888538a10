"""Mistakes in ``assurance.yaml`` are located errors, never silently a different configuration.

Was: a misspelt section (``privcy:``) was accepted and ignored, so redaction stayed off without a
word; and the commands that read the store (``runs list``, ``report``, ``review`` ...) ignored a
file that was not valid YAML, falling back to the embedded store even where the file named a
team store, while ``run`` reported it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.privacy.policy import load_project_config
from tests.testing.cli import run_cli


def test_a_misspelt_section_is_an_error_on_its_line_naming_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "store: sqlite\nprivcy:\n  redaction:\n    enabled: true\n"
    )
    with pytest.raises(ConfigError) as err:
        load_project_config(tmp_path)
    message = str(err.value)
    assert "assurance.yaml:2" in message and "privcy" in message
    assert "privacy" in message  # what was probably meant


def test_x_keys_hold_yaml_anchors_and_are_allowed(tmp_path: Path) -> None:
    (tmp_path / "assurance.yaml").write_text(
        "x-common: &on {enabled: true}\nprivacy:\n  redaction: *on\n"
    )
    assert load_project_config(tmp_path).privacy.redaction.enabled


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("store: [unclosed\n", "invalid YAML"),
        ("- store: sqlite\n", "mapping"),
    ],
)
def test_a_project_file_store_readers_cannot_read_is_reported_not_skipped(
    tmp_path: Path, content: str, fragment: str
) -> None:
    (tmp_path / "assurance.yaml").write_text(content)
    proc = run_cli("runs", "list", cwd=tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text
    assert "assurance.yaml" in text and fragment in text, text
    assert "internal error" not in text, text


def _error_of(tmp_path: Path, content: str) -> str:
    (tmp_path / "assurance.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_project_config(tmp_path)
    return str(err.value)


def test_a_control_character_is_one_line_naming_its_line(tmp_path: Path) -> None:
    """Was: two lines, the second PyYAML's ``in "<unicode string>", position 31``, and no line
    number for the file."""
    message = _error_of(tmp_path, "store: sqlite\nprivacy:\n  policy_version: a\x00b\n")
    assert "\n" not in message, message
    assert "assurance.yaml:3:" in message and "#x0000" in message, message
    assert "<unicode string>" not in message, message


def test_yaml_nested_too_deep_is_a_config_error_not_a_crash(tmp_path: Path) -> None:
    """Was: RecursionError, reported as an internal error (a bug) with exit 3."""
    message = _error_of(tmp_path, "privacy: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "assurance.yaml" in message and "nested" in message, message


def _not_a_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "assurance.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(tmp_path / "shared" / "assurance.yaml")  # dangling


@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling symlink"])
def test_an_assurance_yaml_that_is_no_readable_file_is_an_error_not_no_settings(
    tmp_path: Path, kind: str
) -> None:
    """Was: a directory, a FIFO or a dangling symlink named ``assurance.yaml`` read as no file
    at all, so its redaction policy and team store were silently off (``runs list`` read the
    embedded store, ``run`` stored unredacted text). A FIFO must not be opened: it would block
    until a writer came."""
    _not_a_file(tmp_path, kind)
    with pytest.raises(ConfigError) as err:
        load_project_config(tmp_path)
    message = str(err.value)
    assert "assurance.yaml" in message and kind.split()[-1] in message.lower(), message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("privacy:\n  retention_days: true\n", "privacy.retention_days"),
        ("privacy:\n  redaction:\n    enabled: true\n    min_score: true\n", "min_score"),
        ("privacy:\n  redaction:\n    min_score: false\n", "min_score"),
    ],
)
def test_true_or_false_is_no_number_of_days_or_score(
    tmp_path: Path, content: str, field: str
) -> None:
    """Was: pydantic read ``retention_days: true`` as 1 (``runs purge`` then deleted every run
    older than a day) and ``min_score: true`` as 1.0 (redaction on, yet almost nothing
    redacted)."""
    message = _error_of(tmp_path, content)
    assert field in message and "true or false" in message, message
