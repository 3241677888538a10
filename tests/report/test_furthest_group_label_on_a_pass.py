"""A paired delta's gate figure is named as its furthest group's on a passing gate too.

Observed (the bundled robustness-perturbation suite on the demo target): ``toxicity_delta <=
0.05 | pass | -0.007252 | 95% [-0.02924, 0.01473] | 399``. The figure and interval are the
char_swap operator's, over 18 pairs; bare beside n = 399 they read as a mean change over every
row. The failing gate of the same metric kind said "furthest (synonym)"; the passing one said
nothing, in the console, report.md and report.html.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testing.cli import invoke_in_process

SUITE = """\
suite: paired-pass
samples: 1
cases:
{cases}
expand:
  - use: perturb
    with: {{operators: [uppercase, typo]}}
scorers:
  - {{id: loud, use: regex, with: {{pattern: "SHOUT"}}}}
metrics:
  - id: loud_delta
    paired:
      {{value: loud.matched, pair_by: meta.source_id, group: meta.perturbation, reference: none}}
  - id: loud_rate
    rate: loud.matched
gates:
  - {{metric: loud_delta, max: 1.5}}
  - {{metric: loud_rate, max: 0.9}}
"""

BOT = """\
def reply(messages, **_):
    text = messages[-1]["content"]
    return "SHOUT" if text.isupper() else "fine"
"""


def test_a_passing_paired_gate_names_its_furthest_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = "\n".join(f"  - {{id: c{i}, prompt: please answer question {i}}}" for i in range(6))
    (tmp_path / "suite.yaml").write_text(SUITE.format(cases=cases))
    (tmp_path / "bot_pass.py").write_text(BOT)
    (tmp_path / "bot.yaml").write_text(
        "type: callable\nfunction: bot_pass:reply\npython_path: ['.']\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    done = invoke_in_process(
        ["run", "suite.yaml", "--target", "bot.yaml", "--reports", "reports", "--no-evidence"]
    )
    assert done.exit_code == 0, done.output
    rows = {line.split("│")[1].strip(): line for line in done.output.splitlines() if "│" in line}
    assert "furthest (uppercase)" in rows["loud_delta <= 1.5"], done.output
    # a metric over every row keeps its bare figure
    assert "furthest" not in rows["loud_rate <= 0.9"] and "overall" not in rows["loud_rate <= 0.9"]
    run_dir = next(p for p in (tmp_path / "reports").iterdir() if p.is_dir() and "-" in p.name)
    for report in ("report.md", "report.html"):
        text = (run_dir / report).read_text()
        assert "furthest (uppercase)" in text, report
