"""A comparison whose dataset cannot give it a figure on any run is refused at ``validate``,
past the one-group stratum (``test_one_group_comparisons``): groups below ``min_group_size``,
a stratum whose cases all give a null group, and a ``paired`` metric whose groups never share a
pair (or fewer than ``min_pairs``). Each made every run figure-less, so a gate on the metric read
no_data after every request was sent. Refused only where the cases prove it: under ``where:``
(which may leave a stratum out) nothing is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..testing.cli import run_cli
from .answered import answered_run


def _cases(rows: list[dict[str, Any]]) -> str:
    """Inline cases with these metadata (JSON flow mappings are YAML)."""
    return "cases:\n" + "".join(
        f"  - {{id: c{i}, prompt: 'p{i}', metadata: {json.dumps(meta)}}}\n"
        for i, meta in enumerate(rows)
    )


def _validate(tmp_path: Path, metric: str, rows: list[dict[str, Any]]) -> str:
    suite = tmp_path / "s.yaml"
    suite.write_text(
        f"suite: t\nversion: 1.0.0\n{_cases(rows)}scorers:\n  - {{id: m, use: length}}\n"
        f"metrics:\n  - id: r\n    {metric}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", suite)
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    return f"exit {done.returncode}: {said}"


def _groups(axis: str | None, **sizes: int) -> list[dict[str, Any]]:
    """``sizes[group]`` cases of each group in stratum ``axis`` (None: no ``axis`` key)."""
    rows: list[dict[str, Any]] = []
    for group, size in sizes.items():
        for _ in range(size):
            rows.append({"g": group} if axis is None else {"axis": axis, "g": group})
    return rows


AGE = _groups("gender", girls=40, boys=40) + _groups("age", young=40, old=12)


def test_groups_below_min_group_size_in_a_stratum_are_refused(tmp_path: Path) -> None:
    """The brief's example: stratum ``age`` has one group of 30 cases or more."""
    metric = "disparity: {value: m.chars, by: meta.g, within: meta.axis, min_group_size: 30}"
    said = _validate(tmp_path, metric, AGE)
    assert said.startswith("exit 2"), said
    assert "s.yaml:140: metrics[0].disparity.min_group_size" in said, said  # its line
    assert "stratum 'age' (meta.axis)" in said and "'young' 40, 'old' 12" in said, said
    assert "'gender'" not in said, said
    assert "lower min_group_size to 12, add cases, or leave the stratum out with where:" in said


def test_groups_below_min_group_size_without_strata_are_refused(tmp_path: Path) -> None:
    """Samples do not count: a disparity's groups count cases (``samples: 3`` changes nothing)."""
    metric = "disparity: {value: m.chars, by: meta.g, min_group_size: 5}"
    rows = _groups(None, a=6, b=3, c=2)
    said = _validate(tmp_path, metric, rows)
    assert said.startswith("exit 2"), said
    assert "metrics[0].disparity.min_group_size" in said and "'a' 6, 'b' 3, 'c' 2" in said, said
    assert "lower min_group_size to 3" in said and "stratum" not in said, said


@pytest.mark.parametrize(
    ("metric", "rows"),
    [
        # the smaller group reaches min_group_size
        ("disparity: {value: m.chars, by: meta.g, within: meta.axis, min_group_size: 12}", AGE),
        # two of three groups reach it
        (
            "disparity: {value: m.chars, by: meta.g, min_group_size: 3}",
            _groups(None, a=6, b=3, c=2),
        ),
        # the stratum may be left out: not refused
        (
            "disparity: {value: m.chars, by: meta.g, within: meta.axis, min_group_size: 30}\n"
            "    where: \"meta.axis != 'age'\"",
            AGE,
        ),
    ],
)
def test_groups_large_enough_are_valid(tmp_path: Path, metric: str, rows: list[Any]) -> None:
    assert _validate(tmp_path, metric, rows).startswith("exit 0")


NULL_GROUP = [*_groups("x", a=2, b=2), {"axis": "y", "g": None}, {"axis": "y"}]


