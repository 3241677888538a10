"""Whether the specs a finished run's summary.json records are its suite's own, when the suite
file that ran is at hand.

``summary_check`` measures a run again with the metric and gate specs summary.json records, so
by itself it cannot see a spec edited together with the figures and verdict it gives (a gate's
``max`` raised and its verdict passed). The suite file is not in the run folder, but the run
records its path and SHA-256 (summary.json, manifest.json and run.json, which must agree):
where a file at that path has that SHA-256 (hashed as the loader hashes ``loaded.sha256``), it
is the suite that ran: it is loaded with the normal loader, its specs only (its datasets are
not read, so a dataset moved since the run does not stop the check, and a 100,000-case dataset
does not cost 4 s), written down the way the runner writes specs
(``spec.recorded.metric_spec_fields`` and ``gate_rule``, the runner's own functions), and
compared with what summary.json records.

Where the file is gone, or has another SHA-256 (a suite evolves after its runs: normal), or no
longer loads (a scorer plugin it names is not installed here), the specs can be checked against
summary.json only; that is said in one line (:class:`SuiteAtHand`'s ``note``), never silently.

This module finds the differences; ``summary_check`` words and raises them. Everything heavy
(the loader, the metric engine) is imported when used: the ledger's import stays light.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import HarnessError
from ..store.files import dumps_run_json, sha256_file
from ..store.runread import MANIFEST, RUN_STATE, SUMMARY

if TYPE_CHECKING:
    from ..spec.loader import LoadedSuite
    from .runfiles import RunFiles

__all__ = ["Mismatch", "SuiteAtHand", "find_suite", "spec_mismatch", "suite_hash_mismatch"]


@dataclass
class Mismatch:
    """One spec summary.json records (``what``) and what the suite gives for it."""

    what: str
    recorded: Any
    expected: Any
    unknowable: str | None = None
    """Set where the entry cannot be told from an edit (an older run's shape that an edit
    could also give): the whole reason, said instead of calling the files edited."""


@dataclass
class SuiteAtHand:
    """The suite that ran, loaded (``loaded``), or why it is not at hand (``note``, one line)."""

    loaded: LoadedSuite | None = None
    path: Path | None = None
    note: str | None = None


def _recorded_hashes(run: RunFiles) -> list[tuple[str, str]]:
    """(file, SHA-256) of the suite in each run file that records one."""
    sources = (
        (SUMMARY, run.summary),
        (MANIFEST, run.manifest_data),
        (RUN_STATE, run.run_info),
    )
    out = []
    for name, data in sources:
        suite = (data or {}).get("suite")
        digest = suite.get("sha256") if isinstance(suite, dict) else None
        if digest is not None:
            out.append((name, str(digest)))
    return out


def suite_hash_mismatch(run: RunFiles) -> str | None:
    """The first run file whose suite SHA-256 is not summary.json's (a resume refuses a changed
    suite, so a run's files always agree), worded for ``summary_check``."""
    hashes = _recorded_hashes(run)
    if not hashes:
        return None
    first_name, first = hashes[0]
    for name, digest in hashes[1:]:
        if digest != first:
            return f"{name} records suite.sha256 {digest} but {first_name} records {first}"
    return None


def _candidates(run: RunFiles) -> list[Path]:
    """Where the suite may be: each path the run files record, as recorded (relative to the
    working directory, as the runner read it) and relative to the reports folder's parent (the
    project a run is usually made from)."""
    paths: list[str] = []
    for data in (run.summary, run.manifest_data, run.run_info):
        suite = (data or {}).get("suite")
        if isinstance(suite, dict) and suite.get("path"):
            paths.append(str(suite["path"]))
    out: list[Path] = []
    for recorded in dict.fromkeys(paths):
        path = Path(recorded)
        for candidate in (path,) if path.is_absolute() else (path, run.dir.parent.parent / path):
            if candidate not in out:
                out.append(candidate)
    return out


def find_suite(run: RunFiles) -> SuiteAtHand:
    """The suite file that ran, loaded, when one at a recorded path has the recorded SHA-256;
    else a note saying why its specs are checked against summary.json only."""
    hashes = _recorded_hashes(run)
    only = "its metric and gate specs were checked against summary.json only"
    if not hashes:
        return SuiteAtHand(note=f"{SUMMARY} records no suite SHA-256; {only}")
    recorded = hashes[0][1]
    candidates = _candidates(run)
    changed: tuple[Path, str] | None = None
    for path in candidates:
        try:
            digest = sha256_file(path) if path.is_file() else None
        except OSError:
            digest = None
        if digest is None:
            continue
        if digest != recorded:
            changed = changed or (path, digest)
            continue
        from ..spec.loader import load_suite

        try:
            return SuiteAtHand(loaded=load_suite(path, specs_only=True), path=path)
        except HarnessError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return SuiteAtHand(
                path=path,
                note=f"suite file {path} (unchanged since the run) does not load ({first}); {only}",
            )
    if changed is not None:
        path, digest = changed
        return SuiteAtHand(
            note=(
                f"suite file {path} changed since the run (sha256 {digest[:12]}..., the run's "
                f"{recorded[:12]}...); {only}"
            )
        )
    where = candidates[0] if candidates else "(no path recorded)"
    return SuiteAtHand(note=f"suite file {where} not found; {only}")


