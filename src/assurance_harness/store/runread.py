"""Reading run folders: the run log's reader, with no import heavier than the standard library.

The format belongs to ``store.runlog`` (its models and writer); this module is the one reader,
``read_run``, and the one lookup, ``resolve_run``, kept free of pydantic at import time because
the evidence ledger (imported after every run and by every ``evidence`` command) reads runs
through it. Validation against the models happens when a run is read.

Rows are read leniently: a torn last line from a crash, any other unreadable line, or a line of
another shape than a result row's, is skipped rather than failing the whole report; never
silently: ``RunLog.skipped_note`` says how many and which, and every view that shows rows
shows it. The runner's own strict reader is ``RunDir.read_results``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import UsageError
from ..rowkeys import case_key, split_case_key
from ..workspace import RUN_STATE, SUMMARY, Workspace
from .files import check_local_path, read_bounded, unreadable_reason
from .location import follow_up
from .runlock import run_folder_busy

if TYPE_CHECKING:
    from .runlog import Manifest, RunState, Summary

__all__ = [
    "CASES",
    "MANIFEST",
    "NOTHING_MEASURED",
    "RESPONSES",
    "RESULTS",
    "RUN_ID_SHAPE",
    "RUN_STATE",
    "SUMMARY",
    "RecordedPurges",
    "RunLog",
    "UnfinishedRun",
    "check_indexed_folder",
    "iter_jsonl",
    "measured_nothing",
    "read_run",
    "read_run_object",
    "resolve_run",
    "resolve_run_id",
    "resumed_run_id",
    "row_key",
    "run_by_prefix",
    "run_not_found",
    "scan_runs",
    "split_row_key",
    "started_runs",
    "unfinished_runs",
]

CASES = "cases.jsonl"
RESPONSES = "responses.jsonl"
RESULTS = "results.jsonl"
MANIFEST = "manifest.json"

RUN_ID_SHAPE = re.compile(r"[0-9]{8}T[0-9]{6}Z-.+-[0-9a-f]{4}")
"""The shape of the ids the runner gives runs (``runner.run.new_run_id``), and so of the
names of their folders: a folder of that name is named for a run (``RunLog.misnamed``)."""

# -- keys ------------------------------------------------------------------------------------


def row_key(row: Mapping[str, Any]) -> str:
    """``case_id#sample``: how gates' ``worst_cases``, drill-downs and reports name a row."""
    return case_key(str(row.get("case_id")), row.get("sample", 0))


def split_row_key(key: str) -> tuple[str, int]:
    """The inverse of ``row_key``."""
    return split_case_key(key)


# -- reading ---------------------------------------------------------------------------------


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """JSON objects of a JSONL file; blank and unreadable lines (a torn last line after a
    crash) are skipped, so a report of a damaged run still shows what is there."""
    return (value for _, value in _numbered_objects(path) if value is not None)


