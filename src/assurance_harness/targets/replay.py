"""The ``replay`` target: responses recorded in production, read from a JSONL file, so the same
suites can score real transcripts without calling any model.

A request is matched by case id (and sample); a record so found that holds a prompt must hold
the case's, and one that holds a conversation the case's, system turns aside (else
``mismatched_recording``, not retried). A case with no record under its id falls
back to its conversation: the whole of it where a record has the conversation (``fields.messages``),
else the last user turn against a record's ``prompt``. A fallback match is never a guess: the
records it finds must be one case's (else the request fails ``ambiguous_recording``), and a run
refuses (exit 2) a suite in which two cases would take one record (``check_cases``). When a
case has several records and the file has no sample field, the records in file order are
samples 0, 1, 2 ...; two different records for one case and sample are refused (two identical
ones are harmless). A request with no recording fails with kind ``missing_recording`` (not
retried: replaying again cannot find it). Under a privacy policy (or ``redact: true``)
personal data in the recorded responses is redacted as the file is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, ClassVar, NoReturn

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..datatypes import GenerationRequest, GenerationResponse
from ..errors import ConfigError
from ..store.files import bounded_lines, check_local_path
from ..store.spill import key64
from ._messages import get_path, json_kind, last_user_text
from .base import Target, TargetError, TargetSpec, register_target

_ONE_RECORD_A_LINE = "a recording holds one JSON record per line"
NO_SAMPLE = -(2**63)
"""A record without a sample index (any integer, negative ones too, can be an index)."""
BY_ID, BY_PROMPT, BY_CONVERSATION = 0, 1, 2
"""The recording's three tables: records by case id, by last user turn (records with a prompt
but no conversation), by whole conversation."""
NO_OWNER = 0
"""The owner of records without a case id (an id's key64 is 0 with odds of 2^-64)."""
_HOW = {BY_PROMPT: "last user turn", BY_CONVERSATION: "whole conversation"}
DEFAULT_FINISH_REASON = "finish_reason"
"""``fields.finish_reason``'s default (left out of the public configuration)."""
_FIX = "add the case ids to the recording (fields.id), so that each case is matched by its id"


class MissingRecordingError(TargetError):
    """No recorded response for this case and sample."""

    kind = "missing_recording"


class AmbiguousRecordingError(TargetError):
    """The records a case's fallback match finds were recorded for different cases: any of
    them could be another case's answer. Not retried: replaying again finds the same."""

    kind = "ambiguous_recording"


class MismatchedRecordingError(TargetError):
    """The record under a case's id was recorded for another prompt: the suite changed since
    the recording, or its ids are reused across datasets (c1, c2 ...). Its answer is to
    another question; scored, it would read as this case's. Not retried: replaying again
    finds the same."""

    kind = "mismatched_recording"


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
    """The user prompt (the last user turn), for matching a case with no record under its id,
    where the record has no conversation (``messages``)."""
    messages: str | None = "messages"
    """The conversation sent (a list of ``{role, content}``, system turn included, without the
    recorded response): a case with no record under its id is matched on its whole
    conversation, so that two cases ending with the same user turn are told apart. Null to
    ignore it."""
    response: str = "response"
    """The recorded response text."""
    sample: str | None = None
    """The sample index, when the file records several responses per case."""
    model_version: str | None = None
    """The model identifier, when the export has one."""
    finish_reason: str | None = "finish_reason"
    """How the recorded answer ended (``stop``; ``length``: cut off at max_tokens;
    ``content_filter``), replayed as recorded so a cut-off transcript is counted as such and
    not scored as a complete answer; a record without it has none. Null to ignore it."""


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
    """Fall back to the case's conversation (``fields.messages``, else the last user turn
    against ``fields.prompt``) when no record has the case id; a record found so must be one
    case's, and answer only one case of a run."""
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
        self._tables: list[_Index | _MemoryTable] = []
        self._handle: IO[bytes] | None = None
        self._redaction: Any = None
        self._loaded = False
        self._unindexed = 0
        """Records filed under no key (no id, and no prompt or conversation to match): they
        can answer no case."""

    @property
    def file(self) -> Path:
        return Path(self.base_dir) / self.s.path

    def public_config(self) -> dict[str, Any]:
        """Adds the recording's SHA-256, so a changed export is a different target."""
        from ..store.files import unreadable_reason

        data = super().public_config()
        fields = data.get("fields")
        if isinstance(fields, dict) and fields.get("finish_reason") == DEFAULT_FINISH_REASON:
            # Left out at its default, so targets written before the field existed keep their
            # fingerprint (a run started before resumes, baselines still match).
            del fields["finish_reason"]
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
        from ..store.spill import SpillError, spill_failure

        version = self._check_encoding()
        try:
            self._build_index(version[2])
        except ChangedWhileReadError:
            raise
        except SpillError as exc:  # the index's temporary files: the disk's fault, not a bug's
            raise spill_failure(exc) from None
        except ConfigError:  # a record half written, or cut short: the file changed, not bad
            with contextlib.suppress(OSError):
                check_unchanged(self.file, version, str(self.file))
            raise

    def _build_index(self, size: int) -> None:
        """``load``'s reading of the recording, no further than ``size``."""
        from ..store.files import open_as_seen

        # BY_ID, BY_PROMPT, BY_CONVERSATION
        entries = [_Entries(partial(self._duplicate, which)) for which in range(3)]
        try:  # no further than its size when the check began: a writer may be appending
            handle = open_as_seen(self.file, size, str(self.file))
        except OSError as exc:
            raise ConfigError.single(
                str(self.file), f"cannot read the recording: {exc.strerror}", field="path"
            ) from None
        try:
            unindexed = 0
            with handle:
                for number, start, row in self._rows(handle):
                    keys = self._keys(row, number)
                    unindexed += not keys
                    for which, key, index, owner in keys:
                        # A record's id is its owner, and its key in the id table: hashed once.
                        hashed = owner if which == BY_ID else None
                        entries[which].add(key, index, start, owner, hashed)
            tables = self._sorted(entries)
        finally:
            for each in entries:
                each.spill.close()
        if tables is None:  # two keys share a 64-bit hash: keep it exact
            self._load_in_memory(size)
            return
        self._tables = tables
        self._unindexed = unindexed
        self._redaction = self._ingest_redaction()
        self._loaded = True

    def _rows(self, handle: IO[bytes]) -> Iterable[tuple[int, int, Any]]:
        """Each record of the recording: its line number, its offset and the record."""
        offset = 0
        # Records end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 and
        # friends, which JSON allows unescaped inside a response string.
        lines = bounded_lines(handle, str(self.file), hint=_ONE_RECORD_A_LINE)
        for number, raw in enumerate(lines, start=1):
            start, offset = offset, offset + len(raw)
            line = _decode(raw, start)
            if line.strip():
                yield number, start, self._parse(line, number)

    def _keys(self, row: Any, number: int) -> list[tuple[int, str, int, int]]:
        """The (table, key, sample index, owner) a record is filed under. Its owner is its case
        id (none is one owner too): a fallback key whose records have two owners is ambiguous.
        A record with a conversation is matched on the whole of it, never on its last turn."""
        f = self.s.fields
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
        index = NO_SAMPLE if index is None else index
        case_id = _optional(row, f.id)
        owner = NO_OWNER if case_id is None else key64(str(case_id))
        keys = [] if case_id is None else [(BY_ID, str(case_id), index, owner)]
        if not self.s.match_prompt:
            return keys
        conversation = _optional(row, f.messages)
        if conversation is not None:
            keys.append((BY_CONVERSATION, self._conversation(conversation, number), index, owner))
            return keys
        prompt = _optional(row, f.prompt)
        if prompt is not None:
            keys.append((BY_PROMPT, str(prompt), index, owner))
        return keys

    def _conversation(self, value: Any, number: int) -> str:
        """A recorded conversation's key; a ConfigError where it is not one (a match on it
        would never be found, and the record would silently answer nothing)."""
        if isinstance(value, list) and all(
            isinstance(m, dict)
            and isinstance(m.get("role"), str)
            and isinstance(m.get("content"), str)
            for m in value
        ):
            return _conversation_key(value)
        raise ConfigError.single(
            str(self.file),
            f"'{self.s.fields.messages}' is not a conversation (a list of {{role, content}} "
            "with text content)",
            line=number,
            hint="set fields.messages to the path of the conversation sent, or to null",
        )

    def _sorted(self, entries: list[_Entries]) -> list[_Index | _MemoryTable] | None:
        """The three tables sorted; None on a hash collision in any."""
        tables: list[_Index | _MemoryTable] = []
        try:
            for each in entries:
                table = each.index()
                if table is None:
                    break
                tables.append(table)
            else:
                return tables
        except BaseException:
            for done in tables:
                done.close()
            raise
        for done in tables:
            done.close()
        return None

    def _duplicate(self, which: int, sample: int, first: int, second: int) -> None:
        """Two records with one key, one owner and one sample index, at offsets ``first`` and
        ``second``: the later used to win silently. Harmless where they give the same answer
        (an export that repeats a line); else a ConfigError naming both lines."""
        f = self.s.fields
        rows = [self._row_at(first), self._row_at(second)]
        answers = [
            (get_path(r, f.response), _optional(r, f.model_version), _optional(r, f.finish_reason))
            for r in rows
        ]
        if answers[0] == answers[1]:
            return
        lines = self._line_numbers([first, second])
        what = {
            BY_ID: f"case '{_optional(rows[0], f.id)}'",
            BY_PROMPT: f"prompt '{_short(str(_optional(rows[0], f.prompt)))}'",
            BY_CONVERSATION: "one conversation",
        }[which]
        raise ConfigError.single(
            str(self.file),
            f"{what} sample {sample} is recorded twice, with different answers "
            f"({_lines_text(lines)})",
            line=lines[1],
            hint="keep one of them (two identical records are accepted)",
        )

    def _row_at(self, offset: int) -> Any:
        """The record on the line at ``offset`` (read anew: a rare look, for messages)."""
        with self.file.open("rb") as handle:
            handle.seek(offset)
            return json.loads(_decode(handle.readline(), offset))

    def _line_numbers(self, offsets: list[int]) -> list[int]:
        """The line number of each offset, counted from the file (for messages only: the index
        keeps offsets, 8 bytes a record, not line numbers)."""
        found: dict[int, int] = {}
        line, position = 1, 0
        with self.file.open("rb") as handle:
            for offset in sorted(set(offsets)):
                while position < offset:
                    chunk = handle.read(min(1 << 20, offset - position))
                    if not chunk:
                        break
                    line += chunk.count(b"\n")
                    position += len(chunk)
                found[offset] = line
        return [found[o] for o in offsets]

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
                f"'{f.response}' is {json_kind(text)}, not text",
                line=number,
                hint="set fields.response to the path of the response text (e.g. output.text)",
            )
        finish = _optional(row, f.finish_reason)
        if finish is not None and not isinstance(finish, str):
            # Read as no reason, a cut-off answer would be scored as a complete one.
            raise ConfigError.single(
                str(self.file),
                f"'{f.finish_reason}' is {json_kind(finish)}, not text",
                line=number,
                hint="set fields.finish_reason to the path of the finish reason text "
                "(stop, length ...), or to null to ignore it",
            )
        return row

    def _response(self, row: Any) -> GenerationResponse:
        f = self.s.fields
        text = get_path(row, f.response)
        version = _optional(row, f.model_version)
        model_version = None if version is None else str(version)
        if text is None:
            return _NotRecorded(text="", model_version=model_version)
        finish = _optional(row, f.finish_reason)
        return GenerationResponse(
            text=text, model_version=model_version, finish_reason=finish or None
        )

    def _read(self, offset: int, *, asked: GenerationRequest | None = None) -> GenerationResponse:
        """The response recorded on the line at ``offset`` (redacted as on ingest). ``asked``:
        the request matched to it by case id, whose last user turn the record's must be."""
        if self._handle is None:
            self._handle = self.file.open("rb")
        self._handle.seek(offset)
        row = json.loads(_decode(self._handle.readline(), offset))
        if asked is not None:
            self._check_prompt(row, asked)
        response = self._response(row)
        if self._redaction is not None:
            from ..privacy.redact import redact_text

            response.text = redact_text(response.text, self._redaction)
        return response

    def _check_prompt(self, row: Any, asked: GenerationRequest) -> None:
        """Refuse a record whose conversation (``fields.messages``) is not the request's, its
        system turns aside (a deployment adds its own, which a suite's case leaves out), or
        whose prompt (``fields.prompt``) is not the request's last user turn, white space aside
        in both; a record with neither is taken on its id alone, as before. Its last user turn
        alone was compared: a multi-turn case edited since the recording, its last turn kept
        ("yes"), took the answer to another conversation as its own."""
        f = self.s.fields
        conversation = _optional(row, f.messages)
        if isinstance(conversation, list) and all(isinstance(m, dict) for m in conversation):
            answer = _optional(row, f.response)
            if conversation and conversation[-1] == {"role": "assistant", "content": answer}:
                conversation = conversation[:-1]  # an export that keeps the answer as its turn
            recorded_turns, sent_turns = _said(conversation), _said(asked.messages)
            if recorded_turns != sent_turns:
                recorded, sent = _first_difference(conversation, asked.messages)
                self._mismatch(asked, recorded, sent)
        recorded = _optional(row, f.prompt)
        if not isinstance(recorded, str) and isinstance(conversation, list):
            return  # checked whole above
        sent = last_user_text(asked.messages)
        if not isinstance(recorded, str) or recorded.split() == sent.split():
            return
        self._mismatch(asked, recorded, sent)

    def _mismatch(self, asked: GenerationRequest, recorded: str, sent: str) -> NoReturn:
        raise MismatchedRecordingError(
            f"the record for case '{asked.case_id}' in {self.s.path} was recorded for another "
            f"prompt ('{_short(recorded)}', not '{_short(sent)}'): its answer is to another "
            "question; record the suite's cases again, or give the changed cases new ids"
        )

    def _load_in_memory(self, size: int) -> None:
        """The tables in dicts (the index's fallback when two keys share a hash), read no
        further than ``size``, as the index was; responses are read by offset, as from it."""
        from ..store.files import open_as_seen

        filed: list[dict[str, list[tuple[int | None, int, int]]]] = [
            defaultdict(list) for _ in range(3)
        ]
        unindexed = 0
        with open_as_seen(self.file, size, str(self.file)) as handle:
            for number, start, row in self._rows(handle):
                keys = self._keys(row, number)
                unindexed += not keys
                for which, key, index, owner in keys:
                    sample = None if index == NO_SAMPLE else index
                    filed[which][key].append((sample, start, owner))
        self._unindexed = unindexed
        self._tables = [
            _MemoryTable(entries, partial(self._duplicate, which))
            for which, entries in enumerate(filed)
        ]
        self._redaction = self._ingest_redaction()
        self._loaded = True

    def _ingest_redaction(self) -> Any:
        """The redaction settings when responses are redacted as they are read, else None."""
        from ..privacy.policy import load_project_config

        policy = load_project_config().privacy
        if not (policy.replay_redacts if self.s.redact is None else self.s.redact):
            return None
        return policy.redaction.model_copy(update={"enabled": True})

    def redacts_responses(self) -> tuple[str | None, str] | None:
        if self.s.redact is not None:
            return ("redact", "as its 'redact: true' asks") if self.s.redact else None
        from ..privacy.policy import load_project_config

        if not load_project_config().privacy.replay_redacts:
            return None
        return (
            None,
            "as assurance.yaml's privacy policy asks: replay_redacts_on_ingest, which follows "
            "redaction.enabled unless set",
        )

    async def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_handle"] = None  # another process (Ray) opens its own
        # ... and its own index: this one's sorted tables are temporary files on this machine
        # (the driver loads the recording to check a run's cases before anything is sent).
        state.update(_tables=[], _loaded=False, _redaction=None)
        return state

    def check_cases(self, conversations: Iterable[tuple[str, list[dict[str, str]]]]) -> str | None:
        """Refuse (ConfigError, one line) a run in which a record would answer two cases by
        the fallback match, or a case's fallback would find records of different cases:
        either way a case could be scored on another's answer. ``conversations``: each case's
        id and conversation as sent (system turn included); run before anything is sent.
        Returns the warning that counts the records no case of the run can take (None when
        every record answers one): a recording of other cases, or ids spelt otherwise,
        would otherwise answer a few cases while the rest of it is ignored without a word."""
        from array import array

        self.load()
        used = array("q")  # the offsets of the records the cases take (8 bytes each)
        claims: dict[tuple[int, str], dict[str, None]] = {}  # record -> its cases, in order
        for case_id, messages in conversations:
            by_id = self._tables[BY_ID].offsets(case_id)
            if by_id:
                used.extend(by_id)
                continue
            if not self.s.match_prompt:
                continue
            which, key = self._fallback_key(messages)
            if which is None:
                continue  # no record: its requests fail 'missing_recording'
            if self._tables[which].ambiguous(key):
                raise ConfigError.single(
                    str(self.file),
                    self._ambiguity(case_id, which, key),
                    line=self._first(which, key),
                )
            if (which, key) not in claims:
                used.extend(self._tables[which].offsets(key))
            claims.setdefault((which, key), {})[case_id] = None
        shared = [(at, list(ids)) for at, ids in claims.items() if len(ids) > 1]
        if not shared:
            return self._unused(used)
        (which, key), ids = shared[0]
        lines = self._line_numbers(self._tables[which].offsets(key))
        named = " and ".join(f"'{i}'" for i in ids[:2])
        more = len(ids) - 2 + sum(len(i) for _, i in shared[1:])
        raise ConfigError.single(
            str(self.file),
            f"the record{'s' if len(lines) > 1 else ''} on {_lines_text(lines)} would answer "
            f"cases {named}{f' (and {more} more)' if more else ''} by their {_HOW[which]} "
            "alone: which case it was recorded for cannot be told",
            line=lines[0],
            hint=_FIX,
        )

    def _unused(self, used: Sequence[int]) -> str | None:
        """The warning counting the records that none of the offsets ``used`` is (records
        filed under no key included); None where every record is used. A record repeated
        word for word under one sample (kept once) is counted once."""
        import numpy as np

        filed = np.unique(np.concatenate([t.all_offsets() for t in self._tables]))
        taken = np.unique(np.asarray(used, dtype=np.int64))
        unused = int(filed.size - taken.size) + self._unindexed
        if unused == 0:
            return None
        total = int(filed.size) + self._unindexed
        matched = "id" + (" nor their conversation" if self.s.match_prompt else "")
        return (
            f"{unused} of the {total} records in {self.file} answer no case of this run (no "
            f"case has their {matched}): they were not replayed or scored; a recording of "
            "other cases, or case ids spelt otherwise, measures less than it seems to"
        )

    def _fallback_key(self, messages: list[dict[str, str]]) -> tuple[int | None, str]:
        """Where a case with no record under its id finds its records: its whole conversation
        where a record has it, else its last user turn among records without a conversation."""
        whole = _conversation_key(messages)
        if self._tables[BY_CONVERSATION].has(whole):
            return BY_CONVERSATION, whole
        prompt = last_user_text(messages)
        if self._tables[BY_PROMPT].has(prompt):
            return BY_PROMPT, prompt
        return None, ""

    def _first(self, which: int, key: str) -> int:
        return self._line_numbers(self._tables[which].offsets(key)[:1])[0]

    def _ambiguity(self, case_id: str, which: int, key: str) -> str:
        lines = self._line_numbers(self._tables[which].offsets(key))
        return (
            f"case '{case_id}' matches the records on {_lines_text(lines)} of {self.s.path} by "
            f"its {_HOW[which]} alone, and they were recorded for different cases: any of them "
            f"could be another case's answer; {_FIX}"
        )

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.load()
        by_id = self._tables[BY_ID]
        found = by_id.find(request.case_id, request.sample)
        asked = request if found is not None else None  # matched by id: its prompt is checked
        # A case recorded under its id never takes a sample from the fallback: that record
        # would be another conversation's.
        if found is None and self.s.match_prompt and not by_id.has(request.case_id):
            which, key = self._fallback_key(request.messages)
            if which is not None:
                if self._tables[which].ambiguous(key):
                    raise AmbiguousRecordingError(self._ambiguity(request.case_id, which, key))
                found = self._tables[which].find(key, request.sample)
        if found is None:
            raise MissingRecordingError(
                f"no recorded response for case '{request.case_id}' sample {request.sample} "
                f"in {self.s.path}"
            )
        response = self._read(found, asked=asked)
        if isinstance(response, _NotRecorded):
            raise MissingRecordingError(
                f"the recording for case '{request.case_id}' sample {request.sample} in "
                f"{self.s.path} holds no answer ('{self.s.fields.response}' is null)"
            )
        return response


