"""The run log: the one owner of a run folder's format (docs/FORMATS.md).

``reports/<run_id>/`` holds ``run.json`` (the run's state), ``cases.jsonl``, the response
journal ``responses.jsonl`` (``store.rundir``), ``results.jsonl`` (one ``ResultRow`` per case and
sample), ``summary.json`` and ``manifest.json``. This module has a pydantic model for each of
them and for the run index's row, the one writer (``RunLogWriter``), the one reader
(``read_run``; ``read_state`` for a run's ``run.json`` alone) and the one lookup
(``resolve_run``). Every other module (runner, reports, comparisons, the register, the pytest
plugin, the CLI) goes through these, so they cannot disagree about where a file is or what it
holds.

Field order in the models is the order of the keys on disk. summary.json and manifest.json are
hashed into evidence records, so their bytes must not change for the same content: new fields go
at the end, and ``tests/register/test_ledger_golden.py`` pins the shape.

Models accept fields they do not know (``extra="allow"``): a run written by a newer version, or
an older run missing a field that was added since, still reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
)
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from .. import fielddocs
from ..rowkeys import case_key
from .files import (
    AtomicStream,
    dumps_run_json,
    sha256_bytes,
    write_bytes_atomic,
    write_json_atomic,
)
from .runread import (
    CASES,
    MANIFEST,
    RESPONSES,
    RESULTS,
    RUN_STATE,
    SUMMARY,
    RunLog,
    iter_jsonl,
    read_run,
    read_state,
    resolve_run,
    row_key,
    scan_runs,
    split_row_key,
)

__all__ = [
    "CASES",
    "MANIFEST",
    "RESPONSES",
    "RESULTS",
    "RUN_STATE",
    "SUMMARY",
    "Counts",
    "FileRef",
    "IndexRow",
    "Manifest",
    "ResultRow",
    "RetryRound",
    "RunLog",
    "RunLogWriter",
    "RunState",
    "Summary",
    "iter_jsonl",
    "read_run",
    "read_state",
    "resolve_run",
    "row_key",
    "run_status",
    "scan_runs",
    "split_row_key",
]

RunStatus = Literal["running", "passed", "gates_failed", "run_failed"]


def run_status(
    error_rate: float,
    max_error_rate: float,
    gates: list[dict[str, Any]],
    *,
    nothing_answered: bool = False,
) -> str:
    """A finished run's status: ``run_failed`` when too many requests failed; else whether
    every gate passed, and a run that would pass having no answer (``nothing_answered``: a
    ``max_error_rate`` of 1 allows every request to fail, and a suite without gates has no
    verdict to fail) is ``run_failed`` too: it measured nothing. The one rule, for the runner
    that records it and for the evidence check that reads it back (``register.summary_check``)."""
    if error_rate > max_error_rate:
        return "run_failed"
    if any(g.get("verdict") != "pass" for g in gates):
        return "gates_failed"
    return "run_failed" if nothing_answered else "passed"


class _Model(BaseModel):
    model_config = fielddocs.model_config(extra="allow")

    omit_if_none: ClassVar[frozenset[str]] = frozenset()
    """Fields left out of the file while null: those added after a format was first hashed
    into evidence, so an older run re-rendered keeps its exact bytes."""

    omit_if_default: ClassVar[frozenset[str]] = frozenset()
    """Fields left out of the file while they hold their default (a flag added after the
    format was first written): a file without them reads as the default, and one written with
    the default keeps the bytes it had before the field was added."""


class _WrittenAfterSending(_Model):
    """A model that a fresh run first uses once its requests are answered (results, summary,
    manifest, index row). Its validator is built when first used, not when this module is
    imported: a run builds these on its prefetch thread while the requests are out
    (:func:`build_models_written_after_sending`), where they cost nothing (about 15 ms of
    start-up before the first request, built here). Built either way, it validates and dumps
    the same."""

    model_config = ConfigDict(defer_build=True)


# -- run.json --------------------------------------------------------------------------------


class StateSuite(_Model):
    path: str
    name: str
    sha256: str


class StateTarget(_Model):
    path: str
    name: str
    fingerprint: str


class RunOptions(_Model):
    """The options a run was started with, as far as continuing it depends on them: the
    command that resumes it repeats them (``store.runcommands.resume_of``), so a run killed
    before it printed that command still writes what, and attaches its evidence where, it was
    told. Each field after ``limit`` is absent from the file while it has its default."""

    concurrency: int | None = None
    """The ``--concurrency`` override, or null for the target's own."""
    use_cache: bool = True
    limit: int | None = None
    """``--limit N``: a smoke test on the first N cases (absent from the file otherwise)."""
    write_reports: bool = True
    """False for ``--no-report``."""
    attach_evidence: bool = True
    """False for ``--no-evidence``."""
    register_path: str | None = None
    """``--register PATH`` as given (relative to where the run was started), when it is not the
    default register; null with ``--no-evidence``, where no register is read."""
    ledger_path: str | None = None
    """``--ledger PATH`` as given; null with ``--no-evidence``."""
    evidence_for: str | None = None
    """``--evidence-for SYSTEM``."""
    executor: str = "local"
    """``--executor``: ``local`` (this process) or ``ray``."""
    ray_address: str | None = None
    """``--ray-address``."""

    omit_if_none: ClassVar[frozenset[str]] = frozenset(
        {"limit", "register_path", "ledger_path", "evidence_for", "ray_address"}
    )
    omit_if_default: ClassVar[frozenset[str]] = frozenset(
        {"write_reports", "attach_evidence", "executor"}
    )


