"""The web app's pages. Everything is rendered on the server with autoescaping; model output is
only ever text inside the page, and the content-security policy forbids script outright."""

from __future__ import annotations

import asyncio
import functools
import json
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
from aiohttp import web
from markupsafe import Markup

from ..errors import HarnessError, UsageError
from ..formatting import (
    MISSING,
    coverage_notes,
    failing_groups_text,
    group_name,
    level,
    num,
    num_beside,
    recorded_level,
    row_incomplete,
)
from ..formatting.pagetext import page_text
from ..review.adjudicate import ReviewPaths
from ..review.store import REVIEWER_NAME_MAX
from .allocator import release_freed
from .security import (
    CSRF_FIELD,
    HOSTS_KEY,
    REPORT_CSP,
    allowed_hosts,
    csrf_token,
    security_middleware,
)

if TYPE_CHECKING:
    from ..report.rundata import RunData
    from ..review.store import QueueItem
    from ..store.runlisting import RunListing

HERE = Path(__file__).parent
ROW_LIMIT = 500
QUEUE_LIMIT = 500
"""Queued rows the review page lists, from the top (the newest run first), as ROW_LIMIT does for
the run page: a 100,000-case run with a quarter flagged made a page of megabytes."""


@dataclass(frozen=True)
class Settings:
    """Where the app reads runs, the register and the ledger, and the configured reviewer."""

    reports: Path
    register: Path
    ledger: Path
    reviewer: str = ""


SETTINGS_KEY = web.AppKey("settings", Settings)

HEAVY_PAGES = 1
"""Pages that read a whole run, every run or the whole ledger or queue (the run page, compare,
trend, the register and a risk, the review queue), computed at once: the others wait their turn.
The app's process peaked at 384-393 MB over a reviewed 100,000-case run's page, its queued rows
and /review, one at a time or asked for at once, and at 540 MB with three threads for them
(benchmarks/scale_commands.py; issue 12's bound is 500 MB). The small pages never wait."""
LIGHT_THREADS = 4
"""Threads for the small pages (the runs list, a queued row, a verdict, a run's report.html):
enough that a verdict waiting for the ledger's lock (up to a minute) leaves others served."""

SWITCH_INTERVAL_S = 0.0005
"""The GIL switch interval ``assurance ui`` sets for its process (``sys.setswitchinterval``). A
heavy page's thread holds the GIL while it works through a run's rows, and every other thread
(the event loop, a verdict's) waits the interval for it at each return from I/O: at Python's
5 ms a stylesheet took up to a second behind one run page, at 0.5 ms tens of milliseconds."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class _Workers:
    """The app's own threads, where the handlers do their blocking work (files, SQLite, the
    ledger's lock, rendering): on the event loop it held every other request, a stylesheet or
    a reviewer's verdict, behind one page of a big run for tens of seconds."""

    heavy: ThreadPoolExecutor
    light: ThreadPoolExecutor

    def close(self) -> None:
        """Work not yet started is dropped (its requests are gone with the server); work under
        way ends in its thread (a verdict's transaction commits or rolls back whole), and the
        interpreter waits for it at exit."""
        for pool in (self.heavy, self.light):
            pool.shutdown(wait=False, cancel_futures=True)


WORKERS_KEY = web.AppKey("workers", _Workers)


async def _heavy(request: web.Request, work: Callable[..., _T], *args: Any) -> _T:
    """``work(*args)`` on the heavy pages' thread, one at a time (``HEAVY_PAGES``), then what
    it freed given back to the system there (``allocator.release_freed``)."""
    pool = request.app[WORKERS_KEY].heavy
    return await asyncio.get_running_loop().run_in_executor(
        pool, functools.partial(_released, work, *args)
    )


def _released(work: Callable[..., _T], *args: Any) -> _T:
    """``work(*args)``, then the allocator's freed memory released: glibc keeps what a page of
    a big run freed (20-30 MB after a reviewed 100,000-case run's page), and the next page
    grows from there."""
    try:
        return work(*args)
    finally:
        release_freed()


async def _light(request: web.Request, work: Callable[..., _T], *args: Any) -> _T:
    """``work(*args)`` on a small pages' thread: never queued behind a heavy page."""
    pool = request.app[WORKERS_KEY].light
    return await asyncio.get_running_loop().run_in_executor(pool, functools.partial(work, *args))


JINJA_KEY = web.AppKey("jinja", jinja2.Environment)


