"""The ``replay`` target: responses recorded in production, read from a JSONL file, so the same
suites can score real transcripts without calling any model.

A request is matched by case id (and sample), falling back to the exact prompt text (the last
user turn). When a case has several records and the file has no sample field, the records
in file order are samples 0, 1, 2 ... A request with no recording fails with kind
``missing_recording`` (not retried: replaying again cannot find it). Under a privacy policy
(or ``redact: true``) personal data in the recorded responses is redacted as the file is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..datatypes import GenerationRequest, GenerationResponse
from ..errors import ConfigError
from ..store.files import bounded_lines
from ..store.spill import key64
from ._messages import get_path, last_user_text
from .base import Target, TargetError, TargetSpec, check_local_path, register_target

T = TypeVar("T")
_ONE_RECORD_A_LINE = "a recording holds one JSON record per line"
NO_SAMPLE = -(2**63)
"""A record without a sample index (any integer, negative ones too, can be an index)."""


class MissingRecordingError(TargetError):
    """No recorded response for this case and sample."""

    kind = "missing_recording"


@dataclass
class _NotRecorded(GenerationResponse):
    """A record whose response is null: no answer was recorded (the production call failed or
    timed out). Kept in the index like any record, so that its case is not answered by another
    (a prompt match) instead, and refused when asked for: replayed as "", every text scorer
    would read it as a harmless reply."""


class ReplayFields(BaseModel):
    """Where each value lives in a record; dotted paths (``output.text``) are allowed."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = "id"
    """The case id; set to null to match on prompt text only."""
    prompt: str | None = "prompt"
    """The user prompt, for matching when ids differ."""
    response: str = "response"
    """The recorded response text."""
    sample: str | None = None
    """The sample index, when the file records several responses per case."""
    model_version: str | None = None
    """The model identifier, when the export has one."""


class ReplaySpec(TargetSpec):
    """Recorded responses from a JSONL export."""

    type: str = "replay"
    """Adapter name: ``replay``."""
    path: str
    """The JSONL file, relative to the target file."""

    @field_validator("path")
    @classmethod
    def _usable_path(cls, value: str) -> str:
        return check_local_path(value)

    fields: ReplayFields = Field(default_factory=ReplayFields)
    """Field mapping, so a production export loads unchanged."""
    match_prompt: bool = True
    """Fall back to the exact prompt text when no record has the case id."""
    redact: bool | None = None
    """Replace personal data in recorded responses with typed placeholders as the file is read,
    so production transcripts enter the run already redacted (default: the project's privacy
    policy, ``privacy.replay_redacts_on_ingest`` in ``assurance.yaml``)."""


