"""``assurance review ...``: the queue, one row, a verdict, the history, agreement figures.

Model output is printed as plain terminal text (no markup, control characters escaped).
"""

import json
import sys
from collections.abc import Iterable
from contextlib import closing
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..cli_options import reports_folder
from ..console import err, out, print_warning, term
from ..console import user_errors as _errors
from ..errors import UsageError
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..store.reviews import Standing
    from .backing import Unbacked
    from .store import QueueItem, ReviewStore

review_app = typer.Typer(
    help="Human review: the queue of flagged rows, verdicts, agreement.", no_args_is_help=True
)

ReportsOpt = Annotated[
    Path, typer.Option("--reports", help="Directory of run folders.", callback=reports_folder)
]
LedgerOpt = Annotated[
    Path | None,
    typer.Option("--ledger", help="Evidence ledger (default: REPORTS/evidence/ledger.jsonl)."),
]
RegisterOpt = Annotated[
    Path | None,
    typer.Option("--register", help="Risk register: review records also name its risks."),
]


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"true", "yes", "1"}:
        return True
    if value in {"false", "no", "0"}:
        return False
    raise UsageError(f"--label must be true or false, not '{text}'")


TABLE_ROWS = 200
"""Queued rows ``review queue`` prints as a table: the terminal shows the top of the queue (the
newest run first); a table of every row of a 100,000-case run took minutes and 600 MB to lay
out. ``--json`` lists them all."""


@review_app.command("queue")
def queue_cmd(
    run: Annotated[str | None, typer.Option("--run", help="Only this run.")] = None,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending", help="Only rows nobody reviewed, or whose reviewers' labels tie."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    reports: ReportsOpt = Path("reports"),
) -> None:
    """Rows waiting for a person, and why each was queued."""
    with _errors():
        from ..store.location import reports_to_read

        reports_to_read(reports)
        from ..store.reviews import waiting
        from .backing import backed_store

        # A verdict the ledger does not back must not take a row off the pending list.
        store, unbacked = backed_store(reports)
        run = _run_option(store, reports, run)  # before a line is printed
        current = store.current(run)
        _warn_unbacked(unbacked, "not counted")
        # Read a row at a time (its prompt and response too): the queue of a 100,000-case run
        # is never held whole, for a table of its first rows or a JSON list without the text.
        with closing(store.iter_queue(run)) as queued:
            first = next(queued, None)
            rows = chain([] if first is None else [first], queued)
            items = (i for i in rows if not pending or waiting(current, i.run_id, i.row_key))
            if as_json:
                _write_json(items, current)
            else:
                _print_table(items, current, store, reports)


def _write_json(items: Iterable["QueueItem"], current: "Standing") -> None:
    """Item by item, the text ``json.dumps(list(items), indent=2)`` gives: the list, or the
    one string, of 90,000 rows is never built."""
    opening = "[\n  "
    for i in items:
        item = {
            "run_id": i.run_id,
            "row": i.row_key,
            "reasons": i.reasons,
            "required": i.required,
            "scorer_label": i.scorer_label,
            "reviewers": sorted(current.get((i.run_id, i.row_key), {})),
            # null: queued before the store kept how answers ended, so not known
            "finish_reason": i.finish_reason,
            "incomplete": i.cut_off,
        }
        sys.stdout.write(opening + json.dumps(item, indent=2).replace("\n", "\n  "))
        opening = ",\n  "
    sys.stdout.write("[]\n" if opening == "[\n  " else "\n]\n")


def _emptied(item: "QueueItem") -> bool:
    """The queued row holds neither prompt nor response, as a purge leaves it."""
    return item.prompt is None and item.response is None


def _response_cell(item: "QueueItem", purged: dict[str, str]) -> str:
    """The table's response: the start of the answer (or what a purge left), under the line
    saying it was cut off or is not known to be whole, where it is either."""
    text = purged.get(item.run_id, "") if _emptied(item) else (item.response or "")[:80]
    return text if item.incomplete is None else f"{item.incomplete}\n{text}"