def _fig(value: Any) -> str:
    """A figure as every view writes it (``formatting.num``), lists and mappings item by item."""
    if isinstance(value, list):
        return ", ".join(_fig(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fig(v)}" for k, v in value.items())
    return num(value)


def _beside(value: Any, gate: Any) -> str:
    """A gate's figure with the digits that keep it on its side of the gate's limits
    (``formatting.num_beside``): a mean of 0.100004 failing ``max: 0.1`` read "0.1"."""
    return num_beside(value, gate) if isinstance(gate, dict) else num(value)


def _interval(figures: Any, confidence: Any = None, beside: Any = None) -> str:
    """A recorded ``ci_low – ci_high`` with its level in front (``formatting.level``, as the
    trend page writes it): the record's own ``confidence``, else ``confidence`` (a gate's
    record holds none: its metric's); unlabelled where none is known, never taken for 95%.
    Without it a 0.999 interval on the run and risk pages read as a 95% one."""
    figures = figures if isinstance(figures, dict) else {}
    low, high = figures.get("ci_low"), figures.get("ci_high")
    if beside is not None:  # a gate's: its checked bound must not read as its limit
        text = f"{num_beside(low, beside)} – {num_beside(high, beside)}"
    else:
        text = f"{num(low)} – {num(high)}"
    known = recorded_level(figures.get("confidence", confidence))
    return text if known is None or (low is None and high is None) else f"{level(known)} {text}"


def url_segment(value: Any) -> str:
    """``value`` as one segment of a link's path: every character a path gives a meaning to
    escaped, "/" too (Jinja's ``urlencode`` keeps it: the review link of a row "a/b#0" led to
    a 404), and a segment of dots as ``%2E`` (a browser steps up the path for ".."). Bytes a
    folder's name held that were not UTF-8 are escaped as those bytes."""
    text = urllib.parse.quote(str(value), safe="", errors="surrogateescape")
    return text.replace(".", "%2E") if not text.strip(".") else text


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        finalize=page_text,  # no control character reaches a page as text (formatting.pagetext)
    )
    from ..store.runlisting import is_unfinished

    env.tests["unfinished"] = is_unfinished  # no figures yet: blank, not "?" (runs list's rule)
    env.filters.update(
        fig=_fig,
        beside=_beside,
        group_name=group_name,
        # groups that broke the limit, then those without a figure on its bound, named apart
        failing_groups_text=failing_groups_text,
        group_param=group_param,
        level=level,  # a trend's interval reads at its run's level, not as an unlabelled 95%
        interval=_interval,
        coverage_notes=coverage_notes,
        unchecked_reason=_unchecked_reason,
        segment=url_segment,
    )
    return env


def _unchecked_reason(gate: dict[str, Any], metric: dict[str, Any] | None) -> str:
    """Why a gate's own figure was not checked (none on its bound), and why each of its groups
    without a figure has none, as the reports say it ("" where it was checked): a ``fail``
    beside an overall value under its limit read as a failure of that value."""
    if gate.get("checked") is not None:
        return ""
    from ..metrics.engine import no_data_reason

    return no_data_reason(gate, metric) or ""


def _render(request: web.Request, name: str, **context: Any) -> web.Response:
    env = request.app[JINJA_KEY]
    html = env.get_template(name).render(**context)
    return web.Response(text=html, content_type="text/html", charset="utf-8")


def _settings(request: web.Request) -> Settings:
    return request.app[SETTINGS_KEY]


def _runs(request: web.Request) -> list[dict[str, Any]]:
    """Every indexed run; a runs.db that cannot be read is a StoreError (a 503)."""
    from ..store.index import open_index
    from ..store.runread import mark_missing_folders

    reports = _settings(request).reports
    index = open_index(reports / "runs.db")
    rows = [] if index is None else index.list_runs()
    mark_missing_folders(rows, reports)
    return rows


def _paths(request: web.Request) -> ReviewPaths:
    s = _settings(request)
    return ReviewPaths(
        reports=s.reports, ledger=s.ledger, register=s.register if s.register.exists() else None
    )


# -- runs ------------------------------------------------------------------------------------
# Each page is an ``async`` handler that hands a plain function (the page's work, rendering
# included) to the app's threads; the request is only read there.
async def runs_page(request: web.Request) -> web.Response:
    return await _light(request, _runs_page, request)


def _listed_runs(request: web.Request) -> RunListing:
    """The runs ``runs list`` lists (``store.runlisting``): the indexed ones and the run
    folders the index lacks, a run killed before it finished ``interrupted`` with the command
    that resumes it; the index alone made a list that looked complete without it."""
    from ..store.index import open_index
    from ..store.runlisting import with_run_folders
    from ..store.runread import mark_missing_folders

    reports = _settings(request).reports
    index = open_index(reports / "runs.db")
    rows = [] if index is None else index.list_runs()
    listing = with_run_folders(rows, reports, set() if index is None else index.run_ids())
    mark_missing_folders(listing.rows, reports)
    return listing


