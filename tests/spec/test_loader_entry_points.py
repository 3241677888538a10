"""Loading a suite reads the installed packages' entry points only for a name no built-in
plugin has: reading every package's metadata costs a run's start-up about 6 ms (25-40 ms where
importlib.metadata is not yet loaded), and a built-in name is the answer whatever is installed
(``registry.Registry.get``)."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from assurance_harness import registry
from assurance_harness.errors import ConfigError
from assurance_harness.metrics.base import metric_kinds
from assurance_harness.spec.loader import load_suite

SUITE = """\
suite: kinds
cases:
  - {{id: a, prompt: hi}}
scorers: [{{id: m, use: contains, with: {{terms: [hi]}}}}]
metrics:
  - {{id: r, {kind}: m.matched}}
gates: [{{metric: r, min: 0.0}}]
"""


@pytest.fixture
def entry_points_unread(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The metric kinds' registry as in a fresh process; each read of the entry points noted."""
    reads: list[str] = []
    monkeypatch.setattr(metric_kinds, "_entry_points_loaded", False)
    monkeypatch.setattr(metric_kinds, "_items", dict(metric_kinds._items))
    monkeypatch.setattr(metric_kinds, "_installed", set(metric_kinds._installed))

    def read() -> dict[str, list[EntryPoint]]:
        reads.append("read")
        kind = EntryPoint("tally", "assurance_harness.metrics.aggregate:RateMetric", "")
        return {"assurance_harness.metrics": [kind]}

    monkeypatch.setattr(registry, "_entry_points_by_group", read)
    return reads


def test_a_suite_of_built_in_metric_kinds_reads_no_entry_points(
    tmp_path: Path, entry_points_unread: list[str]
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE.format(kind="rate"), encoding="utf-8")
    loaded = load_suite(tmp_path / "s.yaml")
    assert [m.id for m in loaded.metrics] == ["r"]
    assert entry_points_unread == []


def test_a_metric_kind_from_an_entry_point_is_still_found(
    tmp_path: Path, entry_points_unread: list[str]
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE.format(kind="tally"), encoding="utf-8")
    loaded = load_suite(tmp_path / "s.yaml")
    assert [m.id for m in loaded.metrics] == ["r"]
    assert entry_points_unread == ["read"]


def test_an_unknown_metric_kind_is_matched_against_the_installed_ones_too(
    tmp_path: Path, entry_points_unread: list[str]
) -> None:
    (tmp_path / "s.yaml").write_text(SUITE.format(kind="taly"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_suite(tmp_path / "s.yaml")
    assert "did you mean 'tally'" in str(caught.value), str(caught.value)
