"""Whether a finished run's summary.json states what its results give, before it is evidence.

An evidence record's verdict and figures come from summary.json, and only results.jsonl is
hashed in manifest.json; so summary.json is measured again here, from results.jsonl (whose hash
the attach has just checked) and the metric and gate specs summary.json records
(``spec.recorded``, the metric engine itself), and compared with what it states:

* the rows, failed requests and, where the rows record them, the answers by finish reason
  (``counts``; rows of runs made before they recorded it leave ``finish_reasons`` unchecked);
* every metric's ``value`` and ``n``, overall and per group, and its interval where the recorded
  ``method`` is the one this version computes (a run made by an earlier version whose interval
  method has since changed, like the golden run's Wilson intervals, keeps its own intervals:
  they are not re-derivable, so only its verdicts are checked against them);
* every gate's verdict, figures, failing groups and, where the interval was recomputed, its
  worst cases; a verdict that waits for review (``require_reviewed``) or failed on the
  scorers' validity (``validity_unmet``) must be the one those recorded conditions give;
* the run's status (``passed`` only when every gate passed; a run of no answer is
  ``run_failed``, but runs made before 2026-12-06 recorded it ``passed``, which attaches);
* a ``within:`` metric with a stratum without a figure: runs made before 2026-12-06 published
  the worst of the other strata (``_as_published_before``); that figure and a failed gate on it
  attach, but a gate that passed on it is refused, not as an edit: the worst was unknown, so
  it is no evidence of a pass;
* a ``paired`` delta over perturbation variants some of which their operator left unchanged:
  runs made before 2026-12-07 averaged those in as zeros (no ``skip_unchanged`` in the spec,
  no ``details.n_unchanged`` in the figure); such a run is measured as it was made
  (:func:`_as_made_before_paired_rules`), and, as above, a failed gate on it attaches but a
  passed one is no evidence of a pass (the zeros pulled the delta toward it);
* a ``paired`` group with no value on any of its rows (every request about it failed):
  runs made before 2026-12-07 measured the delta over the groups left (now it has no
  figure); such a run is measured without those rows, and, as above, a failed gate on
  it attaches but a passed one is no evidence of a pass;
* a flip-rate or attack-success operator none of whose variants was compared: runs made
  before 2026-12-07 left it out of ``groups`` (now a group without data, which a gate fails
  on); such a run is measured without it (:func:`_as_grouped_before`), and a gate that
  failed so attaches, but one that passed so is no evidence of a pass;
* a flip-rate or attack-success variant whose own sample's original is missing (its request
  failed, with ``samples: N``): runs made before 2026-12-08 compared it with its source's
  original of another sample (the lowest answered), a comparison the run never made (now it is
  unpaired, ``details.n_variants_of_failed_originals``); such a run is measured with that
  pairing (``missing_sample: lowest_sample``, :func:`_as_paired_across_samples_before`, only
  where the spec does not set it), and, as above, a failed gate on a figure it changes attaches
  but a passed one is no evidence of a pass (it rested in part on that comparison);
* a rate or mean over one case of several samples (or one source's variants): runs made
  before 2026-12-08 published Clopper-Pearson over its outcomes, labelled approximate (now it
  has no interval); that interval is derived again as they computed it and compared
  (``one_case_before``), so such a run attaches, its gates judged on the recorded figures, and
  an edited interval is refused;
* a clustered rate (or a mean, quantile or corrected rate read from one) whose outcomes were
  all alike, no hit in any sample or a hit in every one, or whose rarer outcome fewer than 8
  cases hold: runs made before 2026-12-08 bounded the first as if a case's samples were
  independent (n* = n, scaled) and the second at Korn-Graubard's n* uncapped, labelled
  approximate, where now each case counts as at most one outcome
  (``stats.intervals.effective_n``, ``outcomes_effective_n``); where a recorded interval
  method is those rules' and not this version's, the run is measured again under them
  (``effective_n_as_before``) and compared in full, so an edited interval is refused; it
  attaches, but a gate that passed only on the narrower bound is no evidence of a pass (the
  rules covered 0.41 of the time for ten cases of ten identical samples at a rate of 0.05,
  and one harmful answer there gave a narrower bound than none);
* a gate checked per group whose overall figure has no bound (a rate under one effective
  outcome): runs made until 2026-12-07 recorded it ``no_data`` at once, no group judged, where
  now a group whose figure breaks the limit fails it and the groups without a figure are named
  (:func:`_as_judged_before_groups_without_overall`); that ``no_data`` attaches (a failure
  either way, claiming less than the run showed), and only with no group named;
* a BBQ accuracy (the statistic, or the one s_AMB scales by) over items some of which have
  no option naming a stereotyped group: runs made before 2026-12-07 counted those items, as
  BBQ's own analysis does not (no ``details.items_without_target`` in an accuracy, no
  ``details.accuracy_n`` in a bias score); such a run is measured as it was made
  (:func:`_as_made_before_bbq_rule`), and it attaches, gates passed or failed: the figure
  was the share of correct answers over every item it names, measured right;
* a BBQ figure over answers some of which no option was read from: runs made before
  2026-12-07 (and after, until ``details.unreadable``) counted them as wrong, where now they
  are neither right nor wrong; such a run is measured as it was made (the same function,
  alone or with the rule above), and attaches, gates passed or failed: the figure was the
  share of right answers over every answer, measured right by the rule it published;
* a gate that failed on a figure on its limit within rounding noise (a mean of 0.1 and 0.2,
  0.15000000000000002, against ``max: 0.15``): runs made before 2026-12-07 compared strictly
  and failed it, which now meets the limit (``limits``); a summary with a failed gate that
  differs is measured again with that strict rule, and attaches where it gives every verdict
  recorded (so a pass edited into a failure on such a figure attaches too: it claims less
  than the run showed, never more);
* a gate that failed on a group none of whose rows pushed it toward failing (it failed on its
  interval bound alone, or its bad rows were filtered out): runs made before 2026-12-08 named
  the whole metric's worst cases, rows of groups that passed (now none); such a summary is
  measured again with that rule (:func:`_as_named_before`), and attaches where it gives every
  worst case recorded; a failed gate's verdict is the same under either rule;
* the review queue (``review.queue``, ``queued``, ``required``, ``by_reason``): the rows the
  recorded policy marks (``review.queuecolumns``, the runner's own) and the worst cases of the
  recorded failing gates; the queue decides whether a gate waits for review. Not where the
  rows are stored redacted (the policy read the original text).

Computation is deterministic for a run's seed (bootstraps and permutation tests are seeded),
and the columnar form a streamed run uses gives the rows' figures bit for bit
(``metrics.columns``); figures are still compared to a relative 1e-9, so a change in
floating-point summation order between versions is not read as tampering.

The specs are checked against the suite that ran (``suite_check``): the suite's SHA-256 must
be the same in summary.json, manifest.json and run.json, and where a file at a recorded suite
path has that SHA-256, the seed, samples, error-rate limit, metric specs, gate rules (with
``require_reviewed`` and what ``min_validity`` asked) and review policy summary.json records
must be the ones the runner writes for that suite.

What this cannot see: a spec edited together with the figures and verdict it gives when the
suite file that ran is not at hand (gone, changed since the run, or not loadable here): its
specs are then checked against summary.json only, which ``check_summary`` returns as a one-line
note for the caller to show. Nor a validity figure's value (a card's or the review verdicts'
of the day), only which scorers and minimums it was checked for. ``evidence verify`` re-hashes
the files after the attach.

A run stored under a redaction policy that replaced spans (summary.json ``privacy.redacted``) was
measured on the original text, and results.jsonl holds the redacted text: a metric that reads a
redacted string measures differently, through no edit. Its figures are compared where they
measure the same; where one does not, its gates are checked against the figures summary.json
records (the verdict, failing groups and gate figures must follow from them), which catches an
edited verdict but not figures edited together with it. Without replaced spans the stored text
is the original and everything is compared.

A run whose metrics cannot be measured here (a metric kind from a plugin not installed, an
entry no suite could hold, a summary without specs) is refused with the reason and a fix,
never attached unchecked: a run the runner wrote always records its specs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, UsageError
from ..formatting.figures import num
from ..store.runread import SUMMARY, measured_nothing
from .evidence_record import EvidenceError
from .one_case_before import as_published_before

if TYPE_CHECKING:
    from ..metrics.base import MetricValue
    from ..review.queuecolumns import QueueColumns
    from ..spec.recorded import Measured, RecordedSpecs
    from .runfiles import RunFiles

__all__ = ["SummaryChangedError", "check_summary"]

REL_TOL = 1e-9
ABS_TOL = 1e-12
_METRIC_FIELDS = ("n", "value")
_INTERVAL_FIELDS = ("ci_low", "ci_high")
QUEUE_CHUNK = 4096
"""Rows marked by the review policy at a time (``QueueColumns.add``)."""
_GATE_FIELDS = ("value", "n", "checked", "ci_low", "ci_high", "failing_groups")


class SummaryChangedError(EvidenceError):
    """summary.json does not state what the run's results give (exit 1, as EvidenceError)."""

    def __init__(self, message: str, *, found: str | None = None) -> None:
        super().__init__(message)
        self.found = found or message
        """What summary.json states that the run does not give, naming the file, without the
        refusal's way on: what a view that shows the run anyway says (the annex)."""