def _runs_page(request: web.Request) -> web.Response:
    q = request.query
    f = {k: q.get(k, "") for k in ("suite", "target", "status", "since", "until")}
    listing = _listed_runs(request)
    everything = listing.rows
    runs = [
        r
        for r in everything
        if (not f["suite"] or r["suite"] == f["suite"])
        and (not f["target"] or r["target_name"] == f["target"])
        and (not f["status"] or r["status"] == f["status"])
        and (not f["since"] or str(r["started_at"] or "")[:10] >= f["since"])
        and (not f["until"] or str(r["started_at"] or "")[:10] <= f["until"])
    ]
    return _render(
        request,
        "runs.html",
        title="Runs",
        runs=runs,
        f=f,
        suites=sorted({r["suite"] for r in everything}),
        targets=sorted({r["target_name"] or "" for r in everything}),
        statuses=RUN_STATUSES,
        unlisted=listing.unlisted,
    )


RUN_STATUSES = ("passed", "gates_failed", "run_failed", "interrupted", "running")
"""The statuses the runs page filters by: a finished run's, and an unfinished one's
(``store.runread.UnfinishedRun.status``)."""


NAME_MAX = 255
"""The most bytes a file name holds on the usual file systems: a run id longer than that names no
folder, and asking the system for one fails (ENAMETOOLONG) rather than finding nothing."""


def _nameable(run_id: str) -> bool:
    """Whether ``run_id`` could name a folder at all (no NUL, at most ``NAME_MAX`` bytes)."""
    size = len(run_id.encode("utf-8", "surrogatepass"))
    return "\x00" not in run_id and 0 < size <= NAME_MAX


def _indexed(request: web.Request, run_id: str) -> bool:
    from ..store.index import open_index

    index = open_index(_paths(request).db)
    return index is not None and index.get(run_id) is not None


def _run_dir(request: web.Request, run_id: str) -> Path:
    """The run's folder, for a run id from the URL: a folder the run index names, or one inside
    the reports folder. The fallback ``reports/<run_id>`` took an id that is a path (absolute,
    ``..``, or a symlink placed in the reports folder) to any run folder on the machine, and
    served its files."""
    from ..review.adjudicate import run_dir_of
    from ..store.files import links_outside
    from ..store.postgres import StoreError
    from ..store.runread import RunFolderMissing

    missing = web.HTTPNotFound(text=f"no finished run {run_id}")
    if not _nameable(run_id):
        raise missing
    try:
        run_dir = run_dir_of(_paths(request), run_id)
    except StoreError:
        raise  # a 503 (data_errors), not "no finished run"
    except RunFolderMissing as exc:
        raise web.HTTPGone(text=str(exc)) from None  # the run finished; its folder went
    except HarnessError:
        raise missing from None
    if links_outside(run_dir, _settings(request).reports) and not _indexed(request, run_id):
        raise missing
    return run_dir


def _group_expr(summary: dict[str, Any]) -> str | None:
    """The grouping the suite's own metrics use (the first ``by:``), e.g. ``meta.type``."""
    for metric in (summary.get("metrics") or {}).values():
        by = (metric.get("spec") or {}).get("by")
        if isinstance(by, str):
            return by
    return None


def _group_of(row: dict[str, Any], by: str | None) -> str | None:
    """The row's group, or None for a row in none: a group named "" is a group of its own
    (its rows were listed with the rows in no group)."""
    from ..metrics.expr import ExpressionError, evaluate

    if by is not None:
        try:
            value = evaluate(by, row)
        except ExpressionError:
            value = None
        if value is not None:
            return str(value)
    meta = row.get("metadata") or {}
    return str(meta.get("group") or meta.get("category") or meta.get("axis") or "") or None


def group_param(name: str) -> str:
    """A group as the run page's ``group=`` filter names it: as it is, but as JSON where it is
    blank or starts with a quote. ``group=`` (and no parameter) stays "any group", as the URLs
    the form wrote before meant, and the group "" is ``group=""``; the quoting of names that
    start with ``"`` keeps a group literally named ``""`` apart from it."""
    return json.dumps(name) if not name.strip() or name.startswith('"') else name


def group_from_param(value: str) -> str | None:
    """The group a ``group=`` filter picks (``group_param`` read back); None for any group."""
    if not value:
        return None
    if value.startswith('"'):
        try:
            name = json.loads(value)
        except ValueError:
            return value  # a name that starts with a quote, written before it was quoted
        if isinstance(name, str):
            return name
    return value


