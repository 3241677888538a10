"""The one check that a suite's metrics computed from compact columns equal those computed from
its rows (``metrics.columns``): values, intervals and details, and the gates' verdicts with
their worst cases. Shared by the column tests of every metric kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assurance_harness.metrics.base import MetricValue
from assurance_harness.metrics.columns import MetricColumns, compact_supported
from assurance_harness.metrics.engine import compute_metrics, judge_gate
from assurance_harness.spec.loader import load_suite


def compare_with_rows(
    suite: Path, rows: list[dict[str, Any]], *, samples: int, chunk: int, seed: int
) -> tuple[dict[str, MetricValue], list[dict[str, Any]]]:
    """Columns filled ``chunk`` rows at a time give the metrics and gate verdicts (worst cases
    included) that the rows give; the metrics from columns and the verdicts."""
    # The rows are the test's own, not its suite's cases (placeholders that may leave a metric
    # without a figure, which validate refuses: ``spec.strata``), so those are not checked.
    loaded = load_suite(suite, expand=False)
    gates = loaded.suite.gates
    assert compact_supported(loaded.metrics, gates)
    columns = MetricColumns(
        loaded.metrics,
        samples=samples,
        case_id=lambda i: rows[i * samples]["case_id"],
        gated={g.metric for g in gates},
    )
    for start in range(0, len(rows), chunk):
        columns.add(rows[start : start + chunk])
    expected = compute_metrics(loaded.metrics, rows, seed=seed)
    got = columns.compute(seed=seed)
    for spec in loaded.metrics:
        want = json.dumps(expected[spec.id].to_dict(), sort_keys=True)
        assert json.dumps(got[spec.id].to_dict(), sort_keys=True) == want, spec.id
    specs = {m.id: m for m in loaded.metrics}
    verdicts = []
    for gate in gates:
        spec = specs[gate.metric]
        from_rows = judge_gate(gate, expected[gate.metric], spec, rows)
        assert judge_gate(gate, got[gate.metric], spec, columns) == from_rows, gate.metric
        verdicts.append(from_rows)
    return got, verdicts