def _conversation_key(messages: list[dict[str, Any]]) -> str:
    """A conversation as one string: its roles and contents (nothing else it may carry)."""
    turns = [[m.get("role"), m.get("content")] for m in messages]
    return json.dumps(turns, ensure_ascii=False, separators=(",", ":"))


def _said(messages: list[Any]) -> list[tuple[Any, Any]]:
    """A conversation's turns other than system turns, as (role, words): what a replayed
    record's conversation and a case's are compared on."""
    return [
        (
            m.get("role"),
            m["content"].split() if isinstance(m.get("content"), str) else m.get("content"),
        )
        for m in messages
        if isinstance(m, dict) and m.get("role") != "system"
    ]


def _first_difference(recorded: list[Any], sent: list[dict[str, str]]) -> tuple[str, str]:
    """The first turn (system turns aside) in which two conversations differ, as the text of
    each (``(none)`` past one's end), for the message that refuses the record."""
    left = [m for m in recorded if isinstance(m, dict) and m.get("role") != "system"]
    right = [m for m in sent if m.get("role") != "system"]
    for index in range(max(len(left), len(right))):
        one = _said(left[index : index + 1])
        other = _said(right[index : index + 1])
        if one != other:
            return _turn_text(left, index), _turn_text(right, index)
    return "(none)", "(none)"


