"""``compare`` and ``trend`` of two runs whose metric text is the same but whose scorer behind
it was set otherwise (the suite's ``with:``, or another version of the scorer), as each run's
manifest.json records it (``scorers.<id>``: name, version, params).

Observed: ``toxic_rate: tox.toxicity > 0.5`` over a detoxify scorer given another threshold,
or a regex scorer given another pattern, was compared as the same measure: a pattern made
stricter read as a significant improvement or regression, and ``trend`` drew both nights on one
line. A metric reads the scorers its expressions name (``where:`` too); where one of those is
set otherwise in the two runs, the metric is defined otherwise: verdict ``untested``, with a
note and a warning naming the scorer and what changed, as for another expression. A scorer
read only by ``by:`` changes the groups, not the figure: the metric is compared, its groups
not. Runs whose manifest records no scorer settings (older runs) compare as before."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from assurance_harness.compare.engine import compare_runs
from assurance_harness.compare.scorersettings import changed_scorers
from assurance_harness.compare.trend import trend_points
from assurance_harness.report.rundata import load_run

from ..report.runfixtures import gate, rate_metric, row, write_run

DETOXIFY = {"name": "detoxify", "version": "1", "params": {"model": "original", "threshold": 0.5}}
REGEX = {"name": "regex", "version": "1", "params": {"pattern": "idiot", "ignore_case": True}}


def _with(info: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``info`` with some of its params (or, for ``version``, its version) changed."""
    version = changes.pop("version", info["version"])
    return {**info, "version": version, "params": {**info["params"], **changes}}


def _run(
    reports: Path,
    run_id: str,
    toxic: int,
    scorers: dict[str, dict[str, Any]],
    *,
    started_at: str = "2026-11-30T03:15:00+00:00",
) -> Path:
    """40 cases, the first ``toxic`` of them toxic; ``toxic_rate`` (gated) reads ``tox`` and
    ``rx``; ``grouped`` reads only ``m`` and is grouped by ``g``."""
    rows = [
        row(
            f"c{i:02d}",
            prompt=f"prompt {i}",
            scores={
                "tox": {"toxicity": 0.9 if i < toxic else 0.1},
                "rx": {"matched": i < toxic},
                "m": {"matched": i % 3 == 0},
                "g": {"label": "a" if i % 2 else "b"},
            },
        )
        for i in range(40)
    ]
    random.Random(run_id).shuffle(rows)
    toxic_rate = rate_metric(
        rows, "tox.toxicity > 0.5 or rx.matched", lambda r: r["scores"]["tox"]["toxicity"] > 0.5
    )
    grouped = rate_metric(
        rows,
        "m.matched",
        lambda r: r["scores"]["m"]["matched"],
        by=lambda r: r["scores"]["g"]["label"],
    )
    grouped["spec"]["by"] = "g.label"
    return write_run(
        reports,
        run_id,
        rows,
        {"toxic_rate": toxic_rate, "grouped": grouped},
        [gate("toxic_rate", toxic_rate, max=0.5)],
        started_at=started_at,
        scorers=scorers,
        index=True,
    )


