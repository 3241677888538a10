"""A comparison's cases as a run counts them: under a ``where:`` that reads only metadata, only
the cases it keeps; with a value that reads only metadata (``value: meta.score``), only the cases
where it is defined (null and NaN are no value). Each metric below was let through ``validate``
and had no figure on every run; each is checked against a real run, beside one just across the
line that is accepted and has a figure. A ``where:`` that keeps no case is refused for any kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from .answered import answered_run


def _cases(*metas: str) -> str:
    """Inline cases with these metadata (YAML flow mappings, so ``.nan`` stays a NaN)."""
    return "".join(f"  - {{id: c{i}, prompt: p, metadata: {{{m}}}}}\n" for i, m in enumerate(metas))


# stratum x: 'b' has no score (null, NaN); stratum y: both groups scored
NO_SCORE = (
    "axis: x, g: a, score: 1",
    "axis: x, g: b, score: .nan",
    "axis: x, g: b, score: null",
    "axis: y, g: a, score: 1",
    "axis: y, g: b, score: 3",
)
DISPARITY_OF_SCORE = "disparity: {value: meta.score, by: meta.g, within: meta.axis}"


def _refused_exactly_where_figureless(
    code: int, said: str, value: object, refused: bool, *expected: str
) -> None:
    """The run had no figure exactly where validate refused the suite (exit 2, saying each of
    ``expected``); elsewhere it ran (exit 0)."""
    assert (value is None) is refused
    if refused:
        assert code == 2 and all(text in said for text in expected), said
    else:
        assert code == 0, said


def test_a_group_whose_metadata_value_is_never_defined_is_refused(tmp_path: Path) -> None:
    """Observed: accepted, as stratum 'x' held 'a' and 'b'; but no row of 'b' has a value
    there, so the stratum (and the metric) has no figure."""
    code, said, value = answered_run(tmp_path, _cases(*NO_SCORE), DISPARITY_OF_SCORE)
    assert value is None
    assert code == 2 and "metrics[0].disparity.within" in said, said
    assert "stratum 'x' (meta.axis) holds one meta.g only ('a')" in said, said
    assert "meta.score" in said, said


def test_a_group_with_one_defined_metadata_value_is_counted(tmp_path: Path) -> None:
    cases = _cases(*NO_SCORE, "axis: x, g: b, score: 2")
    code, said, value = answered_run(tmp_path, cases, DISPARITY_OF_SCORE)
    assert value is not None
    assert code == 0, said


@pytest.mark.parametrize(("defined", "refused"), [(1, True), (2, False)])
def test_min_group_size_counts_the_cases_with_a_value(
    tmp_path: Path, defined: int, refused: bool
) -> None:
    """Group 'b' has 3 cases, of which ``defined`` give a value: min_group_size 2 counts those."""
    scores = ["1"] * defined + ["null"] * (3 - defined)
    metas = [f"g: a, score: {s}" for s in (1, 2, 3)] + [f"g: b, score: {s}" for s in scores]
    metric = "disparity: {value: meta.score, by: meta.g, min_group_size: 2}"
    code, said, value = answered_run(tmp_path, _cases(*metas), metric)
    _refused_exactly_where_figureless(
        code, said, value, refused, "metrics[0].disparity.min_group_size"
    )


@pytest.mark.parametrize(
    ("extra", "refused"), [((), True), (("t: t3, g: a", "t: t3, g: b"), False)]
)
def test_paired_counts_only_pairs_whose_values_are_defined(
    tmp_path: Path, extra: tuple[str, ...], refused: bool
) -> None:
    """Templates t1 and t2 each hold 'a' and 'b', but in each one side has no value: no delta."""
    metas = ["t: t1, g: a, v: 1", "t: t1, g: b", "t: t2, g: a, v: .nan", "t: t2, g: b, v: 2"]
    metas += [f"{e}, v: 1" for e in extra]
    metric = "paired: {value: meta.v, pair_by: meta.t, group: meta.g}"
    code, said, value = answered_run(tmp_path, _cases(*metas), metric)
    _refused_exactly_where_figureless(code, said, value, refused, "metrics[0].paired.pair_by")


# stratum x: 'b' only in French; stratum y: both groups in English
LANGS = ("axis: x, g: a, lang: en", "axis: x, g: b, lang: fr", "axis: y, g: a, lang: en")
LANGS += ("axis: y, g: b, lang: en",)
DISPARITY = "disparity: {value: m.chars, by: meta.g, within: meta.axis}"
EN = "meta.lang == 'en'"


def test_a_stratum_a_metadata_where_leaves_with_one_group_is_refused(tmp_path: Path) -> None:
    """Observed: accepted (nothing under ``where:`` was checked); the run keeps one group of
    stratum 'x', so it has no figure."""
    code, said, value = answered_run(tmp_path, _cases(*LANGS), DISPARITY, where=EN)
    assert value is None
    assert code == 2 and "metrics[0].disparity.within" in said, said
    assert "stratum 'x' (meta.axis) holds one meta.g only ('a')" in said, said
    assert EN in said, said


@pytest.mark.parametrize(
    ("cases", "where"),
    [
        (_cases(*LANGS, "axis: x, g: b, lang: en"), EN),  # a 'b' in English in stratum x
        (_cases(*LANGS), "meta.lang is not None"),  # keeps every case
        (_cases(*LANGS), f"{EN} or m.chars > 0"),  # reads a scorer: not checked
    ],
)
def test_a_where_that_keeps_two_groups_in_each_stratum_is_valid(
    tmp_path: Path, cases: str, where: str
) -> None:
    code, said, value = answered_run(tmp_path, cases, DISPARITY, where=where)
    assert value is not None
    assert code == 0, said


@pytest.mark.parametrize(("where", "refused"), [(EN, True), (None, False)])
def test_paired_under_a_metadata_where_counts_the_pairs_it_keeps(
    tmp_path: Path, where: str | None, refused: bool
) -> None:
    """In English, only template t2 holds both groups: one pair, below min_pairs 2."""
    metas = ["t: t1, g: a, lang: en", "t: t1, g: b, lang: fr", "t: t2, g: a, lang: en"]
    metas.append("t: t2, g: b, lang: en")
    metric = "paired: {value: m.chars, pair_by: meta.t, group: meta.g, min_pairs: 2}"
    code, said, value = answered_run(tmp_path, _cases(*metas), metric, where=where)
    _refused_exactly_where_figureless(
        code, said, value, refused, "metrics[0].paired.min_pairs", "lower min_pairs to 1"
    )


SCORES = ("score: 1", "score: 2", "score: .nan", "lang: en")


@pytest.mark.parametrize(
    "metric", ['rate: "m.chars > 1"', "mean: m.chars", "quantile: {expr: m.chars, q: 0.5}"]
)
@pytest.mark.parametrize(
    ("where", "refused"), [("meta.score > 2", True), ("meta.score >= 2", False)]
)
def test_a_metadata_where_that_keeps_no_case_is_refused(
    tmp_path: Path, metric: str, where: str, refused: bool
) -> None:
    """Observed: ``where: meta.score > 2`` (no case's score is above 2; NaN is no value) was
    accepted, and every run had no figure ("false or null on all rows")."""
    code, said, value = answered_run(tmp_path, _cases(*SCORES), metric, where=where)
    _refused_exactly_where_figureless(
        code,
        said,
        value,
        refused,
        "s.yaml:11: metrics[0].where",
        f"metrics[0].where: '{where}' keeps no case",
    )
