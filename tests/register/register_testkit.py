"""Test kit: builds run directories through the run log's own writer (``store.runlog``), so the
register can be tested without the runner, and a change in the run format that the runner makes
cannot pass these tests unnoticed (the models check every file the kit writes)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from assurance_harness.register.evidence_record import GENESIS, canonical_json, record_hash
from assurance_harness.spec.targets import load_target
from assurance_harness.store.runlog import Manifest, RunLogWriter, Summary

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_REGISTER = REPO / "register" / "risk_register.yaml"
DEMO_FINGERPRINT = load_target(REPO / "targets" / "demo.yaml").fingerprint()
"""The example register's system target (``system.target: targets/demo.yaml``): runs made
with it count as the system's evidence (``register.identity``)."""


MADE_BY_HAND: set[Path] = set()
"""Run folders ``make_run`` wrote. Their summaries state figures as a test asks for them (set
intervals, hostile group names), not as their rows give them, so the check that a summary is
what its results give (``register.summary_check``) would rightly refuse them; the register
tests' conftest lets these folders, and only these, past it."""


@dataclass
class GateSpec:
    metric: str
    verdict: str
    value: float = 0.02
    n: int = 120
    ci_low: float = 0.005
    ci_high: float = 0.06
    max: float | None = 0.1
    min: float | None = None
    bound: str = "upper"
    worst_cases: list[str] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] | None = None
    confidence: float | None = 0.95
    metric_recorded: bool = True
    """False: summary.json holds the gate but not its metric (an older or damaged run's)."""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_run(
    reports: Path,
    *,
    suite: str = "toxicity-core",
    version: str = "1.0.0",
    evidence_for: list[str] | None = None,
    gates: list[GateSpec] | None = None,
    finished_at: str = "2026-11-30T03:15:00+00:00",
    rows: list[dict[str, Any]] | None = None,
    run_id: str | None = None,
    status: str | None = None,
    model_version: str | None = "demo-assistant-1.0",
    description: str = "The assistant must not produce toxic text, even when provoked.",
    target_name: str = "demo",
    target_fingerprint: str = DEMO_FINGERPRINT,
    suite_sha256: str | None = None,
) -> Path:
    """Write a finished run directory and return it."""
    gates = [GateSpec("toxic_rate", "pass")] if gates is None else gates
    run_id = run_id or f"{finished_at[:19].replace('-', '').replace(':', '')}Z-{suite}"
    run_dir = reports / run_id
    run_dir.mkdir(parents=True)
    rows = rows or [
        {
            "case_id": f"{suite}-{i:03d}",
            "sample": 0,
            "seed": i,
            "prompt": f"prompt {i}",
            "messages": [{"role": "user", "content": f"prompt {i}"}],
            "response": f"response {i}",
            "error": None,
            "metadata": {"category": "general"},
            "expected": {},
            "scores": {"tox": {"toxicity": 0.01 * i, "flagged": False}},
            "latency_s": 0.01,
            "attempts": 1,
            "cached": False,
            "model_version": model_version,
        }
        for i in range(5)
    ]
    writer = RunLogWriter(run_dir)
    results_sha = writer.write_results(rows)
    cases = run_dir / "cases.jsonl"
    cases.write_text(
        "".join(json.dumps({"id": r["case_id"], "prompt": r["prompt"]}) + "\n" for r in rows)
    )
    metrics = {}
    gate_rows = []
    for gate in gates:
        metric = {
            "kind": "rate",
            "spec": {"rate": "tox.toxicity > 0.5"},
            "description": None,
            "value": gate.value,
            "n": gate.n,
            "ci_low": gate.ci_low,
            "ci_high": gate.ci_high,
            "confidence": gate.confidence,
            "method": "wilson",
            "groups": gate.groups,
            "details": {"n_skipped": 0},
        }
        if gate.metric_recorded:
            metrics[gate.metric] = metric
        label = (
            f"{gate.metric} <= {gate.max:g} ({gate.bound} bound)"
            if gate.max is not None
            else (f"{gate.metric} >= {gate.min:g} ({gate.bound} bound)")
        )
        gate_rows.append(
            {
                "id": label,
                "metric": gate.metric,
                "max": gate.max,
                "min": gate.min,
                "bound": gate.bound,
                "checked": {"upper": gate.ci_high, "lower": gate.ci_low}.get(
                    gate.bound, gate.value
                ),
                "verdict": gate.verdict,
                "value": gate.value,
                "ci_low": gate.ci_low,
                "ci_high": gate.ci_high,
                "n": gate.n,
                "failing_groups": [],
                "worst_cases": gate.worst_cases,
            }
        )
    any_fail = any(g.verdict == "fail" for g in gates)
    status = status or ("gates_failed" if any_fail else "passed")
    suite_info = {
        "name": suite,
        "version": version,
        "path": f"suites/{suite}.yaml",
        "sha256": suite_sha256 or hashlib.sha256(f"{suite}@{version}".encode()).hexdigest(),
        "evidence_for": evidence_for if evidence_for is not None else ["R-001"],
        "description": description,
        "audience": None,
    }
    target = {
        "name": target_name,
        "type": "callable",
        "fingerprint": target_fingerprint,
        "model_version": model_version,
    }
    summary = {
        "run_id": run_id,
        "suite": suite_info,
        "target": target,
        "status": status,
        "started_at": finished_at,
        "finished_at": finished_at,
        "counts": {
            "cases": len(rows),
            "requests": len(rows),
            "responses": len(rows),
            "errors": 0,
            "error_rate": 0.0,
            "max_error_rate": 0.1,
            "cached": 0,
        },
        "seed": 0,
        "samples": 1,
        "scorers": {"tox": {"name": "detoxify", "version": "1", "params": {}}},
        "metrics": metrics,
        "gates": gate_rows,
        "exit_code": 1 if any_fail else 0,
    }
    summary_sha = writer.write_summary(Summary.model_validate(summary))
    responses = run_dir / "responses.jsonl"
    responses.write_text(
        "".join(json.dumps({"case_id": r["case_id"], "sample": r["sample"]}) + "\n" for r in rows)
    )
    manifest = {
        "run_id": run_id,
        "tool": {"name": "assurance-harness", "version": "0.1.0"},
        "suite": {
            "path": suite_info["path"],
            "sha256": suite_info["sha256"],
            "name": suite,
            "version": version,
        },
        "datasets": [],
        "cases": {"path": "cases.jsonl", "sha256": _sha(cases), "count": len(rows)},
        "target": {
            "path": "targets/demo.yaml",
            "sha256": "t" * 64,
            "config": {},
            "fingerprint": "a1b2c3d4",
        },
        "results": {"path": "results.jsonl", "sha256": results_sha},
        "responses": {"path": "responses.jsonl", "sha256": _sha(responses)},
        "summary": {"path": "summary.json", "sha256": summary_sha},  # as the runner records it
        "scorers": summary["scorers"],
        "seed": 0,
        "packages": {},
        "python": "3.11.7",
        "platform": "Linux",
        "git_commit": None,
        "git_dirty": None,
        "command": f"assurance run suites/{suite}.yaml --target targets/demo.yaml",
        "started_at": finished_at,
        "finished_at": finished_at,
    }
    writer.write_manifest(Manifest.model_validate(manifest))
    MADE_BY_HAND.add(run_dir.resolve())
    return run_dir


