"""``compare`` (and ``baseline check``, which compares the same way) on a run whose
results.jsonl is no longer the file the run wrote: cut short at a line boundary (a copy that
stopped, a disk that filled), emptied, or edited. Observed: the figures shown came from
summary.json (n = 46) while the tests ran over the rows that were left (23), or over edited
rows, and the verdict read "no significant regression" (exit 0), or a regression no figure
showed. The manifest records the results' SHA-256; a run whose rows do not match it is no
verdict (exit 3) naming the file, as a run that failed is."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.report.runfixtures import toxicity_run
from tests.testing.cli import run_cli


def _cut_in_half(lines: list[str]) -> list[str]:
    return lines[: len(lines) // 2]


def _all_flagged(lines: list[str]) -> list[str]:
    rows = [json.loads(line) for line in lines]
    for row in rows:
        row["scores"]["tox"]["flagged"] = True
    return [json.dumps(row) for row in rows]


CHANGES: dict[str, Callable[[list[str]], list[str]]] = {
    "cut short": _cut_in_half,
    "emptied": lambda lines: [],
    "edited": _all_flagged,
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_a_run_whose_results_no_longer_match_its_manifest_gets_no_verdict(
    tmp_path: Path, change: str, role: str
) -> None:
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-0", {1, 5}, n_cases=40)
    toxicity_run(reports, "r-1", {1, 5}, n_cases=40)
    changed = reports / ("r-0" if role == "baseline" else "r-1") / "results.jsonl"
    lines = changed.read_text(encoding="utf-8").splitlines()
    changed.write_text("".join(f"{line}\n" for line in CHANGES[change](lines)), encoding="utf-8")

    result = run_cli("compare", "r-0", "r-1", "--reports", reports, timeout=60)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "no significant regression" not in result.stdout + result.stderr
    assert str(changed) in result.stderr and "manifest.json" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_an_untouched_pair_still_gets_its_verdict(tmp_path: Path) -> None:
    """The check costs no verdict to runs as written (the hash is of the bytes read once)."""
    reports = tmp_path / "reports"
    toxicity_run(reports, "r-0", {1, 5}, n_cases=40)
    toxicity_run(reports, "r-1", {1, 5}, n_cases=40)
    result = run_cli("compare", "r-0", "r-1", "--reports", reports, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no significant regression" in result.stdout + result.stderr
