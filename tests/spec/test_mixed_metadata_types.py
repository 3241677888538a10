"""Metadata that is text in some cases and a number or true/false in others (a value quoted
in one case, ``flag: "false"``; ``n: "2"``), read by a metric.

Observed (4 cases, each passing ``validate``): ``rate: meta.flag`` over ``true``, ``"false"``,
``0``, ``false`` was 0.5, the text "false" counted as true; ``mean: meta.n`` over ``1``,
``"2"``, ``3``, ``true`` left the text out (n=3) and ``rate: "meta.n > 1"`` left it out as
no value: figures over fewer rows, or other values, than the cases say. Now refused, naming
the key, an example of each kind and the fix. Numbers beside true/false (``0``, ``true``) read
alike (true is 1) and pass, as does grouping by such a key (``by:``, its groups named as text).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite
from tests.testing.cli import run_cli

SUITE = """\
suite: mixed
cases:
  - {{id: a, prompt: a, metadata: {{flag: true, n: 1, bits: 1}}}}
  - {{id: b, prompt: b, metadata: {{flag: "false", n: "2", bits: true}}}}
  - {{id: c, prompt: c, metadata: {{flag: 0, n: 3, bits: 0}}}}
  - {{id: d, prompt: d, metadata: {{flag: false, n: true, bits: false}}}}
scorers:
  - {{id: len, use: length}}
metrics:
  - {{id: m, {metric}}}
"""


@pytest.mark.parametrize(
    ("metric", "key"),
    [
        ('rate: "meta.flag"', "meta.flag"),
        ('rate: "meta.flag == true"', "meta.flag"),
        ('rate: "not meta.flag"', "meta.flag"),
        ('mean: "meta.n"', "meta.n"),
        ('rate: "meta.n > 1"', "meta.n"),
        ('mean: "meta.n * 2"', "meta.n"),
        ('rate: "len.chars > 0", where: "meta.flag"', "meta.flag"),
    ],
)
def test_a_key_of_text_and_other_kinds_is_refused(write, metric: str, key: str) -> None:
    path = write("suites/mixed.yaml", SUITE.format(metric=metric))
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    issues = info.value.issues
    assert len(issues) == 1, [str(i) for i in issues]
    text = str(issues[0])
    assert text.startswith(f"{path}:10: metrics[0]"), text
    assert f"{key} is text in some cases" in text, text
    assert "one kind of value in every case" in text, text


@pytest.mark.parametrize(
    "metric",
    [
        'rate: "meta.bits"',
        'mean: "meta.bits"',
        'rate: "len.chars > 0", by: "meta.n"',
        'rate: "meta.n is None"',
    ],
)
def test_numbers_beside_true_false_and_groups_pass(write, metric: str) -> None:
    load_suite(write("suites/mixed.yaml", SUITE.format(metric=metric)))


def test_validate_names_the_mixed_key_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(SUITE.format(metric='rate: "meta.flag"'), encoding="utf-8")
    done = run_cli("validate", "mixed.yaml", cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    lines = [line for line in out.splitlines() if line.startswith("mixed.yaml:10: metrics[0]")]
    assert len(lines) == 1 and "'false'" in lines[0], out
    assert "Traceback" not in out, out
