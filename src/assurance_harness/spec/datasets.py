"""Load cases from JSONL, JSON and CSV files through a field mapping, so public files load
unchanged.

``fields`` maps a case field to a column: ``{prompt: goal}`` reads AdvBench's CSV as is. Dotted
columns reach into nested JSON (``additional_metadata.stereotyped_groups``). Case fields are
``id``, ``prompt``, ``messages``, ``expected.<key>`` and ``meta.<key>``.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import random
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from ..datatypes import Case, key_problem
from ..errors import ConfigError, ConfigIssue
from ..store.files import (
    NOT_REGULAR_FILE,
    ChangedWhileReadError,
    bounded_lines,
    check_unchanged,
    file_version,
    names_a_descriptor,
    open_as_seen,
    read_bounded,
    read_limit,
    sha256_as_read,
    too_large,
)
from ..store.spill import SpillError, spill_failure
from .caselist import CaseList, collect
from .errors import kind_of, validation_issues
from .jsonitems import dataset_list, item_lines, of_item
from .jsonrows import (
    DECODER,
    MAX_DEPTH,
    NotFiniteError,
    Suspects,
    check_row,
    may_repeat_keys,
    repeated_key,
)
from .suite import DatasetSpec

CASE_FIELDS = ("id", "prompt", "messages")
EMPTY_CONVERSATION = "the conversation holds no message (messages: [])"
# A legitimate CSV field (a long document to summarise) can be megabytes; csv's default 128 KiB
# limit made that an "invalid CSV" error.
csv.field_size_limit(1 << 30)


def _json_problem(exc: json.JSONDecodeError) -> str:
    """json's message reads "Invalid control character at: line 1 column 14": keep the column,
    drop the dangling "at", and say what a control character is."""
    msg = exc.msg.removesuffix(" at")
    msg = msg[:1].lower() + msg[1:]
    if msg.startswith("invalid control character"):
        msg += " (a raw tab or newline inside a string: write it as \\t or \\n)"
    return f"invalid JSON at column {exc.colno}: {msg}"


def _loads(text: str, source: str, line: int | None) -> Any:
    """Parse JSON: one JSONL line (``line`` its number) or a whole file (``line`` None)."""
    try:
        return DECODER.decode(text)
    except NotFiniteError as exc:
        written = exc.written
        problem = (
            f"{written} is not a finite number"
            if written in ("NaN", "Infinity", "-Infinity")
            else f"{written} is past the range of a finite number (it would be read as Infinity)"
        )
        raise ConfigError.single(
            source,
            problem + ", which JSON cannot hold (cases.jsonl would record null)",
            line=line or _line_of(written, text),
            hint="write null, a finite number, or the word as a string (in quotes)",
        ) from None
    except json.JSONDecodeError as exc:
        problem = _json_problem(exc)
        hint = "one object per line" if line is not None and "(" not in problem else None
        raise ConfigError.single(source, problem, line=line or exc.lineno, hint=hint) from None
    except RecursionError:
        raise ConfigError.single(
            source, f"JSON nested more than {MAX_DEPTH} levels deep", line=line, hint="flatten it"
        ) from None
    except ValueError:  # an integer past int's digit limit (a traceback, before this)
        limit = sys.get_int_max_str_digits()
        long = re.search(f"[0-9]{{{limit + 1}}}", text) if limit else None
        raise ConfigError.single(
            source,
            f"a number of more than {limit} digits, more than Python reads as an integer",
            line=line or (_line_of(long.group(), text) if long else None),
            hint="write it as a string (in quotes)",
        ) from None


def _line_of(written: str, text: str) -> int | None:
    """The line of ``text`` where ``written`` first appears outside a string, roughly: the
    first place it appears at all (a JSON file's error then names a line to look at)."""
    at = text.find(written)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _no_repeated_key(value: Any, text: str, suspects: Suspects, source: str, line: int) -> None:
    """Refuse a key written twice in one object of ``value`` (parsed from ``text``): the JSON
    reader keeps the last, dropping the first without a word. ``line``: the JSONL line, or 0
    for a JSON file, whose item holding the repeat is named by its number."""
    if not may_repeat_keys(value, suspects):
        return
    found = repeated_key(text)
    if found is not None:
        index, key = found
        raise ConfigError.single(
            source,
            f"key '{key}' appears twice in one object (JSON readers keep only the last)",
            line=line or index + 1,
            hint="remove or rename one of them",
        )


def _rows(
    path: Path, fmt: str, source: str, size: int | None = None
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """Yield (number, line, row): the row's number (a generated id's, and the line for JSONL
    and CSV; a JSON list's item number) and the file's line it starts on; malformed lines are
    errors naming the line (and a JSON list's item).

    JSONL and CSV files are read as a stream (after a first pass that checks the encoding),
    so a file of a million lines is never all in memory; a JSON list is parsed whole.
    ``size``: the file's size when its loading began, read no further (``open_as_seen``)."""
    if fmt == "jsonl":
        hint = "a JSONL dataset holds one case per line"
        with _open_text(path, source, newline="\n", line_hint=hint, size=size) as handle:
            lines = bounded_lines(handle, source, hint=hint)
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                row = _loads(line, source, number)
                if not isinstance(row, dict):
                    raise ConfigError.single(
                        source, "each line must be a JSON object", line=number, hint="{...}"
                    )
                suspects = Suspects(line)
                _no_repeated_key(row, line, suspects, source, number)
                check_row(row, suspects, source, number)
                yield number, number, row
    elif fmt == "json":
        yield from _json_rows(path, source)
    else:
        hint = "a CSV dataset holds one case per row"
        with _open_text(path, source, newline="", line_hint=hint, size=size) as handle:
            # strict: an unclosed quote is an error, not the rest of the file read as one field.
            lines = _RowBudget(bounded_lines(handle, source, hint=hint), source)
            reader = csv.DictReader(lines, strict=True)
            start = 1
            try:
                if reader.fieldnames is None:
                    return
                _check_header(reader.fieldnames, source)
                _check_separator(reader.fieldnames, source)
                # A quoted field may span lines: a row starts just after the previous one ended.
                start = reader.line_num + 1
                lines.begin(start)
                for row in reader:
                    if None in row.values():
                        raise ConfigError.single(
                            source,
                            f"row has fewer columns than the header's {len(reader.fieldnames)}",
                            line=start,
                            hint="add the missing values (empty ones too: a,,c)",
                        )
                    if None in row:  # DictReader's key for fields beyond the header's
                        _extra_fields(row, reader.fieldnames, source, start)
                    yield start, start, row
                    start = reader.line_num + 1
                    lines.begin(start)
            except csv.Error as exc:
                raise ConfigError.single(
                    source, f"invalid CSV: {exc}", line=start, hint="check the quoting"
                ) from None


def _json_rows(path: Path, source: str) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``_rows`` of a JSON file, parsed whole: (item number, the line the item starts on,
    item); an error at an item names both (``jsonitems``)."""
    text = _read_text(path, source)
    data = _loads(text, source, None)
    suspects = Suspects(text)
    _no_repeated_key(data, text, suspects, source, 0)
    data, key = dataset_list(data, text, source)
    if not isinstance(data, list):
        raise ConfigError.single(
            source, "a JSON dataset must be a list of objects (or {cases: [...]})", line=1
        )
    lines = item_lines(text, key) if data else []
    for index, row in enumerate(data):
        number, line = index + 1, lines[index] if index < len(lines) else None
        if not isinstance(row, dict):
            raise ConfigError.single(
                source, f"item {number} is not an object", line=line, hint="{...}"
            )
        with of_item(number):
            check_row(row, suspects, source, line or number)
        yield number, line or number, row


class _RowBudget:
    """The lines of a CSV file, as the csv reader takes them, with no row longer in all than
    ``MAX_READ_MB``: a quoted field may span lines, each short, so the line limit alone let
    one field run on to csv's 1 GiB field limit (a quote left open near the top of a file of
    gigabytes) before anything was refused. ``begin`` says where the next row starts."""

    def __init__(self, lines: Iterator[str], source: str) -> None:
        self._lines = lines
        self._source = source
        self._limit = read_limit()
        self._used = 0
        self._start = 1

    def begin(self, line: int) -> None:
        self._used, self._start = 0, line

    def __iter__(self) -> _RowBudget:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._used += len(line)
        if self._used > self._limit:
            raise too_large(
                self._source,
                line=self._start,
                what="row",
                hint="a quoted field runs on over lines to its closing quote: check the quoting",
            )
        return line


def _check_header(header: Sequence[str], source: str) -> None:
    """A column named twice: the csv reader keeps the last of them under the name, dropping
    the first without a word (``id,text,text`` sent the third column as the prompt)."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ConfigError.single(
                source,
                f"column '{name}' appears twice",
                line=1,
                hint="rename one of them (or remove it): only one can be read",
            )
        seen.add(name)