def _load_run(request: web.Request, run_dir: Path) -> RunData:
    """A run the app shows or compares, told which of its files a purge recorded in the app's
    ledger deleted (``register.purges``): its rows are said to be purged (when), or missing,
    not "deleted, or purged"; and the hashes its evidence there holds
    (``register.ledger_hashes``), so a file edited with its manifest rewritten to match reads
    as edited, as ``assurance compare`` and ``trend`` read it."""
    from ..register.ledger_hashes import ledger_run_hashes, note_ledger_hashes
    from ..register.purges import note_purges
    from ..report.rundata import load_run

    ledger = _paths(request).ledger
    run = note_purges(load_run(run_dir), ledger)
    note_ledger_hashes(run, ledger_run_hashes(ledger))
    return run


async def run_page(request: web.Request) -> web.Response:
    return await _heavy(request, _run_page, request)


def _run_page(request: web.Request) -> web.Response:
    from ..metrics.expr import ExpressionError, evaluate
    from ..review.backing import backed
    from ..review.verdict import reviewed_run

    run_id = request.match_info["run_id"]
    run_dir = _run_dir(request, run_id)
    run = _load_run(request, run_dir)
    misnamed = run.misnamed()
    if misnamed is not None:
        return _misnamed_page(request, run_id, misnamed)
    reviewed = None
    # Streamed, the first ROW_LIMIT matches kept: a 100,000-row run held whole (and, with a
    # review policy, read again and deep-copied) took the server's memory for one page. The
    # review-aware view is measured over a stream too; its rows are read again, labelled.
    rows: Iterable[dict[str, Any]] = run.iter_results()
    if "review" in run.summary:
        store, _ = backed(_paths(request).db, _paths(request).ledger)  # named on /review
        reviewed = reviewed_run(run_dir, store, run=run)
        rows = reviewed.iter_rows()
        run = reviewed.run  # its passes over the file know the skipped lines
    queued = {str(i["key"]) for i in (run.summary.get("review") or {}).get("queue") or []}
    worst = {str(k) for g in run.gates for k in g.get("worst_cases") or []}
    q = request.query
    f = {k: q.get(k, "") for k in ("q", "score", "group", "verdict")}
    picked = group_from_param(f["group"])
    by = _group_expr(run.summary)
    error = None
    shown: list[dict[str, Any]] = []
    groups: set[str | None] = set()
    total = 0
    for row in rows:
        total += 1
        group = _group_of(row, by)
        groups.add(group)
        key = f"{row.get('case_id')}#{row.get('sample', 0)}"
        text = f"{key}\n{row.get('prompt') or ''}\n{row.get('response') or ''}".lower()
        if f["q"] and f["q"].lower() not in text:
            continue
        if picked is not None and group != picked:
            continue
        verdict = f["verdict"]
        if verdict == "worst" and key not in worst:
            continue
        if verdict == "queued" and key not in queued:
            continue
        if verdict == "reviewed" and not row.get("human"):
            continue
        if verdict == "unreviewed" and (key not in queued or row.get("human")):
            continue
        if verdict == "error" and row.get("error") is None:
            continue
        if f["score"]:
            try:
                if not evaluate(f["score"], row):
                    continue
            except ExpressionError as exc:
                error = str(exc)
                f["score"] = ""
        if len(shown) < ROW_LIMIT:
            shown.append(
                {
                    "key": key,
                    "group": MISSING if group is None else group_name(group),
                    "prompt": row.get("prompt"),
                    "response": row.get("response"),
                    "incomplete": row_incomplete(row),
                    "error": (row.get("error") or {}).get("message") if row.get("error") else None,
                    "scores": row.get("scores") or {},
                    "human": row.get("human"),
                    "queued": key in queued,
                }
            )
    from ..store.nultext import page_note

    return _render(
        request,
        "run.html",
        title=f"Run {run.run_id}",
        run=run,
        reviewed=reviewed,
        f=f,
        error=error,
        skipped_note=run.skipped_note(),  # the pass over the rows above knows it: no reread
        summary_changed=run.summary_changed(),
        # What compare and baseline refuse: the figures cannot be checked against the rows
        # (the rows' hash is known from the pass above).
        unverified=run.results_unverified(),
        rows_missing=run.results_missing() is not None,
        groups=sorted(g for g in groups if g is not None),
        picked_group=picked,
        shown=shown,
        nul_note=page_note(None, *(t for r in shown for t in _texts(r))),
        total=total,
        limit=ROW_LIMIT,
    )


def _misnamed_page(request: web.Request, run_id: str, misnamed: str) -> web.Response:
    """The page of a run whose folder holds another run's files (``RunLog.misnamed``): what is
    wrong, and none of the files' figures or rows, which would read as this run's; a 503, as
    for any run folder that cannot be used (``data_errors``)."""
    response = _render(request, "run_misnamed.html", title=f"Run {run_id}", misnamed=misnamed)
    response.set_status(503)
    return response


