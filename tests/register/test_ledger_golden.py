"""Golden files: the evidence ledger's records, hashes and the run files they hash stay
byte-identical across refactors (issue 9).

``golden/reports/`` holds one real run (``golden/suite.yaml`` against ``golden/target.yaml``,
made with the runner before the run-log refactor) and the ledger ``attach_run`` wrote for it at a
fixed time. Three things must never change without a migration note in docs/FORMATS.md:

* attaching that run again, at that time, writes exactly those ledger bytes;
* that ledger (written by an older version) still verifies, files included;
* the runner writes summary.json, manifest.json, run.json and results rows with the same keys in
  the same order, serialised the same way (the bytes of summary and manifest are hashed into
  every evidence record).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from assurance_harness.register import ledger_store
from assurance_harness.register.ledger import attach_run, read_ledger, record_hash, verify_ledger
from assurance_harness.stats.intervals import clopper_pearson

from .register_testkit import without_added_since_golden

GOLDEN = Path(__file__).parent / "golden"
RUN_ID = "20261202T030141Z-golden-refusal-e0f7"
RECORDED_AT = "2026-12-01T00:00:00+00:00"
ADDED_SINCE_GOLDEN = {"manifest.json": ["generation", "cache", "summary"]}
COUNTS_ADDED_SINCE_GOLDEN = ["finish_reasons"]
"""summary.json's ``counts`` keys added since the golden run (docs/FORMATS.md): they come last."""
OPTIONS_ADDED_SINCE_GOLDEN = ["write_reports", "attach_evidence"]
"""run.json's ``options`` the golden run (``--no-report --no-evidence``) would record now."""
ALIKE_SINCE_GOLDEN = "refused_rate"
"""The golden run's metric over two cases of two samples each, every outcome a hit: bounded by
its two cases since 2026-12-08 (``stats.intervals.effective_n``), Clopper-Pearson for 2 of 2,
floats as the golden run's Wilson interval was (from 2026-12-06 it had none: Korn-Graubard's
n* for samples counted as independent was 0.25, under one outcome). Its groups are one case of
two samples each, with no interval (``ONE_CASE_SINCE_GOLDEN``)."""
ONE_CASE_SINCE_GOLDEN = "answered_rate"
"""The golden run's metric over one case (calm-1) of two samples; ``refused_rate``'s groups are
one case of two samples each too. Since one case's samples have no interval (they show nothing
of how cases vary: ``stats.intervals.one_cluster_reason``), their intervals are null with
``details.no_bound_reason``, where the golden run has two floats; their shape is read as the
golden's."""