def numbered_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(1-based line number, the line's JSON object or None) for each line that is not blank,
    for a reader that names the line it shows (the drill-down's worst cases): a line that is
    not an object, not UTF-8 or nested too deep to parse is None, never an exception."""
    return _numbered_objects(path)


def _numbered_objects(
    path: Path, digest: Any = None
) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(1-based line number, the line's JSON object) for each line that is not blank; None for
    a line that is not a JSON object (torn, not UTF-8, an array). ``digest`` (a hashlib
    object) is fed every byte read, so the file's hash comes with the one pass."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if digest is not None:
                digest.update(raw)
            raw = raw.strip()
            if not raw:
                continue  # nothing was written there: nothing is lost by passing it
            try:  # bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError too
                value = json.loads(raw.decode("utf-8"))
            except (ValueError, RecursionError):  # RecursionError: nested too deep
                value = None
            yield number, value if isinstance(value, dict) else None


def _is_result_row(row: dict[str, Any]) -> bool:
    """Whether a line has the shape readers rely on in a result row (``runlog.ResultRow``: the
    sample a number, metadata, expectations, scores and error mappings, the texts text). A line
    edited into another shape is skipped, as a torn one is, not met as a crash in a report."""
    # The keys the metric engine reads by name (``row["case_id"]``, ``row["sample"]``,
    # ``row["error"]``): a runner's row has every one of them.
    if not isinstance(row.get("case_id"), str) or "error" not in row:
        return False
    sample = row.get("sample")
    if not isinstance(sample, int) or isinstance(sample, bool):
        return False
    if any(not isinstance(row.get(k) or {}, dict) for k in ("metadata", "expected", "error")):
        return False
    scores = row.get("scores") or {}
    if not isinstance(scores, dict) or not all(isinstance(v, dict) for v in scores.values()):
        return False
    if not isinstance(row.get("messages") or [], list):
        return False
    return all(isinstance(row.get(k) or "", str) for k in ("prompt", "response"))


def _result_rows(path: Path, skipped: list[int], digest: Any = None) -> Iterator[dict[str, Any]]:
    """The result rows; the line number of every other non-blank line goes to ``skipped``."""
    for number, row in _numbered_objects(path, digest):
        if row is not None and _is_result_row(row):
            yield row
        else:
            skipped.append(number)


SKIPPED_LINES_NAMED = 10
"""How many skipped line numbers a note names before it only counts the rest."""


def read_run_object(path: Path) -> dict[str, Any] | None:
    """A run file's JSON object (summary.json, manifest.json, run.json), None where there is
    none. Read within ``MAX_READ_MB``, and only from a regular file: a FIFO put in its place
    would make every command that reads the run wait for a writer, and a link to /dev/zero
    would be read until memory runs out. Anything else wrong with it is one ``UsageError``
    naming the file."""
    return _read_run_object(path)[0]


def _read_run_object(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``read_run_object``'s object, with the SHA-256 of the bytes it was read from (None with
    no file): summary.json's is checked against the manifest without a second read."""
    if not path.exists():
        return None, None
    damaged = "the run directory is damaged"
    reason = unreadable_reason(path)
    if reason is not None:
        raise UsageError(f"{path}: {reason.lower()}; {damaged}")
    try:
        data = read_bounded(path, str(path), hint=damaged)
        value = json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); {damaged}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 (byte {exc.start}); {damaged}") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise UsageError(f"{path}: not valid JSON ({exc}); {damaged}") from None
    except RecursionError:
        raise UsageError(f"{path}: not valid JSON (nested too deeply); {damaged}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{path}: expected a JSON object; {damaged}")
    if _holds_lone_surrogate(data, value):
        half = "a \\uD800-\\uDFFF escape is half a surrogate pair"
        raise UsageError(f"{path}: not UTF-8 text ({half}); {damaged}")
    return value, hashlib.sha256(data).hexdigest()


def _holds_lone_surrogate(data: bytes, value: dict[str, Any]) -> bool:
    """Whether the JSON's escapes made a lone surrogate, which no report, terminal or JSON
    output can write: it ended compare, trend and evidence pack in a UnicodeEncodeError.
    The runner writes UTF-8 and escapes none; only files with such an escape are checked."""
    if b"\\ud" not in data.lower():
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _validate(model_name: str, data: Any, path: Path, at: tuple[str | int, ...] = ()) -> Any:
    # Imported here: the models need pydantic, which the ledger's light import path avoids.
    from pydantic import ValidationError

    from . import runlog

    model = getattr(runlog, model_name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (*at, *first["loc"])) or "(top level)"
        raise UsageError(
            f"{path}: {where}: {first['msg']}; the run directory is damaged or not a run"
        ) from None


@dataclass(frozen=True)
class RecordedPurges:
    """The run files a retention purge recorded in the evidence ledger deleted, as a reader
    above the store found them there (``register.purges.note_purges``): a file gone is then
    said to be purged (when), or missing, where a run read without them says "deleted since
    the run, or purged"."""

    ledger: str
    """The ledger read: named where it records no purge of a file that is gone."""
    notes: dict[str, str]
    """File (its path in the run folder) -> how it was purged (``PurgedFile.note``)."""


NOTHING_MEASURED = "every request ended in error, so nothing was measured"
"""Why a run whose every request failed is ``run_failed`` whatever its ``max_error_rate``."""


def measured_nothing(counts: Mapping[str, Any]) -> bool:
    """Whether a run's ``counts`` (summary.json's) say it sent requests and none was answered:
    then no figure rests on a response, and the run cannot pass (:func:`run_status`)."""
    requests, responses = counts.get("requests"), counts.get("responses")
    return isinstance(requests, int) and requests > 0 and responses == 0


SUMMARY_CHANGED_EFFECT = (
    "The verdicts, figures and counts here are read from that file as it is now, not as the "
    "run recorded them; restore the file the run wrote, or run the suite again."
)
"""What a summary.json edited since the run (``RunLog.summary_changed``) changes in a view
of the run (a report, an annex), said beside that note."""


@dataclass
class RunLog:
    """A finished run as read from disk. ``summary``/``manifest``/``run_info`` are the files'
    mappings as written; ``info``/``manifest_model``/``state`` their validated models."""

    dir: Path
    summary: dict[str, Any]
    manifest: dict[str, Any] | None = None
    run_info: dict[str, Any] | None = None
    _rows: list[dict[str, Any]] | None = field(default=None, repr=False)
    _skipped: list[int] | None = field(default=None, repr=False)
    """Line numbers of results lines that are no result rows, once a whole pass has read them."""
    _read_sha256: str | None = field(default=None, repr=False)
    """SHA-256 of the results file's bytes as a whole pass read them (None before one)."""
    summary_sha256: str | None = field(default=None, repr=False)
    """SHA-256 of the summary.json bytes ``summary`` was read from (``read_run`` sets it; None
    where the run was put together otherwise, and ``summary_changed`` hashes the file)."""
    purges: RecordedPurges | None = field(default=None, repr=False)
    """Which of its files a recorded retention purge deleted, where a reader consulted the
    evidence ledger (``register.purges.note_purges``); None where none did."""
    ledger_hashes: dict[str, str] | None = field(default=None, repr=False)
    """File name -> the SHA-256 the run's evidence in the ledger holds for it, where a reader
    consulted the ledger (``register.ledger_hashes.note_ledger_hashes``); None where none did
    or it holds no evidence of the run. Whoever edits a run file can rewrite the manifest's
    hash of it too, not the ledger's: ``summary_changed`` and ``results_changed`` check both."""

    @property
    def run_dir(self) -> Path:
        return self.dir

    @property
    def manifest_data(self) -> dict[str, Any]:
        """manifest.json's mapping, empty when the run has none."""
        return self.manifest or {}

    @property
    def info(self) -> Summary:
        return _validate("Summary", self.summary, self.dir / SUMMARY)

    def check_entries(self) -> None:
        """The metric, gate and review entries have the shape readers rely on (the frame
        validates them only as mappings): a hand edit is named here, not met as a crash or a
        number read into a word's letters in a report."""
        path = self.dir / SUMMARY
        for metric_id, metric in (self.summary.get("metrics") or {}).items():
            _validate("MetricFigures", metric, path, ("metrics", metric_id))
        for i, gate in enumerate(self.summary.get("gates") or []):
            _validate("GateEntry", gate, path, ("gates", i))
        if self.summary.get("review") is not None:
            _validate("ReviewEntry", self.summary["review"], path, ("review",))

    @property
    def manifest_model(self) -> Manifest | None:
        if self.manifest is None:
            return None
        return _validate("Manifest", self.manifest, self.dir / MANIFEST)

    @property
    def state(self) -> RunState | None:
        if self.run_info is None:
            return None
        return _validate("RunState", self.run_info, self.dir / RUN_STATE)

    @property
    def run_id(self) -> str:
        return str(
            self.summary.get("run_id") or (self.manifest or {}).get("run_id") or self.dir.name
        )

    def misnamed(self) -> str | None:
        """Why the folder does not hold the run it is named for, or None where it does: its
        summary.json and manifest.json name two runs, or the folder bears another run's id
        (``RUN_ID_SHAPE``; the runner names each folder for its run). Folders whose files were
        swapped or renamed would have one run's figures read as another's: a comparison's
        baseline and candidate reversed, a report of the wrong run. A folder of another name
        (an archived copy) holds the run its files name."""
        recorded = self.summary.get("run_id")
        in_manifest = (self.manifest or {}).get("run_id")
        if isinstance(recorded, str) and isinstance(in_manifest, str) and recorded != in_manifest:
            return (
                f"{self.dir}: its {SUMMARY} is of run '{recorded}' and its {MANIFEST} of run "
                f"'{in_manifest}'; the run folder holds files of two runs: put each run's "
                "files back in its own folder"
            )
        held = recorded if isinstance(recorded, str) else in_manifest
        name = self.dir.name
        if not isinstance(held, str) or held == name or not RUN_ID_SHAPE.fullmatch(name):
            return None
        return (
            f"{self.dir}: named for run '{name}', but its files are run '{held}'s (run folders "
            "swapped or renamed); give each run's files back their own folder"
        )

    @property
    def suite(self) -> dict[str, Any]:
        return dict(self.summary.get("suite") or {})

    @property
    def target(self) -> dict[str, Any]:
        return dict(self.summary.get("target") or {})

    @property
    def suite_name(self) -> str:
        return str(self.suite.get("name") or "unknown-suite")

    @property
    def target_name(self) -> str:
        return str(self.target.get("name") or "unknown-target")

    @property
    def status(self) -> str:
        return str(self.summary.get("status") or "unknown")

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        return dict(self.summary.get("metrics") or {})

    @property
    def gates(self) -> list[dict[str, Any]]:
        return list(self.summary.get("gates") or [])

    @property
    def results_path(self) -> Path:
        """Where the results are: the manifest's ``results.path``, else ``results.jsonl``."""
        entry = (self.manifest or {}).get("results") or {}
        rel = entry.get("path") if isinstance(entry, dict) else entry
        if rel is None or rel == "":
            return self.dir / RESULTS
        if not isinstance(rel, str) or not isinstance(entry, dict):
            raise UsageError(
                f"{self.dir / MANIFEST}: results: expected {{path: <file>, sha256: ...}}, "
                f"not {json.dumps(entry)[:60]}; the run directory is damaged"
            )
        if Path(rel).is_absolute() or ".." in Path(rel).parts:  # the runner writes a file name
            raise UsageError(
                f"{self.dir / MANIFEST}: results: path {rel!r} is outside the run folder; the "
                "run directory is damaged or was edited"
            )
        try:  # asked of the system, it failed as an OSError wherever first looked up
            check_local_path(rel)
        except ValueError as exc:
            raise UsageError(
                f"{self.dir / MANIFEST}: results: path {rel[:60]!r}: {exc}; the run directory "
                "is damaged or was edited"
            ) from None
        return self.dir / rel

    def file(self, name: str) -> Path:
        """A run file by its canonical name (``results.jsonl`` follows the manifest)."""
        return self.results_path if name == RESULTS else self.dir / name

    def iter_results(self) -> Iterator[dict[str, Any]]:
        """Result rows, streamed; a torn or unreadable line, or one that is no result row, is
        skipped (and named by ``skipped_results``)."""
        if self._rows is not None:
            return iter(self._rows)
        return self._stream()

    def _stream(self) -> Iterator[dict[str, Any]]:
        skipped: list[int] = []
        digest = hashlib.sha256()
        yield from _result_rows(self.results_path, skipped, digest)
        self._skipped = skipped  # only a whole pass knows them all
        self._read_sha256 = digest.hexdigest()

    def rows(self) -> list[dict[str, Any]]:
        """All result rows, read once and kept."""
        if self._rows is None:
            skipped: list[int] = []
            digest = hashlib.sha256()
            self._rows = list(_result_rows(self.results_path, skipped, digest))
            self._skipped = skipped
            self._read_sha256 = digest.hexdigest()
        return self._rows

    def results_changed(self) -> str | None:
        """Why the results file is not the one the run wrote (not the SHA-256 manifest.json
        records: cut short, emptied, edited), or None where it is, where it is missing, or
        where no manifest records a hash (a run copied without one). Figures in summary.json
        were measured from the rows as written; a view that tests or shows rows that are not
        those would show numbers that look right and are not. Where a reader consulted the
        evidence ledger (``ledger_hashes``), the file is also checked against the hash the
        run's evidence holds there. Uses the hash of the last whole pass over the rows, so a
        caller that has streamed them pays no second read."""
        entry = (self.manifest or {}).get("results")
        recorded = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(recorded, str):
            recorded = None
        if not recorded and not (self.ledger_hashes or {}).get(RESULTS):
            return None
        path = self.results_path
        if not path.is_file():
            # No rows at all (a run purged under the retention policy, a copy without them):
            # nothing can be read as the run's rows, and every view shows their absence.
            return None
        if self._read_sha256 is None:
            self.skipped_results()  # one whole pass: its hash comes with it
        if recorded and self._read_sha256 != recorded:
            return (
                f"{path}: does not match the SHA-256 in its manifest.json (cut short, emptied "
                "or edited since the run), so its rows are not those the run's figures were "
                "measured from"
            )
        return self._unlike_ledger(
            RESULTS, path, self._read_sha256, "its rows are not those the run's figures were "
            "measured from"
        )  # fmt: skip

    def results_missing(self) -> str | None:
        """Why the run's rows cannot be read at all (results.jsonl is not there: purged under
        the retention policy, or deleted or lost), or None where the file is there. A view
        that shows or tests rows says so rather than showing none as if the run had none to
        show."""
        path = self.results_path
        if path.is_file():
            return None
        return (
            f"{path}: {self.gone(path)}, so none of the rows the run's figures were measured "
            "from can be read"
        )

    def gone(self, path: Path) -> str:
        """Why a run file that is not there is gone: purged (when, as the evidence ledger
        records it), or missing with no purge recorded, where ``purges`` says which; else
        both are named, since a run read without the ledger cannot tell."""
        if self.purges is None:
            return "missing (deleted since the run, or purged under the retention policy)"
        name = path.relative_to(self.dir).as_posix() if path.is_relative_to(self.dir) else None
        note = self.purges.notes.get(name or "")
        if note is not None:
            return f"{note} (recorded in the evidence ledger)"
        return (
            f"missing (deleted or lost since the run: the evidence ledger {self.purges.ledger} "
            "records no retention purge of it)"
        )

    def results_unverified(self) -> str | None:
        """Why the rows cannot be taken as those the run wrote, or None where they can: the file
        is missing, no manifest.json records its SHA-256 to check it by, or it does not match
        (``results_changed``). What a verdict over the rows (compare, a baseline) needs; a view
        that only shows rows makes do with ``results_changed`` and ``results_missing``."""
        missing = self.results_missing()
        if missing is not None:
            return missing
        entry = (self.manifest or {}).get("results")
        recorded = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(recorded, str) or not recorded:
            what = "not found" if self.manifest is None else "records no SHA-256 of results"
            return (
                f"{self.dir / MANIFEST}: {what}, so {self.results_path.name} and "
                f"{SUMMARY} cannot be checked against the hashes the run recorded"
            )
        return self.results_changed()

    def manifest_missing(self) -> str | None:
        """Why the run cannot be shown as evidence for want of its manifest.json (deleted, or a
        copy of the folder made without it), or None where it is there. The manifest holds the
        SHA-256 of results.jsonl and summary.json and the versions that produced them; without
        it an edited summary and rows read as the run's own, so every view that shows the run's
        verdicts says so (a report), or leaves the run out (a trend), as for an edited one."""
        if self.manifest is not None:
            return None
        return (
            f"{self.dir / MANIFEST}: missing, so {self.results_path.name} and {SUMMARY} cannot "
            "be checked against the hashes the run recorded, and the run is not evidence "
            "(put manifest.json back from a copy of the run)"
        )

    def summary_changed(self) -> str | None:
        """Why summary.json is not the file the run wrote (a symbolic link, whatever it leads
        to: :func:`linked_file_text`; not the SHA-256 manifest.json records: edited since the
        run), or None where it is, or where no manifest records its
        hash (a run made before it was recorded, or copied without a manifest). Its verdicts,
        figures, counts and status are what every view shows as the run's and what comparisons
        judge on; an edited one would read as a measurement nobody made. Where a reader
        consulted the evidence ledger (``ledger_hashes``: compare, baseline, trend), the file is
        also checked against the hash the run's evidence holds there. Hashes the bytes the
        summary was read from, so it costs no second read; results.jsonl is never read for it
        (``evidence attach`` measures the figures again from the rows, which this does not)."""
        path = self.dir / SUMMARY
        if (linked := linked_file_text(path)) is not None:
            return linked  # the link's target, whatever its bytes, is not the run's file
        entry = (self.manifest or {}).get("summary")
        recorded = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(recorded, str):
            recorded = None
        if not recorded and not (self.ledger_hashes or {}).get(SUMMARY):
            return None
        read = self.summary_sha256
        if read is None:
            try:
                read = _read_run_object(path)[1]
            except UsageError:
                read = None  # unreadable now: not the file the manifest records either
        if recorded and read != recorded:
            return (
                f"{path}: does not match the SHA-256 in its manifest.json (edited since the "
                "run), so its verdicts and figures are not those the run recorded"
            )
        return self._unlike_ledger(
            SUMMARY, path, read, "its verdicts and figures are not those the run recorded"
        )

    def _unlike_ledger(self, name: str, path: Path, read: str | None, so: str) -> str | None:
        """Why a run file that matches its manifest's hash (or has none there) is still not the
        file the run's evidence in the ledger hashed (``ledger_hashes``: edited with the
        manifest rewritten to match, which ``evidence verify`` reports as file_changed), or
        None where it is, or where no ledger was consulted or it holds no hash of the file."""
        expected = (self.ledger_hashes or {}).get(name)
        if not expected or read == expected:
            return None
        return (
            f"{path}: does not match the SHA-256 its evidence holds in the ledger (edited since "
            f"the run was recorded, whatever its manifest.json says), so {so}"
        )

    def skipped_results(self) -> list[int]:
        """The 1-based numbers of the results file's lines that were skipped as no result row
        (torn, not JSON, another shape); blank lines are not counted. Reads the file once if
        no whole pass has yet."""
        if self._skipped is None:
            for _ in self._stream():
                pass
        return list(self._skipped or [])

    def skipped_note(self) -> str | None:
        """One line for every view that shows rows: how many results lines were skipped and
        which (the first ``SKIPPED_LINES_NAMED``); None when none were."""
        skipped = self.skipped_results()
        if not skipped:
            return None
        named = ", ".join(str(n) for n in skipped[:SKIPPED_LINES_NAMED])
        if len(skipped) > SKIPPED_LINES_NAMED:
            named += f", … ({len(skipped)} in all)"
        word = "line" if len(skipped) == 1 else "lines"
        return (
            f"{self.results_path}: {len(skipped)} line(s) skipped, not result rows: {word} {named}"
        )

    def rows_by_key(self, keys: set[str] | None = None) -> dict[str, dict[str, Any]]:
        """Rows by ``case_id#sample`` (only those in ``keys`` when given, streaming)."""
        if keys is None:
            return {row_key(row): row for row in self.rows()}
        found: dict[str, dict[str, Any]] = {}
        if not keys:
            return found
        for row in self.iter_results():
            key = row_key(row)
            if key in keys:
                found[key] = row
        return found


def smoke_test_limit(
    run_info: Mapping[str, Any] | None, manifest: Mapping[str, Any] | None = None
) -> int | None:
    """N when run.json says the run was a smoke test (``run --limit N``: the suite's first N
    cases only, so neither evidence nor a baseline), or, given ``manifest``, when the command
    manifest.json records started it with ``--limit N``; else None. run.json is the runner's
    scratch state, which nothing hashes: one edit there made a smoke test read as a full run."""
    options = (run_info or {}).get("options")
    limit = options.get("limit") if isinstance(options, Mapping) else None
    if isinstance(limit, int) and not isinstance(limit, bool) and limit:
        return limit
    return _limit_in_command((manifest or {}).get("command"))


def _limit_in_command(command: object) -> int | None:
    """N where ``command`` (a recorded command line) holds ``--limit N`` or ``--limit=N``."""
    if not isinstance(command, str) or "--limit" not in command:
        return None
    try:
        words = shlex.split(command)
    except ValueError:  # unbalanced quotes: not a command the runner recorded
        return None
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if word == "--limit":
            value = following
        elif word.startswith("--limit="):
            value = word.removeprefix("--limit=")
        else:
            continue
        if value.isascii() and value.isdigit() and int(value):
            return int(value)
    return None


def read_state(run_dir: Path | str) -> RunState:
    """A run's run.json, which ``--resume`` needs: missing or damaged (it is written
    atomically, so only a bad disk or an edit), one UsageError naming it."""
    path = Path(run_dir) / RUN_STATE
    data = read_run_object(path)
    if data is None:
        raise UsageError(f"{path}: missing; the run directory is damaged or not a run")
    state: RunState = _validate("RunState", data, path)
    return state


def read_run(run_dir: Path | str, *, require_manifest: bool = False) -> RunLog:
    """Read a finished run folder; a folder that is not one is a ``UsageError`` naming it.

    summary.json is required (and validated); manifest.json too with ``require_manifest`` (the
    evidence tools need its hashes); run.json is optional (runs copied from CI may lack it).
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: no such run directory")
    summary, summary_sha256 = _read_run_object(run_dir / SUMMARY)
    if summary is None:
        raise UsageError(
            f"{run_dir / SUMMARY}: not found (no summary.json); is this a finished run "
            "directory (reports/<run_id>/)? Unfinished runs can be completed with --resume"
        )
    manifest = read_run_object(run_dir / MANIFEST)
    if manifest is None and require_manifest:
        raise UsageError(f"{run_dir / MANIFEST}: not found; is the run finished?")
    run = RunLog(
        dir=run_dir,
        summary=summary,
        manifest=manifest,
        run_info=None,
        summary_sha256=summary_sha256,
    )
    run.info  # noqa: B018 - validate the frame now, so a damaged file is named here
    run.check_entries()
    run.manifest_model  # noqa: B018 - and the manifest, which the annex and evidence walk
    if run.results_path.exists() and not run.results_path.is_file():
        raise UsageError(f"{run.results_path}: is not a file; the run directory is damaged")
    try:
        run.run_info = read_run_object(run_dir / RUN_STATE)
    except UsageError:
        run.run_info = None  # run.json is the runner's scratch state; reports do not need it
    return run


# -- finding runs ----------------------------------------------------------------------------


def _index_get(reports_dir: Path, run_id: str) -> dict[str, Any] | None:
    """The index's row of a run; None without an index. An index that cannot be read is a
    StoreError (``store.index.open_index``), never a silent scan of the folders instead."""
    from .index import open_index

    index = open_index(Workspace.at(reports_dir).index)
    return None if index is None else index.get(run_id)


def relative_run_dir(run_dir: Path | str, reports_dir: Path | str) -> str:
    """How a store records a run folder: relative to the reports directory (``<run id>``), so a
    store shared by machines whose checkouts lie in different places finds it on each; a folder
    outside the reports directory stays absolute."""
    try:
        return Path(run_dir).resolve().relative_to(Path(reports_dir).resolve()).as_posix()
    except ValueError:
        return str(Path(run_dir).resolve())


def locate_run_dir(stored: str | None, reports_dir: Path | str) -> Path | None:
    """The finished run folder a stored ``run_dir`` names on this machine, or None. Read in
    order: relative to the reports directory (how it is written now); relative to the working
    directory (index rows written before: ``reports/<id>``); an absolute path as it is; an
    absolute path from another machine by its folder name under the reports directory
    (baselines written before)."""
    if not stored:
        return None
    return next((c for c in _candidates(stored, reports_dir) if (c / SUMMARY).exists()), None)


def _candidates(stored: str, reports_dir: Path | str) -> list[Path]:
    """The places a stored ``run_dir`` may name, most likely first (see ``locate_run_dir``)."""
    path, reports_dir = Path(stored), Path(reports_dir)
    if path.is_absolute():
        return [path, reports_dir / path.name]
    return [reports_dir / path, path]


def missing_run_folder(stored: str | None, reports_dir: Path | str) -> Path | None:
    """Where an index row's run folder should be, when no folder is there any more (deleted or
    moved by hand); None when it is there or the row names none. Rows are never deleted for the
    user: readers show the run as missing (``runs list``, the web app) rather than as if it were
    there."""
    if not stored:
        return None
    candidates = _candidates(stored, reports_dir)
    if any(c.is_dir() for c in candidates):
        return None
    return candidates[0]


def missing_run_text(run_id: str, expected: Path) -> str:
    """One wording for a run the index knows whose folder is gone (as for a baseline's,
    compare.nightly): not "not found" or "no finished run", since the run did finish."""
    if os.path.lexists(expected):  # something else in its place: no "moved or deleted"
        return (
            f"run '{run_id}' is in the run index, but its folder {folder_gone_words(expected)}; "
            "move that aside and put the run's folder back, or list runs with "
            "'assurance runs list'"
        )
    return (
        f"run '{run_id}' is in the run index, but its folder {folder_gone_words(expected)} "
        "(moved or deleted, or the run was made on another machine sharing the index); put it "
        "back, or list runs with 'assurance runs list'"
    )


def folder_gone_words(expected: Path) -> str:
    """``expected`` (a run folder's place) said as what is there now: "is no longer there", or,
    where a file or a link to no folder has taken its place, that it is one: "no longer
    there" sends the user looking for a folder that was deleted, past the file in its way."""
    if os.path.islink(expected):
        return f"{expected} is a symbolic link that leads to no folder"
    if os.path.lexists(expected):
        return f"{expected} is a file, not a folder"
    return f"{expected} is no longer there"


class RunFolderMissing(UsageError):
    """The index knows the run but its folder is gone (the web app answers 410, not 404)."""


def check_run_folder_present(run_id: str, stored: str | None, reports_dir: Path | str) -> None:
    """Raise :class:`RunFolderMissing` (:func:`missing_run_text`) when the index row of
    ``run_id`` names a folder (``stored``) that is no longer there: every command that takes a
    run id says so, rather than "not found", as if the id were mistyped."""
    expected = missing_run_folder(stored, reports_dir)
    if expected is not None:
        raise RunFolderMissing(missing_run_text(run_id, expected))


def check_indexed_run_present(run_id: str, reports_dir: Path | str) -> None:
    """:func:`check_run_folder_present` for a command that looks for the folder itself (``run
    --resume``), reading the index's row of ``run_id``."""
    record = _index_get(Path(reports_dir), run_id)
    if record:
        check_run_folder_present(run_id, record.get("run_dir"), reports_dir)


def mark_missing_folders(rows: list[dict[str, Any]], reports_dir: Path | str) -> None:
    """Set each index row's ``folder_missing``: whether its run folder was deleted or moved by
    hand, so ``runs list`` (table and JSON) and the web app's index show it, not a run that
    looks present and then answers "no finished run"."""
    for row in rows:
        row["folder_missing"] = missing_run_folder(row.get("run_dir"), reports_dir) is not None


def scan_runs(reports_dir: Path) -> list[Path]:
    """Finished run folders directly under ``reports_dir`` (those with a summary.json)."""
    if not reports_dir.is_dir():
        return []
    return sorted(p.parent for p in reports_dir.glob(f"*/{SUMMARY}"))


def unindexed_runs(
    reports_dir: Path, indexed: set[str], *, suite: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Index rows, made from summary.json as indexing makes them, of the finished run folders
    under ``reports_dir`` whose run the index does not hold (each marked ``indexed: False``),
    and why each such folder that could not be read was left out. The folders are where the
    runs are: an index moved aside as the damaged-index line advises, emptied or lost would
    otherwise hide every run collected before it, as if they were gone. Only those folders'
    summaries are read; a folder named for an indexed run is not opened, nor one another
    process holds (``store.runlock``: a run whose summary.json is written and row not yet)."""
    from .runlog import IndexRow

    rows: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for folder in scan_runs(reports_dir):
        if folder.name in indexed or run_folder_busy(folder):
            continue  # a busy run's own process indexes it once its summary is written
        try:
            summary = _validate("Summary", read_run_object(folder / SUMMARY), folder / SUMMARY)
        except UsageError as exc:
            unreadable.append(str(exc))
            continue
        if summary.run_id in indexed or (suite is not None and summary.suite.name != suite):
            continue
        row = IndexRow.from_summary(summary, folder)
        row.run_dir = relative_run_dir(folder, reports_dir)
        rows.append({**row.model_dump(), "indexed": False})
    return rows, unreadable


@dataclass(frozen=True)
class UnfinishedRun:
    """A run folder with run.json and no summary.json: a run being sent or scored now (another
    process holds the folder, ``store.runlock``), or one stopped before it finished (``kill
    -9``, the machine went down, a retry of its errors cut short) that ``--resume`` completes.
    The index holds finished runs only, so the folder is where such a run is found."""

    folder: Path
    state: RunState
    held: bool
    """Another process holds the folder: the run is going on, not to be resumed."""

    @property
    def status(self) -> str:
        """``running``, or ``interrupted`` (nothing is running it: resume it)."""
        return "running" if self.held else "interrupted"

    def row(self, reports_dir: Path) -> dict[str, Any]:
        """An index row (``runlog.IndexRow``) of what run.json knows; the figures only the
        finished run has (its counts and gates, the suite's version) are null."""
        from .runlog import IndexRow

        state = self.state
        return IndexRow(
            run_id=self.folder.name,
            suite=state.suite.name,
            suite_sha256=state.suite.sha256,
            target_name=state.target.name,
            target_fingerprint=state.target.fingerprint,
            status=self.status,
            started_at=state.started_at,
            run_dir=relative_run_dir(self.folder, reports_dir),
        ).model_dump()


def unfinished_runs(
    reports_dir: Path, *, suite: str | None = None
) -> tuple[list[UnfinishedRun], list[str]]:
    """The unfinished run folders directly under ``reports_dir`` (of ``suite`` when given), and
    why each one that could not be read was left out (a damaged run.json, named by
    ``read_state``). Only looks: run.json is read and the folder's lock tried, never taken for
    longer than the try."""
    runs: list[UnfinishedRun] = []
    unreadable: list[str] = []
    for folder in started_runs(reports_dir):
        if (folder / SUMMARY).exists():
            continue  # finished (or being finished): the index and ``unindexed_runs`` list it
        try:
            state = read_state(folder)
        except UsageError as exc:
            unreadable.append(str(exc))
            continue
        if state.run_id != folder.name:  # --resume takes the folder's name; which run is it?
            unreadable.append(
                f"{folder / RUN_STATE}: run_id {state.run_id!r} is not the folder's name; the "
                "run directory is damaged or was renamed: give it back its name"
            )
            continue
        if suite is None or state.suite.name == suite:
            runs.append(UnfinishedRun(folder, state, run_folder_busy(folder)))
    return runs, unreadable


def check_indexed_folder(folder: Path, run_id: str, reports_dir: Path) -> None:
    """The folder the index names for ``run_id`` holds that run (it is named for it, or its
    summary.json says so): a row edited or gone stale would otherwise put another run's figures
    under this id (a report of another run, a run compared with itself). A summary that cannot
    be read is left to ``read_run``, which names it."""
    if folder.name == run_id:
        # A folder named for the run is this run's, whatever its summary says: damage inside
        # it is named by the reader that validates summary.json. Not parsed here (17 MB of
        # objects for a reviewed 100,000-case run, which every caller reads again next).
        return
    try:
        summary = read_run_object(folder / SUMMARY) or {}
    except UsageError:
        return
    held = summary.get("run_id")
    if isinstance(held, str) and held != run_id:
        raise UsageError(
            f"{Workspace.at(reports_dir).index}: run '{run_id}' is recorded in {folder}, which "
            f"holds run '{held}'; the run index is damaged: give the run folder's path, or "
            "correct its row"
        )


def resolve_run(ref: str | Path, reports_dir: Path | str = "reports") -> Path:
    """The folder of a finished run named by ``ref``, with one set of rules for every command.

    In order: a path to a run folder; the run id in the index (``runs.db``, which knows runs
    whose folder lies elsewhere); ``reports_dir/<ref>``; a unique prefix of a run id under
    ``reports_dir`` (a unique start of an unfinished run's id is that run's line: being run,
    or to be completed with ``--resume``). Anything else is a ``UsageError`` that says what was
    tried.
    """
    reports_dir = Path(reports_dir)
    if isinstance(ref, str) and not ref.strip():  # a prefix of every run id: it would pick one
        raise UsageError(
            "an empty run id (an unset variable?); give a run id, or a unique start of one "
            "(see 'assurance runs list')"
        )
    ref = str(ref)
    direct = Path(ref)
    if (direct / SUMMARY).exists():
        return direct
    record = _index_get(reports_dir, ref)
    located = locate_run_dir(record.get("run_dir") if record else None, reports_dir)
    if located is not None:
        check_indexed_folder(located, ref, reports_dir)
        return located
    if (reports_dir / ref / SUMMARY).exists():
        return reports_dir / ref
    if (reports_dir / ref / RUN_STATE).exists() or os.path.islink(reports_dir / ref / SUMMARY):
        _refuse_unfinished(reports_dir / ref, f"run '{ref}' in {reports_dir}")
    if record:  # before the prefixes: a gone run's id must not pick another run it starts
        check_run_folder_present(ref, record.get("run_dir"), reports_dir)
    found = run_by_prefix(ref, reports_dir, scan_runs(reports_dir))
    if found is not None:
        return found
    stopped = [p for p in started_runs(reports_dir) if not (p / SUMMARY).exists()]
    if (unfinished := run_by_prefix(ref, reports_dir, stopped)) is not None:
        _refuse_unfinished(unfinished, f"run '{unfinished.name}' in {reports_dir}")
    if direct.is_dir():  # a path given, to a folder that is there: not "not found"
        if (direct / RUN_STATE).exists() or os.path.islink(direct / SUMMARY):
            _refuse_unfinished(direct, f"run {direct}")  # a link that leads nowhere: said so
        raise UsageError(
            f"{direct}: a folder, but not a run's (no summary.json); give a run's folder or its "
            "id (see 'assurance runs list')"
        )
    raise run_not_found(ref, reports_dir, scan_runs(reports_dir))


def run_by_prefix(ref: str, reports_dir: Path, folders: list[Path]) -> Path | None:
    """The one folder of ``folders`` (runs in ``reports_dir``) whose name, the run's id, starts
    with ``ref``; None when none does; a UsageError naming them when several do. Every command
    that takes a unique start of a run id (those that read a run, ``run --resume``) asks here,
    so each takes the same prefixes and says the same thing of one several runs share."""
    matches = [p for p in folders if p.name.startswith(ref)]
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches[:5])
        raise UsageError(
            f"run id '{ref}' is ambiguous in {reports_dir}: {names}; give more of the id"
        )
    return matches[0] if matches else None


def run_not_found(ref: str, reports_dir: Path, folders: list[Path]) -> UsageError:
    """The line for a run ``ref`` that neither the index nor ``reports_dir`` holds, with the
    newest of ``folders`` (the runs the command could have named) as a hint."""
    known = [p.name for p in folders][-5:]
    hint = f"recent runs: {', '.join(known)}" if known else f"no runs under {reports_dir}/"
    return UsageError(
        f"run '{ref}' not found (looked in {reports_dir}/ and its index); {hint}; "
        "list runs with 'assurance runs list'"
    )


def started_runs(reports_dir: Path) -> list[Path]:
    """Run folders directly under ``reports_dir`` that a run made (those with a run.json),
    finished or not: the runs ``--resume`` can name."""
    if not reports_dir.is_dir():
        return []
    return sorted(p.parent for p in reports_dir.glob(f"*/{RUN_STATE}"))


def resumed_run_id(given: str, reports_dir: Path | str) -> str:
    """The id of the run ``--resume GIVEN`` names in ``reports_dir``: the id, a unique start of
    one (as the commands that read a run take, ``run_by_prefix``), or a path to its folder
    there (``reports/ID/``, as a shell completes it: exact, never a prefix). A path to a run
    folder in another reports folder is refused: resumed with this ``--reports``, the run's
    files stayed where they were while its index row, cache entries and evidence went into
    this one; any other path (``..``, a folder that is no run) is no run of these reports.
    An id no folder has, or a path there to no folder, is returned as given: the runner says
    whether the index knows it (its folder deleted) or not (``run_not_found``, naming it as
    given); the store in force, whose index that is, is not known here yet. Called again on its
    own answer (the command line, then ``run_suite``), it answers the same."""
    path = Path(given)
    reports = Path(reports_dir)
    if len(path.parts) == 1 and path.name != "..":  # an id, "./ID" and "ID/" included
        if os.path.lexists(reports / path.name):
            return path.name
        found = run_by_prefix(path.name, reports, started_runs(reports))
        return path.name if found is None else found.name
    folder = Path(os.path.abspath(path))  # ".." taken lexically, a link in the path kept
    if folder.parent.resolve() == reports.resolve():
        return folder.name if os.path.lexists(reports / folder.name) else given
    if (folder / RUN_STATE).is_file():
        raise UsageError(
            f"--resume {given}: that run's folder is in {path.parent}, not in the reports "
            f"folder {reports_dir}, where its index row, cache and evidence would go; resume "
            f"it with --reports {path.parent} --resume {folder.name}"
        )
    raise run_not_found(given, reports, started_runs(reports))


def _refuse_unfinished(folder: Path, named: str) -> NoReturn:
    """The line for a run folder without summary.json yet (``named``: the run as the user
    gave it): being run now, or stopped part-way and to be completed with ``--resume``; the
    folder's name is the run's id. A summary.json that is there but cannot be followed (a
    symbolic link in a loop, or to a file that is gone) is no unfinished run: the run's files
    were damaged after it finished, and that is said, with the ways back."""
    if os.path.islink(folder / SUMMARY):
        raise UsageError(damaged_summary_link_text(folder))
    if run_folder_busy(folder):
        raise UsageError(
            f"{named} is being run by another process right now (no summary.json yet); run "
            "this command again once it has finished"
        )
    raise UsageError(
        f"{named} has not finished (no summary.json); complete it with "
        f"'{follow_up(f'assurance run ... --resume {folder.name}')}'"
    )


def link_words(path: Path) -> str | None:
    """Where the run file ``path`` is a symbolic link, what it is, said after its path: "is a
    symbolic link to copy.json (/runs/r1/copy.json, in the run folder), not the file the run
    wrote"; None where it is no link. A run writes no links: the file one names is not the
    run's, and it can change while the run folder does not. Said as a link, with where it
    leads, not as the generic "does not match the SHA-256" of an edited file (or, a link to a
    copy of the run's bytes, not at all), which sent the user looking for an edit."""
    if not os.path.islink(path):
        return None
    target = os.readlink(path)
    if not os.path.exists(path):
        return (
            f"is a symbolic link to {target}, which leads nowhere (a loop, or a file that is "
            "gone), not the file the run wrote"
        )
    resolved = os.path.realpath(path)
    inside = Path(resolved).is_relative_to(Path(os.path.realpath(path.parent)))
    place = "in the run folder" if inside else "outside the run folder"
    shown = place if resolved == target else f"{resolved}, {place}"
    return f"is a symbolic link to {target} ({shown}), not the file the run wrote"


def linked_file_text(path: Path) -> str | None:
    """The line for a run file ``path`` that is a symbolic link (:func:`link_words`), with the
    fix; None where it is no link."""
    words = link_words(path)
    if words is None:
        return None
    return (
        f"{path}: {words}: put the run's own file back in the link's place (manifest.json "
        "records its SHA-256)"
    )


def damaged_summary_link_text(folder: Path) -> str:
    """The line for a run folder whose summary.json is a symbolic link that leads nowhere:
    ``--resume`` alone is no fix to name (the run finished), but a copy of the file is, and so
    is writing it again from the run's journal once the link is gone (a resume of a run without
    its summary scores the journalled answers again)."""
    resume = follow_up(f"assurance run ... --resume {folder.name}")
    return (
        f"{folder / SUMMARY}: a symbolic link that leads nowhere (a loop, or to a file that is "
        "gone), so the run's verdicts cannot be read; the run directory is damaged: put the file "
        "back from a copy (manifest.json records its SHA-256), or delete the link and write it "
        f"again from the run's journal with '{resume}'"
    )


def resolve_run_id(ref: str, reports_dir: Path | str = "reports") -> str:
    """The id of the finished run ``ref`` names, by ``resolve_run``'s rules: a command that
    keys its records by run id (the review store) takes a unique start of one, as the commands
    that read the run folder do. The folder's name is the id of a run found by a prefix or a
    path (the runner names each folder for its run), so no summary.json is parsed for it."""
    folder = resolve_run(ref, reports_dir)
    if folder == Path(reports_dir) / ref or _index_get(Path(reports_dir), ref):
        return ref
    return folder.name
