"""Expressions the type checker can tell are null on every row are refused at ``validate``:
the run would send every request and its metric count no row (``no_data``), or a ``where:``
keep none. Observed, each passing ``validate``:

* a scorer whose id is a name every row gives (``id: error``): ``error.chars`` read the row's
  own ``error`` flag, which has no fields, so it was null on every row;
* a comparison with null (``tox.flagged == null``, meant as ``is None``), arithmetic or a
  function on null, or an expression that is null itself (``rate: "null"``);
* a number looked for in text (``len.chars in response``), which Python cannot do: null.

``mean: "error"`` is not among them: ``error`` is true where the request failed, so its mean is
the share of failed requests (0.25 of 4 with one failure), a figure, not no_data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = """\
suite: nulls
cases:
  - {{id: a, prompt: hi, metadata: {{topic: maths}}}}
  - {{id: b, prompt: yo, metadata: {{topic: art}}}}
scorers:
  - {{id: tox, use: offensive-language}}
  - {{id: len, use: length}}
metrics:
  - {{id: m, {metric}}}
"""
METRIC_LINE = 9

NULL = [
    ('rate: "null"', "'null' is null on every row", None),
    ('mean: "None"', "'None' is null on every row", None),
    (
        'rate: "tox.flagged == null"',
        "'tox.flagged == null' is null on every row",
        "'tox.flagged is None'",
    ),
    (
        'rate: "tox.flagged != None"',
        "'tox.flagged != None' is null on every row",
        "'tox.flagged is not None'",
    ),
    ('rate: "len.chars > null"', "'len.chars > null' is null on every row", None),
    ('mean: "len.chars * null"', "'len.chars * null' is null on every row", None),
    ('mean: "abs(null)"', "'abs(null)' is null on every row", None),
    ('rate: "not null"', "'not null' is null on every row", None),
    ('mean: "coalesce(null, None)"', "is null on every row", None),
    (
        'rate: "tox.flagged", where: "meta.topic == null"',
        "'meta.topic == null' is null on every row",
        "'meta.topic is None'",
    ),
    (
        'rate: "len.chars in response"',
        "'len.chars' is a number: 'in' text finds only text",
        None,
    ),
    # ``and``/``or`` with null: never false (``or``) or never true (``and``), so a rate of it
    # was 1.0 (or 0.0) over the rows left, whatever the model said; validate passed it.
    ('rate: "tox.flagged or null"', "'tox.flagged or null' is never false", "drop 'null'"),
    ('rate: "null or tox.flagged"', "'null or tox.flagged' is never false", "drop 'null'"),
    ('rate: "tox.flagged and None"', "'tox.flagged and None' is never true", "drop 'None'"),
    (
        'rate: "(tox.flagged or null) and true"',
        "'tox.flagged or null' is never false",
        None,
    ),
    ('rate: "tox.flagged or null.x"', "'tox.flagged or null.x' is never false", None),
    (
        'rate: "tox.flagged", where: "meta.topic == \'art\' and null"',
        "is never true",
        None,
    ),
]


@pytest.mark.parametrize(("metric", "message", "hint"), NULL, ids=[n[0] for n in NULL])
def test_an_expression_null_on_every_row_is_refused(
    write, metric: str, message: str, hint: str | None
) -> None:
    path = write("suites/nulls.yaml", SUITE.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:{METRIC_LINE}: metrics[0]"), text
    assert message in text, text
    if hint is not None:
        assert hint in text, text


ALWAYS_NULL = """\
suite: nulls
cases:
  - {{id: a, prompt: hi, metadata: {{topic: maths, score: null}}}}
  - {{id: b, prompt: yo, metadata: {{topic: art, score: null}}}}
scorers:
  - {{id: tox, use: offensive-language}}
metrics:
  - {{id: m, {metric}}}