class RetryRound(_Model):
    """One ``--resume RUN --retry-errors``: the requests whose last record was an error when it
    began were sent again, their new records appended to the journal after the old ones."""

    started_at: str
    requests: int
    """Errored requests it was to send again (each request's last record an error)."""
    journal_offset: int
    """The journal's size in bytes when it began: its records are those from this byte on."""
    finished_at: str | None = None
    """Null while it is in progress (an interrupted retry: any ``--resume`` completes it)."""
    answered: int | None = None
    """Of ``requests``, those answered this time (null while in progress)."""
    errors: int | None = None
    """Of ``requests``, those that failed again (null while in progress)."""
    stopped: str | None = None
    """Why it stopped before sending them all, when it did: its first requests failed the same
    way that no retry fixes (the probe of every send). Those not sent keep their errors."""


class RunState(_Model):
    """``run.json``: written at start (status ``running``), updated at the end."""

    run_id: str
    status: RunStatus
    started_at: str
    suite: StateSuite
    target: StateTarget
    options: RunOptions = Field(default_factory=RunOptions)
    command: str | None = None
    finished_at: str | None = None
    """Absent from the file until the run finishes."""
    retries: list[RetryRound] | None = None
    """Each ``--retry-errors`` of the run, in order; absent when its errors were never retried.
    While the last one has no ``finished_at`` the run is ``running`` again."""
    store: str | None = None
    """The team store the run was started with (its URL, which holds no password); absent for
    the embedded store. Its index row, review queue and evidence belong there, so a
    ``--resume`` with another store is refused: a run killed before it printed anything was
    otherwise finished into the embedded store by the documented resume without ``--store``."""

    omit_if_none: ClassVar[frozenset[str]] = frozenset({"finished_at", "retries", "store"})

    def open_retry(self) -> RetryRound | None:
        """The retry of the run's errors in progress (begun, not finished), if any."""
        last = self.retries[-1] if self.retries else None
        return last if last is not None and last.finished_at is None else None


# -- results.jsonl ---------------------------------------------------------------------------


class ResultRow(_WrittenAfterSending):
    """One line of ``results.jsonl``: one (case, sample), its response and its scores."""

    case_id: str
    sample: int = 0
    seed: int | None = None
    prompt: str | None = None
    messages: list[dict[str, Any]] | None = None
    response: str | None = None
    error: dict[str, Any] | None = None
    """``{type, message, status}`` when the request failed (then ``response`` is null)."""
    metadata: dict[str, Any] = Field(default_factory=dict)
    expected: dict[str, Any] = Field(default_factory=dict)
    scores: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Scorer id -> that scorer's output fields."""
    latency_s: float | None = None
    attempts: int | None = None
    cached: bool = False
    model_version: str | None = None
    finish_reason: str | None = None
    """How the target said the answer ended (``stop``; ``length``: cut off at max_tokens;
    ``content_filter``), when it said (absent otherwise, and in rows of runs made before it was
    recorded here): the rows ``counts.finish_reasons`` counts."""

    omit_if_none: ClassVar[frozenset[str]] = frozenset({"finish_reason"})

    @property
    def key(self) -> str:
        """``case_id#sample``."""
        return case_key(self.case_id, self.sample)