def _turn_text(turns: list[Any], index: int) -> str:
    if index >= len(turns):
        return "(none)"
    return f"{turns[index].get('role')}: {turns[index].get('content')}"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _lines_text(lines: list[int]) -> str:
    """``line 3``, ``lines 1 and 3``, ``lines 1, 3 and 5``, ``lines 1, 3, 5 ... (12 in all)``."""
    if len(lines) == 1:
        return f"line {lines[0]}"
    if len(lines) > 5:
        return f"lines {', '.join(map(str, lines[:3]))} ... ({len(lines)} in all)"
    return f"lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}"


def _decode(raw: bytes, offset: int) -> str:
    """One line of the recording as text (the file's byte-order mark dropped)."""
    return raw.decode("utf-8-sig" if offset == 0 else "utf-8")


Duplicate = Callable[[int, int, int], None]
"""Told of two records with one key, one owner and one sample index: (sample, first offset,
second offset); raises where they differ."""


class _Entries:
    """Keys (as 64-bit hashes, with a CRC-32 to detect two keys on one hash), explicit sample
    indexes (``NO_SAMPLE``: none), line offsets and owners (a hash of the record's case id) of
    the records, in file order, in temporary files (``store.spill``)."""

    def __init__(self, duplicate: Duplicate) -> None:
        from ..store.spill import SpillArray, SpillFile

        self.duplicate = duplicate
        self.spill = SpillFile()
        self.columns = [SpillArray("q", shared=self.spill) for _ in range(5)]
        """hash, check, sample, offset, owner"""
        self._rows: list[list[int]] = [[], [], [], [], []]

    def add(self, key: str, sample: int, offset: int, owner: int, hashed: int | None) -> None:
        """``hashed``: ``key64(key)`` where the caller has it."""
        rows = self._rows
        rows[0].append(key64(key) if hashed is None else hashed)
        rows[1].append(zlib.crc32(key.encode("utf-8", "surrogatepass")))
        rows[2].append(sample)
        rows[3].append(offset)
        rows[4].append(owner)
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
        ambiguous: set[int] = set()
        each = partial(_numbered, ambiguous=ambiguous, duplicate=self.duplicate)
        try:
            return _Index(SortedColumns.sort(self.columns, out="qqq", each_bucket=each), ambiguous)
        except KeyCollision:
            return None
        finally:
            self.spill.close()