def _copy_reports(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    shutil.copytree(GOLDEN / "reports", reports)
    return reports


def test_attaching_the_golden_run_writes_the_golden_ledger_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = _copy_reports(tmp_path)
    fresh = reports / "fresh" / "ledger.jsonl"
    monkeypatch.setattr(ledger_store, "_utc_now", lambda: RECORDED_AT)
    records = attach_run(reports / RUN_ID, ledger_path=fresh)
    assert len(records) == 6  # two risks x three gates
    golden = (GOLDEN / "reports" / "evidence" / "ledger.jsonl").read_bytes()
    manifest = json.loads((reports / RUN_ID / "manifest.json").read_text())
    cases = {"sha256": manifest["cases"]["sha256"], "count": manifest["cases"]["count"]}
    assert all(r.run["cases"] == cases for r in records)
    lines = without_added_since_golden(fresh.read_text(encoding="utf-8"))
    assert "".join(lines).encode() == golden
    head = json.loads((GOLDEN / "reports" / "evidence" / "ledger.jsonl.head").read_text())
    last = json.loads(lines[-1])
    assert last["hash"] == head["hash"] and last["seq"] == head["seq"]


def test_the_golden_ledger_written_by_an_older_version_still_verifies(tmp_path: Path) -> None:
    reports = _copy_reports(tmp_path)
    ledger = reports / "evidence" / "ledger.jsonl"
    report = verify_ledger(ledger)
    assert report.ok, [i.format(ledger) for i in report.issues]
    assert report.records == 6 and report.runs_checked == 1
    for record in read_ledger(ledger):
        assert record_hash(record.body()) == record.hash
        assert record.to_line().encode() in ledger.read_bytes()


def _skeleton(value: Any, masked: frozenset[str] = frozenset()) -> Any:
    """Keys in order with each leaf replaced by its type name: the shape that decides the bytes."""
    if isinstance(value, dict):
        return [[k, "masked" if k in masked else _skeleton(v, masked)] for k, v in value.items()]
    if isinstance(value, list):
        return [_skeleton(v, masked) for v in value[:1]]
    return type(value).__name__


def _rows(run_dir: Path) -> list[str]:
    """results.jsonl lines with the timing masked (json.dumps keeps the key order)."""
    lines = (run_dir / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.dumps({**json.loads(line), "latency_s": 0}) for line in lines]


def _shapes(run_dir: Path) -> dict[str, Any]:
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    out: dict[str, Any] = {"results.jsonl": _skeleton(rows[0])}
    for name in ("summary.json", "manifest.json", "run.json"):
        text = (run_dir / name).read_text(encoding="utf-8")
        data = json.loads(text)
        # The serialisation itself: two-space indent, insertion order, a final newline.
        assert text == json.dumps(data, indent=2) + "\n", name
        out[name] = _skeleton(data, frozenset({"packages", "git_commit", "git_dirty"}))
    return out


def test_the_runner_writes_run_files_of_the_golden_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assurance_harness.runner.run import run_suite

    for name in ("suite.yaml", "target.yaml", "golden_bot.py"):
        shutil.copy(GOLDEN / name, tmp_path / name)
    # The golden suite's last gate (max 0.5 on the upper bound beside min 0.9 on the point) can
    # never pass with the first, which validate refuses since; the run is made as it was then,
    # since what is compared is the files the runner writes for this very suite.
    monkeypatch.setattr("assurance_harness.spec.loader.conflicting_gates", lambda *args: [])
    monkeypatch.chdir(tmp_path)
    outcome = run_suite(
        "suite.yaml",
        "target.yaml",
        reports_dir="reports",
        use_cache=False,
        write_reports=False,
        attach_evidence=False,
        command="assurance run suite.yaml --target target.yaml",
    )
    assert outcome.exit_code == 1
    run_dir = tmp_path / outcome.run_dir
    fresh = _shapes(run_dir)
    golden = _shapes(GOLDEN / "reports" / RUN_ID)
    # Fields added since the golden run was made, each documented in docs/FORMATS.md: they come
    # last, so everything before them keeps its bytes.
    for name, added in ADDED_SINCE_GOLDEN.items():
        keys = [k for k, _ in fresh[name]]
        assert keys[-len(added) :] == added, name
        fresh[name] = fresh[name][: -len(added)]
    counts = dict(fresh["summary.json"])["counts"]
    assert [k for k, _ in counts[-len(COUNTS_ADDED_SINCE_GOLDEN) :]] == COUNTS_ADDED_SINCE_GOLDEN
    del counts[-len(COUNTS_ADDED_SINCE_GOLDEN) :]
    options = dict(fresh["run.json"])["options"]
    assert [k for k, _ in options[-len(OPTIONS_ADDED_SINCE_GOLDEN) :]] == OPTIONS_ADDED_SINCE_GOLDEN
    del options[-len(OPTIONS_ADDED_SINCE_GOLDEN) :]
    summary = dict(fresh["summary.json"])
    metrics = dict(summary["metrics"])
    _with_interval_shape(metrics[ONE_CASE_SINCE_GOLDEN])
    for _, group in dict(metrics[ALIKE_SINCE_GOLDEN])["groups"]:
        _with_interval_shape(group)
    assert fresh == golden
    # Deterministic content is identical too: the rows and the verdicts.
    golden_dir = GOLDEN / "reports" / RUN_ID
    assert _rows(run_dir) == _rows(golden_dir)
    assert (run_dir / "cases.jsonl").read_bytes() == (golden_dir / "cases.jsonl").read_bytes()
    ours = json.loads((run_dir / "summary.json").read_text())
    theirs = json.loads((golden_dir / "summary.json").read_text())
    for key in ("run_id", "started_at", "finished_at"):
        ours.pop(key), theirs.pop(key)
    for key in COUNTS_ADDED_SINCE_GOLDEN:
        ours["counts"].pop(key)
    ours["target"].pop("fingerprint"), theirs["target"].pop("fingerprint")
    # Interval figures follow the statistics module's methods (issue 11 changed rates to
    # Clopper-Pearson); the verdicts, values and n must not move. A failing gate's worst cases
    # now take turns between its failing groups (issue 13): the same cases, in another order.
    # The ledger's bytes above come from the stored golden run, so they are unaffected.
    # Every outcome alike (ALIKE_SINCE_GOLDEN): bounded by its two cases, 2 of 2.
    alike = ours["metrics"][ALIKE_SINCE_GOLDEN]
    assert (alike["ci_low"], alike["ci_high"]) == clopper_pearson(2, 2)
    assert "all 4 outcomes alike" in alike["method"], alike["method"]
    upper = ours["gates"][2]
    assert (upper["metric"], upper["bound"], upper["checked"]) == (ALIKE_SINCE_GOLDEN, "upper", 1.0)
    # Its groups (one case of two samples each) have no interval, and are named; the gate
    # fails on the overall bound, as the golden run's did.
    assert (upper["verdict"], upper["failing_groups"], upper.pop("groups_without_data")) == (
        "fail",
        ["a", "b"],
        ["a", "b"],
    )
    assert theirs["gates"][2]["verdict"] == "fail"
    # One case of two samples (ONE_CASE_SINCE_GOLDEN, and each of refused_rate's groups): no
    # interval, saying why; answered_rate's gate is on its point figure, which still passes.
    refused = ours["metrics"][ALIKE_SINCE_GOLDEN]["groups"]
    for entry in (ours["metrics"][ONE_CASE_SINCE_GOLDEN], refused["a"], refused["b"]):
        why = entry["details"].pop("no_bound_reason")
        assert why.startswith("no interval: one case; its 2 samples"), why
    assert ours["gates"][1]["verdict"] == theirs["gates"][1]["verdict"] == "pass"
    ours["gates"][2] = {**upper, **{k: theirs["gates"][2][k] for k in _JUDGED_GROUPS}}
    assert _without_intervals(ours) == _without_intervals(theirs)


_JUDGED_GROUPS = ("verdict", "failing_groups", "worst_cases")


def _with_interval_shape(fields: list[list[Any]]) -> None:
    """A skeleton's null interval (and the reason a gate reads for it) as the golden's floats:
    the rest of its shape is still compared."""
    for field in fields:
        if field[0] in ("ci_low", "ci_high"):
            assert field[1] == "NoneType", field
            field[1] = "float"
        if field[0] == "details":
            assert field[1][-1][0] == "no_bound_reason", field
            del field[1][-1]


def _without_intervals(value: Any) -> Any:
    drop = {"ci_low", "ci_high", "method", "checked"}
    if isinstance(value, dict):
        return {
            k: sorted(v) if k == "worst_cases" else _without_intervals(v)
            for k, v in value.items()
            if k not in drop
        }
    if isinstance(value, list):
        return [_without_intervals(v) for v in value]
    return value
