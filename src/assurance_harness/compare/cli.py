"""CLI: ``assurance compare``, ``assurance baseline set|show|clear|check``, ``assurance trend``.

Exit codes: 0 no significant regression, 1 a significant regression, 2 a usage error, 3 no
verdict (a compared run failed, its results.jsonl or summary.json is not the one its manifest
records, the candidate's answers came mostly from the response cache, or no metric had data in
both: ``Comparison.unmeasured``).
"""

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..cli_options import (
    JsonAliasOpt,
    ReportsOpt,
    TableFormatOpt,
    not_blank,
    not_stdout,
    output_format,
)
from ..console import err, out, print_error, print_json, print_warning, term, user_errors
from ..errors import RunFailedError, UsageError
from ..formatting import MISSING
from ..store.files import check_output_file, write_output

if TYPE_CHECKING:
    from rich.console import Console

AlphaOpt = Annotated[
    float, typer.Option("--alpha", help="Family-wise significance level (Holm across metrics).")
]
MinEffectOpt = Annotated[
    float,
    typer.Option(
        "--min-effect",
        help="Smallest absolute change that counts, even when significant (e.g. 0.01).",
    ),
]
HigherOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--higher-is-better",
        help="Metric for which higher is better (overrides gates).",
    ),
]
GroupsOpt = Annotated[
    bool,
    typer.Option(
        "--groups",
        help="Also compare each group of metrics with by: (a second Holm-corrected family).",
    ),
]
LowerOpt = Annotated[
    list[str] | None,
    typer.Option("--lower-is-better", help="Metric for which lower is better (overrides gates)."),
]


def target_name(value: str | None) -> str | None:
    """A ``--target`` given as a target file becomes the target's name (its ``name:`` or the
    file's stem, as runs record it); anything else is taken as the name itself."""
    if value is None:
        return None
    not_blank("--target", value, "a target file or target name")
    path = Path(value)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        from ..spec.targets import load_target

        return load_target(path).spec.name or path.stem
    return value


def _options(
    alpha: float,
    min_effect: float,
    higher: list[str] | None,
    lower: list[str] | None,
    groups: bool = False,
) -> dict[str, Any]:
    return {
        "groups": groups,
        "alpha": alpha,
        "min_effect": min_effect,
        "higher_is_better": set(higher or ()),
        "lower_is_better": set(lower or ()),
    }


def _emit(
    comparisons: list[Any],
    out_path: Path | None,
    as_json: bool,
    out: "Console",
    also: list[dict[str, Any]] | None = None,
) -> None:
    """Print (and with ``out_path`` write) the comparisons; ``also``: more entries of the JSON
    (the checks that compared nothing: ``nightly.UnfinishedCandidate``), after them."""
    from .render import print_comparison, unmeasured_line, write_comparisons

    if out_path is not None and comparisons:  # first: then an --out that fails is the only line
        write_comparisons(comparisons, out_path)
    if as_json:
        payload = [c.to_dict() for c in comparisons] + (also or [])
        print_json(payload[0] if len(payload) == 1 else payload)
    else:
        for cmp in comparisons:
            print_comparison(cmp, out)
    for cmp in comparisons:
        line = unmeasured_line(cmp)
        if line is not None:
            print_error(line)


def compare(
    baseline: Annotated[
        str,
        typer.Argument(
            help="Baseline run id or run directory; 'baseline' means the accepted baseline "
            "of the candidate's suite and target."
        ),
    ],
    candidate: Annotated[str, typer.Argument(help="Candidate run id or run directory.")],
    reports: ReportsOpt = Path("reports"),
    alpha: AlphaOpt = 0.05,
    min_effect: MinEffectOpt = 0.0,
    higher_is_better: HigherOpt = None,
    lower_is_better: LowerOpt = None,
    groups: GroupsOpt = False,
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="Compare only these metrics.")
    ] = None,
    any_suite: Annotated[
        bool, typer.Option("--any-suite", help="Allow runs of different suites.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the paired bootstrap.")] = 0,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            callback=not_stdout,
            help="Also write the comparison: .json for JSON, .md for Markdown.",
        ),
    ] = None,
    format: TableFormatOpt = "table",
    as_json: JsonAliasOpt = False,
) -> None:
    """Compare a candidate run with a baseline; exit 1 on a significant regression.

    Per metric: the difference with its interval, a significance test (Holm-corrected) and a
    verdict."""
    from .baseline import BaselineStore
    from .engine import compare_runs
    from .nightly import baseline_run
    from .render import check_comparison_out
    from .runs import index_path, resolve_run

    with user_errors():
        chosen = output_format(format, as_json)
        cand = resolve_run(candidate, reports)
        if baseline == "baseline":
            stored = BaselineStore(index_path(reports)).get(cand.suite_name, cand.target_name)
            if stored is None:
                raise UsageError(
                    f"no baseline for suite '{cand.suite_name}' and target "
                    f"'{cand.target_name}'; set one with: assurance baseline set RUN_ID"
                )
            base = baseline_run(stored, reports)
        else:
            base = resolve_run(baseline, reports)
        if out_path is not None:  # before the comparison, once the files it reads are known
            check_comparison_out(out_path, (base, cand), index_path(reports))
        result = compare_runs(
            base,
            cand,
            metrics=metric or None,
            allow_different_suites=any_suite,
            seed=seed,
            **_options(alpha, min_effect, higher_is_better, lower_is_better, groups),
        )
        _emit([result], out_path, chosen == "json", out)
    raise typer.Exit(result.exit_code)


