"""A path setting that starts with '~' where the process has no home folder (HOME unset for a
user the system's user database does not list: a container under an arbitrary uid) is one
configuration line naming the path and the fix: ``Path.expanduser``'s RuntimeError ("Could not
determine home directory") was an internal error, reported as a bug in the harness."""

from __future__ import annotations

import pwd
from collections.abc import Callable
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError


@pytest.fixture
def no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    def unlisted(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unlisted)  # the system's user database: no entry
    with pytest.raises(RuntimeError):
        Path("~/x").expanduser()


def _exemplars() -> None:
    from assurance_harness.nlp.exemplars import resolve_exemplars

    resolve_exemplars("~/exemplars.jsonl", "refusal/exemplars.jsonl")


def _hf_classifier() -> None:
    from assurance_harness.scorers.hf_classifier import _check_model_dir

    _check_model_dir("~/models/clf")


def _detoxify_checkpoint() -> None:
    from assurance_harness.scorers._detoxify_loader import check_local_files

    check_local_files("~/detoxify.ckpt", None, model_type="original")


def _detoxify_config_dir() -> None:
    from assurance_harness.scorers._detoxify_loader import check_local_files

    check_local_files(__file__, "~/config", model_type="original")  # a readable file


@pytest.mark.parametrize(
    "read", [_exemplars, _hf_classifier, _detoxify_checkpoint, _detoxify_config_dir]
)
@pytest.mark.usefixtures("no_home")
def test_a_home_path_without_a_home_folder_is_one_configuration_line(
    read: Callable[[], None],
) -> None:
    with pytest.raises(ConfigError, match=r"~/.*no home folder.*HOME") as raised:
        read()
    assert "write the path in full" in str(raised.value)
