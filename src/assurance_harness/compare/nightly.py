"""Compare runs with their accepted baselines: the nightly-regression entry point.

``assurance run ... --baseline`` and ``assurance baseline check`` both end here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from shlex import quote
from typing import Any

from ..errors import UsageError
from ..store.location import follow_up
from ..store.runread import (
    RunLog,
    folder_gone_words,
    locate_run_dir,
    smoke_test_limit,
    unfinished_runs,
)
from .baseline import Baseline, BaselineStore
from .engine import Comparison, compare_runs
from .madeorder import MadeOrder
from .runs import (
    gone_since,
    index_path,
    read_compared,
    resolve_run,
    run_order,
    suite_runs,
    unreadable_since,
)


@dataclass(frozen=True)
class UnfinishedCandidate:
    """A baseline whose latest run since it has not finished (stopped part-way, or being run
    now) or cannot be read (its summary.json damaged, its folder gone): no verdict for it, exit
    3, as for a compared run that failed."""

    baseline: Baseline
    run_id: str
    """The unfinished run's id (its folder's name)."""
    state: str
    """What became of it and the way on ("was stopped ...; complete it with '...'")."""

    @property
    def unmeasured(self) -> str:
        """Why there is no verdict, worded as ``Comparison.unmeasured`` is."""
        return (
            f"its latest run against target '{self.baseline.target_name}' since the baseline "
            f"{self.baseline.run_id}, {self.run_id}, {self.state}"
        )

    @property
    def line(self) -> str:
        """The one line the command prints for it (an error)."""
        return f"no verdict for {self.baseline.suite}: {self.unmeasured}"

    def to_dict(self, *, alpha: float) -> dict[str, Any]:
        """Its JSON, with the keys of a comparison's (``Comparison.to_dict``), so that a reader
        of ``baseline check -f json`` finds it where it finds the other no-verdict outcomes:
        ``exit_code`` 3 and the reason in ``unmeasured``; nothing was compared (``paired``
        null, no metric, no regression)."""
        nothing = Comparison(
            baseline_run=self.baseline.run_id,
            candidate_run=self.run_id,
            suite=self.baseline.suite,
            baseline_target=self.baseline.target_name,
            candidate_target=self.baseline.target_name,
            alpha=alpha,
            paired=False,
        )
        return {**nothing.to_dict(), "paired": None, "exit_code": 3, "unmeasured": self.unmeasured}


def compare_with_baseline(
    run_dir: Path | str, reports_dir: Path | str = "reports", **options: Any
) -> Comparison | None:
    """Compare a finished run with the baseline of its (suite, target); None when there is none.

    ``options`` go to :func:`compare_runs` (alpha, min_effect, higher_is_better ...). A run
    that is itself the baseline compares with nothing and returns None.
    """
    pair = baseline_pair(run_dir, reports_dir)
    return None if pair is None else compare_runs(*pair, **options)


def baseline_pair(run_dir: Path | str, reports_dir: Path | str) -> tuple[RunLog, RunLog] | None:
    """The run of the baseline of a finished run's (suite, target), and the run; None when
    there is none, or when the run is itself the baseline."""
    candidate = read_compared(run_dir, reports_dir)
    baseline = BaselineStore(index_path(reports_dir)).get(
        candidate.suite_name, candidate.target_name
    )
    if baseline is None or baseline.run_id == candidate.run_id:
        return None
    return baseline_run(baseline, reports_dir), candidate


def baseline_run(baseline: Baseline, reports_dir: Path | str) -> RunLog:
    """The baseline's run: its recorded folder (relative to the reports directory, or an
    absolute path written by an earlier version, perhaps on another machine), else by id. A
    run that is gone is a UsageError naming the baseline and the fix: the user typed no run id,
    so "run '...' not found" alone would not say where the id came from."""
    located = locate_run_dir(baseline.run_dir, reports_dir)
    if located is not None:
        return read_compared(located, reports_dir)
    try:
        return resolve_run(baseline.run_id, reports_dir)
    except UsageError:
        raise UsageError(
            f"the baseline of suite '{baseline.suite}' and target '{baseline.target_name}' is "
            f"run '{baseline.run_id}', whose folder is no longer in {reports_dir}/ (moved or "
            "deleted); put it back, accept another run with "
            "'assurance baseline set RUN_ID', or remove it with 'assurance baseline clear "
            f"{quote(baseline.suite)} --target {quote(baseline.target_name)}'"
        ) from None


def check_baselines(
    reports_dir: Path | str = "reports",
    *,
    suite: str | None = None,
    target: str | None = None,
    **options: Any,
) -> list[Comparison]:
    """For every baseline, compare the latest later run of its suite and target with it
    (``baseline_pairs``); ``options`` go to :func:`compare_runs`."""
    return [
        compare_runs(base, latest, **options)
        for base, latest in baseline_pairs(reports_dir, suite=suite, target=target)
    ]


def baseline_pairs(
    reports_dir: Path | str = "reports",
    *,
    suite: str | None = None,
    target: str | None = None,
    unfinished: list[UnfinishedCandidate] | None = None,
    smoke_since: list[str] | None = None,
) -> list[tuple[RunLog, RunLog]]:
    """Each baseline's run and the latest later run of its suite and target, to compare: read
    apart from the comparison so that ``baseline check -o`` can refuse one of these runs' files
    before any work. Smoke tests (``run --limit N``: the suite's first N cases) are passed over:
    one run after the nightly would otherwise stand for it, with a few cases that hide its
    regressions. A ``suite`` or ``target`` that no baseline has is a ``UsageError``: a check of
    nothing is no pass (a nightly job with a mistyped --suite passed every night). With none
    asked for and no baseline set yet (a project's first nights, before any run is accepted)
    there is nothing to compare, as for any suite without one.

    ``unfinished`` (when given) gets an entry for each baseline whose latest run since it has not
    finished (stopped part-way, or being run now) or cannot be read (``_damaged_since``: its
    files damaged, or its folder gone): that
    baseline is not paired, since the finished run before it was not the night's, and "nothing
    newer" would be untrue.

    ``smoke_since`` (when given) gets the ids of the smoke tests newer than a baseline that has
    no full run since: passed over, they are named where nothing is compared, which said "no
    run newer" beside them."""
    everything = BaselineStore(index_path(reports_dir)).all()
    chosen = [
        b
        for b in everything
        if (suite is None or b.suite == suite) and (target is None or b.target_name == target)
    ]
    if not chosen and (suite is not None or target is not None):
        raise UsageError(_nothing_to_check(suite, target, everything))
    pairs: list[tuple[RunLog, RunLog]] = []
    if not chosen:
        return pairs
    made = MadeOrder.of(reports_dir)  # the ledger read once, however many baselines
    for baseline in chosen:
        every = suite_runs(reports_dir, baseline.suite, target=baseline.target_name)
        runs = [run for run in every if not smoke_test_limit(run.run_info, run.manifest_data)]
        latest = _latest_since(runs, baseline.run_id, made)
        if latest is None and smoke_since is not None:
            started = next((run_order(r)[0] for r in every if r.run_id == baseline.run_id), "")
            smoke_since += [
                r.run_id
                for r in every
                if r.run_id != baseline.run_id
                and run_order(r)[0] >= started
                and smoke_test_limit(r.run_info, r.manifest_data)
            ]
        if unfinished is not None:
            since = (reports_dir, baseline, runs, latest, made)
            pending = _unfinished_since(*since) or _damaged_since(*since)
            if pending is not None:
                unfinished.append(pending)
                continue
        if latest is not None:
            pairs.append((baseline_run(baseline, reports_dir), latest))
    return pairs


def _unfinished_since(
    reports_dir: Path | str,
    baseline: Baseline,
    runs: list[RunLog],
    latest: RunLog | None,
    made: MadeOrder,
) -> UnfinishedCandidate | None:
    """The latest run of the baseline's suite and target, when it is one that has
    not finished (no summary.json) and started no earlier than the baseline and ``latest``
    (the finished run the check would compare; ``_made_after``: no record orders an unfinished
    run within its second, so one begun in the latest's second counts); None otherwise.
    Smoke tests are passed over, as finished ones are."""
    before = _made_since(baseline, runs, latest)
    found, _ = unfinished_runs(Path(reports_dir), suite=baseline.suite)
    stopped = [
        run
        for run in found
        if run.state.target.name == baseline.target_name
        and not run.state.options.limit
        and _made_after(made, (run.state.started_at, run.folder.name), before)
    ]
    if not stopped:
        return None
    # Unfinished runs of one second have no order of making on record (none is indexed yet):
    # the one being run now is named, never the one whose id's random suffix sorts last.
    last = max(stopped, key=lambda r: (r.state.started_at, r.held))
    state = (
        "is being run now (no summary.json yet); check again once it has finished"
        if last.held
        else "was stopped before it finished (no summary.json); complete it with "
        f"'{follow_up(f'assurance run ... --resume {last.folder.name}')}'"
    )
    return UnfinishedCandidate(baseline, last.folder.name, state)


def _damaged_since(
    reports_dir: Path | str,
    baseline: Baseline,
    runs: list[RunLog],
    latest: RunLog | None,
    made: MadeOrder,
) -> UnfinishedCandidate | None:
    """The latest run of the baseline's suite and target when it is one whose folder is there
    but cannot be read (``runs.unreadable_since``) or is gone, its row in the index kept
    (``runs.gone_since``: deleted or moved by hand), and it was made after the baseline and
    ``latest`` (``_made_after``); None otherwise. Passed over, the night before was compared in its
    place: a pass over a night whose figures nobody could read."""
    started = _pending_after(baseline, runs, latest)
    where = (reports_dir, baseline.suite, baseline.target_name, started)
    found = [
        (
            begun,
            run_id,
            f"cannot be read ({why}); restore its files from a copy, or run the suite again",
        )
        for begun, run_id, why in unreadable_since(*where)
    ] + [
        (
            begun,
            run_id,
            f"is in the run index, but its folder {folder_gone_words(expected)}"
            f"{'' if os.path.lexists(expected) else ' (moved or deleted)'}: not compared, and "
            "no earlier run stands for it; put the folder back, or run the suite again",
        )
        for begun, run_id, expected in gone_since(*where)
    ]
    read = {run.run_id for run in runs} | {baseline.run_id}  # a folder moved is read, not gone
    # Made after the baseline and ``latest`` (``_made_after``), not merely begun as early: a
    # run deleted in the same second as the latest, and made before it, is not the night's run.
    before = _made_since(baseline, runs, latest)
    found = [f for f in found if f[1] not in read and _made_after(made, (f[0], f[1]), before)]
    if not found:
        return None
    _, run_id, state = max(found, key=lambda f: (f[0], made.index_place(f[1])))
    return UnfinishedCandidate(baseline, run_id, state)


def _made_since(
    baseline: Baseline, runs: list[RunLog], latest: RunLog | None
) -> list[tuple[str, str]]:
    """The (start, id) of the runs a run must have been made after to be the check's latest
    run rather than ``latest`` (``_made_after``): the baseline's, and ``latest``'s."""
    base = next((run_order(r) for r in runs if r.run_id == baseline.run_id), ("", ""))
    return [base] if latest is None else [base, run_order(latest)]


def _made_after(made: MadeOrder, run: tuple[str, str], before: list[tuple[str, str]]) -> bool:
    """Whether the run (start, id) was made after each of ``before`` (``MadeOrder.after``: by
    start, within one second by the ledger's or the run index's order, never by the ids'
    random suffixes), or may have been: where no record tells (a run not indexed yet, a team
    store), it counts as the night's latest, so that the check gives no verdict rather than a
    pass over a run that nobody could read or that has not finished."""
    return all(made.after(run, other) is not False for other in before)


def _pending_after(baseline: Baseline, runs: list[RunLog], latest: RunLog | None) -> str:
    """The start time a run must not precede to be the check's latest run rather than
    ``latest`` (the finished run it would compare): the baseline's, or ``latest``'s."""
    return max(start for start, _ in _made_since(baseline, runs, latest))


def _nothing_to_check(suite: str | None, target: str | None, baselines: list[Baseline]) -> str:
    """The line for a check of a suite or target that has no baseline."""
    wanted = " and ".join(
        f"{what} '{value}'" for what, value in (("suite", suite), ("target", target)) if value
    )
    if not baselines:
        return (
            f"no baseline for {wanted}: none is set; set one with 'assurance baseline set RUN_ID'"
        )
    known = ", ".join(f"{b.suite} (target {b.target_name})" for b in baselines)
    return f"no baseline for {wanted}; the baselines are: {known}"


def _latest_since(runs: list[RunLog], baseline_id: str, made: MadeOrder) -> RunLog | None:
    """The latest of ``runs`` other than the baseline's that did not start before it; None
    when there is none. Latest as the register takes a suite's latest run and a trend its last
    point (``trend.latest_order``: when it finished, then its place in the reports' ledger,
    then its start and its row's place in the run index: ``made``), so that the check's
    verdict is on the run ``register status`` reads as the suite's: by start time and id, two
    runs of one second sorted by their ids' random suffixes. Not simply
    the last run either: the baseline could come last, and a run after it (a failed nightly)
    would be passed over as no run at all."""
    from .trend import latest_order

    started = next((run_order(r)[0] for r in runs if r.run_id == baseline_id), "")
    later = [r for r in runs if r.run_id != baseline_id and run_order(r)[0] >= started]
    if not later:
        return None
    return max(later, key=lambda run: latest_order(run, made))


def check_run(
    run_dir: Path | str,
    reports_dir: Path | str = "reports",
    *,
    console: Any = None,
    out_path: Path | str | None = None,
    **options: Any,
) -> int:
    """For ``assurance run ... --baseline``: print the comparison of a finished run with its
    baseline, write it (``out_path``, optional: JSON if it ends .json, else Markdown; a suffix
    naming another format, or a file the comparison reads, is a ``UsageError`` before the
    comparison), and return the exit code to merge:
    3 when the comparison has no verdict (``Comparison.unmeasured``, said on stderr), 1 on a
    significant regression, else 0 (also when the suite has no baseline yet, which is said on
    the console)."""
    from rich.text import Text

    from ..console import err, print_error
    from .render import check_comparison_out, print_comparison, unmeasured_line, write_comparisons

    console = console or err
    pair = baseline_pair(run_dir, reports_dir)
    if out_path is not None:  # before the comparison: refused, it would have been for nothing
        check_comparison_out(Path(out_path), pair or (), index_path(reports_dir))
    if pair is None:
        console.print(
            Text(
                f"no baseline to compare {Path(run_dir).name} with; accept a run with: "
                "assurance baseline set RUN_ID"
            ),
            soft_wrap=True,
        )
        return 0
    comparison = compare_runs(*pair, **options)
    print_comparison(comparison, console)
    if out_path is not None:
        write_comparisons([comparison], Path(out_path))
    line = unmeasured_line(comparison)
    if line is not None:
        print_error(line)
    return comparison.exit_code