def _texts(row: dict[str, Any]) -> list[str]:
    """A shown row's prompt and response where they are text (what ``page_note`` reads)."""
    return [t for t in (row["prompt"], row["response"]) if isinstance(t, str)]


async def run_report(request: web.Request) -> web.StreamResponse:
    return await _light(request, _run_report, request)


def _run_report(request: web.Request) -> web.StreamResponse:
    from ..report.rundata import load_run
    from ..store.files import LINKS_OUTSIDE, links_outside

    run_dir = _run_dir(request, request.match_info["run_id"])
    misnamed = load_run(run_dir).misnamed()
    if misnamed is not None:  # its report.html is the other run's (``report`` refuses it too)
        raise web.HTTPServiceUnavailable(text=f"this report is not served: {misnamed}")
    path = run_dir / "report.html"
    # Sent as is: a report.html that links to a file elsewhere (a run folder unpacked from
    # someone else's archive) would send that file, whatever it is.
    if links_outside(path, run_dir, _settings(request).reports):
        raise web.HTTPNotFound(
            text=f"{path} {LINKS_OUTSIDE}; it is not served: "
            "write the report again with 'assurance report'"
        )
    if not path.is_file():
        raise web.HTTPNotFound(text="this run has no report.html; write it with 'assurance report'")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    response = web.Response(body=body, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


async def compare_page(request: web.Request) -> web.Response:
    return await _heavy(request, _compare_page, request)


def _compare_page(request: web.Request) -> web.Response:
    from ..compare.engine import compare_runs

    runs = _runs(request)
    a, b = request.query.get("a", ""), request.query.get("b", "")
    comparison, error = None, None
    if a and b:
        try:
            comparison = compare_runs(
                _load_run(request, _run_dir(request, a)),
                _load_run(request, _run_dir(request, b)),
                allow_different_suites=True,
            )
        except HarnessError as exc:
            error = str(exc)
    elif len(runs) >= 2:
        b, a = runs[0]["run_id"], runs[1]["run_id"]
    return _render(
        request,
        "compare.html",
        title="Two runs compared",
        runs=runs,
        a=a,
        b=b,
        comparison=comparison,
        error=error,
    )


async def trend_page(request: web.Request) -> web.Response:
    return await _heavy(request, _trend_page, request)


def _trend_page(request: web.Request) -> web.Response:
    from ..compare.trend import suite_break_text, suite_breaks, trend_points
    from .svg import trend_svg

    everything = _runs(request)
    suites = sorted({r["suite"] for r in everything})
    suite = request.query.get("suite") or (suites[0] if suites else "")
    metric = request.query.get("metric", "")
    metrics: list[str] = []
    latest = next((r for r in everything if r["suite"] == suite), None)
    if latest is not None:
        from ..report.rundata import load_run

        try:
            metrics = sorted(load_run(_run_dir(request, str(latest["run_id"]))).metrics)
        except (HarnessError, web.HTTPNotFound):
            metrics = []
    points, svg, error = [], None, None
    left_out: list[str] = []
    changes: list[str] = []
    if suite and metric:
        try:
            points = trend_points(_settings(request).reports, suite, metric, left_out=left_out)
            svg = Markup(trend_svg(points, title=f"{suite}: {metric}"))
            changes = [suite_break_text(before, after) for before, after in suite_breaks(points)]
        except HarnessError as exc:
            error = str(exc)
    elif suite:
        error = "choose a metric"
    return _render(
        request,
        "trend.html",
        title="Trend",
        suites=suites,
        suite=suite,
        metric=metric,
        metrics=metrics,
        points=points,
        svg=svg,
        error=error,
        left_out=left_out,
        changes=changes,
    )


# -- register --------------------------------------------------------------------------------
def _status(request: web.Request) -> Any:
    from ..register.status import build_status

    s = _settings(request)
    if not s.register.exists():
        raise web.HTTPNotFound(text=f"no risk register at {s.register}; start with --register")
    return build_status(s.register, s.ledger)


async def register_page(request: web.Request) -> web.Response:
    return await _heavy(request, _register_page, request)


def _register_page(request: web.Request) -> web.Response:
    return _render(request, "register.html", title="Risk register", status=_status(request))


async def risk_page(request: web.Request) -> web.Response:
    return await _heavy(request, _risk_page, request)


def _risk_page(request: web.Request) -> web.Response:
    from ..register.drilldown import risk_detail
    from ..register.ledger import read_ledger

    status = _status(request)
    risk_id = request.match_info["risk_id"]
    detail = risk_detail(status, risk_id)
    if detail is None:
        raise web.HTTPNotFound(text=f"no risk {risk_id}")
    reviews: dict[str, list[Any]] = {}
    for record in read_ledger(status.ledger_path, strict=False, reviews=True):
        if record.is_review and record.risk_id == risk_id:
            reviews.setdefault(record.run_id, []).append(record)
    return _render(
        request,
        "risk.html",
        title=f"{risk_id}: {detail.status.title}",
        status=status,  # the banner of a ledger that fails verification (_integrity.html)
        detail=detail,
        reviews=reviews,
        with_reviews=_with_reviews(status, detail.status),
    )


def _with_reviews(status: Any, risk: Any) -> dict[str, dict[str, Any] | str]:
    """Run id -> gate id -> the gate judged again with the reviews in (``review.outstanding
    .JudgedGate``), or why it cannot be, for each suite's latest run: the figures the risk's
    status was judged on, from the same measurement. The evidence table shows them beside the
    recorded ones; it showed only those, unlabelled, under a status judged on the others. Older
    runs are not measured here (their own pages are). A run purged before anyone reviewed its
    flagged rows reads ``untested`` with no figure, as the risk's status does: it showed
    ``awaiting_review``, a review nobody can give now."""
    from ..review.outstanding import JudgedGate

    reviewed = status.reviewed
    out: dict[str, dict[str, Any] | str] = {}
    if reviewed is None:
        return out
    for suite in risk.suites:
        if suite.run_id is None or not any(r.verdict == "awaiting_review" for r in suite.records):
            continue
        judged = reviewed.judged(suite.run_id)
        if suite.run_id in risk.unreviewable and not isinstance(judged, str):
            # Purged before anyone reviewed its flagged rows: untested, as the status reads,
            # with no figure (one measured without the reviews it awaited is not "with reviews").
            judged = [JudgedGate(g.id, "untested", None) for g in judged]
        out[suite.run_id] = judged if isinstance(judged, str) else {g.id: g for g in judged}
    return out


# -- review ----------------------------------------------------------------------------------
async def queue_page(request: web.Request) -> web.Response:
    return await _heavy(request, _queue_page, request)


def _texts_gone(items: list[QueueItem]) -> set[str]:
    """The runs of queued rows that hold neither prompt nor response (as a purge leaves them)."""
    return {i.run_id for i in items if i.prompt is None and i.response is None}


def _queue_page(request: web.Request) -> web.Response:
    from ..review.agreement import ScorerFigures, reviewer_agreement, scorer_figures
    from ..review.backing import backed
    from ..store.reviews import waiting

    store, unbacked = backed(_paths(request).db, _paths(request).ledger)
    f = {"run": request.query.get("run", ""), "show": request.query.get("show", "pending")}
    current = store.current(f["run"] or None)
    items: list[QueueItem] = []
    total = 0
    # Streamed: the rows after the first QUEUE_LIMIT are only counted, never held.
    for i in store.iter_queue(f["run"] or None):
        if f["show"] == "all" or waiting(current, i.run_id, i.row_key):
            total += 1
            if len(items) < QUEUE_LIMIT:
                items.append(i)
    from ..register.purges import purged_texts
    from ..store.nultext import page_note

    return _render(
        request,
        "queue.html",
        title="Review queue",
        items=items,
        purged=purged_texts(_paths(request).ledger, _texts_gone(items)),
        nul_note=page_note(store.db.dialect, *((i.response or "")[:160] for i in items)),
        total=total,
        limit=QUEUE_LIMIT,
        current=current,
        f=f,
        reviewer=_settings(request).reviewer,
        agreement=reviewer_agreement(store.db, _paths(request).reports, current)
        if current
        else None,
        # Each scorer configuration's figures (scorers.reviewed), never one pooled figure.
        scorers=scorer_figures(
            _paths(request).reports, run_id=f["run"] or None, leave_out=store.leave_out
        )
        if current and (not f["run"] or _nameable(f["run"]))
        else ScorerFigures(),
        gone=_folder_gone(request, f["run"]),
        unbacked=[u.left_out() for u in unbacked],
    )


def _folder_gone(request: web.Request, run_id: str) -> str | None:
    """The note for a queue filtered to a run whose folder is gone (its rows stay listed: the
    verdicts already given are the user's), or None."""
    from ..review.adjudicate import run_dir_of
    from ..store.runread import RunFolderMissing

    if not run_id or not _nameable(run_id):
        return None
    try:
        run_dir_of(_paths(request), run_id)
    except RunFolderMissing as exc:
        return str(exc)
    except HarnessError:
        return None  # not indexed at all: the queue says what it holds
    return None


async def item_page(request: web.Request) -> web.Response:
    return await _light(request, _item, request, csrf_token(request))


def _item(
    request: web.Request,
    csrf: str,
    saved: Any = None,
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    """The queued row's page; ``csrf`` is taken on the event loop (``csrf_token`` may note a
    new token on the request, for the security middleware to set as a cookie). ``status``:
    the page's HTTP status, a refused verdict's (``refusal_status``) where ``error`` says why."""
    from ..review.backing import backed
    from ..review.store import ReviewStore

    store, unbacked = backed(_paths(request).db, _paths(request).ledger)
    run_id, key = request.match_info["run_id"], request.match_info["key"]
    from ..store.postgres import StoreError

    try:
        item = store.item(run_id, key)
    except StoreError:
        raise
    except HarnessError:
        raise web.HTTPNotFound(
            text=f"row {key} of run {run_id} is not in the review queue"
        ) from None
    from ..register.purges import purged_texts
    from ..store.nultext import NOTES, page_note

    history = ReviewStore(store.db).history(run_id, key)  # every one, as the CLI's history
    if saved is None:  # the page a saved verdict's redirect lands on names it (one of this row's)
        # Compared as the redirect writes the id, never through int(): "²" is a digit to
        # str.isdigit() that int() refuses, 5,000 digits are more than it converts (both a
        # 500), and fullwidth digits it reads as the ASCII ones (a verdict named saved).
        marker = request.query.get("saved", "")
        saved = next((v for v in history if str(v.id) == marker), None)
    page = _render(
        request,
        "item.html",
        unbacked=[
            u.left_out() for u in unbacked if (u.verdict.run_id, u.verdict.row_key) == (run_id, key)
        ],
        title=f"Review {key}",
        item=item,
        incomplete=_answer_incomplete(request, item),
        # Its texts deleted by a recorded purge: said so, as the queue page does (shown, the
        # missing prompt and response read as the text "None", an answer a model can give).
        purged=purged_texts(_paths(request).ledger, _texts_gone([item])).get(item.run_id),
        nul_note=page_note(store.db.dialect, item.prompt, item.response),
        history=history,
        history_note=page_note(store.db.dialect, *(v.note for v in history), of=NOTES),
        csrf=csrf,
        reviewer=_settings(request).reviewer,
        reviewer_max=REVIEWER_NAME_MAX,  # the form's maxlength; the server refuses it anyway
        saved=saved,
        error=error,
    )
    page.set_status(status)
    return page


def _answer_incomplete(request: web.Request, item: QueueItem) -> str | None:
    """``not complete (length): ...`` where the queued answer was cut off (``QueueItem
    .incomplete``): a reviewer must not judge half an answer as a whole one. A row queued
    before the queue kept how answers ended is read from its run's results.jsonl, and is
    ``FINISH_NOT_KNOWN`` where the run's folder or row cannot be read. None where complete."""
    from ..review.adjudicate import run_dir_of
    from ..review.store import FINISH_NOT_KNOWN
    from ..store.runread import read_run

    if item.finish_reason is not None or not _nameable(item.run_id):
        return item.incomplete
    key = item.row_key
    try:
        row = read_run(run_dir_of(_paths(request), item.run_id)).rows_by_key({key}).get(key)
    except (HarnessError, OSError):
        return FINISH_NOT_KNOWN
    return FINISH_NOT_KNOWN if row is None else row_incomplete(row)


DECISIONS = ("agree", "true", "false")
"""The verdict form's choices: agree with the scorer, or the label is true or false."""


def _verdict_fields(form: Any) -> dict[str, str]:
    """The verdict form's fields, each at most one piece of text, and one of the decisions the
    page offers; anything else (two answers, a file, a value no page sends) is a UsageError,
    never a verdict read into it."""
    fields: dict[str, str] = {}
    for name in ("decision", "reviewer", "token", "note", "shown"):
        values = form.getall(name, [])
        if len(values) > 1 or not all(isinstance(v, str) for v in values):
            raise UsageError(
                f"the form's {name} must be one piece of text; send the form from this page"
            )
        fields[name] = values[0] if values else ""
    if fields["decision"] not in DECISIONS:
        raise UsageError(
            f"decision {fields['decision']!r} is none of {', '.join(DECISIONS)}; nothing was "
            "recorded: choose one on this page"
        )
    return fields


def refusal_status(exc: HarnessError) -> int:
    """The HTTP status of a verdict refused with ``exc``: the page still says why, but a
    refusal answered 200 read to a script, a proxy's log or a browser's history as the verdict
    taken. 403 the reviewer's token does not match; 409 the row, the run or the ledger is not
    as the page showed it (the row changed since, the run is being rewritten, its files no
    longer match what was recorded); 503 the ledger could not be written now (its lock held,
    its disk full: sent again, it completes); 400 anything else (the form's input)."""
    from ..register.evidence_record import EvidenceError
    from ..register.ledger_store import LedgerFaultError
    from ..review.adjudicate import RowChanged
    from ..review.store import ReviewerRefused
    from ..store.runlock import RunFolderInUse

    if isinstance(exc, ReviewerRefused):
        return 403
    if isinstance(exc, LedgerFaultError):
        return 503
    if isinstance(exc, (RowChanged, RunFolderInUse, EvidenceError)):
        return 409
    return 400


async def item_post(request: web.Request) -> web.Response:
    form = await request.post()
    # A small page's thread, not the heavy pages': a verdict never waits for a big run page.
    return await _light(request, _item_post, request, form, csrf_token(request))


def _item_post(request: web.Request, form: Any, csrf: str) -> web.Response:
    """Record the verdict (its ledger records and the store, as ``adjudicate`` does: under the
    store's write lock, in this thread) and answer with a redirect to the row's page, which
    names the verdict saved (Post/Redirect/Get: answered with the page itself, a reload of it
    sent the form again and recorded the verdict twice), or show the row with the error."""
    from ..review.adjudicate import adjudicate
    from ..store.postgres import StoreError

    if not _nameable(request.match_info["run_id"]):
        # No queue holds it (the page says so, 404); looking for its folder failed: a 500.
        return _item(request, csrf)
    try:
        fields = _verdict_fields(form)
        decision = fields["decision"]
        saved = adjudicate(
            _paths(request),
            run_id=request.match_info["run_id"],
            key=request.match_info["key"],
            reviewer=fields["reviewer"],
            token=fields["token"] or None,
            agree=decision == "agree",
            label=None if decision == "agree" else decision == "true",
            note=fields["note"],
            # what the page showed (QueueItem.shown): a row changed since records nothing.
            # None from a form without it (sent by hand): as the command line, unchecked.
            shown=fields["shown"] or None,
        )
    except StoreError:
        raise  # the store cannot be used: a 503 (data_errors), no page to show
    except HarnessError as exc:
        return _item(request, csrf, error=str(exc), status=refusal_status(exc))
    row = f"/review/{url_segment(saved.run_id)}/{url_segment(saved.row_key)}"
    raise web.HTTPSeeOther(f"{row}?saved={saved.id}")


STATIC = HERE / "static"
STATIC_FILES = frozenset(p.name for p in STATIC.iterdir() if p.is_file())
"""The files /static/ serves, by name: aiohttp's static route asked the system for any name
in the URL, and one longer than a file name can be (ENAMETOOLONG) was a 500."""


async def static_file(request: web.Request) -> web.StreamResponse:
    """One of the app's own ``STATIC_FILES``; any other name is a 404, never a lookup."""
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise web.HTTPNotFound(text=f"no static file {name}")
    return web.FileResponse(STATIC / name)


@web.middleware
async def data_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """What a page reads cannot be used: a 503 that says so, on every page (never a page that
    silently shows less, a 404 that blames the run, nor a 500 with a traceback in the log). The
    store unreachable or damaged; a run folder or the register damaged or edited by hand (the
    error names the file, as the command line's does)."""
    from ..store.postgres import StoreError

    try:
        return await handler(request)
    except StoreError as exc:
        raise web.HTTPServiceUnavailable(text=f"the store cannot be used: {exc}") from None
    except HarnessError as exc:
        raise web.HTTPServiceUnavailable(text=f"this page cannot be shown: {exc}") from None


def make_app(settings: Settings, *, host: str = "127.0.0.1", port: int = 8765) -> web.Application:
    app = web.Application(middlewares=[security_middleware, data_errors], client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings
    app[JINJA_KEY] = _env()
    app[HOSTS_KEY] = allowed_hosts(host, port)
    workers = _Workers(
        heavy=ThreadPoolExecutor(HEAVY_PAGES, thread_name_prefix="assurance-ui-heavy"),
        light=ThreadPoolExecutor(LIGHT_THREADS, thread_name_prefix="assurance-ui"),
    )
    app[WORKERS_KEY] = workers

    async def close_workers(_: web.Application) -> None:
        workers.close()

    app.on_cleanup.append(close_workers)
    app.router.add_get("/", runs_page)
    app.router.add_get("/runs/{run_id}", run_page)
    app.router.add_get("/runs/{run_id}/report.html", run_report)
    app.router.add_get("/compare", compare_page)
    app.router.add_get("/trend", trend_page)
    app.router.add_get("/register", register_page)
    app.router.add_get("/register/{risk_id}", risk_page)
    app.router.add_get("/review", queue_page)
    app.router.add_get("/review/{run_id}/{key}", item_page)
    app.router.add_post("/review/{run_id}/{key}", item_post)
    app.router.add_get("/static/{name}", static_file)
    return app


__all__ = ["CSRF_FIELD", "Settings", "make_app"]
