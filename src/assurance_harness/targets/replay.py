"""The ``replay`` target: responses recorded in production, read from a JSONL file, so the same
suites can score real transcripts without calling any model.

A request is matched by case id (and sample), falling back to the exact prompt text (the last
user turn). When a case has several records and the file has no sample field, the records
in file order are samples 0, 1, 2 ... A request with no recording fails with kind
``missing_recording`` (not retried: replaying again cannot find it). Under a privacy policy
(or ``redact: true``) personal data in the recorded responses is redacted as the file is read.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ..datatypes import GenerationRequest, GenerationResponse
from ..errors import ConfigError
from ._messages import get_path, last_user_text
from .base import Target, TargetError, TargetSpec, register_target


class MissingRecordingError(TargetError):
    """No recorded response for this case and sample."""

    kind = "missing_recording"


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

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, ReplaySpec)
        self.s: ReplaySpec = spec
        self._by_id: dict[str, dict[int, GenerationResponse]] = {}
        self._by_prompt: dict[str, dict[int, GenerationResponse]] = {}
        self._loaded = False

    @property
    def file(self) -> Path:
        return Path(self.base_dir) / self.s.path

    def public_config(self) -> dict[str, Any]:
        """Adds the recording's SHA-256, so a changed export is a different target."""
        data = super().public_config()
        try:
            data["recording_sha256"] = hashlib.sha256(self.file.read_bytes()).hexdigest()
        except OSError:
            data["recording_sha256"] = None
        return data

    async def start(self) -> None:
        self.load()

    def load(self) -> None:
        if self._loaded:
            return
        f = self.s.fields
        by_id: dict[str, list[tuple[int | None, GenerationResponse]]] = defaultdict(list)
        by_prompt: dict[str, list[tuple[int | None, GenerationResponse]]] = defaultdict(list)
        try:
            data = self.file.read_bytes()
        except OSError as exc:
            raise ConfigError.single(
                str(self.file), f"cannot read the recording: {exc.strerror}", field="path"
            ) from None
        try:
            text = data.decode("utf-8-sig")  # an export tool's byte-order mark is harmless
        except UnicodeDecodeError as exc:
            raise ConfigError.single(
                str(self.file),
                f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
                line=data[: exc.start].count(b"\n") + 1,
                hint="re-export the recording as UTF-8",
            ) from None
        # Records end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 and
        # friends, which JSON allows unescaped inside a response string.
        lines = text.split("\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = get_path(row, f.response)
            except json.JSONDecodeError as exc:
                raise ConfigError.single(
                    str(self.file), f"not valid JSON: {exc.msg}", line=number
                ) from None
            except KeyError:
                raise ConfigError.single(
                    str(self.file),
                    f"record has no '{f.response}'",
                    line=number,
                    hint="set fields.response to the name of the response field",
                ) from None
            sample = _optional(row, f.sample)
            version = _optional(row, f.model_version)
            response = GenerationResponse(
                text="" if text is None else str(text),
                model_version=None if version is None else str(version),
            )
            try:
                index = None if sample is None else int(sample)
            except (TypeError, ValueError):
                raise ConfigError.single(
                    str(self.file), f"sample '{sample}' is not an integer", line=number
                ) from None
            case_id = _optional(row, f.id)
            if case_id is not None:
                by_id[str(case_id)].append((index, response))
            prompt = _optional(row, f.prompt)
            if prompt is not None:
                by_prompt[str(prompt)].append((index, response))
        self._redact_on_ingest(
            [r for entries in by_id.values() for _, r in entries]
            + [r for entries in by_prompt.values() for _, r in entries]
        )
        self._by_id = {k: _number(v) for k, v in by_id.items()}
        self._by_prompt = {k: _number(v) for k, v in by_prompt.items()}
        self._loaded = True

    def _redact_on_ingest(self, responses: list[GenerationResponse]) -> None:
        from ..privacy.policy import load_project_config

        policy = load_project_config().privacy
        if not (policy.replay_redacts if self.s.redact is None else self.s.redact):
            return
        from ..privacy.redact import redact_text

        redaction = policy.redaction.model_copy(update={"enabled": True})
        for response in {id(r): r for r in responses}.values():
            response.text = redact_text(response.text, redaction)

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        self.load()
        found = self._by_id.get(request.case_id, {}).get(request.sample)
        if found is None and self.s.match_prompt:
            prompt = last_user_text(request.messages)
            found = self._by_prompt.get(prompt, {}).get(request.sample)
        if found is None:
            raise MissingRecordingError(
                f"no recorded response for case '{request.case_id}' sample {request.sample} "
                f"in {self.s.path}"
            )
        return found


def _optional(row: Any, path: str | None) -> Any:
    if path is None:
        return None
    try:
        return get_path(row, path)
    except KeyError:
        return None


def _number(entries: list[tuple[int | None, GenerationResponse]]) -> dict[int, GenerationResponse]:
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