@pytest.mark.parametrize(
    "metric",
    [
        "disparity: {value: m.chars, by: meta.g, within: meta.axis}",
        "paired: {value: m.chars, pair_by: meta.axis, group: meta.g, within: meta.axis}",
    ],
)
def test_a_stratum_whose_groups_are_all_null_is_refused(tmp_path: Path, metric: str) -> None:
    """A row with a null group belongs to no group (skipped), so stratum ``y`` has none."""
    said = _validate(tmp_path, metric, NULL_GROUP)
    assert said.startswith("exit 2") and ".within" in said, said
    assert "every case of stratum 'y' (meta.axis) has a null meta.g" in said, said


def test_a_stratum_key_null_in_every_case_is_refused(tmp_path: Path) -> None:
    """No case has a stratum: no stratum has a figure (already refused as always null)."""
    rows = [{"axis": None, "g": "a"}, {"axis": None, "g": "b"}]
    metric = "disparity: {value: m.chars, by: meta.g, within: meta.axis}"
    said = _validate(tmp_path, metric, rows)
    assert said.startswith("exit 2") and "metrics[0].disparity.within" in said, said


def test_cases_with_a_null_stratum_are_left_out_not_refused(tmp_path: Path) -> None:
    """A null stratum leaves its rows out of every stratum; the others still have figures."""
    rows = [*_groups("x", a=2, b=2), {"axis": None, "g": "a"}]
    metric = "disparity: {value: m.chars, by: meta.g, within: meta.axis}"
    assert _validate(tmp_path, metric, rows).startswith("exit 0")


def _paired(axis: str, *pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"axis": axis, "t": t, "g": g} for t, g in pairs]


NO_SHARED = _paired("gender", ("t1", "girls"), ("t1", "boys")) + _paired(
    "age", ("t1", "young"), ("t2", "old"), ("t3", "young")
)


def test_paired_groups_that_never_share_a_pair_are_refused(tmp_path: Path) -> None:
    metric = "paired: {value: m.chars, pair_by: meta.t, group: meta.g, within: meta.axis}"
    said = _validate(tmp_path, metric, NO_SHARED)
    assert said.startswith("exit 2") and "metrics[0].paired.within" in said, said
    assert "stratum 'age' (meta.axis)" in said and "no meta.t" in said, said
    assert "'young' 2, 'old' 1" in said and "'gender'" not in said, said


def test_paired_groups_that_never_share_a_pair_without_strata_are_refused(
    tmp_path: Path,
) -> None:
    rows = [{"t": "t1", "g": "a"}, {"t": "t2", "g": "b"}, {"t": "t3", "g": "a"}]
    said = _validate(tmp_path, "paired: {value: m.chars, pair_by: meta.t, group: meta.g}", rows)
    assert said.startswith("exit 2") and "metrics[0].paired.pair_by" in said, said
    assert "no meta.t" in said and "'a' 2, 'b' 1" in said, said


def test_paired_groups_below_min_pairs_are_refused(tmp_path: Path) -> None:
    rows = _paired("x", ("t1", "a"), ("t1", "b"), ("t2", "a"), ("t2", "b"), ("t3", "a"))
    metric = "paired: {value: m.chars, pair_by: meta.t, group: meta.g, min_pairs: 3}"
    said = _validate(tmp_path, metric, rows)
    assert said.startswith("exit 2") and "metrics[0].paired.min_pairs" in said, said
    assert "lower min_pairs to 2" in said, said
    metric = metric.replace("min_pairs: 3", "min_pairs: 2")
    assert _validate(tmp_path, metric, rows).startswith("exit 0")


def test_a_reference_no_pair_holds_is_refused(tmp_path: Path) -> None:
    """With a reference, a group's delta needs the reference in its pair: pairs of two other
    groups give none."""
    rows = _paired("x", ("t1", "a"), ("t1", "b"), ("t2", "ref"), ("t3", "a"))
    metric = "paired: {value: m.chars, pair_by: meta.t, group: meta.g, reference: ref}"
    said = _validate(tmp_path, metric, rows)
    assert said.startswith("exit 2") and "the reference 'ref'" in said, said
    rows.append({"axis": "x", "t": "t2", "g": "b"})
    assert _validate(tmp_path, metric, rows).startswith("exit 0")


