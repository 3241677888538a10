"""Every YAML file a user names is read by the one bounded loader (``store.yaml_lines``): an
expander's data file and ``assurance.yaml`` too, not only suites, targets and registers. So a
file of a few megabytes written as millions of values is one located line, not gigabytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from assurance_harness.errors import ConfigError
from assurance_harness.expand._common import load_yaml_model
from assurance_harness.store import yaml_lines
from assurance_harness.store.location import read_project_file

LIMIT = 60


class _Anything(BaseModel):
    items: list[dict[str, str]]


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_lines, "MAX_VALUES", LIMIT)


def _many(n: int) -> str:
    return "items:\n" + "".join(f"  - {{name: n{i}, text: t}}\n" for i in range(n))


def test_an_expander_data_file_over_the_values_limit_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "attacks.yaml"
    path.write_text(_many(30), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml_model(path, _Anything, what="attack library")
    assert f"more than {LIMIT} values" in str(caught.value)
    assert f"{path}:" in str(caught.value)


def test_an_expander_data_file_under_the_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "attacks.yaml"
    path.write_text(_many(5), encoding="utf-8")
    assert len(load_yaml_model(path, _Anything, what="attack library").items) == 5


def test_the_project_file_over_the_values_limit_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "assurance.yaml"
    path.write_text("store: runs.db\nx-notes:\n" + _many(30)[len("items:\n") :], encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_project_file(path)
    assert f"more than {LIMIT} values" in str(caught.value)


def test_the_project_file_under_the_limit_loads(tmp_path: Path) -> None:
    path = tmp_path / "assurance.yaml"
    path.write_text("store: runs.db\n", encoding="utf-8")
    assert read_project_file(path) == {"store": "runs.db"}