def _same(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, numbers) and isinstance(b, numbers):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return bool(a == b)


def _show(value: Any, other: Any) -> str:
    """A figure in the message: four significant digits, or all of them where four would
    print the two figures alike."""
    if isinstance(value, float) and not isinstance(other, bool):
        short = num(value)
        return short if short != num(other) else repr(value)
    if isinstance(value, str):
        return f"'{value}'"
    return "null" if value is None else str(value)


def _differs(what: str, recorded: Any, measured: Any) -> str | None:
    if _same(recorded, measured):
        return None
    return f"{what} is {_show(recorded, measured)} but its results give {_show(measured, recorded)}"


def _figure_fields(recorded: dict[str, Any], fresh: dict[str, Any]) -> tuple[str, ...]:
    """``value`` and ``n``, without ``n`` where it is what an earlier version counted for the
    same results (:func:`_n_as_counted_before`)."""
    if _n_as_counted_before(recorded, fresh):
        return ("value",)
    return _METRIC_FIELDS


def _n_as_counted_before(recorded: dict[str, Any], fresh: dict[str, Any]) -> bool:
    """Whether a recorded ``n`` that differs from the fresh one is what the runner counted for
    these results before a change of definition, not an edit; ``n`` decides no verdict:

    * no figure either way: a run made before a metric without a figure counted no rows
      (``MetricValue``) recorded the rows its kind read (a disparity with a group without
      data);
    * a ``within:`` metric: a run made before ``n`` counted only the rows the strata's figures
      rest on recorded every row in a stratum (failed requests, null values, a stratum without
      a figure), which the fresh figure's details keep as ``n_in_strata``."""
    if recorded.get("value") is None and fresh.get("value") is None:
        return True
    details = fresh.get("details") or {}
    legacy = details.get("n_in_strata") if "within" in details else None
    return isinstance(legacy, int) and recorded.get("n") == legacy