# Model output an attacker would like rendered: script, event handler, javascript: link, remote
# image, table breaker, Markdown emphasis and a heading.
HOSTILE = (
    "<script>alert(1)</script> [click](javascript:alert(2)) | cell | "
    "<img src=x onerror=alert(3)> **bold** `code` ![i](http://evil/x.png)\n# heading"
)


class _Elements(HTMLParser):
    """Collects every element and attribute a browser would build from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def assert_inert(html: str, *, allow_images: list[str] | None = None) -> None:
    """No script, no event handler, no javascript: URL, no link off the page, and no image
    except inline PNGs (and the annex's own plot files, where named)."""
    found = elements(html)
    assert "script" not in found.tags
    for name, value in found.attrs:
        value = (value or "").strip()
        assert not name.startswith("on"), (name, value)
        assert not value.lower().startswith("javascript:"), (name, value)
        if name == "src":
            assert value.startswith("data:image/png;base64,") or value in (allow_images or []), (
                value
            )
        if name == "href":
            assert value.startswith("#"), value


def render_markdown(text: str) -> str:
    # CommonMark with raw HTML allowed (the worst case for a viewer) plus GFM tables.
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


RECORD_RUN_KEYS_ADDED_SINCE_GOLDEN = ["cases", "origin"]
"""Keys new records add to ``run`` (docs/FORMATS.md, "Cases in evidence records", "Where a
record's run folder lives")."""


def without_added_since_golden(text: str) -> list[str]:
    """The ledger's lines with the keys added since the golden ledger taken out and the chain
    hashed again: what the version that wrote the golden ledger wrote."""
    lines, prev = [], GENESIS
    for line in text.splitlines():
        data = json.loads(line)
        for key in RECORD_RUN_KEYS_ADDED_SINCE_GOLDEN:
            data["run"].pop(key, None)
        data["prev_hash"] = prev
        data.pop("hash")
        data["hash"] = prev = record_hash(data)
        lines.append(canonical_json(data) + "\n")
    return lines
