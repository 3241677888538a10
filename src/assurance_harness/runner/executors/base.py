"""The executor contract: where a run's requests are sent from and where its scorers run.

A run does two kinds of bulk work: sending requests to the target, and scoring the responses.
Both go through an :class:`Executor`, so the same run can do them in this process
(:class:`LocalExecutor`, the default) or spread over a Ray cluster (``ray_executor``) with
the same results row for row: requests carry their seeds, scorers depend only on their input,
and rows are put back in request order whatever order the work finished in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ...datatypes import (
    Case,
    GenerationRequest,
    ResponseRecord,
    ScoreInput,
    SuiteContext,
    plain_value,
)
from ...errors import HarnessError
from ...scorers.base import OutputCheck, Scorer
from ...spec.loader import ScorerConfig
from ...store.cache import ResponseCache
from ...targets.base import Target

Row = dict[str, Any]
OnRecord = Callable[[ResponseRecord], None]
OnCloseTimeout = Callable[[float], None]
"""Called with the target's ``timeout_s`` when its ``close()`` did not return within it."""
Progress = Callable[[int, int, int], None]
ScoringProgress = Callable[[str, int, int], None]
"""(scorer id, responses scored, responses to score): called as each scorer starts and after
each of its batches, so a long scoring phase shows it is alive."""


class ScorerError(HarnessError):
    """A scorer broke its contract (wrong number of outputs) or failed on the data."""

    exit_code = 3


class ScoringSession(Protocol):
    """A suite's scorers, loaded once, scoring rows chunk after chunk."""

    provenance: dict[str, dict[str, Any]]
    """Each scorer's name, version, parameters and batch size, by scorer id: taken again, in
    place, at ``close()`` (its counters, ``Scorer.counters``, then count the run's work), so
    read it after that."""

    def score(self, rows: list[Row], cases: Mapping[str, Case]) -> None:
        """Run every scorer, in the suite's order, over the rows that have a response;
        ``row["scores"][scorer_id]`` is set in place. A run-scope scorer sees exactly the
        rows given, so the caller passes them all when the suite has one."""

    def close(self) -> None:
        """Release the scorers (and, remotely, their actors)."""


class Executor(Protocol):
    """Where a run's requests are sent from and its scorers run."""

    name: str

    def send(
        self,
        target: Target,
        requests: Sequence[GenerationRequest],
        *,
        concurrency: int,
        on_record: OnRecord,
        cache: ResponseCache | None,
        progress: Progress | None,
        on_close_timeout: OnCloseTimeout | None = None,
    ) -> None:
        """Send ``requests`` to ``target`` (not started yet) and hand each record to
        ``on_record`` as it arrives; a broken target stops the run before the bulk
        (:class:`~assurance_harness.runner.executor.TargetUnusableError`). A ``close()`` that
        outlasts the target's ``timeout_s`` is left, and ``on_close_timeout`` told."""

    def open_scoring(
        self,
        configs: list[ScorerConfig],
        context: SuiteContext,
        *,
        progress: ScoringProgress | None = None,
    ) -> ScoringSession:
        """Load the suite's scorers (once) for the chunks to come; ``progress`` hears each
        scorer start and advance."""

    def close(self) -> None:
        """Release what the executor started."""


def has_run_scope(configs: list[ScorerConfig]) -> bool:
    """Whether a scorer needs every row of the run at once (consistency between perturbations),
    so the run cannot be scored chunk by chunk."""
    return any(c.cls.scope == "run" for c in configs)


def scorable(rows: list[Row]) -> list[Row]:
    """Rows with a response to score (failed requests are data, not scored)."""
    return [r for r in rows if r.get("error") is None and r.get("response") is not None]


def score_inputs(rows: list[Row], cases: Mapping[str, Case]) -> list[ScoreInput]:
    return [
        ScoreInput(
            case=cases[r["case_id"]], sample=r["sample"], response=r["response"], scores=r["scores"]
        )
        for r in rows
    ]