def _as_published_before(measured: MetricValue) -> MetricValue | None:
    """The figure runs made before 2026-12-06 published for a ``within:`` metric with a
    stratum without a figure (the worst of the other strata, ``details.measured_worst``),
    which now has none; None for any other metric."""
    from ..metrics.base import MetricValue

    before = measured.details.get("measured_worst") if measured.value is None else None
    if not isinstance(before, dict):
        return None
    return MetricValue(
        before["value"],
        before["n"],
        before["ci_low"],
        before["ci_high"],
        measured.confidence,
        before["method"],
        groups=measured.groups,
        details={"within": measured.details.get("within"), "n_in_strata": before["n_in_strata"]},
    )


class _NoEvidenceOfAPass(Exception):
    """A gate recorded as passed on a figure that no longer stands for what it claimed."""


def _interval_comparable(recorded: dict[str, Any], measured: dict[str, Any]) -> bool:
    return bool(
        recorded.get("method") == measured.get("method")
        and _same(recorded.get("confidence"), measured.get("confidence"))
    )


def _metric_difference(mid: str, recorded: dict[str, Any], measured: MetricValue) -> str | None:
    before = _as_published_before(measured)
    if before is not None and _same(recorded.get("value"), before.value):
        measured = before  # as the runner published it then: compared as such
    fresh = as_published_before(recorded, measured.to_dict())  # one case's samples
    fields = _figure_fields(recorded, fresh)
    fields += _INTERVAL_FIELDS if _interval_comparable(recorded, fresh) else ()
    for name in fields:
        if found := _differs(f"metric '{mid}' {name}", recorded.get(name), fresh.get(name)):
            return found
    groups = recorded.get("groups") or {}
    fresh_groups = fresh.get("groups") or {}
    if sorted(groups) != sorted(fresh_groups):
        return (
            f"metric '{mid}' has groups {sorted(groups)} but its results give "
            f"{sorted(fresh_groups)}"
        )
    for name, group in groups.items():
        mine = as_published_before(group, fresh_groups[name])
        wanted = _figure_fields(group, mine)
        wanted += _INTERVAL_FIELDS if _interval_comparable(group, mine) else ()
        for key in wanted:
            what = f"metric '{mid}' group '{name}' {key}"
            if found := _differs(what, group.get(key), mine.get(key)):
                return found
    return None


def _recorded_value(entry: dict[str, Any]) -> MetricValue:
    """The figures summary.json states for a metric, as the engine's value (to judge a gate
    on them where the interval was not recomputed)."""
    from ..metrics.base import MetricValue

    keys = ("value", "n", "ci_low", "ci_high", "confidence", "method", "groups", "details")
    return MetricValue.from_dict({k: entry[k] for k in keys if k in entry})


def _as_the_run_records(
    gate: dict[str, Any], recorded: dict[str, Any], summary: dict[str, Any]
) -> str:
    """The verdict once what the runner adds after the metric's verdict is applied, from the
    conditions the gate entry records: a scorer validity that was not met fails a pass, and a
    gate that requires review waits while rows are flagged for it."""
    verdict = str(gate.get("verdict"))
    if recorded.get("validity_unmet") and verdict == "pass":
        verdict = "fail"
    review = summary.get("review") or {}
    if recorded.get("require_reviewed") and verdict == "pass" and review.get("required"):
        verdict = "awaiting_review"
    return verdict


def _validity_difference(label: str, recorded: dict[str, Any]) -> str | None:
    """Each figure ``min_validity`` checked must say ``met`` exactly when its lower bound
    reaches the minimum, and an unmet one must be listed in ``validity_unmet``."""
    unmet = False
    for entry in recorded.get("validity_checked") or []:
        if not isinstance(entry, dict):
            continue
        low, minimum = entry.get("low"), entry.get("minimum")
        try:
            met = low is not None and minimum is not None and float(low) >= float(minimum)
        except (TypeError, ValueError):
            met = False
        unmet |= not met
        if bool(entry.get("met")) != met:
            what = f"gate '{label}' validity of {entry.get('id')} ({entry.get('figure')}) met"
            return f"{what} is {entry.get('met')} but its figures give {met}"
    if unmet and not recorded.get("validity_unmet"):
        return f"gate '{label}' lists no unmet validity but a checked validity figure is unmet"
    return None


