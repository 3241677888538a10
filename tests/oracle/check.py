"""Compare a run's published figures with the oracle's: every disagreement is one line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from . import recompute as rc
from .generate import Plan

TOLERANCE = 1e-9


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def near(mine: float | None, published: float | None, figure: rc.Figure) -> bool:
    """A bound as the oracle's, to float precision or (a bootstrap) within its tolerance of
    the oracle's interval's width."""
    if not figure.tolerance or mine is None or published is None:
        return close(mine, published)
    assert figure.low is not None and figure.high is not None
    return abs(mine - published) <= figure.tolerance * (figure.high - figure.low) + TOLERANCE


def read_rows(run_dir: Path) -> list[rc.Row]:
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _figure(where: str, mine: rc.Figure, published: dict[str, Any]) -> list[str]:
    found = []
    if not close(mine.value, published.get("value")):
        found.append(f"{where}: value {published.get('value')} != {mine.value}")
    # No figure counts no rows (metrics/base.py's MetricValue): n is 0, whatever was read.
    if mine.n != published.get("n"):
        found.append(f"{where}: n {published.get('n')} != {mine.n}")
    low, high = published.get("ci_low"), published.get("ci_high")
    if mine.closed and not (near(mine.low, low, mine) and near(mine.high, high, mine)):
        found.append(f"{where}: interval [{low}, {high}] != [{mine.low}, {mine.high}]")
    if mine.value is None and (low is not None or high is not None):
        found.append(f"{where}: an interval [{low}, {high}] without a value")
    if low is not None and high is not None and not (low <= high):
        found.append(f"{where}: interval [{low}, {high}] upside down")
    if (
        mine.value is not None
        and low is not None
        and high is not None
        and not (low - TOLERANCE <= published["value"] <= high + TOLERANCE)
    ):
        found.append(f"{where}: value {published['value']} outside [{low}, {high}]")
    return found


def detail(published: dict[str, Any], path: str) -> Any:
    """``details.<path>`` of a published figure (``by_group.a.value``, ``compliance_ci.0``: a
    list's item), None where absent."""
    found: Any = published.get("details") or {}
    for part in path.split("."):
        if isinstance(found, list) and part.isdigit() and int(part) < len(found):
            found = found[int(part)]
        else:
            found = found.get(part) if isinstance(found, dict) else None
    return found


def check_summary(plan: Plan, rows: list[rc.Row], summary: dict[str, Any]) -> list[str]:
    """The oracle against summary.json: each metric (overall and per group) and each gate."""
    found: list[str] = []
    for metric in plan.metrics:
        mid = str(metric.spec["id"])
        published = summary["metrics"][mid]
        mine = metric.oracle(rows)
        found += _figure(mid, mine, published)
        for path, (want, slack) in mine.details.items():
            got = detail(published, path)
            if want is None or got is None:
                if got is not want:
                    found.append(f"{mid}: details.{path} {got} != {want}")
            elif abs(got - want) > slack + TOLERANCE:
                found.append(f"{mid}: details.{path} {got} != {want}")
        groups = published.get("groups") or {}
        if set(groups) != set(mine.groups):
            found.append(f"{mid}: groups {sorted(groups)} != {sorted(mine.groups)}")
        for name, figure in mine.groups.items():
            if name in groups:
                found += _figure(f"{mid}[{name}]", figure, groups[name])
        if mine.no_group != (published.get("details") or {}).get("n_no_group", 0):
            found.append(f"{mid}: n_no_group {published['details'].get('n_no_group')}")
    metrics = summary["metrics"]
    for gate in summary["gates"]:
        metric = metrics[gate["metric"]]
        verdict, failing = rc.verdict(gate, metric)
        where = f"gate {gate['id']}"
        if gate["verdict"] != verdict:
            found.append(f"{where}: verdict {gate['verdict']} != {verdict} from its figures")
        if sorted(gate["failing_groups"]) != failing:
            found.append(f"{where}: failing groups {gate['failing_groups']} != {failing}")
        if not close(gate["checked"], rc.checked(metric, gate["bound"])):
            found.append(f"{where}: checked {gate['checked']}")
        for key in ("value", "ci_low", "ci_high", "n"):
            if not close(gate[key], metric[key]) and gate[key] != metric[key]:
                found.append(f"{where}: {key} {gate[key]} != the metric's {metric[key]}")
    status = summary["status"]
    failed = any(g["verdict"] != "pass" for g in summary["gates"])
    if status != "run_failed" and status != ("gates_failed" if failed else "passed"):
        found.append(
            f"status {status} with gate verdicts {[g['verdict'] for g in summary['gates']]}"
        )
    return found


def fmt(x: float | None) -> str:
    """A figure as the reports write it: 4 significant digits, '–' for none."""
    if x is None:
        return "–"
    text = f"{x:.4g}"
    return text


def check_markdown(summary: dict[str, Any], markdown: str) -> list[str]:
    """report.md's Metrics table: each metric's row shows its value, interval (labelled with
    the level the summary records) and n."""
    found = []
    lines = markdown.splitlines()
    for mid, metric in summary["metrics"].items():
        row = next((line for line in lines if line.startswith(f"| {mid} |")), None)
        if row is None:
            found.append(f"report.md: no row for {mid}")
            continue
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        value, interval, n = cells[2], cells[3], cells[4]
        if value != fmt(metric["value"]):
            found.append(f"report.md {mid}: value {value} != {fmt(metric['value'])}")
        if metric["ci_low"] is not None or metric["ci_high"] is not None:
            # The interval with its level in front, as the summary records it (none unlabelled).
            level = metric.get("confidence")
            label = f"{round(level * 100, 6):g}% " if isinstance(level, float) else ""
            want = f"{label}[{fmt(metric['ci_low'])}, {fmt(metric['ci_high'])}]"
            if interval != want:
                found.append(f"report.md {mid}: interval {interval} != {want}")
        elif interval != "–":
            found.append(f"report.md {mid}: interval {interval} where the summary has none")
        if n != str(metric["n"]):
            found.append(f"report.md {mid}: n {n} != {metric['n']}")
    return found


FIGURE_KEYS = ("value", "n", "ci_low", "ci_high")


def _same(a: dict[str, Any], b: dict[str, Any], keys: tuple[str, ...] = FIGURE_KEYS) -> bool:
    return all(close(a.get(k), b.get(k)) if k != "n" else a.get(k) == b.get(k) for k in keys)


def _compared(metric: dict[str, Any]) -> dict[str, Any]:
    """The figures ``compare`` shows of a metric: its own, or for a rate corrected for scorer
    error the observed rate with its interval (docs/REPORTS.md)."""
    details = metric.get("details") or {}
    if "scorer_error" not in details:
        return metric
    return {
        "value": details.get("observed"),
        "n": metric.get("n"),
        "ci_low": details.get("observed_ci_low"),
        "ci_high": details.get("observed_ci_high"),
    }


def check_compare(base: dict[str, Any], cand: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """``compare -f json``: each metric's figures are its runs' summaries'."""
    found = []
    shown = {m["metric"]: m for m in out["metrics"]}
    for mid in base["metrics"]:
        if mid not in shown:
            found.append(f"compare: {mid} not shown")
            continue
        for side, summary in (("baseline", base), ("candidate", cand)):
            if not _same(shown[mid][side], _compared(summary["metrics"][mid])):
                found.append(f"compare {mid} {side}: {shown[mid][side]} is not the summary's")
    return found


def check_status(summary: dict[str, Any], status: dict[str, Any], risk: str) -> list[str]:
    """``register status -f json``: each gate's evidence (verdict, figures) is the run's."""
    found = []
    (entry,) = [r for r in status["risks"] if r["id"] == risk]
    evidence = {e["gate"]: e for e in entry["evidence"] if e["run_id"] == summary["run_id"]}
    for gate in summary["gates"]:
        record = evidence.get(gate["id"])
        if record is None:
            found.append(f"register status: no evidence for {gate['id']}")
            continue
        if record["verdict"] != gate["verdict"]:
            found.append(f"register status {gate['id']}: verdict {record['verdict']}")
        if not _same(record["metric"], summary["metrics"][gate["metric"]]):
            found.append(f"register status {gate['id']}: figures {record['metric']}")
    failed = [g for g in summary["gates"] if g["verdict"] != "pass"]
    if (entry["status"] == "failing") != bool(failed):
        found.append(f"register status: {entry['status']} with {len(failed)} gates not passed")
    return found


def _md(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def annex_figure(figure: dict[str, Any]) -> str:
    """A figure as the annex writes it: value [low, high] 95% CI (n=N)."""
    text = fmt(figure.get("value"))
    if figure.get("ci_low") is not None or figure.get("ci_high") is not None:
        low, high = fmt(figure["ci_low"]), fmt(figure["ci_high"])
        text += _md(f" [{low}, {high}] {round(figure['confidence'] * 100)}% CI")
    return f"{text} (n={figure.get('n', 0)})"


def check_annex(summary: dict[str, Any], annex: str) -> list[str]:
    """The annex's metric and gate tables hold each figure, and each gate's verdict."""
    found = []
    lines = annex.splitlines()
    for mid, metric in summary["metrics"].items():
        rows = [line for line in lines if line.startswith(f"| {mid} | {metric['kind']} |")]
        if not rows or annex_figure(metric) not in rows[0]:
            found.append(f"annex {mid}: {rows[:1]} lacks {annex_figure(metric)}")
        for name, group in (metric.get("groups") or {}).items():
            rows = [line for line in lines if line.startswith(f"| {mid} \\[{name}\\] |")]
            if not rows or annex_figure(group) not in rows[0]:
                found.append(f"annex {mid}[{name}]: {rows[:1]} lacks {annex_figure(group)}")
    for gate in summary["gates"]:
        rows = [line for line in lines if line.startswith(f"| {gate['id']} |")]
        cells = [c.strip() for c in rows[0].strip("|").split("|")] if rows else []
        want = [fmt(gate["checked"]), f"**{gate['verdict']}**"]
        if not rows or cells[2] != want[0] or cells[4] != want[1]:
            found.append(f"annex gate {gate['id']}: {rows[:1]} lacks {want}")
    return found