_SEPARATORS = {";": "semicolons", "\t": "tabs"}


def _check_separator(header: Sequence[str], source: str) -> None:
    """A header read as one column holding ';' or a tab between names: the file is separated
    by that character (a spreadsheet's export in many locales), and read comma-separated each
    row was one text, so the mapping found no column ('id;prompt' was the only one)."""
    if len(header) != 1:
        return
    for separator, name in _SEPARATORS.items():
        if len([part for part in header[0].split(separator) if part.strip()]) > 1:
            raise ConfigError.single(
                source,
                f"the header has no comma but is separated by {name} ({header[0]!r}); a CSV "
                "dataset is read comma-separated",
                line=1,
                hint="save it with commas between the values (or as JSONL)",
            )


def _extra_fields(row: dict[Any, Any], header: Any, source: str, line: int) -> None:
    """A row longer than the header used to lose its extra fields silently ("What is 2,5 plus
    1?" became "What is 2"): an unquoted comma is the usual cause."""
    extra = list(row[None])
    last = row[header[-1]] if header else ""
    raise ConfigError.single(
        source,
        f"row has more fields ({len(header) + len(extra)}) than the header ({len(header)})",
        line=line,
        hint="quote a value that holds a comma: " + json.dumps(",".join([last, *extra])),
    )


