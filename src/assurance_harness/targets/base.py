"""The target contract: an adapter that turns a generation request into a response.

Adapters raise :class:`TargetError` subclasses; the runner decides what to retry (429, 5xx,
timeouts, dropped connections) and honours ``retry_after``. Adapters never retry themselves.
"""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from .. import fielddocs
from ..datatypes import (
    GenerationParams,
    GenerationRequest,
    GenerationResponse,
    KeyText,
    Number,
    WholeNumber,
    finite_json,
)
from ..errors import ExitCode, HarnessError
from ..registry import Registry


class TargetError(HarnessError):
    """A request failed. ``retryable`` tells the runner whether trying again can help.

    Per request it is recorded in the journal; one that ends a run is a run failure (exit 3).
    """

    exit_code = ExitCode.RUN_FAILED

    retryable: bool = False
    kind: str = "target_error"

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimitedError(TargetError):
    retryable = True
    kind = "rate_limited"


class ServerError(TargetError):
    retryable = True
    kind = "server_error"


class TargetTimeoutError(TargetError):
    retryable = True
    kind = "timeout"


class TargetConnectionError(TargetError):
    retryable = True
    kind = "connection_error"


class BadResponseError(TargetError):
    """The endpoint answered, but not with something we can read (malformed JSON, missing field)."""

    kind = "bad_response"


class ClientError(TargetError):
    """4xx other than 429: retrying the same request will not help."""

    kind = "client_error"