baseline_app = typer.Typer(
    help="Accepted baselines, one per suite and target (stored in runs.db).",
    no_args_is_help=True,
)


@baseline_app.command("set")
def baseline_set(
    run_id: Annotated[str, typer.Argument(help="Run id or run directory to accept.")],
    reports: ReportsOpt = Path("reports"),
    note: Annotated[str | None, typer.Option(help="Why this run is accepted.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Accept a run whose gates failed, that failed, or a smoke test."
        ),
    ] = False,
    allow_cached: Annotated[
        bool,
        typer.Option(
            "--allow-cached",
            help="Accept a run whose answers came mostly from the response cache.",
        ),
    ] = False,
) -> None:
    """Make a run the baseline for its suite and target."""
    from ..store.runlock import reading_run_folder
    from ..store.runread import smoke_test_limit
    from .baseline import BaselineStore, cached_answers
    from .runs import index_path, resolve_run

    with user_errors(), ExitStack() as held:
        run = resolve_run(run_id, reports)
        # Held shared, then read again: a --retry-errors starting meanwhile would change the
        # figures being accepted (it refuses a baseline, but only one already stored).
        held.enter_context(reading_run_folder(run.run_dir, then="set it as the baseline"))
        run = resolve_run(run_id, reports)
        # Its status and figures are the edit's, --force or not; and without the rows it
        # wrote, every comparison with it would be no verdict (``compare_runs``).
        edited = run.misnamed() or run.summary_changed() or run.results_unverified()
        if edited is not None:
            raise RunFailedError(f"{edited}; it cannot be the baseline: set another run")
        if run.status != "passed" and not force:
            raise UsageError(
                f"run {run.run_id} has status '{run.status}'; a baseline is normally a run "
                "whose gates all passed; pass --force to accept it anyway"
            )
        limit = smoke_test_limit(run.run_info, run.manifest_data)
        if limit and not force:
            raise UsageError(
                f"run {run.run_id} is a smoke test (--limit {limit}): the suite's first cases "
                "only, so full runs would be compared with other cases; set a full run, or "
                "pass --force to accept it anyway"
            )
        cached = cached_answers(run, allow=allow_cached)
        stored = BaselineStore(index_path(reports)).set(run, note=note)
    if cached is not None:
        print_warning(cached)
    out.print(
        term(
            f"baseline for suite '{stored.suite}' and target '{stored.target_name}': "
            f"{stored.run_id}"
        ),
        soft_wrap=True,
    )