@pytest.mark.parametrize(
    "metric",
    [
        "paired: {value: m.chars, pair_by: meta.t, group: meta.g, within: meta.axis}\n"
        "    where: \"meta.axis != 'age'\"",
        "paired: {value: m.chars, pair_by: meta.t, group: meta.g}",  # t1 pairs across strata
    ],
)
def test_paired_that_may_have_pairs_is_valid(tmp_path: Path, metric: str) -> None:
    assert _validate(tmp_path, metric, NO_SHARED).startswith("exit 0")


def test_groups_below_min_group_size_in_a_dataset_are_refused(tmp_path: Path) -> None:
    """A dataset's cases are gathered as they are read: the same refusal."""
    (tmp_path / "cases.jsonl").write_text(
        "".join(
            json.dumps({"id": f"c{i}", "prompt": "hi", **meta}) + "\n" for i, meta in enumerate(AGE)
        ),
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "suite: t\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
        "scorers:\n  - {id: m, use: length}\nmetrics:\n"
        "  - {id: r, disparity: {value: m.chars, by: meta.g, within: meta.axis, "
        "min_group_size: 30}}\n",
        encoding="utf-8",
    )
    done = run_cli("validate", tmp_path / "s.yaml")
    said = done.stdout + done.stderr
    assert done.returncode == 2 and "'young' 40, 'old' 12" in said, said


def test_a_nan_stratum_is_left_out_as_the_run_leaves_it_out(tmp_path: Path) -> None:
    """YAML's ``.nan`` is no value to an expression (``metrics.expr`` reads NaN as null), so a
    run leaves a case whose stratum is NaN out of every stratum, as it does a null one. Observed:
    ``validate`` made it a stratum 'nan' holding one group and refused the suite, whose run has
    a figure (a false refusal)."""
    cases = (
        "  - {id: a, prompt: p, metadata: {axis: x, g: a}}\n"
        "  - {id: b, prompt: p, metadata: {axis: x, g: b}}\n"
        "  - {id: c, prompt: p, metadata: {axis: .nan, g: a}}\n"
    )
    metric = "disparity: {value: m.chars, by: meta.g, within: meta.axis}"
    code, said, value = answered_run(tmp_path, cases, metric)
    assert value is not None
    assert code == 0, said


def test_a_nan_group_is_no_group_as_the_run_reads_it(tmp_path: Path) -> None:
    """A case whose group (or pair key) is NaN is in no group on a run, as a null one: a
    stratum of one group beside NaN ones has no figure, and is refused (it passed as two
    groups, 'a' and 'nan')."""
    cases = (
        "  - {id: a, prompt: p, metadata: {t: t1, g: a}}\n"
        "  - {id: b, prompt: p, metadata: {t: t1, g: .nan}}\n"
        "  - {id: c, prompt: p, metadata: {t: .nan, g: b}}\n"
        "  - {id: d, prompt: p, metadata: {t: .nan, g: a}}\n"
    )
    metric = "paired: {value: m.chars, pair_by: meta.t, group: meta.g}"
    code, said, value = answered_run(tmp_path, cases, metric)
    assert value is None
    assert code == 2 and "metrics[0].paired.pair_by" in said, said


@pytest.mark.parametrize(
    "cases",
    [
        pytest.param(
            "  - {id: a, prompt: p, metadata: {axis: x}}\n"
            "  - {id: b, prompt: p, metadata: {axis: y}}\n"
            "  - {id: c, prompt: p, metadata: {g: a}}\n"
            "  - {id: d, prompt: p, metadata: {g: b}}\n",
            id="no-case-has-both",
        ),
        pytest.param(
            "  - {id: a, prompt: p, metadata: {axis: .nan, g: a}}\n"
            "  - {id: b, prompt: p, metadata: {axis: .nan, g: b}}\n",
            id="every-stratum-nan",
        ),
    ],
)
def test_strata_none_of_which_holds_a_group_are_refused(tmp_path: Path, cases: str) -> None:
    """Every stratum without a group (the cases with a group have no stratum), or no stratum at
    all (each case's is NaN, which a run reads as null): a run has no figure ("no stratum has a
    value"), and validate passed it, taking a group that is set somewhere for one a stratum
    holds."""
    metric = "disparity: {value: m.chars, by: meta.g, within: meta.axis}"
    code, said, value = answered_run(tmp_path, cases, metric)
    assert value is None
    assert code == 2 and "metrics[0].disparity.within" in said, said