def _gate_difference(
    index: int,
    recorded: dict[str, Any],
    specs: RecordedSpecs,
    measured: Measured,
    summary: dict[str, Any],
    unmeasurable: set[str],
) -> str | None:
    from ..metrics.engine import judge_gate

    spec = specs.gates[index]
    label = str(recorded.get("id") or spec.label)
    fresh = measured.gates[index]
    entry = (summary.get("metrics") or {}).get(spec.metric)
    value = measured.values.get(spec.metric)
    recomputed = value is None or entry is None or _interval_comparable(entry, value.to_dict())
    recomputed = recomputed and spec.metric not in unmeasurable
    before = _as_published_before(value) if value is not None else None
    if before is not None and value is not None and _same(recorded.get("value"), before.value):
        fresh = judge_gate(spec, before, None, [], exact=specs.exact_limits)
        value = before  # its n, as published then
        if _as_the_run_records(fresh, recorded, summary) == "pass":
            stratum = measured.values[spec.metric].details["strata_without_figure"][0]
            raise _NoEvidenceOfAPass(
                f"gate '{label}' passed on the worst of metric '{spec.metric}''s measured "
                f"strata while stratum '{stratum}' had no figure (as runs before 2026-12-06 "
                "judged it); the worst stratum is unknown, so the pass is no evidence (run "
                "the suite again: the gate now has no data)"
            )
        recomputed = False  # its worst cases were those of the earlier figure
    elif not recomputed:
        # The interval is the earlier version's, or the figures were measured on text that is
        # stored redacted: the verdict must follow from the recorded figures.
        try:
            fresh = judge_gate(
                spec, _recorded_value(entry or {}), None, [], exact=specs.exact_limits
            )
        except (TypeError, ValueError, AttributeError):
            return f"gate '{label}': the figures of metric '{spec.metric}' cannot be read"
    fresh = _as_judged_before_groups_without_overall(recorded, fresh)
    verdict = _as_the_run_records(fresh, recorded, summary)
    if found := _differs(f"gate '{label}' verdict", recorded.get("verdict"), verdict):
        return found
    fields = _GATE_FIELDS + (("worst_cases",) if recomputed else ())
    counted = value.to_dict() if value is not None else {}
    if _n_as_counted_before(recorded, {**counted, "value": fresh.get("value")}):
        fields = tuple(f for f in fields if f != "n")  # as ``_figure_fields``
    for name in fields:
        if found := _differs(f"gate '{label}' {name}", recorded.get(name), fresh.get(name)):
            return found
    return _validity_difference(label, recorded)


def _as_judged_before_groups_without_overall(
    recorded: dict[str, Any], fresh: dict[str, Any]
) -> dict[str, Any]:
    """``fresh`` as runs made until 2026-12-07 judged a gate whose overall figure has no bound
    (``checked`` null, ``no_data_reason``): ``no_data`` at once, no group judged, so no failing
    group, group without data or worst case. Only where ``recorded`` is that shape (``no_data``
    and no group named): then every other field must still be what the results give, and a
    ``no_data`` is a failure as the ``fail`` its groups now show (it claims less, never more).
    ``fresh`` itself otherwise."""
    before = (
        fresh.get("checked") is None
        and "no_data_reason" in fresh
        and recorded.get("verdict") == "no_data"
        and not recorded.get("failing_groups")
        and "groups_without_data" not in recorded
    )
    if not before or (fresh["verdict"] == "no_data" and not fresh["failing_groups"]):
        return fresh
    old = {k: v for k, v in fresh.items() if k != "groups_without_data"}
    old.update(verdict="no_data", failing_groups=[], worst_cases=[])
    return old


def _stored_redacted(summary: dict[str, Any]) -> bool:
    """Whether results.jsonl holds text other than what was measured: the privacy policy
    replaced at least one span when the run was stored."""
    counts = (summary.get("privacy") or {}).get("redacted") or {}
    if not isinstance(counts, dict):
        return True  # not the runner's shape: do not assume the stored text is the original
    return any(not isinstance(n, int) or n > 0 for n in counts.values())


def _as_grouped_before(
    summary: dict[str, Any], specs: RecordedSpecs, measured: Measured
) -> Measured:
    """The figures as runs before 2026-12-06 published them where a ``by:`` metric's ``where``
    left out every row of a group, and runs before 2026-12-07 where a flip-rate or
    attack-success operator compared none of its variants (``robustness.add_unmeasured``):
    without that group, and each gate on the metric judged without it (its worst cases are
    those of the groups with data either way); ``measured`` itself where no recorded metric
    lacks exactly such groups. A gate that passed only without an uncompared operator raises
    ``_NoEvidenceOfAPass``: that operator measured nothing."""
    from dataclasses import replace

    from ..metrics.engine import judge_gate
    from ..metrics.robustness import UNCOMPARED

    values = dict(measured.values)
    uncompared: dict[str, list[str]] = {}
    for mid, entry in (summary.get("metrics") or {}).items():
        value = values.get(mid)
        if value is None or not value.groups or not isinstance(entry, dict):
            continue
        left_out = {
            n
            for n, g in value.groups.items()
            if "left_out_by_where" in g.details or UNCOMPARED in g.details
        }
        recorded = entry.get("groups")
        published = set(value.groups) - left_out
        if left_out and isinstance(recorded, dict) and set(recorded) == published:
            kept = {n: g for n, g in value.groups.items() if n not in left_out}
            values[mid] = replace(value, groups=kept)
            uncompared[mid] = sorted(n for n in left_out if UNCOMPARED in value.groups[n].details)
    if values == measured.values:
        return measured
    gates = list(measured.gates)
    for index, spec in enumerate(specs.gates):
        if values.get(spec.metric) is not measured.values.get(spec.metric):
            before = judge_gate(spec, values[spec.metric], None, [], exact=specs.exact_limits)
            if before["verdict"] == gates[index]["verdict"]:
                before["worst_cases"] = gates[index]["worst_cases"]
            elif before["verdict"] == "pass" and uncompared.get(spec.metric):
                raise _NoEvidenceOfAPass(
                    f"gate '{before.get('id') or spec.metric}' passed on metric "
                    f"'{spec.metric}' without operator(s) {', '.join(uncompared[spec.metric])}, "
                    "none of whose variants was compared with its original (as runs before "
                    "2026-12-07 judged it); the operator measured nothing, so the pass is no "
                    "evidence (run the suite again: the gate now fails on that group)"
                )
            gates[index] = before
    return replace(measured, values=values, gates=gates)


