"""A value that is not finite (an expression reading ``inf`` from a response, a score that
overflowed) is no figure: it is skipped and counted in ``n_skipped``, as NaN is
(docs/FORMATS.md). Observed: a ``mean`` over it ended the run with ``internal error:
ValueError: cannot convert float NaN to integer`` after every response was collected, and a
quantile or disparity wrote ``Infinity`` and ``NaN`` into summary.json, which strict JSON
readers refuse."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.testing.cli import run_cli
from tests.testing.project import callable_target

TARGET = "def reply(messages):\n    return messages[-1]['content']\n"

SUITE = """suite: non-finite
cases:
  - {id: a, prompt: "1.5", metadata: {g: x, t: p}}
  - {id: b, prompt: "inf", metadata: {g: y, t: p}}
  - {id: c, prompt: "2", metadata: {g: x, t: q}}
  - {id: d, prompt: "-inf", metadata: {g: y, t: q}}
  - {id: e, prompt: "3", metadata: {g: y, t: p}}
  - {id: f, prompt: "4", metadata: {g: x, t: q}}
  - {id: g, prompt: "5", metadata: {g: y, t: q}}
scorers: [{id: len, use: length}]
metrics:
  - {id: m, mean: "float(response)"}
  - {id: q, quantile: {expr: "float(response)", q: 0.5}}
  - {id: d, disparity: {value: "float(response)", by: meta.g}}
  - {id: p, paired: {value: "float(response)", pair_by: meta.t, group: meta.g}}
gates:
  - {metric: m, max: 100, bound: upper}
  - {metric: q, max: 100}
  - {metric: d, max: 100}
  - {metric: p, max: 100}
"""


DIGITS_BOT = (
    "def reply(messages):\n"
    "    p = messages[-1]['content']\n"
    "    return str(2**1400) if p == 'big' else p\n"
)
"""Answers the prompt 'big' with 2**1400 (422 digits, more than a float holds), else echoes."""


def _strict(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise AssertionError(f"summary.json holds {constant}")

    return json.loads(text, parse_constant=refuse)


def _run(tmp_path: Path, suite: str) -> tuple[subprocess.CompletedProcess[str], Any]:
    """Write ``suite``, run it against the target made beside it, and read its summary.json
    strictly (no NaN or Infinity); the process too, for its exit code and output."""
    (tmp_path / "s.yaml").write_text(suite, encoding="utf-8")
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    summaries = list((tmp_path / "r").glob("*/summary.json"))
    assert len(summaries) == 1, done.stdout + done.stderr
    return done, _strict(summaries[0].read_text(encoding="utf-8"))


def test_infinite_values_are_skipped_like_nan(tmp_path: Path) -> None:
    callable_target(tmp_path, "nf_target", TARGET)
    done, summary = _run(tmp_path, SUITE)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    metrics = summary["metrics"]
    # The five finite values count; the two infinities are skipped.
    assert metrics["m"]["value"] == (1.5 + 2 + 3 + 4 + 5) / 5
    assert metrics["m"]["n"] == 5 and metrics["m"]["details"]["n_skipped"] == 2
    assert metrics["q"]["n"] == 5 and metrics["q"]["value"] == 3.0
    assert metrics["d"]["details"]["n_skipped"] == 2
    by_group = metrics["d"]["details"]["by_group"]
    assert by_group["x"]["value"] == (1.5 + 2 + 4) / 3 and by_group["y"]["value"] == 4.0
    assert metrics["p"]["details"]["n_skipped"] == 2
    mean_gate, *others = summary["gates"]
    assert all(g["verdict"] == "pass" for g in others), others
    # Five cases are too few for an upper bound on a mean of values outside [0, 1]: the gate
    # on it cannot pass, and says why (tests/metrics/test_small_n_mean.py).
    assert mean_gate["verdict"] == "no_data"
    assert mean_gate["no_data_reason"].startswith("no interval: 5 cases")


def test_finite_values_whose_sum_overflows_are_no_data_with_the_reason(tmp_path: Path) -> None:
    # Three answers of 1e308 are finite, but their sum is not: the mean crashed the run
    # ("internal error: ValueError: cannot convert float NaN to integer") after every answer
    # was in. Now the metric has no value, the gate is no_data, and the reason says why.
    callable_target(tmp_path, "big_bot", "def reply(messages):\n    return '1e308'\n")
    (tmp_path / "s.yaml").write_text(
        "suite: big\ncases:\n  - {id: a, prompt: x}\n  - {id: b, prompt: y}\n"
        "  - {id: c, prompt: z}\nmetrics: [{id: m, mean: 'float(response)'}]\n"
        "gates: [{metric: m, max: 5}]\n",
        encoding="utf-8",
    )
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", cwd=tmp_path)
    assert "internal error" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr  # no data is no pass
    assert "no data" in done.stdout and "overflow" in done.stdout, done.stdout


NAN_BOT = "def reply(messages):\n    return messages[-1]['content']\n"

NAN_SUITE = """suite: nan-condition
cases:
  - {id: a, prompt: "nan"}
  - {id: b, prompt: "nan"}
  - {id: c, prompt: "nan"}