@register_target
class ReplayTarget(Target):
    """Recorded production responses from a JSONL file, looked up by case id or prompt."""

    type: ClassVar[str] = "replay"
    Spec = ReplaySpec
    caches_responses: ClassVar[bool] = False

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, ReplaySpec)
        self.s: ReplaySpec = spec
        self._by_id: dict[str, dict[int, GenerationResponse]] = {}
        self._by_prompt: dict[str, dict[int, GenerationResponse]] = {}
        self._index: tuple[_Index, _Index] | None = None
        self._handle: IO[bytes] | None = None
        self._redaction: Any = None
        self._loaded = False

    @property
    def file(self) -> Path:
        return Path(self.base_dir) / self.s.path

    def public_config(self) -> dict[str, Any]:
        """Adds the recording's SHA-256, so a changed export is a different target."""
        from ..store.files import unreadable_reason

        data = super().public_config()
        data["recording_sha256"] = None
        if unreadable_reason(self.file) is not None:  # a FIFO would block the read below
            return data
        try:
            with self.file.open("rb") as handle:  # in blocks: a recording may be gigabytes
                data["recording_sha256"] = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            data["recording_sha256"] = None
        return data

    def check(self) -> None:
        self.load()

    async def start(self) -> None:
        self.load()

    def load(self) -> None:
        """Index the recording: where each case's (and prompt's) records lie in the file,
        numbered by sample, in about 30 bytes a record; a response is read from the file when
        it is asked for, so a recording of a million transcripts is not held in memory."""
        if self._loaded:
            return
        from ..store.files import ChangedWhileReadError, check_unchanged

        version = self._check_encoding()
        try:
            self._build_index(version[2])
        except ChangedWhileReadError:
            raise
        except ConfigError:  # a record half written, or cut short: the file changed, not bad
            with contextlib.suppress(OSError):
                check_unchanged(self.file, version, str(self.file))
            raise

    def _build_index(self, size: int) -> None:
        """``load``'s reading of the recording, no further than ``size``."""
        from ..store.files import open_as_seen

        f = self.s.fields
        ids = _Entries()
        prompts = _Entries()
        try:  # no further than its size when the check began: a writer may be appending
            handle = open_as_seen(self.file, size, str(self.file))
        except OSError as exc:
            raise ConfigError.single(
                str(self.file), f"cannot read the recording: {exc.strerror}", field="path"
            ) from None
        with handle:
            offset = 0
            # Records end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 and
            # friends, which JSON allows unescaped inside a response string.
            lines = bounded_lines(handle, str(self.file), hint=_ONE_RECORD_A_LINE)
            for number, raw in enumerate(lines, start=1):
                start, offset = offset, offset + len(raw)
                line = _decode(raw, start)
                if not line.strip():
                    continue
                row = self._parse(line, number)
                sample = _optional(row, f.sample)
                try:
                    index = _sample_index(sample)
                except ValueError:
                    shown = sample if isinstance(sample, str) else json.dumps(sample)
                    raise ConfigError.single(
                        str(self.file),
                        f"sample '{shown}' is not a whole number (0, 1, 2 ...)",
                        line=number,
                    ) from None
                case_id = _optional(row, f.id)
                if index is None:
                    index = NO_SAMPLE
                if case_id is not None:
                    ids.add(str(case_id), index, start)
                prompt = _optional(row, f.prompt)
                if prompt is not None and self.s.match_prompt:
                    prompts.add(str(prompt), index, start)
        by_id, by_prompt = ids.index(), prompts.index()
        if by_id is None or by_prompt is None:  # two keys share a 64-bit hash: keep it exact
            self._load_in_memory(size)
            return
        self._index = (by_id, by_prompt)
        self._redaction = self._ingest_redaction()
        self._loaded = True

    def _check_encoding(self) -> tuple[int, int, int, int]:
        """The recording is a regular file (a FIFO would block its reading for ever), and
        every line decodes as UTF-8 (checked first, as one error for the whole file); its
        ``file_version`` as the check began, whose size nothing after reads past
        (``open_as_seen``)."""
        from ..store.files import check_utf8_lines, file_version, unreadable_reason

        reason = unreadable_reason(self.file)
        if reason is not None:
            raise ConfigError.single(
                str(self.file), f"cannot read the recording: {reason}", field="path"
            )
        try:
            version = file_version(self.file)
            check_utf8_lines(
                self.file,
                str(self.file),
                hint="re-export the recording as UTF-8",
                line_hint=_ONE_RECORD_A_LINE,
                size=version[2],
            )
        except OSError as exc:
            raise ConfigError.single(
                str(self.file), f"cannot read the recording: {exc.strerror}", field="path"
            ) from None
        return version

    def _parse(self, line: str, number: int) -> Any:
        f = self.s.fields
        try:
            row = json.loads(line)
            text = get_path(row, f.response)
        except json.JSONDecodeError as exc:
            raise ConfigError.single(
                str(self.file), f"not valid JSON: {exc.msg}", line=number
            ) from None
        except RecursionError:
            raise ConfigError.single(
                str(self.file), "JSON nested too deep to read", line=number, hint="flatten it"
            ) from None
        except KeyError:
            raise ConfigError.single(
                str(self.file),
                f"record has no '{f.response}'",
                line=number,
                hint="set fields.response to the name of the response field",
            ) from None
        if text is not None and not isinstance(text, str):
            # Spelt as text it would be scored as an answer the model never gave as such.
            raise ConfigError.single(
                str(self.file),
                f"'{f.response}' is {_json_kind(text)}, not text",
                line=number,
                hint="set fields.response to the path of the response text (e.g. output.text)",
            )
        return row

    def _response(self, row: Any) -> GenerationResponse:
        f = self.s.fields
        text = get_path(row, f.response)
        version = _optional(row, f.model_version)
        model_version = None if version is None else str(version)
        if text is None:
            return _NotRecorded(text="", model_version=model_version)
        return GenerationResponse(text=text, model_version=model_version)

    def _read(self, offset: int) -> GenerationResponse:
        """The response recorded on the line at ``offset`` (redacted as on ingest)."""
        if self._handle is None:
            self._handle = self.file.open("rb")
        self._handle.seek(offset)
        response = self._response(json.loads(_decode(self._handle.readline(), offset)))
        if self._redaction is not None:
            from ..privacy.redact import redact_text

            response.text = redact_text(response.text, self._redaction)
        return response

    def _load_in_memory(self, size: int) -> None:
        """Every response in dicts (the index's fallback when two keys share a hash), read no
        further than ``size``, as the index was."""
        from ..store.files import open_as_seen

        by_id: dict[str, list[tuple[int | None, GenerationResponse]]] = defaultdict(list)
        by_prompt: dict[str, list[tuple[int | None, GenerationResponse]]] = defaultdict(list)
        f = self.s.fields
        with open_as_seen(self.file, size, str(self.file)) as handle:
            offset = 0
            for raw in bounded_lines(handle, str(self.file), hint=_ONE_RECORD_A_LINE):
                start, offset = offset, offset + len(raw)
                line = _decode(raw, start)
                if not line.strip():
                    continue
                row = json.loads(line)
                index = _sample_index(_optional(row, f.sample))
                response = self._response(row)
                case_id = _optional(row, f.id)
                if case_id is not None:
                    by_id[str(case_id)].append((index, response))
                prompt = _optional(row, f.prompt)
                if prompt is not None:
                    by_prompt[str(prompt)].append((index, response))
        redaction = self._ingest_redaction()
        if redaction is not None:
            from ..privacy.redact import redact_text

            responses = [r for entries in by_id.values() for _, r in entries]
            responses += [r for entries in by_prompt.values() for _, r in entries]
            for response in {id(r): r for r in responses}.values():
                response.text = redact_text(response.text, redaction)
        self._by_id = {k: _number(v) for k, v in by_id.items()}
        self._by_prompt = {k: _number(v) for k, v in by_prompt.items()}
        self._loaded = True

    def _ingest_redaction(self) -> Any:
        """The redaction settings when responses are redacted as they are read, else None."""
        from ..privacy.policy import load_project_config

        policy = load_project_config().privacy
        if not (policy.replay_redacts if self.s.redact is None else self.s.redact):
            return None
        return policy.redaction.model_copy(update={"enabled": True})

    async def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_handle"] = None  # another process (Ray) opens its own
        return state

    def _lookup(self, key: str, sample: int, which: int) -> GenerationResponse | None:
        if self._index is None:
            table = self._by_id if which == 0 else self._by_prompt
            return table.get(key, {}).get(sample)
        offset = self._index[which].find(key, sample)
        return None if offset is None else self._read(offset)

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.load()
        found = self._lookup(request.case_id, request.sample, 0)
        if found is None and self.s.match_prompt:
            prompt = last_user_text(request.messages)
            found = self._lookup(prompt, request.sample, 1)
        if found is None:
            raise MissingRecordingError(
                f"no recorded response for case '{request.case_id}' sample {request.sample} "
                f"in {self.s.path}"
            )
        if isinstance(found, _NotRecorded):
            raise MissingRecordingError(
                f"the recording for case '{request.case_id}' sample {request.sample} in "
                f"{self.s.path} holds no answer ('{self.s.fields.response}' is null)"
            )
        return found