# -- summary.json ----------------------------------------------------------------------------


class SummarySuite(_WrittenAfterSending):
    name: str | None = None
    version: str | None = None
    path: str | None = None
    sha256: str | None = None
    evidence_for: list[str] = Field(default_factory=list)
    description: str | None = None
    audience: dict[str, Any] | None = None


class SummaryTarget(_WrittenAfterSending):
    name: str | None = None
    type: str | None = None
    fingerprint: str | None = None
    model_version: str | None = None
    """The model version(s) the endpoint reported, comma-separated when more than one."""


class Counts(_WrittenAfterSending):
    omit_if_none: ClassVar[frozenset[str]] = frozenset({"finish_reasons"})

    cases: int = 0
    requests: int = 0
    responses: int = 0
    errors: int = 0
    error_rate: float = 0.0
    max_error_rate: float | None = None
    cached: int = 0
    """Responses answered from the response cache instead of the target."""
    errors_by_type: dict[str, int] = Field(default_factory=dict)
    finish_reasons: dict[str, int] | None = None
    """Answers by the finish reason the target reported (``stop``, ``length``: cut off at
    max_tokens, ``content_filter``: cut by the deployment's filter); answers without one are
    not counted. Each is scored as it came: this says how many were not complete. Null (left
    out) in runs made before it was counted."""


class MetricFigures(_WrittenAfterSending):
    """A metric's entry in ``summary.json`` (``metrics.<id>``, and each of its ``groups``), typed
    as far as readers rely on its shape (``metrics.base.MetricValue``): the containers they walk
    and the counts they compute with. The figures themselves stay as a plugin wrote them (a
    report shows an odd one as a figure not drawn). Only read with, never written through: the
    file keeps the metric engine's mapping as written."""

    n: int | None = None
    confidence: float | None = None
    groups: dict[str, MetricFigures] | None = None
    details: dict[str, Any] | None = None
    spec: dict[str, Any] | None = None


class GateEntry(_WrittenAfterSending):
    """A gate's entry in ``summary.json`` (``gates.<i>``), typed as far as readers rely on it;
    only read with, as ``MetricFigures``."""

    n: int | None = None
    max: float | None = None
    min: float | None = None
    failing_groups: list[str] | None = None
    """Names of groups (the keys of the metric's ``groups``, so always text)."""
    worst_cases: list[str] | None = None


class ReviewQueueEntry(_WrittenAfterSending):
    key: str | None = None
    reasons: list[str] | None = None


class ReviewEntry(_WrittenAfterSending):
    """``summary.json``'s ``review``, typed as far as readers rely on it; only read with."""

    policy: dict[str, Any] | None = None
    queue: list[ReviewQueueEntry] | None = None


class Summary(_WrittenAfterSending):
    """``summary.json``: verdicts, metrics and counts. Metric and gate entries are the metric
    engine's mappings (see docs/FORMATS.md); this model types the frame around them."""

    run_id: str
    suite: SummarySuite = Field(default_factory=SummarySuite)
    target: SummaryTarget = Field(default_factory=SummaryTarget)
    status: RunStatus | Literal["unknown"] = "unknown"
    """Readers accept a summary with only ``run_id`` (a hand-made or truncated run renders as
    far as it goes); the runner always writes every field."""
    started_at: str | None = None
    finished_at: str | None = None
    counts: Counts = Field(default_factory=Counts)
    seed: int = 0
    samples: int = 1
    scorers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = Field(default_factory=dict)
    gates: list[dict[str, Any]] = Field(default_factory=list)
    review: dict[str, Any] | None = None
    """The review queue's summary, present only for suites with a ``review:`` policy."""
    exit_code: int = 0
    privacy: dict[str, Any] | None = None
    """The privacy policy applied to the stored files; present only under one that redacts."""
    retries: list[dict[str, Any]] | None = None
    """Each ``--retry-errors`` of the run (run.json's ``retries``: when, how many errored
    requests were sent again, how many were answered and how many failed again); absent when
    its errors were never retried. The counts above are from each request's latest record."""
    warnings: list[str] | None = None
    """What went wrong that did not change the results, one line each, as the run said it on
    the terminal (``warning:``): a replay recording whose records answer no case, a target that
    did not close, review verdicts the gates did not count. Absent when there were none, and in
    summaries written before they were recorded: not measured again from the results
    (``register.summary_check``), so never required."""

    omit_if_none: ClassVar[frozenset[str]] = frozenset({"review", "privacy", "retries", "warnings"})