def _first_difference(
    summary: dict[str, Any], specs: RecordedSpecs, measured: Measured
) -> str | None:
    measured = _as_grouped_before(summary, specs, measured)
    counts = summary.get("counts") or {}
    for name, fresh in (("requests", measured.rows), ("errors", measured.errors)):
        if found := _differs(f"counts.{name}", counts.get(name), fresh):
            return found
    if measured.finish_reasons is not None:
        # Rows that record none (a run made before they did, a target that reports none)
        # leave the count summary.json's alone: nothing to measure it from.
        reasons = counts.get("finish_reasons")
        if found := _differs("counts.finish_reasons", reasons, measured.finish_reasons):
            return found
    unmeasurable: set[str] = set()
    for mid, entry in (summary.get("metrics") or {}).items():
        if found := _metric_difference(mid, entry, measured.values[mid]):
            if not _stored_redacted(summary):
                return found
            unmeasurable.add(mid)
    for index, recorded in enumerate(summary.get("gates") or []):
        if found := _gate_difference(index, recorded, specs, measured, summary, unmeasurable):
            return found
    from ..store.runlog import run_status  # here: the ledger's import stays free of pydantic

    rate = measured.errors / measured.rows if measured.rows else 0.0
    gates = [g for g in summary.get("gates") or [] if isinstance(g, dict)]
    allowed = float(counts.get("max_error_rate", math.inf))
    answered = {"requests": measured.rows, "responses": measured.rows - measured.errors}
    status = run_status(rate, allowed, gates, nothing_answered=measured_nothing(answered))
    if summary.get("status") == "passed" and run_status(rate, allowed, gates) == "passed":
        # Runs before a run of no answer was run_failed recorded it passed, as the rule was.
        return None
    return _differs("status", summary.get("status"), status)


def _refuse(path: Path, found: str) -> SummaryChangedError:
    return SummaryChangedError(
        f"{path}: {found}; the run's files changed after it finished, so it cannot be "
        "attached as evidence (attach an unedited run, or run the suite again)",
        found=f"{path}: {found}",
    )


def _check_specs(run: RunFiles, path: Path) -> str | None:
    """Refuse a summary.json whose specs are not its suite's (when the suite that ran is at
    hand) or whose suite SHA-256 another run file contradicts; else the one-line note saying
    the specs were checked against summary.json only, and why (None when the suite was at
    hand)."""
    from .suite_check import find_suite, spec_mismatch, suite_hash_mismatch

    if found := suite_hash_mismatch(run):
        raise _refuse(path, found)
    at_hand = find_suite(run)
    if at_hand.loaded is None:
        return at_hand.note
    mismatch = spec_mismatch(run.summary, at_hand.loaded)
    if mismatch is not None and mismatch.unknowable is not None:
        raise SummaryChangedError(f"{path}: {mismatch.unknowable}")
    if mismatch is not None:
        shown = _show(mismatch.recorded, mismatch.expected)
        wanted = _show(mismatch.expected, mismatch.recorded)
        raise _refuse(
            path, f"{mismatch.what} is {shown} but its suite {at_hand.path} gives {wanted}"
        )
    return None


def _marked(
    rows: Iterable[dict[str, Any]], marks: QueueColumns, case_ids: list[str], samples: int
) -> Iterator[dict[str, Any]]:
    """The rows on their way to the metrics, each also marked by the review policy as the
    runner marked it (``QueueColumns``), so the results file is read once."""
    chunk: list[dict[str, Any]] = []
    for position, row in enumerate(rows):
        if position % samples == 0:
            case_ids.append(str(row.get("case_id")))
        chunk.append(row)
        yield row
        if len(chunk) >= QUEUE_CHUNK:
            marks.add(chunk)
            chunk = []
    if chunk:
        marks.add(chunk)


def _review_columns(
    summary: dict[str, Any], path: Path, case_ids: list[str]
) -> QueueColumns | None:
    """The review policy summary.json records, ready to mark the rows (None without one, or
    where the rows are stored redacted: the policy read the original text)."""
    review = summary.get("review")
    if not isinstance(review, dict) or _stored_redacted(summary):
        return None
    from pydantic import ValidationError

    from ..review.policy import ReviewPolicy
    from ..review.queuecolumns import QueueColumns

    try:
        policy = ReviewPolicy.model_validate(review.get("policy"))
    except ValidationError as exc:
        why = exc.errors()[0]["msg"]
        raise _refuse(path, f"review policy is not one a suite can hold: {why}") from None
    return QueueColumns(
        policy,
        seed=int(summary.get("seed") or 0),
        samples=max(1, int(summary.get("samples") or 1)),
        case_id=lambda i: case_ids[i],
    )


def _entry(item: Any) -> str:
    return "absent" if item is None else json.dumps(item, ensure_ascii=False)


def _queue_difference(summary: dict[str, Any], marks: QueueColumns) -> str | None:
    """The review queue (and its counts) summary.json states against the one its rows, its
    gates and its policy give: the queue decides ``awaiting_review``."""
    from ..review.policy import queue_summary

    review = summary["review"]
    fresh = queue_summary(marks.policy, marks.queue(summary.get("gates") or []))
    recorded = review.get("queue") or []
    for index, (mine, theirs) in enumerate(zip_longest(recorded, fresh["queue"])):
        if mine != theirs:
            return (
                f"review.queue entry {index} is {_entry(mine)} but its results give "
                f"{_entry(theirs)}"
            )
    for name in ("queued", "required", "by_reason"):
        if found := _differs(f"review.{name}", review.get(name), fresh[name]):
            return found
    return None


