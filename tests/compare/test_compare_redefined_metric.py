"""``compare`` of two runs whose suite changed a metric's definition under the same id, as the
runs' summary.json record it (``metrics.<id>.kind`` and ``.spec``).

Observed: a rate made a mean (``rate: m.matched`` to ``mean: m.matched``) was tested as the
candidate's kind over both runs, and a rate narrowed to one case (``where: "case_id == 'a'"``,
another population) was compared with the rate over every case; each said only "the suite file
changed between the runs (different SHA-256); metrics are compared by id", which every edit of
the suite file says (a new case, a comment). Then a metric of another kind was not compared (no
verdict on it: different measures), but one of the same kind defined otherwise (another
expression, threshold or population) was still tested and judged, with a warning: a rate made
its opposite (``not m.matched``) read as a significant regression, exit 1. Two different
measurements are no evidence of a regression or of none: such a metric is not compared either
(verdict ``untested``, its groups not compared), with a warning naming it and both
definitions; where it was the only metric, the comparison has no verdict (exit 3)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.testing.cli import into_the_next_second, run_cli, run_id_of
from tests.testing.project import echo_project, echo_runs


def _redefined_run(root: Path, metric: str) -> Path:
    """A run of ``root``'s suite (see ``echo_runs``) with metric ``r`` given as ``metric``."""
    suite = root / "s.yaml"
    text = suite.read_text(encoding="utf-8")
    suite.write_text(text.replace("{id: r, rate: m.matched}", metric), encoding="utf-8")
    before = set((root / "reports").iterdir())
    done = run_cli(  # measured afresh: a candidate answered from the cache is no verdict
        "run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-cache", cwd=root, timeout=60
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    (run,) = set((root / "reports").iterdir()) - before
    return run


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning: ")]


def test_a_metric_of_another_kind_is_not_compared(tmp_path: Path) -> None:
    (base,) = echo_runs(tmp_path, "redefined-kind")
    cand = _redefined_run(tmp_path, "{id: r, mean: m.matched}")

    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    text = done.stdout + done.stderr
    assert "Traceback" not in text and "no significant regression" not in text, text
    assert done.returncode == 3, text
    (warning,) = [w for w in _warnings(text) if "metric r" in w]
    assert "a rate in the baseline run and a mean in the candidate run" in warning, warning
    assert "not compared" in warning and "new metric id" in warning, warning
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "defined differently" in errors[0], done.stderr


def test_a_metric_defined_otherwise_is_not_compared(tmp_path: Path) -> None:
    (base,) = echo_runs(tmp_path, "redefined-spec")
    cand = _redefined_run(tmp_path, "{id: r, rate: m.matched, where: \"case_id == 'a'\"}")

    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    text = done.stdout + done.stderr
    assert "Traceback" not in text and "no significant regression" not in text, text
    assert done.returncode == 3, text  # its only metric: nothing compared, no verdict
    (warning,) = [w for w in _warnings(text) if "metric r" in w]
    assert "defined differently in the two runs" in warning, warning
    assert "case_id == 'a'" in warning, warning  # both definitions shown
    assert "not compared" in warning and "new metric id" in warning, warning
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "defined differently" in errors[0], done.stderr


REDEFINED_BESIDE_ANOTHER = (
    "suite: redefined-beside\ncases:\n"
    + "".join(
        f"  - {{id: c{i}, prompt: 'hi {i}', metadata: {{g: {'xy'[i % 2]}}}}}\n" for i in range(16)
    )
    + "scorers: [{id: m, use: regex, with: {pattern: echo}}]\n"
    "metrics:\n  - {id: r, rate: m.matched, by: meta.g}\n  - {id: k, rate: m.matched}\n"
    "gates: [{metric: k, min: 0.5}]\n"
)
"""``r`` has no gate: a gated metric redefined leaves the comparison with no verdict
(``test_compare_gated_redefined``)."""


def test_a_redefined_metric_beside_a_compared_one_gets_no_verdict(tmp_path: Path) -> None:
    """Its opposite under the same id (every answer matched, then none) would test as a
    significant regression, overall and in each group: it is not compared; the other metric
    is, and decides the comparison (``r`` is not gated)."""
    echo_project(tmp_path, suite="redefined-beside")
    (tmp_path / "s.yaml").write_text(REDEFINED_BESIDE_ANOTHER, encoding="utf-8")
    run = ("run", "s.yaml", "--target", "t.yaml", "--no-report", "--no-evidence", "--no-cache")
    base = run_id_of(run_cli(*run, cwd=tmp_path, timeout=60))
    into_the_next_second()
    opposite = REDEFINED_BESIDE_ANOTHER.replace("rate: m.matched, by", 'rate: "not m.matched", by')
    (tmp_path / "s.yaml").write_text(opposite, encoding="utf-8")
    cand = run_id_of(run_cli(*run, cwd=tmp_path, timeout=60))

    done = run_cli("compare", base, cand, "--groups", "-f", "json", cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    payload = json.loads(done.stdout)
    assert payload["regressed"] == [], payload
    r, k = (next(m for m in payload["metrics"] if m["metric"] == i) for i in ("r", "k"))
    assert r["verdict"] == "untested" and r["test"] is None and not r.get("groups"), r
    assert "defined differently" in r["note"], r
    assert k["verdict"] == "unchanged", k
    assert any("metric r is defined differently" in w for w in payload["warnings"]), payload


def test_a_metric_given_only_another_interval_or_grouping_is_compared_quietly(
    tmp_path: Path,
) -> None:
    """The same measure: a confidence level or a ``by:`` changes its interval or its groups,
    not the figure compared."""
    (base,) = echo_runs(tmp_path, "same-measure")
    cand = _redefined_run(tmp_path, "{id: r, rate: m.matched, confidence: 0.9, by: case_id}")

    done = run_cli("compare", base, cand, cwd=tmp_path, timeout=60)
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    assert not [w for w in _warnings(text) if "metric r" in w], text