# -- manifest.json ---------------------------------------------------------------------------


class Tool(_WrittenAfterSending):
    name: str = "assurance-harness"
    version: str | None = None


class FileRef(_WrittenAfterSending):
    """A file and its SHA-256 (``path`` relative to the run folder for the run's own files)."""

    path: str
    sha256: str | None = None


class CasesRef(FileRef):
    count: int | None = None


class ManifestSuite(_WrittenAfterSending):
    path: str | None = None
    sha256: str | None = None
    name: str | None = None
    version: str | None = None


class ManifestTarget(_WrittenAfterSending):
    path: str | None = None
    sha256: str | None = None
    """SHA-256 of the target's public configuration as JSON (secrets excluded)."""
    config: dict[str, Any] = Field(default_factory=dict)
    fingerprint: str | None = None


class Manifest(_WrittenAfterSending):
    """``manifest.json``: what produced the run, and the hash of every file it wrote."""

    run_id: str
    tool: Tool = Field(default_factory=Tool)
    suite: ManifestSuite = Field(default_factory=ManifestSuite)
    datasets: list[FileRef] = Field(default_factory=list)
    cases: CasesRef | None = None
    target: ManifestTarget = Field(default_factory=ManifestTarget)
    results: FileRef = Field(default_factory=lambda: FileRef(path=RESULTS))
    responses: FileRef | None = None
    scorers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    seed: int | None = None
    python: str | None = None
    platform: str | None = None
    packages: dict[str, str | None] = Field(default_factory=dict)
    git_commit: str | None = None
    git_dirty: bool | None = None
    command: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    generation: dict[str, Any] | None = None
    """What was actually sent: the merged generation parameters (``params``), the file that set
    each (``set_by``) and the values it overrode (``overridden``), how the seed was chosen, and
    the system prompt's SHA-256 and source (``system_prompt``). Absent in runs made before it
    was recorded."""

    cache: dict[str, Any] | None = None
    """The response cache: ``read`` (whether this run reused answers), ``cached`` of
    ``requests`` answers came from it, ``from_runs`` (run id -> count: which earlier runs
    measured them), ``max_age_s``. Absent in runs made before it was recorded."""

    privacy: dict[str, Any] | None = None
    """The privacy policy applied to the stored files; present only under one that redacts."""

    executor: str | None = None
    """Where requests were sent from and scorers ran, when not this process: ``ray``."""

    summary: FileRef | None = None
    """``summary.json`` and the SHA-256 of the bytes the runner wrote, written just before this
    file: a reader that shows the run's verdicts and figures tells a hand-edited summary
    (``RunLog.summary_changed``). Absent in runs made before it was recorded."""

    omit_if_none: ClassVar[frozenset[str]] = frozenset(
        {"generation", "cache", "privacy", "executor", "summary"}
    )

    def hashed_files(self) -> dict[str, str]:
        """Run-folder file -> the SHA-256 recorded for it (results, cases, responses, summary)."""
        out: dict[str, str] = {}
        for ref in (self.results, self.cases, self.responses, self.summary):
            if ref is not None and ref.sha256:
                out[ref.path] = ref.sha256
        return out


# -- runs.db ---------------------------------------------------------------------------------