def check_summary(run: RunFiles) -> str | None:
    """Raise SummaryChangedError naming summary.json and the first spec, figure or verdict it
    states that the run's suite or results do not give; UsageError when its metrics cannot be
    measured here. Call it after results.jsonl was checked against the manifest: the results
    are the ground truth this compares with. Returns a one-line note when the suite file that
    ran is not at hand (gone, changed since, not loadable), so the specs were checked against
    summary.json only: the caller says it (a warning), as it is no reason to refuse."""
    from ..spec.recorded import recorded_specs
    from ..stats.intervals import effective_n_as_before

    path = run.dir / SUMMARY
    summary = run.summary
    note = _check_specs(run, path)
    try:
        specs = recorded_specs(summary, str(path))
    except ConfigError as exc:
        issue = exc.issues[0]
        where = f"{issue.field}: " if issue.field else ""
        raise UsageError(
            f"{path}: {where}{issue.message}; its figures cannot be checked against the run's "
            "results, so it is not attached as evidence (install the plugin that provides a "
            "metric kind named here, then attach again)"
        ) from None
    found, measured = _found_under_rules(run, summary, specs)
    differing = _methods_differing(summary, measured)
    if any("effective" in method for method in differing.values()):
        # Made before 2026-12-08, a case's samples counted as independent where the run
        # could not show how alike they are (``effective_n_as_before``)? Every figure those
        # rules gave names its effective size, so no other summary is measured twice.
        with effective_n_as_before():
            found_before, before = _found_under_rules(run, summary, specs)
        if differing.keys() - _methods_differing(summary, before).keys():
            if found_before is not None:
                raise _refuse(path, found_before)
            _no_pass_on_alike_rule(path, summary, measured)
            return note
    if found is not None:
        raise _refuse(path, found)
    return note


def _found_under_rules(
    run: RunFiles, summary: dict[str, Any], specs: RecordedSpecs
) -> tuple[str | None, Measured]:
    """The first figure or verdict ``summary`` states that the run's results do not give,
    measured as this version measures them and, where that differs, under each earlier rule
    the module's docstring lists that may explain it (None where one does); and the run as
    this version measures it."""
    from ..spec.recorded import recorded_specs

    path = run.dir / SUMMARY
    found, measured = _measured_difference(run, summary, specs)
    old_worst = _a_failed_gate_names_cases(summary)
    if found is not None and old_worst:
        # Worst cases named as made before 2026-12-08 (``_as_named_before``).
        found_before, _ = _measured_difference(run, summary, _as_named_before(specs))
        found = None if found_before is None else found
    if found is not None and _a_gate_failed(summary):
        # Judged as made before a figure on its limit within rounding noise met it.
        strict = replace(specs, exact_limits=True, worst_of_all_rows=old_worst)
        found_before, _ = _measured_difference(run, summary, strict)
        found = None if found_before is None else found
    if found is not None:
        before = _as_made_before_paired_rules(summary, measured)
        bbq_before = _as_made_before_bbq_rule(before[0] if before else summary, measured)
        if bbq_before is not None:
            before = (bbq_before, before[1] if before else {})
        across = _as_paired_across_samples_before(before[0] if before else summary)
        if across is not None:
            before = (across[0], {**(before[1] if before else {}), **across[1]})
        if before is not None:
            legacy, metrics = before
            legacy_specs = recorded_specs(legacy, str(path))
            for exact in (False, True) if _a_gate_failed(summary) else (False,):
                legacy_specs = replace(
                    legacy_specs, exact_limits=exact, worst_of_all_rows=old_worst
                )
                legacy_found, legacy_measured = _measured_difference(run, legacy, legacy_specs)
                if legacy_found is None:
                    if across is not None:
                        metrics = _changed_by_pairing(metrics, across[1], measured, legacy_measured)
                    _no_pass_on_paired_rules(path, summary, metrics)
                    found = None
                    break
    return found, measured


def _methods_differing(summary: dict[str, Any], measured: Measured) -> dict[tuple[str, str], str]:
    """The figures (metric id, group or "") whose recorded interval method is not the one
    ``measured`` gives (an earlier version's method, or an edit), with the recorded one."""
    differing: dict[tuple[str, str], str] = {}
    for mid, entry in (summary.get("metrics") or {}).items():
        fresh = measured.values.get(mid)
        if not isinstance(entry, dict) or fresh is None:
            continue
        if entry.get("method") != fresh.method:
            differing[(mid, "")] = str(entry.get("method"))
        groups = entry.get("groups") if isinstance(entry.get("groups"), dict) else {}
        for name, group in (groups or {}).items():
            mine = (fresh.groups or {}).get(name)
            if isinstance(group, dict) and mine is not None and group.get("method") != mine.method:
                differing[(mid, str(name))] = str(group.get("method"))
    return differing


def _no_pass_on_alike_rule(path: Path, summary: dict[str, Any], measured: Measured) -> None:
    """UsageError where a gate recorded as passed, on figures a run made before 2026-12-08
    published where it could not read how alike a case's outcomes are (every outcome alike,
    or few cases holding the rarer one: bounded as if a case's samples were independent, or
    nearly, which covered 0.41 of the time for ten cases of ten identical samples), does not
    pass bounded with each case at most one outcome (``stats.intervals.effective_n``,
    ``outcomes_effective_n``): the pass rested on that rule, so it is no evidence of a pass.
    A gate that passes either way attaches."""
    for index, gate in enumerate(summary.get("gates") or []):
        if not isinstance(gate, dict) or gate.get("verdict") != "pass":
            continue
        now = measured.gates[index]["verdict"] if index < len(measured.gates) else None
        if now != "pass":
            raise UsageError(
                f"{path}: gate '{gate.get('id') or gate.get('metric')}' passed on an interval "
                "that counted a case's samples as independent where the run could not show "
                "how alike they are (every outcome alike, or few cases holding the rarer one, "
                "as runs made before 2026-12-08 bounded it); with each case at most one "
                f"outcome, as such outcomes need, it gives {now}, so the pass is no evidence "
                "(run the suite again to judge it)"
            )