def _decode(raw: bytes, offset: int) -> str:
    """One line of the recording as text (the file's byte-order mark dropped)."""
    return raw.decode("utf-8-sig" if offset == 0 else "utf-8")


class _Entries:
    """Keys (as 64-bit hashes, with a CRC-32 to detect two keys on one hash), explicit sample
    indexes (``NO_SAMPLE``: none) and line offsets of the records, in file order, in temporary
    files (``store.spill``)."""

    def __init__(self) -> None:
        from ..store.spill import SpillArray, SpillFile

        self.spill = SpillFile()
        self.columns = [SpillArray("q", shared=self.spill) for _ in range(4)]
        """hash, check, sample, offset"""
        self._rows: list[list[int]] = [[], [], [], []]

    def add(self, key: str, sample: int, offset: int) -> None:
        rows = self._rows
        rows[0].append(key64(key))
        rows[1].append(zlib.crc32(key.encode("utf-8", "surrogatepass")))
        rows[2].append(sample)
        rows[3].append(offset)
        if len(rows[0]) >= 4096:
            self._flush()

    def _flush(self) -> None:
        for column, values in zip(self.columns, self._rows, strict=True):
            column.extend(values)
            values.clear()

    def index(self) -> _Index | None:
        """Records numbered by sample as ``_number`` numbers them; None on a hash collision."""
        from ..store.spill import KeyCollision, SortedColumns

        self._flush()
        try:
            return _Index(SortedColumns.sort(self.columns, out="qqq", each_bucket=_numbered))
        except KeyCollision:
            return None
        finally:
            self.spill.close()