class IndexRow(_WrittenAfterSending):
    """A row of the run index ``runs.db`` (``store.index.RunIndex``). Its figures are copied
    from summary.json when the run is indexed: as it finishes, and by ``--resume`` of the
    finished run, which refuses a summary.json edited since (``RunLog.summary_changed``); so
    ``runs list`` shows the run's own figures, never a later hand edit of the file."""

    run_id: str
    suite: str
    suite_version: str | None = None
    suite_sha256: str | None = None
    target_name: str | None = None
    target_fingerprint: str | None = None
    model_version: str | None = None
    status: str
    started_at: str | None = None
    finished_at: str | None = None
    n_requests: int | None = None
    n_errors: int | None = None
    gates_passed: int | None = None
    gates_failed: int | None = None
    run_dir: str

    @classmethod
    def from_summary(cls, summary: Summary, run_dir: Path) -> IndexRow:
        failed = sum(1 for g in summary.gates if g.get("verdict") != "pass")
        return cls(
            run_id=summary.run_id,
            suite=summary.suite.name or "unknown-suite",
            suite_version=summary.suite.version,
            suite_sha256=summary.suite.sha256,
            target_name=summary.target.name,
            target_fingerprint=summary.target.fingerprint,
            model_version=summary.target.model_version,
            status=summary.status,
            started_at=summary.started_at,
            finished_at=summary.finished_at,
            n_requests=summary.counts.requests,
            n_errors=summary.counts.errors,
            gates_passed=len(summary.gates) - failed,
            gates_failed=failed,
            run_dir=str(run_dir),
        )


# -- writing ---------------------------------------------------------------------------------


def _dump(model: BaseModel) -> dict[str, Any]:
    # mode="python" keeps floats as they are (JSON mode would turn NaN into null).
    data = model.model_dump(mode="python")
    _omit_nulls(model, data)
    return data


def _omit_nulls(model: BaseModel, data: dict[str, Any]) -> None:
    """Drop the ``omit_if_none`` fields that are null and the ``omit_if_default`` fields that
    hold their default, in nested models too."""
    for name in getattr(model, "omit_if_none", ()):
        if data.get(name) is None:
            data.pop(name, None)
    for name in getattr(model, "omit_if_default", ()):
        if name in data and data[name] == type(model).model_fields[name].default:
            del data[name]
    for name in _model_valued(type(model)):
        value = getattr(model, name, None)
        if isinstance(value, BaseModel) and isinstance(data.get(name), dict):
            _omit_nulls(value, data[name])


@cache
def _model_valued(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose value can itself be a model (results.jsonl has none: its
    fields hold text, numbers and dicts), so ``_omit_nulls`` looks only at those."""
    return tuple(name for name, info in cls.model_fields.items() if _can_be_model(info.annotation))


def _can_be_model(annotation: Any) -> bool:
    if annotation is Any or annotation is object:  # (Any is a class since Python 3.11)
        return True
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return any(_can_be_model(arg) for arg in get_args(annotation))
    if origin is Annotated:
        return _can_be_model(get_args(annotation)[0])
    if origin is not None:  # list[...], dict[...], Literal[...]: never a model itself
        return origin not in (list, dict, tuple, set, frozenset, Literal)
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    return True  # Any, a type variable, anything unforeseen: look


_ROW_JSON = (
    json.JSONEncoder(ensure_ascii=False, default=str, allow_nan=False),
    json.JSONEncoder(ensure_ascii=False, default=str),
)
"""``json.dumps(..., ensure_ascii=False, default=str)`` without making an encoder per row (about
2 us of a row's 18): strict, and the one for a row holding a float that is not finite."""
_ROW_JSON_ASCII = (
    json.JSONEncoder(default=str, allow_nan=False),
    json.JSONEncoder(default=str),
)
_STRICT_ROW = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, str, encode_basestring, None, ": ", ", ", False, False, False)
)
"""The strict encoder of ``_ROW_JSON`` as the C function ``JSONEncoder.encode`` makes on each
call, made once and without its check for circular references (``markers`` None): a row it is
given is plain JSON data whose walk by ``_plain`` ended, or a model's dump, which pydantic
makes without cycles. Encoding a 100,000-row run's results took 7.1 us a row through
``JSONEncoder.encode``, 5.5 us through this; it writes the same text (``test_runlog``)."""