def _numbered(arrays: list[Any], *, ambiguous: set[int], duplicate: Duplicate) -> list[Any]:
    """One bucket of records sorted by key hash (file order within a key) -> (key, sample,
    offset) numbered by ``_number`` and sorted by sample within a key; the hash of a key whose
    records have more than one owner goes into ``ambiguous``."""
    import numpy as np

    from ..store.spill import KeyCollision

    keys, checks, samples, offsets, owners = arrays
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
        shared = bool((owners[part] == owners[start]).all())
        if not shared:
            ambiguous.add(int(keys[start]))
        entries = [
            (None if s == NO_SAMPLE else s, o)
            for s, o in zip(samples[part].tolist(), offsets[part].tolist(), strict=True)
        ]
        numbered = sorted(_number(entries, duplicate if shared else None).items())
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
    memory too when small (``INDEX_IN_MEMORY``); with the hashes of its ambiguous keys."""

    def __init__(self, table: Any, ambiguous: set[int]) -> None:
        self.table = table
        self.arrays = (
            [column.numpy() for column in table.columns] if table.size <= INDEX_IN_MEMORY else None
        )
        self._ambiguous = ambiguous

    def close(self) -> None:
        if self.table.spill is not None:
            self.table.spill.close()

    def _range(self, key: str) -> tuple[int, int]:
        hashed = key64(key)
        if self.arrays is not None:
            keys = self.arrays[0]
            return (
                int(keys.searchsorted(hashed, side="left")),
                int(keys.searchsorted(hashed, side="right")),
            )
        low, high = self.table.equal_range(hashed)
        return int(low), int(high)

    def _column(self, which: int, low: int, high: int) -> list[int]:
        if low >= high:
            return []
        if self.arrays is not None:
            return [int(v) for v in self.arrays[which][low:high].tolist()]
        return [int(v) for v in self.table.columns[which].read(low, high).tolist()]

    def has(self, key: str) -> bool:
        low, high = self._range(key)
        return low < high

    def ambiguous(self, key: str) -> bool:
        return key64(key) in self._ambiguous

    def offsets(self, key: str) -> list[int]:
        """The offsets of the key's records, by sample."""
        return self._column(2, *self._range(key))

    def all_offsets(self) -> Any:
        """The offsets of every record filed here (a numpy array)."""
        if self.arrays is not None:
            return self.arrays[2]
        return self.table.columns[2].read(0, self.table.size)

    def find(self, key: str, sample: int) -> int | None:
        low, high = self._range(key)
        samples = self._column(1, low, high)
        if sample not in samples:
            return None
        at = low + samples.index(sample)
        return self._column(2, at, at + 1)[0]