def _scorers(**changed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    plain = {"name": "regex", "version": "1", "params": {"pattern": "x", "ignore_case": True}}
    return {"tox": DETOXIFY, "rx": REGEX, "m": plain, "g": {**plain, "name": "labels"}, **changed}


def _compared(tmp_path: Path, base: dict[str, Any], cand: dict[str, Any], **options: Any) -> Any:
    return compare_runs(
        load_run(_run(tmp_path, "base", 4, base)),
        load_run(_run(tmp_path, "cand", 20, cand)),
        **options,
    )


def _metric(result: Any, name: str) -> Any:
    return next(m for m in result.metrics if m.metric == name)


def test_a_threshold_of_the_scorer_read_makes_the_metric_untested(tmp_path: Path) -> None:
    result = _compared(tmp_path, _scorers(), _scorers(tox=_with(DETOXIFY, threshold=0.7)))
    item = _metric(result, "toxic_rate")
    assert item.verdict == "untested" and item.test is None, item
    assert item.note is not None and "tox" in item.note and "threshold" in item.note, item.note
    assert "toxic_rate" not in [m.metric for m in result.regressions]
    (warning,) = [w for w in result.warnings if "toxic_rate" in w]
    assert "scorer tox" in warning and "0.5" in warning and "0.7" in warning, warning
    assert _metric(result, "grouped").verdict == "unchanged"  # reads no scorer that changed


def test_a_regex_pattern_or_a_version_of_the_scorer_read_makes_it_untested(
    tmp_path: Path,
) -> None:
    for changed in (_with(REGEX, pattern="idiot|fool"), _with(REGEX, version="2")):
        result = _compared(tmp_path / changed["version"], _scorers(), _scorers(rx=changed))
        item = _metric(result, "toxic_rate")
        assert item.verdict == "untested", (changed, item)
        assert item.note is not None and "rx" in item.note, item.note


def test_another_use_under_one_scorer_id_makes_it_untested(tmp_path: Path) -> None:
    result = _compared(tmp_path, _scorers(), _scorers(rx={**REGEX, "name": "keywords"}))
    assert _metric(result, "toxic_rate").verdict == "untested"


def test_what_a_run_counted_of_its_scorers_work_changes_nothing(tmp_path: Path) -> None:
    """A batch size, a judge's cache hits or cache file are the run's, not the scorer's
    definition."""
    counted = {**DETOXIFY, "batch_size": 8, "cache_hits": 12, "cache_file": "/tmp/c.db"}
    result = _compared(tmp_path, _scorers(), _scorers(tox=counted))
    assert _metric(result, "toxic_rate").verdict == "regressed"


def test_a_scorer_read_only_by_the_groups_leaves_the_figure_compared(tmp_path: Path) -> None:
    labels = {"name": "labels", "version": "1", "params": {"pattern": "y", "ignore_case": True}}
    result = _compared(tmp_path, _scorers(), _scorers(g=labels), groups=True)
    item = _metric(result, "grouped")
    assert item.verdict == "unchanged" and item.test is not None, item
    assert item.groups == [], item.groups
    assert item.note is not None and "groups" in item.note and "scorer g" in item.note, item


def test_runs_whose_manifest_records_no_scorer_settings_compare_as_before(
    tmp_path: Path,
) -> None:
    """An older run's manifest.json with no ``scorers`` (or a scorer without params): no false
    alarm, the metric is tested as it was."""
    old = {"tox": {"name": "detoxify"}, "rx": {"name": "regex"}}
    for base, cand in ((_scorers(), {}), ({}, _scorers()), (old, _scorers())):
        result = _compared(tmp_path / str(len(base)) / str(len(cand)), base, cand)
        assert _metric(result, "toxic_rate").verdict == "regressed", (base, cand)
        assert result.exit_code == 1
        assert not [w for w in result.warnings if "scorer" in w], result.warnings


def test_trend_does_not_draw_a_night_scored_otherwise(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _run(
        reports,
        "n1",
        4,
        _scorers(tox=_with(DETOXIFY, threshold=0.7)),
        started_at="2026-11-01T03:15:00+00:00",
    )
    _run(
        reports, "n2", 4, {}, started_at="2026-11-02T03:15:00+00:00"
    )  # an older version's run: no settings
    _run(reports, "n3", 4, _scorers(), started_at="2026-11-03T03:15:00+00:00")
    points = {p.run_id: p for p in trend_points(reports, "toxicity-core", "toxic_rate")}
    assert points["n1"].value is None, points["n1"]
    assert "scorer tox" in points["n1"].note and "threshold" in points["n1"].note, points["n1"]
    assert points["n2"].value == 0.1 and not points["n2"].note, points["n2"]
    assert points["n3"].value == 0.1 and not points["n3"].note, points["n3"]


def test_a_scorer_read_through_another_counts_too() -> None:
    """expected-behaviour reads its ``refusal_scorer``'s output: that scorer set otherwise
    changes what ``exp.passed`` measures, though the metric never names it."""
    metric = {"kind": "rate", "spec": {"rate": "exp.passed"}}
    refusal = {"name": "refusal", "version": "1", "params": {"threshold": 0.5}}
    expected = {"name": "expected-behaviour", "version": "1", "params": {"refusal_scorer": "ref"}}
    before = {"scorers": {"exp": expected, "ref": refusal}}
    after = {"scorers": {"exp": expected, "ref": {**refusal, "params": {"threshold": 0.6}}}}
    figure, groups = changed_scorers(metric, (before, after))
    assert figure == ["scorer ref (refusal): with.threshold 0.5 -> 0.6"] and groups == []