def _print_table(
    items: Iterable["QueueItem"], current: "Standing", store: "ReviewStore", reports: Path
) -> None:
    """The first ``TABLE_ROWS`` items as a table; the rest are only counted. Under it, the
    note that ``␀`` stands for NUL where a response shown may hold one (``store.nultext``).
    A row whose texts a recorded purge deleted says so (``register.purges.purged_texts``). An
    answer cut off, or not known to be whole, says so above its text (``QueueItem.incomplete``)."""
    from ..store.nultext import stand_in_note

    shown: list[QueueItem] = []
    total = 0
    for i in items:
        total += 1
        if len(shown) < TABLE_ROWS:
            shown.append(i)
    from rich.table import Table

    from ..register.purges import purged_texts

    purged = purged_texts(Workspace.at(reports).ledger, {i.run_id for i in shown if _emptied(i)})
    table = Table(title=f"Review queue ({total} rows)", title_justify="left")
    for column in ("run", "row", "why", "scorer label", "reviewed by", "response"):
        table.add_column(column, overflow="fold", no_wrap=column == "run")
    for i in shown:
        table.add_row(
            term(i.run_id),
            term(i.row_key),
            term(", ".join(i.reasons)),
            term(i.scorer_label),
            term(", ".join(sorted(current.get((i.run_id, i.row_key), {}))) or "-"),
            term(_response_cell(i, purged)),
        )
    out.print(table)
    if note := stand_in_note(store.db.dialect, *((i.response or "")[:80] for i in shown)):
        out.print(term(note))
    if total > TABLE_ROWS:
        out.print(
            term(
                f"{total - TABLE_ROWS} more rows not shown; --json lists them all "
                "(--run and --pending narrow the queue)"
            )
        )


def _whole_run_id(store: "ReviewStore", reports: Path, run: str) -> str:
    """A run id as given as the whole id the store keys rows by, by the rules of every command
    that takes a run (``store.runread.resolve_run``): a unique start of an id names its run.
    An id the store holds rows of is taken as it is, its folder perhaps gone. Anything else is
    one UsageError (exit 2) naming the candidates or the fix: a mistyped ``--run`` otherwise
    reads as "nothing to review"."""
    if store.holds_run(run):
        return run
    from ..store.runread import resolve_run_id

    return resolve_run_id(run, reports)


def _run_option(store: "ReviewStore", reports: Path, run: str | None) -> str | None:
    """``--run``, when given, as ``_whole_run_id`` reads it."""
    return None if run is None else _whole_run_id(store, reports, run)


@review_app.command("adjudicate")
def adjudicate_cmd(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    row: Annotated[str, typer.Argument(help="Row key, case_id#sample.")],
    agree: Annotated[bool, typer.Option("--agree", help="The scorer's label is right.")] = False,
    label: Annotated[
        str | None, typer.Option("--label", help="Correct the label: true or false.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Your name (default: $ASSURANCE_REVIEWER)."),
    ] = None,
    reports: ReportsOpt = Path("reports"),
    ledger: LedgerOpt = None,
    register: RegisterOpt = None,
) -> None:
    """Give a verdict on a queued row (appended to runs.db and the evidence ledger).

    A reviewer registered with a token gives it in ASSURANCE_REVIEW_TOKEN."""
    with _errors():
        from .adjudicate import ReviewPaths, adjudicate, reviewer_from_env
        from .store import ReviewStore

        if agree == (label is not None):
            raise UsageError("give exactly one of --agree or --label true|false")
        name, token = reviewer_from_env(reviewer)
        paths = ReviewPaths.default(reports, ledger, register)
        verdict = adjudicate(
            paths,
            run_id=_whole_run_id(ReviewStore(paths.db), reports, run_id),
            key=row,
            reviewer=name,
            token=token,
            agree=agree,
            label=None if label is None else _bool(label),
            note=note,
        )
        out.print(
            term(
                f"{verdict.reviewer}: {verdict.decision}, label {verdict.label} "
                f"(evidence {', '.join(verdict.ledger_ids)})"
            )
        )