def run_scorer(
    scorer: Scorer,
    scorer_id: str,
    inputs: list[ScoreInput],
    batch_size: int,
    *,
    on_batch: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """One scorer over ``inputs`` in batches of ``batch_size``, outputs in input order. The
    same function runs in this process and inside a Ray actor, so both batch alike.
    ``on_batch`` gets the number of inputs scored so far after each batch."""
    size = max(batch_size, 1)
    outputs: list[dict[str, Any]] = []
    check = OutputCheck(scorer)
    for start in range(0, len(inputs), size):
        chunk = inputs[start : start + size]
        result = scorer.score(chunk)
        if len(result) != len(chunk):
            raise ScorerError(
                f"scorer '{scorer_id}' ({scorer.name}) returned {len(result)} results "
                f"for {len(chunk)} responses"
            )
        # Numpy numbers as Python's: the rows the metrics read now are the rows results.jsonl
        # holds, so the run's figures are what its file gives when measured again.
        plain = [plain_value(output) for output in result]
        for output in plain:
            problem = check.problem(output)
            if problem is not None:
                raise ScorerError(f"scorer '{scorer_id}' ({scorer.name}) {problem}")
        outputs.extend(plain)
        if on_batch is not None:
            on_batch(len(outputs))
    return outputs


def make_scorer(config: ScorerConfig, context: SuiteContext) -> Scorer:
    """Check the scorer's requirements, build it and load its model (``setup``)."""
    config.cls.check_requirements()
    scorer = config.cls(config.params, context)
    scorer.setup()
    return scorer


def _batch_progress(progress: ScoringProgress, scorer_id: str, total: int) -> Callable[[int], None]:
    return lambda done: progress(scorer_id, done, total)


class LocalScoring:
    """Every scorer in this process, each set up once."""

    def __init__(
        self,
        configs: list[ScorerConfig],
        context: SuiteContext,
        *,
        progress: ScoringProgress | None = None,
    ) -> None:
        self.configs = configs
        self.progress = progress
        self.provenance: dict[str, dict[str, Any]] = {}
        self.scorers: dict[str, Scorer] = {}
        self._batch_sizes: dict[str, int] = {}
        for config in configs:
            self.scorers[config.id] = make_scorer(config, context)
            self._batch_sizes[config.id] = config.batch_size
        self._describe()

    def _describe(self) -> None:
        """Each scorer's description as it stands now, into ``provenance`` in place (a session
        wrapping this one holds the same dict): taken at set-up only, a judge's cache hits
        read 0 on a run its cache answered."""
        for scorer_id, scorer in self.scorers.items():
            self.provenance[scorer_id] = {
                **scorer.describe(),
                "batch_size": self._batch_sizes[scorer_id],
            }

    def score(self, rows: list[Row], cases: Mapping[str, Case]) -> None:
        todo = scorable(rows)
        for config in self.configs:
            size = len(todo) if config.cls.scope == "run" else config.batch_size
            on_batch = None
            if self.progress is not None:
                self.progress(config.id, 0, len(todo))
                on_batch = _batch_progress(self.progress, config.id, len(todo))
            outputs = run_scorer(
                self.scorers[config.id],
                config.id,
                score_inputs(todo, cases),
                size,
                on_batch=on_batch,
            )
            for row, output in zip(todo, outputs, strict=True):
                row["scores"][config.id] = output

    def close(self) -> None:
        self._describe()
        self.scorers.clear()


class LocalExecutor:
    """Requests and scoring in this process (the default)."""

    name = "local"

    def send(
        self,
        target: Target,
        requests: Sequence[GenerationRequest],
        *,
        concurrency: int,
        on_record: OnRecord,
        cache: ResponseCache | None,
        progress: Progress | None,
        on_close_timeout: OnCloseTimeout | None = None,
    ) -> None:
        from ..executor import run_sync

        run_sync(
            send_async(
                target,
                requests,
                concurrency=concurrency,
                on_record=on_record,
                cache=cache,
                progress=progress,
                probe=True,
                on_close_timeout=on_close_timeout,
            )
        )

    def open_scoring(
        self,
        configs: list[ScorerConfig],
        context: SuiteContext,
        *,
        progress: ScoringProgress | None = None,
    ) -> LocalScoring:
        return LocalScoring(configs, context, progress=progress)

    def close(self) -> None:
        pass


async def send_async(
    target: Target,
    requests: Sequence[GenerationRequest],
    *,
    concurrency: int,
    on_record: OnRecord,
    cache: ResponseCache | None,
    progress: Progress | None,
    probe: bool,
    on_close_timeout: OnCloseTimeout | None = None,
) -> None:
    """Start ``target``, send ``requests`` through the runner's executor, close it.

    ``close()`` is given the target's ``timeout_s``: an adapter whose close never returns
    (a connection it waits on for ever) hung the end of a run whose answers were all in, until
    a signal ended it; past the bound it is left, and ``on_close_timeout`` says so."""
    from ..executor import execute

    # The connection pool is sized from the spec at start(): apply the concurrency first.
    target.spec.concurrency = concurrency
    await target.start()
    try:
        await execute(
            target,
            requests,
            concurrency=concurrency,
            requests_per_second=target.spec.requests_per_second,
            timeout_s=target.spec.timeout_s,
            retry=target.spec.retry,
            on_record=on_record,
            cache=cache,
            progress=progress,
            probe=probe,
        )
    finally:
        await _close(target, on_close_timeout)


async def _close(target: Target, on_close_timeout: OnCloseTimeout | None) -> None:
    bound = asyncio.timeout(target.spec.timeout_s)
    try:
        async with bound:
            await target.close()
    except TimeoutError:
        if not bound.expired():
            raise  # the adapter's own TimeoutError: its failure, reported as such
        if on_close_timeout is not None:
            on_close_timeout(target.spec.timeout_s)
