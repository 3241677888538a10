"""Ray as the distributed executor: an actor pool per scorer and a pool of sender actors.

Each response-scope scorer gets its own pool of actors; an actor builds its scorer and loads
its model once (``setup``), then scores shard after shard, in the scorer's own batch size, so
a score never depends on which actor computed it. A scorer configured with ``device: cuda``
gets GPU actors (``num_gpus``); the others take a fraction of a CPU each, because the
suite's scorers run one after another (a later one reads the earlier ones' outputs) and only
one pool is busy at a time. A run-scope scorer (it compares rows with each other) runs in the
driver on the rows it is given.

Requests: the driver sends the first ones itself (the fail-fast probe and the response cache
live in the driver), then hands the rest out in shards to sender actors, each holding a
started copy of the target, and journals every record as shards come back. Seeds travel with
the requests and the runner rebuilds rows in request order, so results equal the local
executor's row for row. The driver needs ``ray`` (the ``ray`` extra), and every node needs
this package and the target's and scorers' dependencies installed (docs/ray.md).
"""

from __future__ import annotations

import copy
import math
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from itertools import count, islice
from typing import Any

from ...datatypes import Case, GenerationRequest, ResponseRecord, ScoreInput, SuiteContext
from ...errors import (
    HarnessError,
    MissingDependencyError,
    RunFailedError,
    SuiteFaultError,
    UsageError,
)
from ...spec.loader import ScorerConfig
from ...store.cache import ResponseCache
from ...targets.base import Target, TargetSpec
from ..cachekeys import cache_keys
from .base import (
    LocalScoring,
    OnCloseTimeout,
    OnRecord,
    Progress,
    Row,
    ScorerError,
    ScoringProgress,
    make_scorer,
    run_scorer,
    scorable,
    score_inputs,
    send_async,
)
from .ray_connect import connect

INSTALL_HINT = (
    "--executor ray needs the Python package 'ray'; install it with: "
    "pip install 'assurance-harness[ray]'"
)
SHARDS_PER_ACTOR = 2
"""Shards in flight per actor: one being worked on, one queued, so no actor waits for the
driver between shards while memory stays bounded by the shards in flight."""
MIN_SHARD = 256
"""Fewest rows or requests per remote call: below this, Ray's per-call cost (about a
millisecond) outweighs cheap scorers' work."""
MAX_SHARD = 5000
"""Most requests per shard, so the shards in flight stay a bounded amount of memory."""
PROBE_REQUESTS = 8
"""Requests the driver sends itself first (the fail-fast probe runs over them)."""


def import_ray() -> Any:
    """The ``ray`` module, or one line saying how to install it."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError(INSTALL_HINT) from None
    return ray


class _ScorerActor:
    """One scorer, set up once, scoring shards (a Ray actor class once wrapped)."""

    def __init__(self, config: ScorerConfig, context: SuiteContext) -> None:
        self.config = config
        self.scorer = make_scorer(config, context)

    def describe(self) -> dict[str, Any]:
        """The scorer's description as its scoring left it (its ``counters``)."""
        return self.scorer.describe()

    def score(self, inputs: list[ScoreInput]) -> tuple[str, Any]:
        # Errors come back as values: a remote exception would reach the user as a Ray
        # traceback instead of the one line the local executor gives.
        try:
            return "ok", run_scorer(self.scorer, self.config.id, inputs, self.config.batch_size)
        except SuiteFaultError as exc:  # its own way on: a new run (runner.run)
            return "suite_fault", str(exc)
        except HarnessError as exc:
            return "error", str(exc)
        except Exception as exc:
            return "error", (
                f"scorer '{self.config.id}' ({self.config.cls.name}) failed: "
                f"{exc.__class__.__name__}: {exc}"
            )


class _SenderActor:
    """A copy of the target sending shards of requests (a Ray actor once wrapped). The copy is
    built here from its class, spec and folder, not pickled by the driver: a target object may
    hold what cannot travel (a callable target's worker threads and their lock)."""

    def __init__(
        self, cls: type[Target], spec: TargetSpec, base_dir: str, concurrency: int
    ) -> None:
        self.target = cls(spec, base_dir=base_dir)
        self.concurrency = concurrency

    def send(self, requests: list[GenerationRequest]) -> tuple[list[dict[str, Any]], float | None]:
        """The shard's records, and the target's ``timeout_s`` when its ``close()`` outlasted
        it (else None): the close is left as the local executor leaves it, but only the driver
        can tell the user."""
        from ..executor import run_sync

        records: list[ResponseRecord] = []
        late: list[float] = []
        run_sync(
            send_async(
                self.target,
                requests,
                concurrency=self.concurrency,
                on_record=records.append,
                cache=None,
                progress=None,
                probe=False,
                on_close_timeout=late.append,
            )
        )
        return [r.to_dict() for r in records], (late[0] if late else None)