def stops_the_run(exc: BaseException) -> bool:
    """Whether ``exc``, raised while a request was being answered, is the run being stopped
    (Ctrl-C, or this task cancelled: a timeout, a shutdown) rather than that one request
    failing. Anything else, SystemExit and a CancelledError nobody asked for included, is the
    request's failure: let through, it would end the whole command (exit 0 or 1, or a
    traceback) on one case."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    if isinstance(exc, asyncio.CancelledError):
        task = asyncio.current_task()
        return task is None or task.cancelling() > 0
    return False


def describe(exc: BaseException) -> str:
    """``Name: message`` for an exception from code the harness does not own, also where its
    ``str()`` itself raises."""
    try:
        text = str(exc)
    except Exception:
        text = "(its message could not be read)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def error_text(exc: BaseException) -> str:
    """``str(exc)``, or :func:`describe`'s words where that raises (an adapter's own error
    class with a broken ``__str__``): what a journal or a check records of a failed request,
    which must not become a crash of the whole run."""
    try:
        return str(exc)
    except Exception:
        return describe(exc)


DEFAULT_MAX_RESPONSE_MB = 32.0
"""The largest answer read by default (an HTTP target's ``max_response_mb``; a callable's
answer is held to it too): far above any model's longest completion (128k tokens are about half
a megabyte of JSON), far below what 50 in flight would take from a machine."""


class RetryPolicy(BaseModel):
    """How the runner retries transient failures (429, 5xx, timeouts, connection errors)."""

    model_config = fielddocs.model_config(extra="forbid")

    max_attempts: WholeNumber = Field(default=4, ge=1, le=20)
    """Attempts in all, including the first."""
    base_delay_s: Number = Field(default=0.5, ge=0, allow_inf_nan=False)
    """First backoff delay; doubled on each further attempt, with full jitter."""
    max_delay_s: Number = Field(default=30.0, ge=0, allow_inf_nan=False)
    """Cap on one backoff delay (and on a server's Retry-After)."""


class TargetSpec(BaseModel):
    """Settings every target has. Each adapter extends this with its own fields."""

    model_config = fielddocs.model_config(extra="forbid")

    type: str
    """Adapter: openai, http, transformers, callable, replay."""
    name: KeyText | None = None
    """A label for reports; defaults to the file name."""
    generation: GenerationParams = Field(default_factory=lambda: GenerationParams())
    """Default generation parameters (temperature, max_tokens ...); a suite's own override these."""
    concurrency: WholeNumber = Field(default=8, ge=1, le=4096)
    """Requests in flight at once."""
    requests_per_second: Number | None = Field(default=None, ge=0.001, allow_inf_nan=False)
    """Cap on the request rate; none by default. At least 0.001 (one request per ~17 minutes):
    below that a run never ends (1e-300 waits longer than the universe's age per request)."""
    timeout_s: Number = Field(default=60.0, ge=0.01, allow_inf_nan=False)
    """Per-request timeout. At least 0.01 (10 ms, under any network round trip a model
    answers in): below that every request times out (1e-300 was a run of failed requests)."""
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    """Retry policy for transient failures."""

    secret_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields that must not reach the fingerprint or any file (none hold secrets by design;
    keys are read from environment variables named in the config)."""

    @field_validator("generation")
    @classmethod
    def _finite_generation(cls, value: GenerationParams) -> GenerationParams:
        from ..urls import check_generation_holds_no_key

        check_generation_holds_no_key(value)
        return finite_json(value)


class Target(ABC):
    """Base class for adapters. One instance serves a whole run."""

    type: ClassVar[str]
    # builtins.type: inside this class body, ``type`` is the adapter-name attribute above.
    Spec: ClassVar[builtins.type[TargetSpec]] = TargetSpec
    caches_responses: ClassVar[bool] = True
    """Whether the response cache may serve and keep this target's answers. False for a target
    that reads answers from local records (replay): the cache would only copy them, at a
    lookup and a write per request (about 5 s of CPU at 100k cases)."""

    @property
    def reads_metadata(self) -> bool:
        """Whether an answer may depend on the case's metadata (``GenerationRequest.metadata``),
        so the response cache must key on it (``store.cache.key_for``). True unless the adapter
        is known never to read it: a plugin's ``generate`` is given it. A property, so that an
        adapter can tell from what it loaded (a callable's function's parameters); one that
        never reads it sets ``reads_metadata: ClassVar[bool] = False``."""
        return True

    @property
    def reads_case_id(self) -> bool:
        """Whether an answer may depend on the case's id (``GenerationRequest.case_id``), so
        the response cache must key on it (``store.cache.key_for``). True unless the adapter is
        known never to read it, as for ``reads_metadata``: a key with the id only misses, one
        without it could serve one case the answer to another."""
        return True

    source: str | None = None
    """The target file this adapter's spec was read from (set by ``load_target``), so that its
    messages name the file and line the fix goes in; None for an adapter built in code."""
    source_lines: Callable[[tuple[str, ...]], int | None] | None = None
    """A field's line in ``source`` (set with it)."""

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        self.spec = spec
        self.base_dir = base_dir

    def located(self, field: str | None = None) -> tuple[str, int | None]:
        """Where a problem with ``field`` is: the target file and the field's line, or
        ``target NAME`` and no line for an adapter built without a file."""
        if self.source is None:
            return f"target {self.spec.name or self.type}", None
        line = self.source_lines((field,)) if field and self.source_lines else None
        return self.source, line

    def check(self) -> None:  # noqa: B027 - optional hook
        """Raise the ConfigError that start() would for what can be found without sending a
        request, loading a model or running the user's code (a recording missing or damaged, a
        module not found, a model directory absent). ``validate`` calls it, so that a target
        file it passes does not fail ``run`` on its own configuration."""

    def check_secrets(self) -> None:  # noqa: B027 - optional hook
        """Raise the ConfigError for a key this target sends from the environment that its
        file holds as well (the variable's value written into a URL), never showing it. Called
        as the file is loaded (:func:`~assurance_harness.spec.targets.load_target`), by every
        command, before anything is sent or written: the file's settings go into the manifest
        and every report."""

    def check_cases(self, conversations: Iterable[tuple[str, list[dict[str, str]]]]) -> str | None:
        """Raise the ConfigError for cases this target could not answer as themselves, before
        anything is sent: a replay recording whose fallback match would give two cases one
        record. ``conversations``: each case's id and conversation as it will be sent (a run's
        driver calls it once, with every case; a target that needs none leaves it unread).
        Returns a warning for the run to say (a replay recording's records that answer no
        case), or None."""
        return None

    def redacts_responses(self) -> tuple[str | None, str] | None:
        """Whether responses are redacted before they are scored: (the field of this file to
        point at, None for none; the setting that asks it, in words), e.g. a replay target that
        redacts on ingest; None (the default) where scorers read responses as given."""
        return None

    def check_params(self, names: Collection[str]) -> None:  # noqa: B027 - optional hook
        """Raise the ConfigError for a request this target could not build with only these
        generation parameters (``names``: a suite's, on top of the target's own), before
        anything is sent: an ``http`` body template naming a value no request has. ``run``
        calls it with each suite's, ``validate`` with those of the suites given with the
        target."""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open connections or load the model."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what start() opened."""

    @abstractmethod
    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        """Send one request; raise a TargetError subclass on failure."""

    def secret_values(self) -> list[str]:
        """The secret values this target sends (API keys read from the environment), so error
        messages can be scrubbed of them before they are stored or printed."""
        return []

    def scrub(self, text: str) -> str:
        """``text`` without any of this target's secret values (an endpoint may echo a key)."""
        from ..scrub import scrub

        return scrub(text, self.secret_values())

    def scrub_answer(self, text: str) -> str:
        """An answer's ``text`` without this target's secret values of eight characters or
        more (see :func:`~assurance_harness.scrub.scrub_answer`: a shorter one is an ordinary
        word)."""
        from ..scrub import scrub_answer

        return scrub_answer(text, self.secret_values())

    def endpoint(self) -> str | None:
        """The URL requests go to, for messages; None for targets that are not HTTP."""
        return None

    def requested_model(self) -> str | None:
        """The model name the target file asks for, where it names one."""
        return None

    async def available_models(self) -> list[str] | None:
        """The models the endpoint lists (``GET /models``), or None where it has no list."""
        return None

    def diagnose(self, status: int | None, kind: str, message: str) -> str | None:
        """A hint for a request that failed this way (a URL that lacks ``/v1``, a key that was
        refused), shown when the run stops on it and by ``targets check``; None if none."""
        return None

    def public_config(self) -> dict[str, Any]:
        """The configuration with secrets excluded: what manifests and fingerprints see."""
        data = self.spec.model_dump(mode="json", exclude=set(self.spec.secret_fields))
        for volatile in ("concurrency", "requests_per_second", "retry", "name"):
            data.pop(volatile, None)
        return data

    def fingerprint(self) -> str:
        """Stable hash of what determines the responses (not of rate limits or secrets)."""
        blob = json.dumps(self.public_config(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def cache_fingerprint(self) -> str:
        """What the response cache keys this target's answers on (``runner.cachekeys``): the
        fingerprint, unless the adapter reads a reply by a setting the fingerprint leaves out
        (a default left out so that targets written before it keep theirs). The cache holds the
        answer read, not the reply, so it cannot read a cached answer again by today's rule:
        such an adapter puts the setting in here, and an answer cached under another rule is
        sent again."""
        return self.fingerprint()


targets: Registry[type[Target]] = Registry("target")


def register_target(cls: type[Target]) -> type[Target]:
    targets.register(cls.type)(cls)
    return cls