def _a_failed_gate_names_cases(summary: dict[str, Any]) -> bool:
    """Whether a failed gate names worst cases: only such a summary can name the ones runs
    made before 2026-12-08 named (``_as_named_before``), so no other is measured again."""
    gates = summary.get("gates") or []
    return any(
        isinstance(g, dict) and g.get("verdict") == "fail" and g.get("worst_cases") for g in gates
    )


def _as_named_before(specs: RecordedSpecs) -> RecordedSpecs:
    """``specs`` judged as runs made before 2026-12-08 named a failed gate's worst cases:
    where none of its failing groups had a row that pushed it toward failing (a group that
    failed on its interval bound alone), the whole metric's, rows of groups that passed; now
    none (``engine._worst_cases_of``). The rules differ only there, so a summary attaches
    under the old one only with exactly the worst cases it gives; every other field is
    measured as today."""
    return replace(specs, worst_of_all_rows=True)


def _a_gate_failed(summary: dict[str, Any]) -> bool:
    """Whether a gate failed: a run made before 2026-12-07 failed a figure (overall or a
    group's) 1 ulp over its limit, which now meets it (``limits``), so such a summary is
    measured again with the strict rule before it is refused. A strict pass is a pass under
    either rule, so a summary whose gates all passed never needs it."""
    gates = summary.get("gates") or []
    return any(isinstance(g, dict) and g.get("verdict") == "fail" for g in gates)


def _measured_difference(
    run: RunFiles, summary: dict[str, Any], specs: RecordedSpecs
) -> tuple[str | None, Measured]:
    """The first figure or verdict ``summary`` states that the run's results, measured with
    ``specs``, do not give (None if none), and what they give."""
    from ..spec.recorded import measure_stream

    path = run.dir / SUMMARY
    samples = max(1, int(summary.get("samples") or 1))
    case_ids: list[str] = []
    marks = _review_columns(summary, path, case_ids)
    rows = run.iter_results()
    try:
        if marks is not None:
            rows = _marked(rows, marks, case_ids, samples)
        measured = measure_stream(specs, rows, samples=samples)
        try:
            found = _first_difference(summary, specs, measured)
        except _NoEvidenceOfAPass as exc:
            raise UsageError(f"{path}: {exc}") from None
        if found is None and marks is not None:
            found = _queue_difference(summary, marks)
    finally:
        if marks is not None:
            marks.close()
    return found, measured


