"""Load cases from JSONL, JSON and CSV files through a field mapping, so public files load
unchanged.

``fields`` maps a case field to a column: ``{prompt: goal}`` reads AdvBench's CSV as is. Dotted
columns reach into nested JSON (``additional_metadata.stereotyped_groups``). Case fields are
``id``, ``prompt``, ``messages``, ``expected.<key>`` and ``meta.<key>``.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError, ConfigIssue
from ..model import Case
from .suite import DatasetSpec

CASE_FIELDS = ("id", "prompt", "messages")


def _rows(path: Path, fmt: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, row) pairs; malformed lines are errors naming the line."""
    text = _read_text(path, source)
    if fmt == "jsonl":
        with io.StringIO(text) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError.single(
                        source, f"invalid JSON: {exc.msg}", line=number, hint="one object per line"
                    ) from None
                if not isinstance(row, dict):
                    raise ConfigError.single(source, "each line must be a JSON object", line=number)
                yield number, row
    elif fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError.single(source, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        if isinstance(data, dict):
            data = data.get("cases", data.get("data"))
        if not isinstance(data, list):
            raise ConfigError.single(
                source, "a JSON dataset must be a list of objects (or {cases: [...]})"
            )
        for index, row in enumerate(data):
            if not isinstance(row, dict):
                raise ConfigError.single(source, f"item {index} is not an object")
            yield index + 1, row
    else:
        with io.StringIO(text, newline="") as handle:
            # strict: an unclosed quote is an error, not the rest of the file read as one field.
            reader = csv.DictReader(handle, strict=True)
            start = 1
            try:
                if reader.fieldnames is None:
                    return
                # A quoted field may span lines: a row starts just after the previous one ended.
                start = reader.line_num + 1
                for row in reader:
                    if None in row.values():
                        raise ConfigError.single(
                            source,
                            f"row has fewer columns than the header's {len(reader.fieldnames)}",
                            line=start,
                            hint="add the missing values (empty ones too: a,,c)",
                        )
                    yield start, {k: v for k, v in row.items() if k is not None}
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise ConfigError.single(
                    source, f"invalid CSV: {exc}", line=start, hint="check the quoting"
                ) from None


def _read_text(path: Path, source: str) -> str:
    """The file as text: UTF-8, with a byte-order mark (Excel's CSV export) dropped.

    Undecodable bytes are a one-line error naming the line, not a traceback.
    """
    data = path.read_bytes()
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


def jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line of a JSONL file, with the same encoding handling
    and file:line errors as datasets (scorers' exemplar files read through this too)."""
    return _rows(path, "jsonl", str(path))


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
        if str(value) not in {str(o) for o in options}:
            return False
    return True


def _case_from_row(
    row: dict[str, Any], spec: DatasetSpec, number: int, source: str, prefix: str
) -> Case:
    mapping = dict(spec.fields)
    mapping.setdefault("id", "id")
    if "messages" not in mapping:
        mapping.setdefault("prompt", "prompt")
    data: dict[str, Any] = {"expected": {}, "metadata": dict(spec.metadata)}
    used: set[str] = set()
    for field, column in mapping.items():
        found, value = _lookup(row, column)
        if not found:
            if field in {"prompt", "messages"}:
                raise ConfigError.single(
                    source,
                    f"no column '{column}' for the case {field}",
                    line=number,
                    hint=f"map it with dataset.fields: {{{field}: <column>}}; "
                    f"columns here: {', '.join(sorted(row))}",
                )
            continue
        used.add(column.split(".")[0])
        if field.startswith("expected."):
            data["expected"][field.split(".", 1)[1]] = value
        elif field.startswith(("meta.", "metadata.")):
            data["metadata"][field.split(".", 1)[1]] = value
        elif field in CASE_FIELDS:
            data[field] = value
        else:
            raise ConfigError.single(
                source,
                f"unknown case field '{field}' in dataset.fields",
                hint="use id, prompt, messages, expected.<key> or meta.<key>",
            )
    if data.get("id") in (None, ""):
        data["id"] = f"{prefix}-{number:05d}"
    else:
        data["id"] = str(data["id"])
    if isinstance(data.get("messages"), str):
        try:
            data["messages"] = json.loads(data["messages"])
        except json.JSONDecodeError:
            raise ConfigError.single(
                source, "messages column is not a JSON list", line=number
            ) from None
    if spec.keep_unmapped:
        for column, value in row.items():
            if column not in used and column not in data["metadata"]:
                data["metadata"][column] = value
    if data.get("prompt") is not None:
        data["prompt"] = str(data["prompt"])
        if not data["prompt"].strip():
            raise ConfigError.single(source, "empty prompt", line=number, hint="remove the row")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError.single(source, f"{where}: {first['msg']}", line=number) from None


def load_dataset(spec: DatasetSpec, base_dir: Path, *, seed: int = 0) -> tuple[list[Case], Path]:
    """Load one dataset file into cases; returns the cases and the resolved file path."""
    path = (
        (base_dir / spec.path).resolve() if not Path(spec.path).is_absolute() else Path(spec.path)
    )
    source = str(path)
    if not path.exists():
        raise ConfigError.single(
            source, "dataset file not found", hint="paths resolve relative to the suite file"
        )
    fmt = spec.format or path.suffix.lstrip(".").lower()
    if fmt not in {"jsonl", "csv", "json"}:
        raise ConfigError.single(
            source, f"unknown dataset format '{fmt}'", hint="set dataset.format: jsonl, csv or json"
        )
    prefix = spec.id_prefix or path.stem
    cases = [
        _case_from_row(row, spec, number, source, prefix)
        for number, row in _rows(path, fmt, source)
        if _matches(row, spec.where)
    ]
    if spec.sample is not None and spec.sample < len(cases):
        rng = random.Random(seed)
        keep = sorted(rng.sample(range(len(cases)), spec.sample))
        cases = [cases[i] for i in keep]
    if spec.limit is not None:
        cases = cases[: spec.limit]
    return cases, path


def check_unique_ids(cases: list[Case], source: str) -> list[ConfigIssue]:
    seen: set[str] = set()
    issues = []
    for case in cases:
        if case.id in seen:
            issues.append(
                ConfigIssue(
                    source, None, None, f"duplicate case id '{case.id}'", "ids must be unique"
                )
            )
        seen.add(case.id)
    return issues