def _numbered(arrays: list[Any]) -> list[Any]:
    """One bucket of records sorted by key hash (file order within a key) -> (key, sample,
    offset) numbered by ``_number`` and sorted by sample within a key."""
    import numpy as np

    from ..store.spill import KeyCollision

    keys, checks, samples, offsets = arrays
    samples, offsets = samples.copy(), offsets.copy()
    same = keys[1:] == keys[:-1]
    if bool((same & (checks[1:] != checks[:-1])).any()):
        raise KeyCollision
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    sizes = np.diff(np.append(starts, keys.size))
    single = starts[sizes == 1]
    samples[single[samples[single] == NO_SAMPLE]] = 0  # one record, no index: sample 0
    keep = np.ones(keys.size, dtype=bool)
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        part = slice(start, start + size)
        entries = [
            (None if s == NO_SAMPLE else s, o)
            for s, o in zip(samples[part].tolist(), offsets[part].tolist(), strict=True)
        ]
        numbered = sorted(_number(entries).items())
        keep[start + len(numbered) : start + size] = False
        samples[start : start + len(numbered)] = [s for s, _ in numbered]
        offsets[start : start + len(numbered)] = [o for _, o in numbered]
    keys, samples, offsets = keys[keep], samples[keep], offsets[keep]
    final = np.lexsort((samples, keys))
    return [keys[final], samples[final], offsets[final]]


INDEX_IN_MEMORY = 262_144
"""Records up to which the sorted index is read into memory (24 bytes a record, 6 MB): a lookup
is then a search in arrays, not three reads of the spilled columns per request (about a tenth
of a 100k-case replay run's CPU). A larger recording's index stays on disk."""


class _Index:
    """(key hash, sample) -> line offset, sorted on disk (``store.spill.SortedColumns``), and in
    memory too when small (``INDEX_IN_MEMORY``)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.arrays = (
            [column.numpy() for column in table.columns] if table.size <= INDEX_IN_MEMORY else None
        )

    def find(self, key: str, sample: int) -> int | None:
        if self.arrays is not None:
            keys, samples_of, offsets = self.arrays
            hashed = key64(key)
            low = int(keys.searchsorted(hashed, side="left"))
            high = int(keys.searchsorted(hashed, side="right"))
            samples = samples_of[low:high].tolist()
        else:
            low, high = self.table.equal_range(key64(key))
            samples = self.table.columns[1].read(low, high).tolist() if low < high else []
        if sample not in samples:
            return None
        at = low + samples.index(sample)
        if self.arrays is not None:
            return int(offsets[at])
        return int(self.table.columns[2].read(at, at + 1)[0])


def _sample_index(value: Any) -> int | None:
    """A record's sample index (2, 2.0 or "2"), None where it has none; ValueError for what is
    not a whole number in the index's range (1.5, true, 1e30) rather than a truncated one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    index = int(value)
    if not NO_SAMPLE < index < 2**63:
        raise ValueError(value)
    return index


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a boolean" if isinstance(value, bool) else "a number"


def _optional(row: Any, path: str | None) -> Any:
    if path is None:
        return None
    try:
        return get_path(row, path)
    except KeyError:
        return None


def _number(entries: list[tuple[int | None, T]]) -> dict[int, T]:
    """Explicit sample indexes win; records without one take the next free index in file order."""
    numbered = {i: r for i, r in entries if i is not None}
    nxt = 0
    for index, response in entries:
        if index is not None:
            continue
        while nxt in numbered:
            nxt += 1
        numbered[nxt] = response
    return numbered
