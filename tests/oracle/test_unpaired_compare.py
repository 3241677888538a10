"""``compare`` of two runs whose cases do not pair up agrees with the oracle's own tests
(tests/oracle/unpaired.py): each metric's and each group's difference, interval, p-value,
Holm-adjusted p-value and verdict."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from assurance_harness import run_suite

from ..testing.cli import run_cli
from .check import close, read_rows
from .generate import Plan
from .unpaired import expected_test, holm, unpaired_suite, verdict

ALPHA = 0.05
HIGHER = {"yes_rate": True, "words_mean": False}


def _run(folder: Path, suite: dict[str, Any]) -> Path:
    folder.mkdir()
    suite_path, target = Plan(suite, []).write(folder)
    outcome = run_suite(suite_path, target, reports_dir=folder / "reports", use_cache=False)
    return Path(outcome.run_dir)


def _disagreements(
    shown: dict[str, Any], kind: str, base: list[dict[str, Any]], cand: list[dict[str, Any]]
) -> tuple[list[str], float]:
    """What the shown test gets wrong against the oracle's, and the oracle's p-value."""
    mine = expected_test(kind, base, cand, 1 - ALPHA)
    test = shown["test"]
    where = shown["metric"] + (f"[{shown['group']}]" if "group" in shown else "")
    if test is None:
        return [f"{where}: no test ({shown['note']})"], mine.p_value
    found = [
        f"{where}: {key} {test[key]} != {want}"
        for key, want in (
            ("diff", mine.diff),
            ("ci_low", mine.low),
            ("ci_high", mine.high),
            ("p_value", mine.p_value),
        )
        if not close(test[key], want)
    ]
    return found, mine.p_value


def _check_family(
    items: list[dict[str, Any]], rows: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> list[str]:
    found: list[str] = []
    p_values = []
    for item in items:
        group = item.get("group")
        base, cand = (
            [r for r in part if group is None or r["metadata"]["group"] == group] for part in rows
        )
        wrong, p = _disagreements(item, item["kind"], base, cand)
        found += wrong
        p_values.append(p)
    for item, p_adj in zip(items, holm(p_values), strict=True):
        where = item["metric"] + (f"[{item['group']}]" if "group" in item else "")
        if not close(item["p_adjusted"], p_adj):
            found.append(f"{where}: p_adjusted {item['p_adjusted']} != {p_adj}")
        want = verdict(item["test"]["diff"], p_adj, ALPHA, HIGHER[item["metric"]])
        if item["verdict"] != want:
            found.append(f"{where}: verdict {item['verdict']} != {want}")
    return found


@pytest.mark.parametrize(
    ("seed", "samples", "sizes", "rates"),
    [
        (1, 1, (30, 24), (0.2, 0.5)),  # a regression big enough to see
        (2, 1, (12, 17), (0.3, 0.3)),
        (3, 1, (20, 20), (0.0, 0.0)),  # every case missed in both runs
        (4, 1, (15, 9), (0.0, 0.4)),  # no hit in one run
        (5, 3, (10, 14), (0.2, 0.6)),  # several samples a case: the case is the unit
        (6, 2, (8, 6), (0.5, 0.5)),
        (7, 4, (6, 6), (0.0, 0.0)),  # every sample of every case missed in both runs
    ],
)
def test_unpaired_compare_agrees_with_the_oracle(
    tmp_path: Path, seed: int, samples: int, sizes: tuple[int, int], rates: tuple[float, float]
) -> None:
    rng = random.Random(seed)
    runs = [
        _run(
            tmp_path / prefix,
            unpaired_suite(rng, prefix=prefix, cases=cases, samples=samples, p_yes=rate),
        )
        for prefix, cases, rate in zip(("a", "b"), sizes, rates, strict=True)
    ]
    done = run_cli(
        "compare", str(runs[0]), str(runs[1]), "-f", "json", "--groups",
        "--alpha", str(ALPHA), "--higher-is-better", "yes_rate",
        "--lower-is-better", "words_mean", cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    out = json.loads(done.stdout)
    assert out["paired"] is False
    rows = (read_rows(runs[0]), read_rows(runs[1]))
    found = _check_family(out["metrics"], rows)
    found += _check_family([g for m in out["metrics"] for g in m.get("groups", [])], rows)
    assert found == []