@baseline_app.command("show")
def baseline_show(
    reports: ReportsOpt = Path("reports"),
    suite: Annotated[str | None, typer.Option(help="Only this suite.")] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also list every change (the audit trail).")
    ] = False,
    format: TableFormatOpt = "table",
    as_json: JsonAliasOpt = False,
) -> None:
    """List the baselines."""
    from rich.table import Table

    from .baseline import BaselineStore
    from .runs import index_path

    with user_errors():
        chosen = output_format(format, as_json)
    store = BaselineStore(index_path(reports))
    items = store.all(suite)
    if chosen == "json":
        payload: dict[str, Any] = {"baselines": [b.to_dict() for b in items]}
        if history:
            payload["history"] = store.history(suite)
        print_json(payload)
        return
    if not items:
        out.print(
            term(
                f"no baselines in {index_path(reports)}; "
                "set one with: assurance baseline set RUN_ID"
            ),
            soft_wrap=True,
        )
    else:
        table = Table(title="Baselines")
        for column in ("suite", "target", "run", "set at", "by", "note"):
            table.add_column(column, overflow="fold")
        for b in items:
            table.add_row(
                *(
                    term(v)
                    for v in (
                        b.suite,
                        b.target_name,
                        b.run_id,
                        b.set_at,
                        b.set_by or MISSING,
                        b.note or "",
                    )
                )
            )
        out.print(table)
    if history:
        table = Table(title="Baseline history")
        for column in ("at", "suite", "target", "action", "run", "by", "note"):
            table.add_column(column, overflow="fold")
        for h in store.history(suite):
            cells = (
                h["at"],
                h["suite"],
                h["target_name"],
                h["action"],
                h["run_id"] or MISSING,
                h["by"] or MISSING,
                h["note"] or "",
            )
            table.add_row(*(term(c) for c in cells))
        out.print(table)


@baseline_app.command("clear")
def baseline_clear(
    suite: Annotated[str, typer.Argument(help="Suite name.")],
    target: Annotated[str, typer.Option("--target", help="Target file or target name.")],
    reports: ReportsOpt = Path("reports"),
) -> None:
    """Remove the baseline of a suite and target (recorded in the history)."""
    from .baseline import BaselineStore
    from .runs import index_path

    with user_errors():
        not_blank("--target", target, "a target file or target name", optional=False)
        target = target_name(target) or target
        if not BaselineStore(index_path(reports)).clear(suite, target):
            raise UsageError(f"no baseline for suite '{suite}' and target '{target}'")
    out.print(term(f"baseline for suite '{suite}' and target '{target}' removed"), soft_wrap=True)


@baseline_app.command("check")
def baseline_check(
    reports: ReportsOpt = Path("reports"),
    suite: Annotated[str | None, typer.Option(help="Only this suite.")] = None,
    target: Annotated[
        str | None, typer.Option(help="Only this target (a target file or its name).")
    ] = None,
    alpha: AlphaOpt = 0.05,
    min_effect: MinEffectOpt = 0.0,
    higher_is_better: HigherOpt = None,
    lower_is_better: LowerOpt = None,
    groups: GroupsOpt = False,
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            callback=not_stdout,
            help="Also write the comparisons: .json for JSON, .md for Markdown.",
        ),
    ] = None,
    format: TableFormatOpt = "table",
    as_json: JsonAliasOpt = False,
) -> None:
    """Compare each baselined suite and target's latest run with its baseline (nightly).

    Exit 1 when any of them regressed."""
    from .engine import compare_runs
    from .nightly import UnfinishedCandidate, baseline_pairs
    from .render import check_comparison_out, write_comparisons
    from .runs import index_path

    with user_errors():
        chosen = output_format(format, as_json)
        not_blank("--suite", suite, "a suite name")
        unfinished: list[UnfinishedCandidate] = []
        smoke: list[str] = []
        pairs = baseline_pairs(
            reports,
            suite=suite,
            target=target_name(target),
            unfinished=unfinished,
            smoke_since=smoke,
        )
        if out_path is not None:  # before the comparisons (and refused with none to make)
            compared = [run for pair in pairs for run in pair]
            check_comparison_out(out_path, compared, index_path(reports))
        if not pairs and not unfinished:
            # Nothing to compare: said, and -o written all the same (an empty list in JSON),
            # so a file left from an earlier night never stands for this one.
            reason = _nothing_newer(reports, smoke)
            if out_path is not None:
                write_comparisons([], out_path, nothing=reason)
            if chosen == "json":
                print_json([])
            err.print(reason)
            raise typer.Exit(0)
        options = _options(alpha, min_effect, higher_is_better, lower_is_better, groups)
        results = [compare_runs(base, latest, **options) for base, latest in pairs]
        if out_path is not None:  # what -f json prints, unfinished runs too
            write_comparisons(results, out_path, unfinished=unfinished, alpha=alpha)
        # A night that measured nothing yet is no verdict (3): in JSON too, as an entry shaped
        # as the comparisons' (a reader of -f json got an empty stdout), and one line each.
        if results or chosen == "json":
            also = [pending.to_dict(alpha=alpha) for pending in unfinished]
            _emit(results, None, chosen == "json", out, also)
        for pending in unfinished:
            print_error(pending.line)
    raise typer.Exit(max([r.exit_code for r in results] + [3] * bool(unfinished)))