"""

FIELD_NULL = [
    ('mean: "meta.score * 2"', "'meta.score * 2' is null on every row"),
    ('rate: "meta.score > 1"', "'meta.score > 1' is null on every row"),
    ('mean: "meta.score"', "'meta.score' is null on every row"),
    ('rate: "not meta.score"', "'not meta.score' is null on every row"),
    ('rate: "tox.flagged or meta.score"', "'tox.flagged or meta.score' is never false"),
    ('rate: "tox.flagged", by: "meta.score"', "'meta.score' is always null"),
]


@pytest.mark.parametrize(("metric", "message"), FIELD_NULL, ids=[n[0] for n in FIELD_NULL])
def test_a_field_null_in_every_case_is_refused(write, metric: str, message: str) -> None:
    """Metadata every case gives as null (``score: null``) is null on every row: arithmetic,
    a comparison or a mean of it counted no row, yet validate passed it (its type was
    unknown, as for a key of several kinds)."""
    path = write("suites/nulls.yaml", ALWAYS_NULL.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:8: metrics[0]"), text
    assert message in text, text
    assert "meta.score is null in every case" in text, text


@pytest.mark.parametrize(
    "metric",
    [
        'rate: "meta.score is None"',
        'rate: "coalesce(meta.score, tox.flagged)"',
        'rate: "tox.flagged", where: "meta.score is None"',
    ],
)
def test_a_field_null_in_every_case_may_be_tested_for(write, metric: str) -> None:
    load_suite(write("suites/nulls.yaml", ALWAYS_NULL.format(metric=metric)))


def test_validate_refuses_or_null_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "nulls.yaml").write_text(
        SUITE.format(metric='rate: "tox.flagged or null"'), encoding="utf-8"
    )
    done = run_cli("validate", "nulls.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    lines = [line for line in out.splitlines() if "nulls.yaml:9: metrics[0].rate" in line]
    assert len(lines) == 1 and "never false" in lines[0], out
    assert "Traceback" not in out, out


@pytest.mark.parametrize(
    "metric",
    [
        'rate: "tox.flagged is None"',
        'rate: "tox.flagged is not None"',
        'rate: "coalesce(tox.flagged, false)"',
        'rate: "meta.topic in response"',
        'mean: "error"',
        'rate: "error"',
    ],
)
def test_expressions_with_a_value_pass(write, metric: str) -> None:
    load_suite(write("suites/nulls.yaml", SUITE.format(metric=metric)))


@pytest.mark.parametrize("reserved", ["error", "response", "meta", "expected", "human", "null"])
def test_a_scorer_id_that_a_row_name_hides_is_refused(write, reserved: str) -> None:
    text = SUITE.format(metric=f'mean: "{reserved}.chars"').replace(
        "{id: len, use: length}", f"{{id: '{reserved}', use: length}}"
    )
    path = write("suites/nulls.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    first = str(info.value.issues[0])
    assert first.startswith(f"{path}:7: scorers[1].id"), first
    assert f"'{reserved}'" in first and "choose another id" in first, first


def test_validate_refuses_a_scorer_named_error_in_one_line(tmp_path: Path) -> None:
    text = SUITE.format(metric='mean: "error.chars"').replace(
        "{id: len, use: length}", "{id: error, use: length}"
    )
    (tmp_path / "nulls.yaml").write_text(text, encoding="utf-8")
    done = run_cli("validate", "nulls.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "nulls.yaml:7: scorers[1].id" in out and "Traceback" not in out, out


def test_mean_of_error_is_the_share_of_failed_requests(tmp_path: Path) -> None:
    from assurance_harness.runner import run

    (tmp_path / "half_failing_bot.py").write_text(
        "def reply(messages):\n"
        "    if 'fail' in messages[-1]['content']:\n"
        "        raise RuntimeError('down')\n"
        "    return 'fine'\n",
        encoding="utf-8",
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: half_failing_bot:reply\npython_path: ['.']\n",
        encoding="utf-8",
    )
    (tmp_path / "s.yaml").write_text(
        "suite: errs\nmax_error_rate: 0.5\ncases:\n"
        "  - {id: a, prompt: fail}\n  - {id: b, prompt: b}\n"
        "  - {id: c, prompt: c}\n  - {id: d, prompt: d}\n"
        "scorers: [{id: len, use: length}]\n"
        'metrics: [{id: failed, mean: "error"}]\n',
        encoding="utf-8",
    )
    outcome = run.run_suite(
        tmp_path / "s.yaml",
        tmp_path / "t.yaml",
        reports_dir=tmp_path / "reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
    )
    failed = outcome.summary["metrics"]["failed"]
    assert (failed["value"], failed["n"]) == (0.25, 4), json.dumps(failed)
