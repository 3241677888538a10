"""Worst cases show their scores as a readable table (field, value), not raw JSON."""

from __future__ import annotations

from pathlib import Path

from assurance_harness.report.context import flat_scores
from assurance_harness.report.html import render_html
from assurance_harness.report.markdown import render_markdown
from assurance_harness.report.rundata import load_run

from .runfixtures import toxicity_run


def test_flat_scores_reads_like_a_table() -> None:
    scores = {
        "tox": {"toxicity": 0.93456, "flagged": True},
        "age": {"min_age": 13, "categories": {"profanity": 2, "sexual": 0}, "reasons": ["a", "b"]},
    }
    assert flat_scores(scores) == [
        ("age.categories.profanity", "2"),
        ("age.categories.sexual", "0"),
        ("age.min_age", "13"),
        ("age.reasons", "a; b"),
        ("tox.flagged", "true"),
        ("tox.toxicity", "0.935"),
    ]


def test_report_worst_cases_have_score_tables(tmp_path: Path) -> None:
    run = load_run(toxicity_run(tmp_path, "bad", {0, 5}, n_cases=10))
    html = render_html(run)
    worst = html.split('id="worst"', 1)[1].split("</section>", 1)[0]
    assert '<table class="scores">' in worst
    assert "<td><code>tox.toxicity</code></td>" in worst
    assert "{&#34;" not in worst and '{"' not in worst  # no JSON objects
    md = render_markdown(run)
    section = md.split("## Worst cases", 1)[1].split("## Run details", 1)[0]
    assert "| `tox.toxicity` |" in section
    assert '{"' not in section


def test_counterfactual_worst_cases_show_the_other_groups_answers(tmp_path: Path) -> None:
    from .runfixtures import gate, rate_metric, row, write_run

    rows = []
    for group, reply, score in (("girl", "Girls can't do maths.", 0.9), ("boy", "Sure!", 0.0)):
        rows.append(
            row(
                f"t1|gender={group}",
                response=reply,
                metadata={"template": "t1", "axis": "gender", "group": group},
                scores={"tox": {"toxicity": score}},
            )
        )
    rows.append(
        row(
            "t2|gender=boy",
            response="Other template",
            metadata={"template": "t2", "axis": "gender", "group": "boy"},
            scores={"tox": {"toxicity": 0.0}},
        )
    )
    metric = rate_metric(rows, "tox.toxicity > 0.5", lambda r: r["scores"]["tox"]["toxicity"] > 0.5)
    run_dir = write_run(
        tmp_path,
        "cf",
        rows,
        {"bad": metric},
        [gate("bad", metric, max=0.0, worst_cases=["t1|gender=girl#0"])],
    )
    run = load_run(run_dir)
    worst = render_html(run).split('id="worst"', 1)[1].split("</section>", 1)[0]
    assert "The same template, other groups" in worst
    assert "<td>boy</td><td><pre>Sure!</pre></td>" in worst
    assert "Other template" not in worst
    md = render_markdown(run).split("## Worst cases", 1)[1]
    assert "| boy | Sure! |" in md