@review_app.command("history")
def history_cmd(
    run_id: Annotated[str | None, typer.Option("--run")] = None,
    row: Annotated[str | None, typer.Option("--row")] = None,
    reports: ReportsOpt = Path("reports"),
) -> None:
    """Every verdict ever given, oldest first (changed verdicts stay)."""
    with _errors():
        from ..store.location import reports_to_read

        reports_to_read(reports)
        from rich.table import Table

        from .store import ReviewStore

        table = Table(title="Review history", title_justify="left")
        for column in ("#", "when", "run", "row", "reviewer", "decision", "label", "note"):
            table.add_column(column, overflow="fold")
        from .backing import backed_store

        store, unbacked = backed_store(reports)
        notes: list[str] = []
        for v in ReviewStore(store.db).history(_run_option(store, reports, run_id), row):
            notes.append(v.note)
            table.add_row(
                term(v.id),
                term(v.created_at),
                term(v.run_id),
                term(v.row_key),
                term(v.reviewer),
                term(v.decision + (f" (replaces #{v.supersedes})" if v.supersedes else "")),
                term(v.label),
                term(v.note),
            )
        out.print(table)
        from ..store.nultext import NOTES, stand_in_note

        # Under the table, what ␀ stands for where a note shown may hold one (store.nultext).
        if said := stand_in_note(store.db.dialect, *notes, of=NOTES):
            out.print(term(said))
        _warn_unbacked(unbacked, "listed above, but the review views do not count them")


@review_app.command("status")
def status_cmd(run_id: str, reports: ReportsOpt = Path("reports")) -> None:
    """A run's gates with the reviews in (human labels, gates that wait for review)."""
    with _errors():
        from .adjudicate import ReviewPaths, run_dir_of
        from .verdict import ledger_checked_run, reviewed_run

        paths = ReviewPaths.default(reports)
        from .backing import backed_store

        store, unbacked = backed_store(reports)
        run_dir = run_dir_of(paths, _whole_run_id(store, reports, run_id))
        view = reviewed_run(run_dir, store, run=ledger_checked_run(run_dir, paths.ledger))
        _warn_unbacked(unbacked, "not counted")
        out.print(term(f"{view.reviewed} rows reviewed; {len(view.outstanding)} flagged rows wait"))
        if view.disputed:
            out.print(term(disputed_note(view.disputed)))
        for gate in view.gates:
            out.print(term(f"{gate['verdict']:16} {gate['id']}  value {gate.get('value')}"))
        note = view.run.skipped_note()  # the verdicts above rest on the rows read
        if note:
            print_warning(note)
        if any(g["verdict"] != "pass" for g in view.gates):
            raise typer.Exit(1)