def _nothing_newer(reports: Path, smoke: list[str]) -> str:
    """Why ``baseline check`` compared nothing: no baseline set yet, or no full run since
    (naming the smoke tests since, which are never compared)."""
    from .baseline import BaselineStore
    from .runs import index_path

    if not BaselineStore(index_path(reports)).all():
        return (
            "no baseline set: nothing was compared; accept a passing run with "
            "'assurance baseline set RUN_ID'"
        )
    if not smoke:
        return "no run newer than its baseline to compare"
    tests = "1 smoke test" if len(smoke) == 1 else f"{len(smoke)} smoke tests"
    return (
        f"no full run newer than its baseline to compare; {tests} since (run --limit), "
        f"not compared: {', '.join(smoke)}"
    )


def trend(
    suite: Annotated[str, typer.Argument(help="Suite name.")],
    metric: Annotated[str, typer.Argument(help="Metric id.")],
    last: Annotated[int, typer.Option("--last", help="Number of recent runs.", min=1)] = 20,
    target: Annotated[
        str | None, typer.Option(help="Only runs against this target (a target file or its name).")
    ] = None,
    reports: ReportsOpt = Path("reports"),
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            callback=not_stdout,
            help="PNG file, ending .png (default: <reports>/trend-<suite>-<metric>.png).",
        ),
    ] = None,
    format: TableFormatOpt = "table",
    as_json: JsonAliasOpt = False,
) -> None:
    """A metric over a suite's last N runs: a table and a plot with intervals."""

    from rich.table import Table

    from ..formatting import labelled_interval, num
    from .baseline import BaselineStore
    from .runs import index_path
    from .trend import gate_thresholds, suite_break_text, suite_breaks, trend_png, trend_points

    with user_errors():
        chosen = output_format(format, as_json)
        if out_path is not None:  # before the runs are read: the plot is PNG, whatever -f says
            check_output_file(
                out_path,
                suffixes=(".png",),
                writes="trend writes a PNG image",
                reads={"the run index": index_path(reports)},  # by a link without a suffix
            )
        target = target_name(target)
        left_out: list[str] = []
        try:
            points = trend_points(
                reports, suite, metric, last=last, target=target, left_out=left_out
            )
        finally:  # named also when none is left to show
            for why in left_out:
                print_warning(f"a run of {suite} is left out: {why}")
            if len(left_out) > 1:  # the count, where several lines above name them
                print_warning(f"{len(left_out)} runs of {suite} are left out (named above)")
        baseline = None
        if target is not None:
            stored = BaselineStore(index_path(reports)).get(suite, target)
            baseline = stored.run_id if stored else None
        else:
            runs_baselines = {b.run_id for b in BaselineStore(index_path(reports)).all(suite)}
            baseline = next((p.run_id for p in points if p.run_id in runs_baselines), None)
        png = trend_png(
            points,
            suite=suite,
            metric=metric,
            thresholds=gate_thresholds(reports, suite, metric, target=target),
            baseline_run=baseline,
        )
        path = out_path or Path(reports) / f"trend-{suite}-{metric}.png"
        write_output(path, png)
    changes = [suite_break_text(before, after) for before, after in suite_breaks(points)]
    if chosen == "json":
        print_json(
            {
                "plot": str(path),
                "points": [p.to_dict() for p in points],
                "suite_changes": changes,
            }
        )
        return
    table = Table(title=term(f"{suite}: {metric}"))
    for column in ("run", "started", "target", "model", "value", "interval", "n", "gates"):
        table.add_column(column, overflow="fold")
    for p in points:
        mark = " (baseline)" if p.run_id == baseline else ""
        cells = (
            p.run_id + mark,
            p.started_at,
            p.target,
            p.model_version or MISSING,
            num(p.value),
            labelled_interval(p.ci_low, p.ci_high, p.confidence),
            str(p.n),
            ", ".join(p.verdicts) or MISSING,
        )
        table.add_row(*(term(c) for c in cells))
    out.print(table)
    for p in points:
        if p.note:
            err.print(term(f"{p.run_id}: {metric}: {p.note}"), soft_wrap=True)
    for change in changes:
        print_warning(change)
    err.print(term(f"plot: {path}"), soft_wrap=True)