def _as_written(value: Any) -> Any:
    """``value`` as it reads back from a run file (``dumps_run_json``, the runner's writer)."""
    return json.loads(dumps_run_json(value))


def _differs(what: str, recorded: Any, expected: Any) -> Mismatch | None:
    expected = _as_written(expected)
    return None if recorded == expected else Mismatch(what, recorded, expected)


def _validity_skeleton(checked: Any) -> list[str]:
    """What ``min_validity`` asked of which scorer, from a gate's ``validity_checked`` (the
    figures themselves depend on cards and review verdicts of the day: not derivable here)."""
    return [
        f"{e.get('id')} ({e.get('scorer')}) {e.get('figure')} >= {e.get('minimum')}"
        for e in checked or []
        if isinstance(e, dict)
    ]


def _run_mismatch(summary: dict[str, Any], loaded: LoadedSuite) -> Mismatch | None:
    """The run-wide settings the figures and the status are computed with."""
    suite = loaded.suite
    counts = summary.get("counts") or {}
    return (
        _differs("seed", summary.get("seed"), suite.seed)
        or _differs("samples", summary.get("samples"), suite.samples)
        or _differs("counts.max_error_rate", counts.get("max_error_rate"), suite.max_error_rate)
    )


def _metric_mismatch(summary: dict[str, Any], loaded: LoadedSuite) -> Mismatch | None:
    from ..spec.recorded import metric_spec_fields

    metrics = summary.get("metrics") or {}
    if found := _differs("metrics", list(metrics), [m.id for m in loaded.metrics]):
        return found
    for spec in loaded.metrics:
        entry = metrics.get(spec.id) or {}
        for key, value in metric_spec_fields(spec).items():
            if found := _differs(f"metric '{spec.id}' {key}", entry.get(key), value):
                return found
    return None


def _gate_mismatch(summary: dict[str, Any], loaded: LoadedSuite) -> Mismatch | None:
    from ..scorers.validity import attach_validity
    from ..spec.recorded import GATE_RULE_FIELDS, gate_rule

    gates = [g for g in summary.get("gates") or [] if isinstance(g, dict)]
    specs = loaded.suite.gates
    if len(gates) != len(specs):
        return Mismatch("gates", [g.get("id") for g in gates], [gate_rule(g)["id"] for g in specs])
    by_id = {m.id: m for m in loaded.metrics}
    # The threshold before the label: a label is spelled from the threshold, so an edited
    # threshold is named as such.
    fields = (*(k for k in GATE_RULE_FIELDS if k != "id"), "require_reviewed", "id")
    for spec, recorded in zip(specs, gates, strict=True):
        label = str(recorded.get("id"))
        rule = gate_rule(spec)
        for key in fields:
            if key == "each_group" and key not in recorded:
                # Recorded since f327e2f; without it the gate was judged (and is measured
                # again) per group, which only a stricter gate does: an older run stands.
                continue
            if found := _differs(f"gate '{label}' {key}", recorded.get(key), rule.get(key)):
                return found
        if spec.min_validity and not isinstance(recorded.get("validity_unmet"), list):
            return Mismatch(f"gate '{label}' validity_unmet", recorded.get("validity_unmet"), [])
        if spec.min_validity and "validity_checked" not in recorded:
            if recorded.get("validity_unmet"):
                continue  # the shape before 6d7e51c, failed on its validity: nothing to lift
            return Mismatch(
                f"gate '{label}' min_validity",
                None,
                None,
                unknowable=(
                    f"gate '{label}' records no validity_checked though its suite asks "
                    "min_validity: a run made before they were recorded (2026-12-02) or an "
                    "edited summary, which cannot be told apart, so its validity cannot be "
                    "checked and it is not attached as evidence (run the suite again)"
                ),
            )
        checked = attach_validity({}, spec, by_id.get(spec.metric), loaded.scorers).get(
            "validity_checked"
        )
        what = f"gate '{label}' min_validity"
        wanted = _validity_skeleton(checked)
        if found := _differs(what, _validity_skeleton(recorded.get("validity_checked")), wanted):
            return found
    return None


def _review_mismatch(summary: dict[str, Any], loaded: LoadedSuite) -> Mismatch | None:
    from ..review.policy import queue_summary

    policy = loaded.suite.review
    expected = None if policy is None else queue_summary(policy, [])["policy"]
    review = summary.get("review")
    recorded = review.get("policy") if isinstance(review, dict) else review
    return _differs("review policy", recorded, expected)


def spec_mismatch(summary: dict[str, Any], loaded: LoadedSuite) -> Mismatch | None:
    """The first spec summary.json records that is not what ``loaded`` (the suite that ran)
    gives: the run's seed, samples and error-rate limit, each metric's kind, spec and
    description, each gate's rule (with ``require_reviewed`` and what ``min_validity`` asked),
    and the review policy."""
    return (
        _run_mismatch(summary, loaded)
        or _metric_mismatch(summary, loaded)
        or _gate_mismatch(summary, loaded)
        or _review_mismatch(summary, loaded)
    )
