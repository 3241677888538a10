"""A gate whose metric lost its data is no "no regression".

Observed: a suite gates two metrics; in tonight's run one of them has no data (its `where:`
matched no row, so its gate is `no_data`, which fails the run), while the other is unchanged.
`assurance baseline check` and `assurance compare` printed "no significant regression" and
exited 0: a pre-release check that runs `compare` alone passed a candidate whose gated metric
was never measured. A gated metric without data in the candidate leaves the comparison with no
verdict: exit 3, with one line naming the metric.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import run_cli, run_id_of

SUITE = (
    "suite: nightly\ncases:\n"
    + "".join(f"  - {{id: c{i}, prompt: 'hi {i}'}}\n" for i in range(12))
    + "scorers:\n"
    "  - {id: m, use: regex, with: {pattern: echo}}\n"
    "  - {id: k, use: regex, with: {pattern: kind}}\n"
    "metrics:\n"
    "  - {id: r, rate: m.matched}\n"
    "  - {id: kind_rate, rate: m.matched, where: k.matched}\n"
    "gates: [{metric: r, min: 0.5}, {metric: kind_rate, min: 0.5}]\n"
)

BOT = """\
from pathlib import Path

def reply(messages):
    unkind = Path(__file__).with_name("unkind").exists()
    return ("echo " if unkind else "echo kind ") + messages[-1]["content"]
"""


def _run(project: Path, expected: int) -> str:
    done = run_cli("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-cache", cwd=project)
    assert done.returncode == expected, done.stdout + done.stderr
    return run_id_of(done)


def test_a_gated_metric_without_data_in_the_candidate_has_no_verdict(tmp_path: Path) -> None:
    (tmp_path / "nightly_bot.py").write_text(BOT, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: nightly_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    accepted = _run(tmp_path, 0)
    assert run_cli("baseline", "set", accepted, cwd=tmp_path).returncode == 0
    (tmp_path / "unkind").touch()
    candidate = _run(tmp_path, 1)  # the kind_rate gate is no_data: a failed gate

    check = run_cli("baseline", "check", cwd=tmp_path)
    assert check.returncode == 3, check.stdout + check.stderr
    assert "no significant regression" not in check.stdout + check.stderr
    lines = [ln for ln in check.stderr.splitlines() if "kind_rate" in ln]
    assert len(lines) == 1 and "no data" in lines[0], check.stderr
    assert "Traceback" not in check.stderr

    compared = run_cli("compare", accepted, candidate, cwd=tmp_path)
    assert compared.returncode == 3, compared.stdout + compared.stderr
    assert "no significant regression" not in compared.stdout + compared.stderr


def test_the_better_column_says_no_data_for_a_metric_without_data(tmp_path: Path) -> None:
    """Observed: the table's and the Markdown's "better" cell of a gated metric without data
    read ``?``, and the JSON's ``direction_source`` said ``unknown``, while the verdict beside
    them said "no data". Each now names it as the verdict does."""
    (tmp_path / "nightly_bot.py").write_text(BOT, encoding="utf-8")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: nightly_bot:reply\npython_path: [.]\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(SUITE, encoding="utf-8")
    accepted = _run(tmp_path, 0)
    (tmp_path / "unkind").touch()
    candidate = _run(tmp_path, 1)

    table = run_cli("compare", accepted, candidate, cwd=tmp_path, env={"COLUMNS": "250"})
    row = next(ln for ln in table.stdout.splitlines() if "kind_rate" in ln and "│" in ln)
    cells = [c.strip() for c in row.split("│")]
    assert "?" not in cells and "no data" in cells, row

    out = tmp_path / "cmp.md"
    run_cli("compare", accepted, candidate, "--out", str(out), cwd=tmp_path)
    md_lines = out.read_text(encoding="utf-8").splitlines()
    md_row = next(ln for ln in md_lines if ln.startswith("| kind_rate"))
    md_cells = [c.strip() for c in md_row.split("|")]
    assert "?" not in md_cells and "no data" in md_cells, md_row

    as_json = run_cli("compare", accepted, candidate, "--format", "json", cwd=tmp_path)
    metrics = {m["metric"]: m for m in json.loads(as_json.stdout)["metrics"]}
    assert metrics["kind_rate"]["verdict"] == "no_data"
    assert metrics["kind_rate"]["direction"] is None
    assert metrics["kind_rate"]["direction_source"] == "no_data", metrics["kind_rate"]
    assert metrics["r"]["direction_source"] == "gate", metrics["r"]
