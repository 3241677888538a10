"""What a dataset's rows hold is what the run measures, or one located error: JSON that a
reader takes in one of several ways (a key written twice, NaN, a number past float's range or
int's digit limit) and mappings that read nothing are refused, and a JSON list loads in time
linear in its rows."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.spec.loader import load_suite

from ..testing.cli import run_cli


def _issue(suite: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_suite(suite)
    (issue,) = info.value.issues
    return str(issue)


def test_a_json_list_loads_in_time_linear_in_its_rows(write) -> None:
    # Observed: each item's checks scanned the whole file's text, so a JSON list of 20,000
    # rows took 17 s to load (the same rows as JSONL 0.3 s), 200,000 rows half an hour.
    rows = [{"id": f"c{i}", "prompt": f"p{i}"} for i in range(25_000)]
    write("d.json", json.dumps(rows))
    suite = write("s.yaml", "suite: x\ndataset: {path: d.json}\n")
    began = time.perf_counter()
    cases = load_suite(suite).cases
    assert len(cases) == 25_000
    assert time.perf_counter() - began < 8, "quadratic in the rows again?"