_ROW_FIELDS = tuple(ResultRow.model_fields)
_ROW_TYPES: dict[str, tuple[type, ...]] = {
    "case_id": (str,),
    "sample": (int,),
    "seed": (int, type(None)),
    "prompt": (str, type(None)),
    "messages": (list, type(None)),
    "response": (str, type(None)),
    "error": (dict, type(None)),
    "metadata": (dict,),
    "expected": (dict,),
    "scores": (dict,),
    "latency_s": (float, type(None)),
    "attempts": (int, type(None)),
    "cached": (bool,),
    "model_version": (str, type(None)),
    "finish_reason": (str,),
}
"""The exact types of a row's values that ``ResultRow`` keeps as they are (an int latency,
say, becomes a float: such a row is validated). A null ``finish_reason`` is left out of the
line (``omit_if_none``): such a row is validated, and a row without the key is as written."""
_ROW_FIELDS_UNENDED = tuple(name for name in _ROW_FIELDS if name != "finish_reason")
"""The fields of a row whose answer's end is not known (most targets report none)."""
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether ``value`` is JSON's own data (text, numbers, true/false/null, lists, dicts with
    text keys), which validating and dumping give back equal (a model or a dataclass held in
    an ``Any`` field would be dumped as a dict)."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _PLAIN and not _plain(item)):
                return False
        return True
    if kind is list:
        return all(type(item) in _PLAIN or _plain(item) for item in value)
    return False


def _as_dumped(row: Any) -> dict[str, Any] | None:
    """The row itself when ``_dump(ResultRow.model_validate(row))`` would equal it (every field
    present, in order, with no extra, of a type kept as it is, holding plain JSON data; what the
    runner makes), else None: validated then, as it always was (about half a line's time)."""
    if type(row) is not dict:
        return None
    keys = tuple(row)
    if keys != _ROW_FIELDS and keys != _ROW_FIELDS_UNENDED:
        return None
    for name, value in row.items():
        kinds = _ROW_TYPES.get(name)  # (a field added to ResultRow and not here: validated)
        if kinds is None or type(value) not in kinds:
            return None
    scores = row["scores"]
    for score in scores.values():
        if type(score) is not dict:
            return None
    messages = row["messages"]
    if messages is not None:
        for message in messages:
            if type(message) is not dict:
                return None
    if (
        _plain(scores)
        and _plain(row["metadata"])
        and (not row["expected"] or _plain(row["expected"]))
        and (messages is None or _plain(messages))
        and (row["error"] is None or _plain(row["error"]))
    ):
        return row
    return None


def result_line(row: dict[str, Any] | ResultRow) -> bytes:
    """One results.jsonl line: the row checked against ``ResultRow``, as JSON, UTF-8."""
    data = None if isinstance(row, ResultRow) else _as_dumped(row)
    if data is None:
        model = row if isinstance(row, ResultRow) else ResultRow.model_validate(row)
        data = _dump(model)
    line = _row_json(data, ascii=False) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (text cut mid-emoji) is not UTF-8: escape it in the JSON
        # (\\ud800), which keeps the text exactly and the file valid UTF-8.
        return (_row_json(data, ascii=True) + "\n").encode("ascii")


def _row_json(data: dict[str, Any], *, ascii: bool) -> str:
    """``data`` as strict JSON. A scorer's NaN or infinity is no JSON number (``NaN`` and
    ``Infinity`` make strict readers refuse the whole file: a browser, jq 1.6, Go, Java): NaN is
    written as null, which every figure reads it as anyway, and an infinity as ``1e999``, a JSON
    number every reader turns back into the largest it holds (Python: ``inf``), so the figures
    the results give when measured again are the run's."""
    strict, loose = _ROW_JSON_ASCII if ascii else _ROW_JSON
    try:
        if _STRICT_ROW is not None and not ascii:
            return "".join(_STRICT_ROW(data, 0))
        return strict.encode(data)
    except ValueError:  # a float that is not finite, somewhere in the row
        return _NON_FINITE.sub(_finite_token, loose.encode(data))


def _finite_token(match: re.Match[str]) -> str:
    token = match.group(1)
    return match.group(0) if token is None else _FINITE_TOKENS[token]


_NON_FINITE = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|-?Infinity)')
"""A JSON string (kept as it is: text may say "NaN") or one of the tokens Python writes for a
float that is not finite."""
_FINITE_TOKENS = {"NaN": "null", "Infinity": "1e999", "-Infinity": "-1e999"}