class _MemoryTable:
    """The same table in dicts (key -> sample -> offset), for a recording with two keys on one
    64-bit hash."""

    def __init__(
        self, entries: dict[str, list[tuple[int | None, int, int]]], duplicate: Duplicate
    ) -> None:
        self._table: dict[str, dict[int, int]] = {}
        self._ambiguous: set[str] = set()
        for key, records in entries.items():
            shared = len({owner for _, _, owner in records}) == 1
            if not shared:
                self._ambiguous.add(key)
            numbered = [(sample, offset) for sample, offset, _ in records]
            self._table[key] = _number(numbered, duplicate if shared else None)

    def close(self) -> None:
        pass

    def has(self, key: str) -> bool:
        return key in self._table

    def ambiguous(self, key: str) -> bool:
        return key in self._ambiguous

    def offsets(self, key: str) -> list[int]:
        return [offset for _, offset in sorted(self._table.get(key, {}).items())]

    def all_offsets(self) -> Any:
        import numpy as np

        offsets = [offset for samples in self._table.values() for offset in samples.values()]
        return np.asarray(offsets, dtype=np.int64)

    def find(self, key: str, sample: int) -> int | None:
        return self._table.get(key, {}).get(sample)


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


def _optional(row: Any, path: str | None) -> Any:
    if path is None:
        return None
    try:
        return get_path(row, path)
    except KeyError:
        return None


def _number(entries: list[tuple[int | None, int]], duplicate: Duplicate | None) -> dict[int, int]:
    """Explicit sample indexes win; records without one take the next free index in file order.
    Two records with one explicit index are told to ``duplicate`` (None: the key is ambiguous,
    refused when used); the first is kept."""
    numbered: dict[int, int] = {}
    for index, offset in entries:
        if index is None:
            continue
        if index in numbered:
            if duplicate is not None:
                duplicate(index, numbered[index], offset)
            continue
        numbered[index] = offset
    nxt = 0
    for index, offset in entries:
        if index is not None:
            continue
        while nxt in numbered:
            nxt += 1
        numbered[nxt] = offset
    return numbered