def _read_text(path: Path, source: str) -> str:
    """The file as text: UTF-8, with a byte-order mark (Excel's CSV export) dropped.

    Undecodable bytes are a one-line error naming the line, not a traceback.
    """
    try:
        data = read_bounded(
            path, source, hint="write it as JSONL (one case per line), which is read as a stream"
        )
    except OSError as exc:
        raise ConfigError.single(source, f"cannot read the dataset: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError.single(
            source,
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
            line=line,
            hint="re-save the file as UTF-8",
        ) from None


def _open_text(
    path: Path, source: str, *, newline: str, line_hint: str, size: int | None
) -> TextIO:
    """The file opened as UTF-8 text (a byte-order mark dropped), once a pass line by line has
    found every byte decodable and no line over ``MAX_READ_MB`` (``line_hint`` then says what
    a line holds): the same one-line error as ``_read_text``, in bounded memory. With ``size``
    both passes read no further (``open_as_seen``)."""
    from ..store.files import check_utf8_lines

    try:
        check_utf8_lines(
            path, source, hint="re-save the file as UTF-8", line_hint=line_hint, size=size
        )
        return io.TextIOWrapper(
            open_as_seen(path, size, source), encoding="utf-8-sig", newline=newline
        )
    except OSError as exc:
        raise ConfigError.single(source, f"cannot read the dataset: {exc.strerror}") from None


def jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line of a JSONL file, with the same encoding handling
    and file:line errors as datasets (scorers' exemplar files read through this too), read no
    further than its size now (``open_as_seen``), as a dataset is."""
    return ((line, row) for _, line, row in _rows(path, "jsonl", str(path), _size_now(path)))


def table_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV, JSON or JSONL file read outside a suite (a scorer check's
    labels), by its extension (JSONL unless .csv or .json), with datasets' file:line errors,
    read no further than its size now."""
    suffix = path.suffix.lower().lstrip(".")
    fmt = suffix if suffix in ("csv", "json") else "jsonl"
    return ((line, row) for _, line, row in _rows(path, fmt, str(path), _size_now(path)))


def _size_now(path: Path) -> int | None:
    """The file's size, or None where it cannot be looked at (its open then says why)."""
    try:
        return path.stat().st_size
    except (OSError, ValueError):
        return None


def _lookup(row: dict[str, Any], column: str) -> tuple[bool, Any]:
    if column in row:
        return True, row[column]
    current: Any = row
    for part in column.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return False, None
    return True, current


def _matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    for column, wanted in where.items():
        found, value = _lookup(row, column)
        if not found:
            return False
        options = wanted if isinstance(wanted, list) else [wanted]
        if not any(_same(value, option) for option in options):
            return False
    return True


def _same(value: Any, wanted: Any) -> bool:
    """Whether a row's ``value`` is the one ``where:`` names, compared as values, not as
    Python's text for them (``null`` kept the text "None", ``true`` missed a CSV's "true").
    A JSON value by type and value: ``null`` is null, not the text "None"; ``1`` is also 1.0;
    ``true`` is not 1. Text (all of a CSV's values, or a JSON string) by what it spells:
    ``true``/``false`` in any case, a number by value, ``null`` an empty field. Text written in
    the suite matches equal text, and a number or true/false that reads as it (``'3'`` a 3,
    ``'true'`` a true)."""
    if isinstance(wanted, str):
        if isinstance(value, bool):
            return wanted.strip().lower() == ("true" if value else "false")
        if isinstance(value, int | float):
            return str(value) == wanted or _number(wanted) == value
        return isinstance(value, str) and value == wanted
    if wanted is None:
        return value is None or value == ""
    if isinstance(wanted, bool):
        if isinstance(value, str):
            return value.strip().lower() == ("true" if wanted else "false")
        return value is wanted
    if isinstance(wanted, int | float):
        if isinstance(value, bool):
            return False
        if isinstance(value, str):
            return _number(value) == wanted
        return isinstance(value, int | float) and value == wanted
    return bool(value == wanted)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


FieldPlan = list[tuple[str, str, str, str, str]]
"""(field, column, the column's top-level name, kind, key) for each mapped field, in order."""


def _field_plan(spec: DatasetSpec) -> FieldPlan:
    """How each row's columns become a case's fields: worked out once per dataset, not per row."""
    mapping = dict(spec.fields)
    mapping.setdefault("id", "id")
    if "messages" not in mapping:
        mapping.setdefault("prompt", "prompt")
    plan = []
    for field, column in mapping.items():
        if field.startswith("expected."):
            kind, key = "expected", field.split(".", 1)[1]
        elif field.startswith(("meta.", "metadata.")):
            kind, key = "metadata", field.split(".", 1)[1]
        elif field in CASE_FIELDS:
            kind, key = "case", field
        else:
            kind, key = "unknown", field
        plan.append((field, column, column.split(".")[0], kind, key))
    return plan


def _case_at(
    row: dict[str, Any],
    spec: DatasetSpec,
    number: int,
    line: int,
    source: str,
    prefix: str,
    plan: FieldPlan,
    *,
    item: bool,
) -> Case:
    """``_case_from_row``, its errors at the row's line, and for a JSON list's item (``item``)
    naming the item's number as well (``jsonitems.of_item``)."""
    if not item:
        return _case_from_row(row, spec, number, source, prefix, plan)
    with of_item(number):
        return _case_from_row(row, spec, number, source, prefix, plan, line=line)


def _case_from_row(
    row: dict[str, Any],
    spec: DatasetSpec,
    number: int,
    source: str,
    prefix: str,
    plan: FieldPlan | None = None,
    *,
    line: int | None = None,
) -> Case:
    """The case a row makes; ``number`` makes its id where it has none, and locates its errors
    unless ``line`` (a JSON list's item, numbered apart from its line) is given."""
    at = number if line is None else line
    data: dict[str, Any] = {"expected": {}, "metadata": dict(spec.metadata)}
    used: set[str] = set()
    for field, column, top, kind, key in plan if plan is not None else _field_plan(spec):
        found, value = _lookup(row, column)
        if not found:
            if field in {"prompt", "messages"}:
                raise ConfigError.single(
                    source,
                    f"no column '{column}' for the case {field}",
                    line=at,
                    hint=f"map it with dataset.fields: {{{field}: <column>}}; "
                    f"columns here: {', '.join(sorted(row))}",
                )
            continue
        if field == "prompt" and not isinstance(value, str):
            raise ConfigError.single(
                source,
                f"the prompt is {kind_of(value)}, not text",
                line=at,
                hint=f"map a text column with dataset.fields: {{prompt: <column>}} (now "
                f"'{column}'); a conversation goes in 'messages'",
            )
        used.add(top)
        if kind == "expected" or kind == "metadata":
            data[kind][key] = value
        elif kind == "case":
            data[field] = value
        else:
            raise ConfigError.single(
                source,
                f"unknown case field '{field}' in dataset.fields",
                hint="use id, prompt, messages, expected.<key> or meta.<key>",
            )
    if data.get("id") in (None, ""):
        if spec.id_prefix is None:
            _file_name_makes_ids(prefix, spec.path)
        data["id"] = f"{prefix}-{number:05d}"
    elif isinstance(data["id"], bool | list | dict):  # str() made "True", "{'a': 1}"
        raise ConfigError.single(
            source,
            f"the id is {kind_of(data['id'])}, not text or a number",
            line=at,
            hint="map an id column of text or whole numbers (dataset.fields: {id: <column>})",
        )
    elif isinstance(data["id"], float):
        # Python's text for a float is not what the file wrote (1e2 is "100.0"), and a column
        # of whole numbers written as floats (pandas does, for one missing value) gave ids
        # "1.0", "2.0" that no other file's 1 and 2 match.
        raise ConfigError.single(
            source,
            f"the id is a floating-point number (read as {data['id']!r}), not text or a whole "
            "number",
            line=at,
            hint="quote it in the file if it is text, or write the whole number without a "
            "decimal point",
        )
    else:
        data["id"] = str(data["id"])
    if isinstance(data.get("messages"), str):
        try:
            data["messages"] = json.loads(data["messages"])
        except json.JSONDecodeError:
            raise ConfigError.single(
                source, "messages column is not a JSON list", line=at
            ) from None
    if spec.keep_unmapped:
        for column, value in row.items():
            if column not in used and column not in data["metadata"]:
                data["metadata"][column] = value
    if data.get("messages") == []:
        raise ConfigError.single(source, EMPTY_CONVERSATION, line=at, hint="remove the row")
    if data.get("prompt") is not None:
        data["prompt"] = str(data["prompt"])
        if not data["prompt"].strip():
            raise ConfigError.single(source, "empty prompt", line=at, hint="remove the row")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        # The first mistake, worded and located as in a suite file (one line for a union).
        first = validation_issues(exc, source, lambda *_, **__: at, Case)[0]
        raise ConfigError(first) from None


def load_dataset(
    spec: DatasetSpec,
    base_dir: Path,
    *,
    seed: int = 0,
    each: Callable[[Case], None] | None = None,
    columns: MappedColumns | None = None,
) -> tuple[Sequence[Case], Path, str]:
    """Load one dataset file into cases; returns the cases (beyond ``caselist.IN_MEMORY`` kept on
    disk as they are read, so a dataset of a million rows is not a million objects in memory),
    the resolved path and the SHA-256 of the bytes read (a file that changed while it was read,
    appended to or replaced, is a ``dataset.path`` error: its hash would not be of the cases).
    ``each`` sees every case as it is read (before ``sample`` and ``limit`` pick theirs): what a
    caller gathers there needs no pass over the cases on disk. ``columns``: where the caller
    checks the mapped columns itself (across a suite's datasets); else a column no row has is
    an error here."""
    path = _dataset_path(spec.path, base_dir)
    source = str(path)
    version = _version(path, spec.path)
    fmt = _format(spec, path)
    prefix = spec.id_prefix or path.stem
    plan = _field_plan(spec)
    mapped = columns if columns is not None else MappedColumns(spec)
    try:
        read = (
            _case_at(row, spec, number, line, source, prefix, plan, item=fmt == "json")
            for number, line, row in _rows(path, fmt, source, version[2])
            if _matches(row, spec.where) and mapped.seen(row)
        )
        cases = collect(read if each is None else _seen(read, each))
        keep = _sampled(len(cases), spec, seed)
        if keep is not None:
            cases = cases.select(keep) if isinstance(cases, CaseList) else [cases[i] for i in keep]
    except ChangedWhileReadError as exc:  # grew past the size it had as its loading began
        raise _path_issue(spec.path, exc.issues[0].message, exc.issues[0].hint) from None
    except ConfigError:
        _unchanged(spec.path, path, version, source)  # else the row read was a writer's half
        raise
    except SpillError as exc:  # a large dataset moves to disk: a full TMPDIR is no traceback
        raise spill_failure(exc) from None
    missing = mapped.issues(path) if columns is None else []
    if missing:
        raise ConfigError(missing)
    if spec.limit is not None:
        cases = cases[: spec.limit]
    try:
        digest = sha256_as_read(path, version, source)
    except ConfigError as exc:
        raise _path_issue(spec.path, exc.issues[0].message, exc.issues[0].hint) from None
    except OSError as exc:  # removed or made unreadable since it was read
        raise _path_issue(spec.path, f"cannot open the dataset: {exc.strerror}") from None
    return cases, path, digest


FIELDS_FIELD = "dataset.fields"


class MappedColumns:
    """The columns ``dataset.fields`` names that no kept row has had yet: one no row has is a
    mistake (a typo, a CSV header's space: ``id, cat`` names ' cat'), which used to load
    without a word, the id then made from the file name on every case, the metadata or
    expectation missing from all. A column only some rows have is read where it is; so is one
    that only another of the suite's datasets has (one mapping shared by several files)."""

    def __init__(self, spec: DatasetSpec) -> None:
        self._mapped = dict(spec.fields)
        self._unseen = dict(spec.fields)
        self._first: list[str] | None = None
        self._filtered = bool(spec.where)

    def seen(self, row: dict[str, Any]) -> bool:
        """Note the mapped columns ``row`` has (nothing once each was seen); always True."""
        if self._unseen:
            if self._first is None:
                self._first = list(row)
            for field in [f for f, column in self._unseen.items() if _lookup(row, column)[0]]:
                del self._unseen[field]
        return True

    def issues(
        self, path: Path, *, found_elsewhere: set[tuple[str, str]] | None = None
    ) -> list[ConfigIssue]:
        """One issue at ``dataset.fields.<field>`` for each column no kept row had (none where
        no row was kept: the suite then has no cases, said on its own), nor, for the same
        field, any row in ``found_elsewhere`` (the suite's other datasets)."""
        if self._first is None:
            return []
        missing = {
            f: c for f, c in self._unseen.items() if (f, c) not in (found_elsewhere or set())
        }
        rows = "kept row (after 'where:')" if self._filtered else "row"
        names = ", ".join(c if c == c.strip() else repr(c) for c in self._first)
        return [
            ConfigIssue(
                str(path),
                None,
                f"{FIELDS_FIELD}.{field}",
                f"no {rows} of {path.name} has the column '{column}'",
                f"map a column the file has (its first row's: {names})",
            )
            for field, column in missing.items()
        ]

    @property
    def found(self) -> set[tuple[str, str]]:
        """The (field, column) pairs some kept row has."""
        return {(f, c) for f, c in self._mapped.items() if f not in self._unseen}


def _unchanged(raw: str, path: Path, version: tuple[int, int, int, int], source: str) -> None:
    """A ``dataset.path`` error where the file changed since ``version`` (cut short, written
    to, replaced); nothing where it did not, or cannot be looked at (the error stands)."""
    try:
        check_unchanged(path, version, source)
    except ConfigError as exc:
        raise _path_issue(raw, exc.issues[0].message, exc.issues[0].hint) from None
    except OSError:
        pass


def _version(path: Path, raw: str) -> tuple[int, int, int, int]:
    try:
        return file_version(path)
    except OSError as exc:
        raise _path_issue(raw, f"cannot open the dataset: {exc.strerror}") from None


def _format(spec: DatasetSpec, path: Path) -> str:
    fmt = spec.format or path.suffix.lstrip(".").lower()
    if fmt not in {"jsonl", "csv", "json"}:
        raise ConfigError.single(
            str(path),
            f"unknown dataset format '{fmt}'",
            hint="set dataset.format: jsonl, csv or json",
        )
    return fmt


def _sampled(count: int, spec: DatasetSpec, seed: int) -> list[int] | None:
    """The positions ``sample`` keeps of ``count`` cases, in order (None: all of them)."""
    if spec.sample is None or spec.sample >= count:
        return None
    return sorted(random.Random(seed).sample(range(count), spec.sample))


def dataset_lines(spec: DatasetSpec, path: Path, *, seed: int = 0) -> array[int]:
    """The line of each case ``load_dataset`` made from the file at ``path``, in their order.

    The file is read again, as far as its rows: cases carry no origin (a line number a case
    would cost every load), so only an error that names a case's line pays for it. It is read
    no further than its size as this read begins (``open_as_seen``): a writer appending to it
    meanwhile cannot keep the read going."""
    source = str(path)
    rows = _rows(path, _format(spec, path), source, _size_now(path))
    lines = array("q", (line for _, line, row in rows if _matches(row, spec.where)))
    keep = _sampled(len(lines), spec, seed)
    if keep is not None:
        lines = array("q", (lines[i] for i in keep))
    return lines[: spec.limit] if spec.limit is not None else lines


def _seen(cases: Iterable[Case], each: Callable[[Case], None]) -> Iterator[Case]:
    for case in cases:
        each(case)
        yield case


def _file_name_makes_ids(stem: str, raw: str) -> None:
    """A row without an id gets one made from the file's name: a name holding what no key may
    hold (``datatypes.key_problem``: a control or invisible character) is the name's problem,
    said at ``dataset.path`` with its fix, not at a row that has no id to remove it from."""
    problem = key_problem(stem)
    if problem is not None:
        raise _path_issue(
            raw,
            f"rows without an id get ids made from the file name, and ids cannot hold its "
            f"{problem}",
            "set dataset.id_prefix, or rename the file",
        )


def _path_issue(raw: str, message: str, hint: str | None = None) -> ConfigError:
    """A problem with dataset.path itself: the suite loader puts it on the suite's line."""
    return ConfigError([ConfigIssue(repr(raw)[1:-1], None, PATH_FIELD, message, hint)])


PATH_FIELD = "dataset.path"


def _dataset_path(raw: str, base_dir: Path) -> Path:
    """The dataset file, resolved against the suite's folder; paths no file can have (a NUL,
    a name over the system's limit, a folder) are one error each, not an OS traceback."""
    if "\0" in raw:
        raise _path_issue(raw, "the path holds a NUL character", "remove it")
    if names_a_descriptor(base_dir / raw):  # looked at before its stat, which follows it
        raise _path_issue(raw, NOT_REGULAR_FILE, "name the dataset's own file")
    try:
        path = (base_dir / raw).resolve() if not Path(raw).is_absolute() else Path(raw)
        is_dir = path.is_dir()
        if not is_dir:
            path.stat()
    except NotADirectoryError:  # a part of the path is a file: name it, not a missing dataset
        raw_path = Path(raw)
        blocker = next(
            (p for p in reversed(raw_path.parents) if (base_dir / p).is_file()), raw_path
        )
        raise _path_issue(
            raw,
            f"{blocker} is a file, not a folder",
            "paths resolve relative to the suite file",
        ) from None
    except FileNotFoundError:
        raise _path_issue(
            raw, "dataset file not found", "paths resolve relative to the suite file"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise _path_issue(
                raw,
                "the file name is too long for this system (over 255 characters in one part)",
                "shorten it",
            ) from None
        raise _path_issue(raw, f"cannot open the dataset: {exc.strerror}") from None
    except RuntimeError:  # Path.resolve before Python 3.13: a symlink loop
        raise _path_issue(
            raw,
            f"cannot open the dataset: {os.strerror(errno.ELOOP)}",
            "the link points back to itself; fix or remove it",
        ) from None
    if is_dir:
        raise _path_issue(
            raw, "is a directory, not a dataset file", "name a .jsonl, .csv or .json file"
        )
    if not path.is_file():  # a pipe or a device: reading it would wait for a writer
        raise _path_issue(raw, NOT_REGULAR_FILE)
    return path