def build_models_written_after_sending() -> None:
    """Build every :class:`_WrittenAfterSending` model's validator now (a run's prefetch thread,
    while its requests are out, or its finishing step, where Ctrl-C waits meanwhile), rather
    than where each is first used. Those built already are left as they are."""
    pending: list[type[_Model]] = [_WrittenAfterSending]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model is not _WrittenAfterSending and not model.__pydantic_complete__:
            model.model_rebuild()


class ResultsStream:
    """results.jsonl written chunk by chunk, hashed as written, visible once closed."""

    def __init__(self, path: Path, *, only_if: str | None = None) -> None:
        self.file = AtomicStream(path)
        self.only_if = only_if

    def write(self, rows: Iterable[dict[str, Any] | ResultRow]) -> None:
        self.file.write(b"".join(result_line(row) for row in rows))

    def close(self) -> str:
        """Make results.jsonl visible (with ``only_if``, only where its SHA-256 is that one:
        ``AtomicStream.close``); return its SHA-256."""
        return self.file.close(only_if=self.only_if)

    def abort(self) -> None:
        self.file.abort()


class RestoredResultsStream(ResultsStream):
    """results.jsonl made again for a finished run, which must be the file the run wrote
    (``only_if``): written as rows are now and, beside it, as versions before rows recorded
    ``finish_reason`` wrote them (the journal recorded it all along). Whichever is the
    recorded file takes the name; the other is removed. Without this, every run made before
    would be refused its restore, its rows now being made with a key they never had."""

    def __init__(self, path: Path, *, only_if: str) -> None:
        super().__init__(path, only_if=only_if)
        self.before = ResultsStream(path, only_if=only_if)

    def write(self, rows: Iterable[dict[str, Any] | ResultRow]) -> None:
        rows = list(rows)
        super().write(rows)
        self.before.write(_without_finish_reason(row) for row in rows)

    def close(self) -> str:
        try:
            now = super().close()
        except BaseException:
            self.before.abort()
            raise
        if now == self.only_if:
            self.before.abort()
            return now
        before = self.before.close()
        return before if before == self.only_if else now

    def abort(self) -> None:
        try:
            super().abort()
        finally:
            self.before.abort()


def _without_finish_reason(row: dict[str, Any] | ResultRow) -> dict[str, Any] | ResultRow:
    if isinstance(row, ResultRow):
        return row.model_copy(update={"finish_reason": None})
    if "finish_reason" not in row:
        return row
    return {k: v for k, v in row.items() if k != "finish_reason"}


class RunLogWriter:
    """The one writer of a run folder's files (the journal is ``store.rundir.RunDir``'s)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write_state(self, state: RunState) -> None:
        write_json_atomic(self.path / RUN_STATE, _dump(state))

    def write_results(self, rows: Iterable[dict[str, Any] | ResultRow]) -> str:
        """Write results.jsonl (each row checked against ``ResultRow``); return its SHA-256."""
        stream = self.results_stream()
        try:
            stream.write(rows)
        except BaseException:
            stream.abort()
            raise
        return stream.close()

    def results_stream(self, *, only_if: str | None = None) -> ResultsStream:
        """A writer that appends results.jsonl chunk by chunk (a streamed run's rows);
        ``only_if``: it takes the name only where its SHA-256 is this one (a finished run's
        results made again from its journal, which must be the file the run wrote)."""
        if only_if is not None:
            return RestoredResultsStream(self.path / RESULTS, only_if=only_if)
        return ResultsStream(self.path / RESULTS)

    def write_summary(self, summary: Summary) -> str:
        """Write summary.json; return the SHA-256 of the exact bytes written (the manifest's
        ``summary.sha256``)."""
        data = dumps_run_json(_dump(summary)).encode("utf-8")
        write_bytes_atomic(self.path / SUMMARY, data)
        return sha256_bytes(data)

    def write_manifest(self, manifest: Manifest) -> None:
        write_json_atomic(self.path / MANIFEST, _dump(manifest))

    @staticmethod
    def render(model: BaseModel) -> str:
        """The exact text the writer puts on disk for a summary, manifest or state."""
        return dumps_run_json(_dump(model))