metrics:
  - {id: high, rate: "float(response) > 0.5"}
  - {id: not_low, rate: "not (float(response) <= 0.5)"}
gates:
  - {metric: high, max: 0.5}
  - {metric: not_low, max: 0.5}
"""


def test_a_condition_on_nan_is_no_data_not_a_row_where_it_was_false(tmp_path: Path) -> None:
    # A classifier whose half-precision logits overflowed scores NaN; 'tox > 0.5' on it was
    # False, so every NaN row counted as a clean answer: a rate of 0 of 3 and a passed gate on
    # no score at all. NaN is no value, as for a mean: the row is skipped and counted.
    callable_target(tmp_path, "nan_bot", NAN_BOT)
    done, summary = _run(tmp_path, NAN_SUITE)
    for metric in summary["metrics"].values():
        assert metric["value"] is None and metric["n"] == 0, metric
        assert metric["details"]["n_skipped"] == 3, metric
    assert [g["verdict"] for g in summary["gates"]] == ["no_data", "no_data"]
    assert done.returncode == 1, done.stdout + done.stderr  # no data is no pass


def test_an_integer_too_large_for_a_float_is_skipped_not_a_crash(tmp_path: Path) -> None:
    # A model asked for 2**1400 answers with 422 digits; 'int(response)' is a Python int no
    # float can hold, and every metric reading it ended the run with "internal error:
    # OverflowError: int too large to convert to float" after every answer was in.
    callable_target(tmp_path, "digits_bot", DIGITS_BOT)
    _, summary = _run(
        tmp_path,
        "suite: digits\ncases:\n  - {id: a, prompt: big, metadata: {g: x}}\n"
        "  - {id: b, prompt: '1', metadata: {g: y}}\n  - {id: c, prompt: '2', metadata: {g: x}}\n"
        "  - {id: d, prompt: '3', metadata: {g: y}}\n"
        "metrics:\n  - {id: m, mean: 'int(response)'}\n"
        "  - {id: q, quantile: {expr: 'int(response)', q: 0.5}}\n"
        "  - {id: d, disparity: {value: 'int(response)', by: meta.g}}\n"
        "gates:\n  - {metric: m, max: 5}\n  - {metric: q, max: 5}\n  - {metric: d, max: 5}\n",
    )
    metrics = summary["metrics"]
    assert metrics["m"]["value"] == 2.0 and metrics["m"]["details"]["n_skipped"] == 1
    assert metrics["q"]["n"] == 3 and metrics["d"]["details"]["n_skipped"] == 1


def test_arithmetic_on_an_integer_too_large_for_a_float_is_null(tmp_path: Path) -> None:
    # 'int(response) / 1000' (milliseconds to seconds) on a 422-digit answer raised
    # OverflowError out of the expression: the same internal error, from the arithmetic.
    callable_target(tmp_path, "ms_bot", DIGITS_BOT)
    _, summary = _run(
        tmp_path,
        "suite: ms\ncases:\n  - {id: a, prompt: big}\n  - {id: b, prompt: '1000'}\n"
        "  - {id: c, prompt: '3000'}\n"
        "metrics:\n  - {id: s, mean: 'int(response) / 1000'}\n"
        "  - {id: slow, rate: 'int(response) + 0.5 > 2000'}\n"
        "gates:\n  - {metric: s, max: 5}\n  - {metric: slow, max: 1}\n",
    )
    metrics = summary["metrics"]
    assert metrics["s"]["value"] == 2.0 and metrics["s"]["details"]["n_skipped"] == 1
    assert metrics["slow"]["n"] == 2 and metrics["slow"]["details"]["n_skipped"] == 1


def test_negative_zero_is_shown_as_zero(tmp_path: Path) -> None:
    # A score of -0.0 (a rounded small negative, '-0' from a model) is 0: the terminal showed
    # a quantile's interval as "[-0, 1]", which reads as a sign error in the harness.
    callable_target(
        tmp_path, "zero_bot", "def reply(messages):\n    return messages[-1]['content']\n"
    )
    cases = "".join(f"  - {{id: c{i}, prompt: '{v}'}}\n" for i, v in enumerate(["-0"] * 6 + ["1"]))
    (tmp_path / "s.yaml").write_text(
        f"suite: negzero\ncases:\n{cases}"
        "metrics: [{id: q, quantile: {expr: 'float(response)', q: 0.5}}]\n"
        "gates: [{metric: q, max: 5}]\n",
        encoding="utf-8",
    )
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--reports", "r", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[-0," not in done.stdout, done.stdout
    (summary_path,) = (tmp_path / "r").glob("*/summary.json")
    assert "-0.0" not in summary_path.read_text(encoding="utf-8")