@review_app.command("agreement")
def agreement_cmd(
    run_id: Annotated[str | None, typer.Option("--run")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    reports: ReportsOpt = Path("reports"),
) -> None:
    """Inter-reviewer agreement, and each scorer's precision and recall against the reviewers.

    Cohen's kappa where one fixed pair of reviewers judged every row two judged, else
    Krippendorff's alpha over every reviewer's label (a row: a distinct answer, its copies in
    other runs counted once); precision and recall of each scorer configuration against the
    human labels; each with a 95% interval, or why none."""
    with _errors():
        from ..store.location import reports_to_read

        reports_to_read(reports)
        from ..scorers.validity import find_card
        from .agreement import reviewer_agreement, scorer_figures
        from .backing import backed_store

        store, unbacked = backed_store(reports)
        run = _run_option(store, reports, run_id)
        current = store.current(run)
        _warn_unbacked(unbacked, "not counted")
        result = reviewer_agreement(store.db, reports, current)
        # The scorer figures are each configuration's, never pooled over every reviewed row:
        # that mixed classifiers configured differently and counted a repeated answer per run.
        scorers = scorer_figures(reports, run_id=run, leave_out=store.leave_out)
        if as_json:
            # A list, one entry per scorer configuration: a name may have several.
            document = {
                **result.to_dict(),
                "by_scorer": [r.to_dict() for r in scorers.figures],
                "without_figures": scorers.why_none,
                "not_counted": scorers.gone.to_dict(),
            }
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
            return

        from ..formatting import num
        from .agreement import COHEN

        out.print(term(f"rows reviewed: {result.rows_reviewed}"))
        if result.statistic != COHEN:  # named, with how many rows and reviewers
            out.print(term(f"reviewer agreement: {result.kappa_text()}"))
        elif result.kappa is None:
            pairs = f"({result.rows_two_reviewers} rows with two reviewers)"
            out.print(term(f"reviewer kappa: {num(None)} {pairs}: {result.kappa_why}"))
        else:
            pairs = f"({result.rows_two_reviewers} rows with two reviewers)"
            out.print(term(f"reviewer kappa: {result.kappa_text()} {pairs}"))
        copies = result.copies_text()
        if copies:
            out.print(term(f"  {copies}"))
        if result.kappa is not None and "approximate" in result.kappa_method:
            named = "kappa" if result.statistic == COHEN else "alpha"
            out.print(term(f"  {named} interval {result.kappa_method.split('; ', 1)[1]}"))
        out.print(
            term(
                "scorer figures: one line per scorer configuration (name, version, settings, "
                "review label), each distinct (case, answer) counted once"
                + ("" if scorers.figures or scorers.why_none or scorers.gone else "; none yet")
            )
        )
        for reviewed in scorers.figures:
            card = find_card(reviewed.scorer)
            out.print(term(f"{reviewed.scorer}: {reviewed.text()}"))
            if reviewed.identity is not None:
                out.print(term(f"  configuration: {reviewed.identity.describe()}"))
            out.print(term(f"  bundled card: {card.headline() if card else 'no validity card'}"))
            error = reviewed.scorer_error()
            if error is not None:
                fields = ", ".join(f"{k}: {v}" for k, v in error.items())
                out.print(term(f"  for a corrected rate: scorer_error: {{{fields}}}"))
        for sid, why in scorers.why_none.items():
            out.print(term(f"{sid}: {why}"))
        if scorers.gone and not scorers.figures and not scorers.why_none:
            out.print(term(scorers.gone.text()))  # where no figure's line says it


DISPUTED_SHOWN = 10
"""Disputed rows ``review status`` names; the rest are counted."""


def disputed_note(keys: list[str]) -> str:
    """The line that names a run's disputed rows (``ReviewedRun.disputed``)."""
    named = ", ".join(keys[:DISPUTED_SHOWN])
    more = f" and {len(keys) - DISPUTED_SHOWN} more" if len(keys) > DISPUTED_SHOWN else ""
    return (
        f"{len(keys)} reviewed rows have reviewers' labels that tie, so no human label "
        f"({named}{more}); another reviewer's verdict settles each"
    )


def _warn_unbacked(unbacked: list["Unbacked"], counted: str) -> None:
    """Name each verdict in runs.db the evidence ledger does not hold (``review.backing``)."""
    for u in unbacked:
        print_warning(f"{u.describe()}: {counted}; see 'assurance evidence verify'")


@review_app.command("add-reviewer")
def add_reviewer_cmd(
    name: str,
    token_env: Annotated[
        str | None,
        typer.Option(
            "--token-env", help="Variable holding this reviewer's token (only its hash is kept)."
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Set the token of a reviewer registered already (with --token-env, or none).",
        ),
    ] = False,
    reports: ReportsOpt = Path("reports"),
) -> None:
    """Register a reviewer, optionally with a token they must give with each verdict.

    A registered reviewer's token changes only with --replace; registering them again with the
    token they have changes nothing."""
    import os

    from ..scrub import looks_like_key

    with _errors():
        from .store import ReviewStore

        token = None
        if token_env is not None:  # "" is "$UNSET" in a script, not "no token"
            if not token_env.strip():
                raise UsageError(
                    "--token-env: an empty variable name; give the name of the variable holding "
                    "the token (e.g. --token-env ALICE_TOKEN), or leave --token-env out"
                )
            token = os.environ.get(token_env)
            if not token and looks_like_key(token_env):  # the token itself: never printed
                raise UsageError(
                    "--token-env: this looks like a token, not the name of an environment "
                    "variable (the value is not shown); put the token in a variable "
                    "(export ALICE_TOKEN=...) and give that variable's name"
                )
            if not token:
                raise UsageError(f"--token-env {token_env}: the variable is not set")
        done = ReviewStore(reports / "runs.db").add_reviewer(name, token, replace=replace)
        said = {
            "registered": "registered" + (" with a token" if token else ""),
            "unchanged": "already registered" + (" with this token" if token else ", no token"),
            "replaced": "token replaced" + ("" if token else ": none is needed now"),
        }[done]
        err.print(term(f"reviewer {name.strip()} {said}"))