def _as_made_before_paired_rules(
    summary: dict[str, Any], measured: Measured
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """``summary`` with each ``paired`` metric's spec as a run made before 2026-12-07 measured
    it, and what each of those metrics' figures left in then (by metric id); None where no
    metric was. Two rules came that day, each found where the spec and figure do not say it:

    * the variants their operator left unchanged, averaged in as zeros (no ``skip_unchanged``
      in the spec, no ``details.n_unchanged`` in the figure, and the results hold some):
      measured with ``skip_unchanged: false``;
    * a group with no value on any of its rows (every request about it failed): the delta
      measured over the groups left, now none (a figure recorded, no
      ``details.groups_without_data`` in it, and the results give such groups): measured
      with a ``where`` that leaves those groups' rows out (they gave no value either way)."""
    import copy

    metrics = summary.get("metrics") or {}
    legacy = copy.deepcopy(summary)
    made_before: dict[str, str] = {}
    for mid, entry in metrics.items():
        if not isinstance(entry, dict):
            continue
        spec = entry.get("spec") or {}
        paired = spec.get("paired")
        value = measured.values.get(mid)
        if not isinstance(paired, dict) or value is None:
            continue
        recorded = entry.get("details") or {}
        if (
            "skip_unchanged" not in paired
            and "n_unchanged" not in recorded
            and value.details.get("n_unchanged")
        ):
            legacy["metrics"][mid]["spec"]["paired"]["skip_unchanged"] = False
            made_before[mid] = (
                "measured with the variants its perturbation left unchanged counted as zero "
                "deltas (as runs before 2026-12-07 measured it); they pull the delta toward a "
                "pass, so the pass is no evidence (run the suite again: the delta now leaves "
                "them out)"
            )
        empty = value.details.get("groups_without_data")
        group = paired.get("group")
        if (
            entry.get("value") is not None
            and value.value is None
            and "groups_without_data" not in recorded
            and isinstance(empty, list)
            and empty
            and isinstance(group, str)
        ):
            left_out = f"({group}) not in {json.dumps(empty)}"
            where = spec.get("where")
            legacy_spec = legacy["metrics"][mid]["spec"]
            legacy_spec["where"] = f"({where}) and {left_out}" if where else left_out
            named = ", ".join(f"'{g}'" for g in empty)
            made_before[mid] = (
                f"measured over the groups left while {named} had no value on any of its rows "
                "(as runs before 2026-12-07 measured it); that group was never measured, so "
                "the pass is no evidence (run the suite again: the delta now has no figure "
                "until it is)"
            )
    return (legacy, made_before) if made_before else None


def _as_made_before_bbq_rule(summary: dict[str, Any], measured: Measured) -> dict[str, Any] | None:
    """``summary`` with each BBQ metric's spec as the run made it, where it was made before a
    rule of 2026-12-07 its recorded figure does not say (None where none):

    * ``items_without_target: counted``, where its results hold items with no option naming a
      stereotyped group (now left out of the accuracy, as BBQ's analysis leaves them) and the
      figure does not say it left them out (an accuracy without
      ``details.items_without_target``, a bias score without ``details.accuracy_n``);
    * ``unreadable: counted``, where its results hold answers no option was read from (now
      neither right nor wrong) and the figure has no ``details.unreadable``.

    Either rule alone or both, as the figure's details say; the figures are then measured as
    the old rules define them, so only the ones those rules give exactly attach."""
    import copy

    legacy = copy.deepcopy(summary)
    changed = False
    for mid, entry in (summary.get("metrics") or {}).items():
        value = measured.values.get(mid)
        if not isinstance(entry, dict) or entry.get("kind") != "bbq" or value is None:
            continue
        params = (entry.get("spec") or {}).get("bbq")
        if isinstance(params, str):  # the shorthand ``bbq: accuracy``
            params = {"statistic": params}
        if not isinstance(params, dict):
            continue
        made = {**params, **_bbq_rules_before(entry.get("details") or {}, value.details, params)}
        if made != params:
            legacy["metrics"][mid]["spec"]["bbq"] = made
            changed = True
    return legacy if changed else None


def _bbq_rules_before(
    recorded: dict[str, Any], fresh: dict[str, Any], params: dict[str, Any]
) -> dict[str, str]:
    """The BBQ params a figure recorded as ``recorded`` was made with, where the spec leaves
    them to a default that has changed since and the results ``fresh`` measures differ."""
    rules: dict[str, str] = {}
    if fresh.get("statistic") == "accuracy":
        marker, left_out = "items_without_target", bool(fresh.get("items_without_target"))
    else:  # a bias score: its s_AMB scales by the accuracy over fewer rows than n
        marker = "accuracy_n"
        left_out = bool(fresh.get("items_without_target")) and (
            fresh.get("accuracy_n") != fresh.get("n")
        )
    if left_out and marker not in recorded and "items_without_target" not in params:
        rules["items_without_target"] = "counted"
    if fresh.get("unreadable") and "unreadable" not in recorded and "unreadable" not in params:
        rules["unreadable"] = "counted"
    return rules


SAMPLE_PAIRING_BEFORE = (
    "measured with a variant whose own sample's original failed compared with its source's "
    "original of another sample (as runs before 2026-12-08 paired it); that comparison was "
    "never made, so the pass is no evidence (run the suite again: such a variant is now left "
    "out, counted in details.n_variants_of_failed_originals)"
)


def _as_paired_across_samples_before(
    summary: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str]] | None:
    """``summary`` with each flip-rate and attack-success metric's spec as runs made before
    2026-12-08 paired it (``missing_sample: lowest_sample``: a variant whose own sample's
    original is missing took its source's original of the lowest sample), and why a pass on
    each is no evidence (by metric id); None where no such metric leaves ``missing_sample`` to
    its default. Which of them the old pairing changed is known only once measured
    (:func:`_changed_by_pairing`): a failed original, or a ``where`` that left an original out,
    can each be the cause, and no figure records which."""
    import copy

    from ..metrics.robustness import AttackSuccessMetric, FlipRateMetric

    shorthand = {k.name: k.shorthand_field for k in (FlipRateMetric, AttackSuccessMetric)}
    legacy = copy.deepcopy(summary)
    made_before: dict[str, str] = {}
    for mid, entry in (summary.get("metrics") or {}).items():
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind not in shorthand:
            continue
        params = (entry.get("spec") or {}).get(kind)
        if isinstance(params, str):  # the shorthand ``flip-rate: ref.is_refusal``
            params = {shorthand[kind]: params}
        if not isinstance(params, dict) or "missing_sample" in params:
            continue
        legacy["metrics"][mid]["spec"][kind] = {**params, "missing_sample": "lowest_sample"}
        made_before[mid] = SAMPLE_PAIRING_BEFORE
    return (legacy, made_before) if made_before else None


def _changed_by_pairing(
    metrics: dict[str, str], across: dict[str, str], today: Measured, before: Measured
) -> dict[str, str]:
    """``metrics`` (why a pass on each is no evidence, by id) without those of ``across`` whose
    figure the old pairing did not change: a pass on them rests on the same comparisons
    today."""
    kept = dict(metrics)
    for mid in across:
        now, then = today.values.get(mid), before.values.get(mid)
        same = now is not None and then is not None and now.to_dict() == then.to_dict()
        if same and kept.get(mid) == SAMPLE_PAIRING_BEFORE:
            del kept[mid]
    return kept


def _no_pass_on_paired_rules(path: Path, summary: dict[str, Any], metrics: dict[str, str]) -> None:
    """UsageError where a gate recorded as passed on one of ``metrics``, measured as runs
    before 2026-12-07 (or 2026-12-08, the pairing across samples) measured it: no evidence of a
    pass (``metrics`` says why, by id)."""
    for gate in summary.get("gates") or []:
        if (
            isinstance(gate, dict)
            and gate.get("metric") in metrics
            and gate.get("verdict") == ("pass")
        ):
            raise UsageError(
                f"{path}: gate '{gate.get('id') or gate['metric']}' passed on metric "
                f"'{gate['metric']}' {metrics[gate['metric']]}"
            )
