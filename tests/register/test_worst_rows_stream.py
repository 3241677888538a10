"""The drill-down and the annex find a gate's worst cases in the results file as a stream.

``drilldown.worst_rows`` read every line of the file into a list before looking for the few
keys it shows: a 100,000-row run's rows held whole for five cases (``register show``, the web
app's risk page, ``evidence pack``). The memory it takes must not grow with the file.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from assurance_harness.register.drilldown import worst_rows


def test_worst_rows_does_not_hold_the_file(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    with results.open("w", encoding="utf-8") as out:
        for i in range(2000):
            row = {"case_id": f"c{i}", "sample": 0, "prompt": "p", "response": "x" * 500}
            out.write(json.dumps(row) + "\n")
        out.write("torn {\n")
    tracemalloc.start()
    try:
        found = worst_rows(results, ["c1999#0", "c3#0", "c7#0"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(r.key, r.line) for r in found] == [("c1999#0", 2000), ("c3#0", 4), ("c7#0", 8)]
    # The file's rows held whole take about 2 MB here; one line at a time, a few kB.
    assert peak < 500_000, f"worst_rows peaked at {peak:,} bytes for a 1 MB file"
