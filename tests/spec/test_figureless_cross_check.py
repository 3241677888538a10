"""``validate``'s refusals of comparisons without a figure, checked against real runs: over
generated datasets, ``validate`` refuses a ``disparity`` or ``paired`` metric exactly when a run
of the same cases, every prompt answered and scored, gives it no figure. A refusal the run
contradicts would be a false refusal (a suite that can measure, turned away); a figure-less
metric validate let through is a gate that reads no_data after every request was sent."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

from ..testing.cli import invoke_in_process

EN = "meta.lang == 'en'"

METRICS = (
    ("disparity: {{value: m.chars, by: meta.g, within: meta.axis, min_group_size: {k}}}", None),
    ("disparity: {{value: m.chars, by: meta.g, min_group_size: {k}}}", None),
    (
        "paired: {{value: m.chars, pair_by: meta.t, group: meta.g, within: meta.axis, "
        "min_pairs: {p}, reference: {ref}}}",
        None,
    ),
    (
        "paired: {{value: m.chars, pair_by: meta.t, group: meta.g, min_pairs: {p}, "
        "reference: {ref}}}",
        None,
    ),
    ("disparity: {{value: m.chars, by: meta.g, within: meta.axis}}", EN),
    ("paired: {{value: m.chars, pair_by: meta.t, group: meta.g, min_pairs: {p}}}", EN),
)
"""Each metric and its ``where:`` (one that reads only metadata: ``validate`` counts the cases
it keeps), if any."""

ANSWERED = "response is not None"
"""True on every row of a run whose every request was answered: the run computes the metric
over the same rows as without it, and ``validate`` leaves a ``where:`` that reads the response
unchecked (so the refused suite can be run)."""


def _dataset(rng: random.Random) -> list[dict[str, Any]]:
    """Two strata, each with up to three groups of up to four cases, templates t1-t3, and now
    and then a case with a null group or stratum."""
    rows: list[dict[str, Any]] = []
    for axis in ("s1", "s2"):
        for group in rng.sample(["a", "b", "c"], rng.randint(1, 3)):
            for _ in range(rng.randint(1, 4)):
                rows.append({"axis": axis, "g": group, "t": rng.choice(["t1", "t2", "t3"])})
    for _ in range(rng.randint(0, 2)):
        meta = {"axis": rng.choice(["s1", "s2"]), "g": rng.choice(["a", "b"]), "t": "t1"}
        meta[rng.choice(["axis", "g"])] = None
        rows.append(meta)
    # languages drawn apart (seeded by the rows), so each seed's groups stay those it had
    langs = random.Random(json.dumps(rows))
    return [{**row, "lang": langs.choice(["en", "en", "fr"])} for row in rows]


def _suite(rng: random.Random, rows: list[dict[str, Any]], *, where: bool) -> str:
    params = {
        "k": rng.randint(1, 3),
        "p": rng.randint(1, 2),
        "ref": rng.choice(["null", "a"]),
    }
    metrics = "".join(
        f"  - {{id: m{i}, {metric.format(**params)}{_where(kept, answered=where)}}}\n"
        for i, (metric, kept) in enumerate(METRICS)
    )
    cases = "".join(
        f"  - {{id: c{i}, prompt: 'question {i}', metadata: {json.dumps(meta)}}}\n"
        for i, meta in enumerate(rows)
    )
    return (
        f"suite: cross\nversion: 1.0.0\nsamples: {rng.randint(1, 2)}\ncases:\n{cases}"
        f"scorers:\n  - {{id: m, use: length}}\nmetrics:\n{metrics}"
    )


def _where(kept: str | None, *, answered: bool) -> str:
    """A metric's ``where:``: its own (``kept``), and for the run ``ANSWERED`` beside it."""
    parts = [f"({kept})"] if kept is not None else []
    parts += [ANSWERED] if answered else []
    return f", where: {json.dumps(' and '.join(parts))}" if parts else ""


def _refused(folder: Path) -> set[int]:
    """The metrics ``validate`` refuses (one line each names its ``metrics[i]``)."""
    done = invoke_in_process(["validate", str(folder / "s.yaml")])
    assert done.exit_code in (0, 2) and "Traceback" not in done.output, done.output
    return {int(i) for i in re.findall(r"s\.yaml:\d+: metrics\[(\d+)\]", done.output)}


def _without_figure(folder: Path, target: Path) -> set[int]:
    """The metrics a real run of ``run.yaml`` (every prompt answered) gives no figure."""
    reports = folder / "reports"
    run = ["run", str(folder / "run.yaml"), "--target", str(target), "--reports", str(reports)]
    done = invoke_in_process([*run, "--no-report", "--no-evidence"])
    assert done.exit_code == 0, done.output
    (summary,) = reports.glob("*/summary.json")
    metrics = json.loads(summary.read_text(encoding="utf-8"))["metrics"]
    return {i for i in range(len(METRICS)) if metrics[f"m{i}"]["value"] is None}


def test_validate_refuses_exactly_the_comparisons_a_run_gives_no_figure(tmp_path: Path) -> None:
    # A module name of its own: in-process runs share one interpreter, which holds one 'bot'.
    module = "bot_" + re.sub(r"\W", "_", tmp_path.name)
    (tmp_path / f"{module}.py").write_text(
        "def reply(messages):\n    return 'answer ' * (1 + len(messages[-1]['content']) % 5)\n",
        encoding="utf-8",
    )
    target = tmp_path / "t.yaml"
    target.write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [{json.dumps(str(tmp_path))}]\n",
        encoding="utf-8",
    )
    seen: set[tuple[int, bool]] = set()
    for seed in range(14):
        folder = tmp_path / f"seed{seed}"
        folder.mkdir()
        rows = _dataset(random.Random(seed))
        for name, where in (("s.yaml", False), ("run.yaml", True)):
            (folder / name).write_text(_suite(random.Random(seed), rows, where=where))
        refused, without = _refused(folder), _without_figure(folder, target)
        assert refused == without, (seed, refused, without, rows)
        seen.update((i, i in refused) for i in range(len(METRICS)))
    # every metric was refused on some dataset and accepted (with a figure) on another
    assert seen == {(i, r) for i in range(len(METRICS)) for r in (True, False)}, seen