class ActorLostError(Exception):
    """An actor's process (or its node) died with work in flight: Ray's reason, named."""

    WHY = (
        "a crash in native code, the out-of-memory killer, or code that ends its own process "
        "(its log is in the Ray session's logs folder on that node)"
    )


def _get(ray: Any, ref: Any) -> Any:
    """``ray.get(ref)``; an actor lost meanwhile raises :class:`ActorLostError`, so the caller
    can name what it was running instead of Ray's multi-line report reading as our bug."""
    try:
        return ray.get(ref)
    except (
        ray.exceptions.RayActorError,
        ray.exceptions.WorkerCrashedError,
        ray.exceptions.NodeDiedError,
        ray.exceptions.ObjectLostError,
    ) as exc:
        raise ActorLostError(type(exc).__name__) from None


def _wants_gpu(config: ScorerConfig) -> bool:
    device = getattr(config.params, "device", None)
    return isinstance(device, str) and device.startswith("cuda")


def _shards(items: Sequence[Any], actors: int) -> list[Sequence[Any]]:
    """Cut ``items`` into shards: enough to keep every actor busy, none tiny."""
    if not items:
        return []
    size = max(MIN_SHARD, math.ceil(len(items) / (actors * SHARDS_PER_ACTOR)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _ordered_map(
    ray: Any,
    actors: list[Any],
    method: str,
    shards: list[Any],
    on_done: Callable[[int], None] | None = None,
) -> list[Any]:
    """Each shard through one of ``actors`` (round robin, at most SHARDS_PER_ACTOR in flight
    each); results in shard order. ``on_done`` gets each shard's index as it comes back."""
    results: list[Any] = [None] * len(shards)
    inflight: dict[Any, int] = {}
    queue = deque(enumerate(shards))
    turn = 0
    while queue or inflight:
        while queue and len(inflight) < len(actors) * SHARDS_PER_ACTOR:
            index, shard = queue.popleft()
            actor = actors[turn % len(actors)]
            turn += 1
            inflight[getattr(actor, method).remote(shard)] = index
        done, _ = ray.wait(list(inflight), num_returns=1)
        for ref in done:
            index = inflight.pop(ref)
            results[index] = _get(ray, ref)
            if on_done is not None:
                on_done(index)
    return results


class RayScoring:
    """The suite's scorers as Ray actor pools (run-scope scorers in the driver). ``progress``
    hears each scorer start and each of its shards come back, like the local executor's
    batches, so a long scoring phase on a cluster shows it is alive."""

    def __init__(
        self,
        ray: Any,
        configs: list[ScorerConfig],
        context: SuiteContext,
        resources: dict,
        *,
        progress: ScoringProgress | None = None,
    ) -> None:
        self.ray = ray
        self.configs = configs
        self.progress = progress
        self.provenance: dict[str, dict[str, Any]] = {}
        self.pools: dict[str, list[Any]] = {}
        self.local = LocalScoring(
            [c for c in configs if c.cls.scope == "run"], context, progress=progress
        )
        cpus = max(1, int(resources.get("CPU", 1)))
        gpus = int(resources.get("GPU", 0))
        remote = [c for c in configs if c.cls.scope != "run"]
        gpu_scorers = [c for c in remote if _wants_gpu(c)]
        if gpu_scorers and gpus < 1:
            raise UsageError(
                f"scorer '{gpu_scorers[0].id}' asks for device cuda but the Ray cluster has no "
                "GPU; use device: cpu or add GPU nodes"
            )
        actor_cls = ray.remote(_ScorerActor)
        for config in remote:
            config.cls.check_requirements()  # a missing package: one line, before any actor
            if _wants_gpu(config):
                options = {"num_cpus": 0, "num_gpus": 1 / len(gpu_scorers)}
                size = gpus
            else:
                # Scorers run one after another: each pool may claim every CPU.
                options = {"num_cpus": 1 / max(1, len(remote)), "num_gpus": 0}
                size = cpus
            self.pools[config.id] = [
                actor_cls.options(**options).remote(config, context) for _ in range(size)
            ]
        for config in configs:
            scorer = config.cls(config.params, context)  # describe() only: no model loaded
            self.provenance[config.id] = {**scorer.describe(), "batch_size": config.batch_size}

    def score(self, rows: list[Row], cases: Mapping[str, Case]) -> None:
        todo = scorable(rows)
        for config in self.configs:
            if config.cls.scope == "run":
                self.local.configs = [config]
                self.local.score(todo, cases)
                continue
            pool = self.pools[config.id]
            shards = _shards(todo, len(pool))
            try:
                results = _ordered_map(
                    self.ray,
                    pool,
                    "score",
                    [score_inputs(list(s), cases) for s in shards],
                    self._shard_progress(config.id, shards, len(todo)),
                )
            except ActorLostError as exc:
                raise ScorerError(
                    f"scorer '{config.id}' ({config.cls.name}): its Ray actor's process died "
                    f"while scoring ({exc}); {ActorLostError.WHY}"
                ) from None
            for shard, (status, payload) in zip(shards, results, strict=True):
                if status == "suite_fault":
                    raise SuiteFaultError(payload)
                if status != "ok":
                    raise ScorerError(payload)
                for row, output in zip(shard, payload, strict=True):
                    row["scores"][config.id] = output

    def _shard_progress(
        self, scorer_id: str, shards: list[Sequence[Row]], total: int
    ) -> Callable[[int], None] | None:
        """Report 0 of ``total`` now, then the rows scored so far as each shard comes back."""
        progress = self.progress
        if progress is None:
            return None
        progress(scorer_id, 0, total)
        done = 0

        def on_done(index: int) -> None:
            nonlocal done
            done += len(shards[index])
            progress(scorer_id, done, total)

        return on_done

    def close(self) -> None:
        self._counted()
        for pool in self.pools.values():
            for actor in pool:
                self.ray.kill(actor)
        self.pools.clear()

    def _counted(self) -> None:
        """Each scorer's description with its ``counters`` as the instances that scored left
        them, into ``provenance`` in place: a run-scope scorer's from the driver's instance,
        a remote one's summed over its actors, asked before they are killed. The set-up
        description counted nothing (a judge's cache hits read 0); a count an actor cannot
        give is recorded as unknown (null), not as that 0."""
        self.local.close()  # takes its scorers' descriptions as they stand
        for config in self.configs:
            if config.id in self.local.provenance:
                self.provenance[config.id] = self.local.provenance[config.id]
            elif config.cls.counters and self.pools.get(config.id):
                described = self._actor_descriptions(self.pools[config.id])
                merged = _summed(described, config.cls.counters) if described else None
                if merged is None:
                    merged = copy.deepcopy(self.provenance[config.id])
                    for path in config.cls.counters:
                        _set_path(merged, path, None)
                self.provenance[config.id] = {**merged, "batch_size": config.batch_size}

    def _actor_descriptions(self, pool: list[Any]) -> list[dict[str, Any]] | None:
        try:
            return [_get(self.ray, actor.describe.remote()) for actor in pool]
        except ActorLostError:
            return None


def _summed(
    described: list[dict[str, Any]], counters: tuple[tuple[str, ...], ...]
) -> dict[str, Any]:
    """The first description with each counter the sum of all of them (a count none holds
    stays as the first has it)."""
    merged = copy.deepcopy(described[0])
    for path in counters:
        values = [_at_path(d, path) for d in described]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            _set_path(merged, path, sum(values))
        elif any(v is not None for v in values):
            _set_path(merged, path, None)  # not all counted: the sum would be short
    return merged


def _at_path(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _set_path(value: dict[str, Any], path: tuple[str, ...], new: Any) -> None:
    for key in path[:-1]:
        inner = value.get(key)
        if not isinstance(inner, dict):
            return
        value = inner
    if path[-1] in value:
        value[path[-1]] = new


class RayExecutor:
    """Requests and scoring on a Ray cluster (``address``), or on a local Ray instance."""

    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        self.ray = import_ray()
        # A cluster's address, or a fresh local instance; "auto" joins the one `ray start`
        # made on this node. Shut down (or disconnected from) at the end if connected here.
        self.started = not self.ray.is_initialized()
        if self.started:
            connect(self.ray, address)
        self.resources: dict[str, float] = dict(self.ray.cluster_resources())

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
        from ..executor import _record, run_sync

        closed_late = _said_once(on_close_timeout)
        total = len(requests)
        done = errors = 0

        def deliver(record: ResponseRecord) -> None:
            nonlocal done, errors
            done += 1
            errors += record.error is not None
            on_record(record)
            if progress is not None:
                progress(done, total, errors)

        # The probe and the first requests from here: a broken target stops the run before
        # any actor is started.
        pending = iter(requests)
        head = list(islice(pending, PROBE_REQUESTS))
        run_sync(
            send_async(
                target,
                head,
                concurrency=min(concurrency, max(1, len(head))),
                on_record=deliver,
                cache=cache,
                progress=None,
                probe=True,
                on_close_timeout=closed_late,
            )
        )
        key_of = cache_keys(target)  # the local executor's keys: the same entries
        n_actors = max(1, min(int(self.resources.get("CPU", 1)), concurrency))
        size = min(MAX_SHARD, max(MIN_SHARD, math.ceil(total / (n_actors * SHARDS_PER_ACTOR))))
        senders: list[Any] = []
        inflight: dict[Any, dict[tuple[str, int], GenerationRequest]] = {}
        turn = count()

        def collect(below: int) -> None:
            """Journal finished shards until fewer than ``below`` are in flight."""
            while len(inflight) >= below:
                ready, _ = self.ray.wait(list(inflight), num_returns=1)
                for ref in ready:
                    by_key = inflight.pop(ref)
                    try:
                        shard_records, late = _get(self.ray, ref)
                    except ActorLostError as exc:
                        raise RunFailedError(
                            f"target {target.spec.name or target.type}: a Ray sender actor's "
                            f"process died while sending ({exc}); {ActorLostError.WHY}"
                        ) from None
                    if late is not None:
                        closed_late(late)
                    for data in shard_records:
                        record = ResponseRecord.from_dict(data)
                        if cache is not None and record.error is None:
                            cache.put(
                                key_of(by_key[record.key]),
                                _hit(record),
                            )
                        deliver(record)

        def submit(shard: list[GenerationRequest]) -> None:
            if not senders:  # started on the first shard the cache could not answer
                spec = target.spec.model_copy(deep=True)
                if spec.requests_per_second:  # one cap over all the senders
                    spec.requests_per_second = spec.requests_per_second / n_actors
                per_actor = max(1, concurrency // n_actors)
                actor = self.ray.remote(_SenderActor).options(num_cpus=0)
                senders.extend(
                    actor.remote(type(target), spec, target.base_dir, per_actor)
                    for _ in range(n_actors)
                )
            collect(below=n_actors * SHARDS_PER_ACTOR)
            ref = senders[next(turn) % n_actors].send.remote(shard)
            inflight[ref] = {(r.case_id, r.sample): r for r in shard}

        try:
            shard: list[GenerationRequest] = []
            for request in pending:
                hit = cache.get(key_of(request)) if cache is not None else None
                if hit is not None:
                    deliver(_record(request, hit, attempts=0, latency_s=0.0, cached=True))
                    continue
                shard.append(request)
                if len(shard) >= size:
                    submit(shard)
                    shard = []
            if shard:
                submit(shard)
            collect(below=1)
        finally:
            for actor in senders:
                self.ray.kill(actor)
            if cache is not None:
                cache.flush()

    def open_scoring(
        self,
        configs: list[ScorerConfig],
        context: SuiteContext,
        *,
        progress: ScoringProgress | None = None,
    ) -> RayScoring:
        return RayScoring(self.ray, configs, context, self.resources, progress=progress)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False


def _said_once(on_close_timeout: OnCloseTimeout | None) -> OnCloseTimeout:
    """``on_close_timeout`` called the first time only: the driver's close and every shard's
    in every actor (each shard starts and closes its copy of the target) would repeat the same
    warning for the one target file."""
    said = False

    def say(timeout_s: float) -> None:
        nonlocal said
        if on_close_timeout is not None and not said:
            said = True
            on_close_timeout(timeout_s)

    return say


def _hit(record: ResponseRecord) -> Any:
    from ...datatypes import GenerationResponse

    return GenerationResponse(
        text=record.response or "",
        model_version=record.model_version,
        finish_reason=record.finish_reason,
    )
