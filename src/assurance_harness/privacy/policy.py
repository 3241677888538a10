"""The project's privacy policy: what personal data is redacted from what the tool stores, how
long run payloads are kept, and whether evidence packs carry transcripts.

It lives in the project configuration, ``assurance.yaml`` in the directory commands run from
(the repository root for the bundled demo), under ``privacy:``. Without the file, or without the
section, nothing is redacted and nothing is purged: the behaviour of earlier versions.

```yaml
privacy:
  policy_version: "2026-12"          # the owner's version of this policy, recorded with each run
  redaction:
    enabled: true                    # redact prompts and responses before they are stored
    entities: [PERSON, EMAIL_ADDRESS, ...]   # default: every type the pii detector knows
    min_score: 0.4
  replay_redacts_on_ingest: true     # replay targets redact recorded transcripts as they read them
  retention_days: 90                 # 'assurance runs purge' without --older-than uses this
  evidence_packs_include_transcripts: false
```
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..datatypes import Number, WholeNumber
from ..errors import WORKING_FOLDER_GONE, ConfigError, RunFailedError, working_folder_gone
from ..store.location import PROJECT_FILE, read_project_file
from .entities import ENTITY_TITLES


def _no_bool(value: Any) -> Any:
    """Refuse true/false where a number is wanted: pydantic reads ``true`` as 1, so
    ``retention_days: true`` purged every run older than a day and ``min_score: true`` redacted
    almost nothing while redaction read as on."""
    if isinstance(value, bool):
        raise ValueError(f"give a number, not true or false (got {str(value).lower()})")
    return value


class RedactionPolicy(BaseModel):
    """Which personal data is replaced by a typed placeholder (``<EMAIL_ADDRESS>``)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    entities: list[str] = Field(default_factory=lambda: list(ENTITY_TITLES))
    """Entity types to redact (default: every type the detector knows)."""
    min_score: Number = Field(default=0.4, ge=0, le=1)
    """Lowest detector confidence redacted. Lower than the pii scorer's 0.5: redacting a word
    too many costs little, keeping a child's name costs much. A phone number is redacted from
    0.4 (``pii.PHONE_MIN_SCORE``) whatever this says, as the pii scorer counts it from there."""

    _min_score_number = field_validator("min_score", mode="before")(_no_bool)

    @field_validator("entities")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        if not value:  # passed on as no filter, it redacted every type
            raise ValueError(
                "an empty list; name the types to redact, leave entities out for every type, "
                "or set enabled: false to redact nothing"
            )
        unknown = [e for e in value if e not in ENTITY_TITLES]
        if unknown:
            raise ValueError(
                f"unknown entity type(s) {', '.join(unknown)}; known: {', '.join(ENTITY_TITLES)}"
            )
        return value


class PrivacyPolicy(BaseModel):
    """The ``privacy:`` section of ``assurance.yaml``."""

    model_config = ConfigDict(extra="forbid")

    policy_version: str = "unversioned"
    """The owner's version of this policy; recorded in every run's manifest and summary."""
    redaction: RedactionPolicy = Field(default_factory=RedactionPolicy)
    replay_redacts_on_ingest: bool | None = None
    """Replay targets redact recorded responses as they read them (default: when redaction is
    enabled)."""
    retention_days: WholeNumber | None = Field(default=None, ge=1, le=36525)
    """Run payloads older than this are purged by ``assurance runs purge`` (none: keep)."""
    evidence_packs_include_transcripts: bool = False
    """Evidence packs copy no prompts or responses unless this (or ``--include-transcripts``)."""

    _retention_number = field_validator("retention_days", mode="before")(_no_bool)

    @property
    def replay_redacts(self) -> bool:
        if self.replay_redacts_on_ingest is None:
            return self.redaction.enabled
        return self.replay_redacts_on_ingest

    def fingerprint(self) -> str:
        """SHA-256 of the policy's settings, so a run says exactly which policy applied."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def describe(self) -> dict[str, Any]:
        """What a run records about the policy in force."""
        from .redact import RULES_VERSION

        return {
            "policy_version": self.policy_version,
            "policy_sha256": self.fingerprint(),
            "redaction": {
                "enabled": self.redaction.enabled,
                "entities": self.redaction.entities,
                "min_score": self.redaction.min_score,
                "rules_version": RULES_VERSION,
            },
            "retention_days": self.retention_days,
            "evidence_packs_include_transcripts": self.evidence_packs_include_transcripts,
        }


class ProjectConfig(BaseModel):
    """``assurance.yaml``: project-wide settings."""

    model_config = ConfigDict(extra="allow")

    privacy: PrivacyPolicy = Field(default_factory=PrivacyPolicy)
    store: str | None = None
    """Where the run index, baselines, reviews and evidence ledger live: ``sqlite`` (the
    embedded default) or ``postgresql://USER@HOST/DB?password_env=VAR`` (a team store; the
    password comes from the variable, never from this file)."""

    @field_validator("store")
    @classmethod
    def _store_url(cls, value: str | None) -> str | None:
        if value is not None:
            from ..store.location import check_store_url
            from ..store.postgres import StoreError

            try:
                check_store_url(value)
            except StoreError as exc:
                raise ValueError(str(exc)) from None
        return value


def load_project_config(root: str | Path | None = None) -> ProjectConfig:
    """``assurance.yaml`` in ``root`` (default: the working directory); defaults without it.
    A working directory deleted under the process is said as that, exit 3 (a run that has sent
    its cases adds the resume command): ``Path.cwd()``'s bare FileNotFoundError had the run
    blame its ``--reports`` folder, which was there."""
    if root is None and working_folder_gone():
        raise RunFailedError(WORKING_FOLDER_GONE)
    path = Path(root or Path.cwd()) / PROJECT_FILE
    data = read_project_file(path)
    _refuse_unknown_sections(path, data)
    try:
        return ProjectConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError.single(
            str(path),
            first["msg"].removeprefix("Value error, "),  # pydantic's prefix to our own text
            field=where,
            line=_line_of(path, first["loc"]),
        ) from None


def _refuse_unknown_sections(path: Path, data: dict[str, Any]) -> None:
    """A section this version does not know is most likely a misspelt one, whose settings
    (redaction, say) would otherwise be silently off. ``x-`` keys hold YAML anchors."""
    known = sorted(ProjectConfig.model_fields)
    for key in data:
        if str(key).startswith("x-") or key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
        raise ConfigError.single(
            str(path),
            f"unknown section '{key}'",
            line=_line_of(path, (str(key),)),
            hint=f"{hint} (keys starting with x- are free for YAML anchors)",
        )


def _line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key of ``loc`` found in the file (a plain search, good enough
    for a short settings file)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    line = None
    start = 0
    for key in loc:
        if not isinstance(key, str):
            continue
        for number in range(start, len(lines)):
            if lines[number].lstrip().startswith(f"{key}:"):
                line, start = number + 1, number + 1
                break
    return line
