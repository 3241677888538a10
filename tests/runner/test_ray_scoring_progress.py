"""Issue 13: scoring on Ray reports progress through the same callback as the local executor
(per scorer: 0 of n when it starts, then as each shard comes back, ending at n of n).

A stand-in for the ``ray`` module runs the real ``RayScoring`` code (actor pools, shards,
ordered map) in this process, so the test takes milliseconds; the real local Ray instance is
exercised by ``test_ray_executor.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assurance_harness.datatypes import Case, SuiteContext
from assurance_harness.runner.executors import ray_executor
from assurance_harness.runner.executors.ray_executor import RayScoring
from assurance_harness.spec.loader import load_suite


class _Ref:
    def __init__(self, value: Any) -> None:
        self.value = value


class _Method:
    def __init__(self, bound: Any) -> None:
        self.bound = bound

    def remote(self, *args: Any) -> _Ref:
        return _Ref(self.bound(*args))


class _Actor:
    def __init__(self, instance: Any) -> None:
        self.instance = instance

    def __getattr__(self, name: str) -> _Method:
        return _Method(getattr(self.instance, name))


class _ActorClass:
    def __init__(self, cls: type) -> None:
        self.cls = cls

    def options(self, **_: Any) -> _ActorClass:
        return self

    def remote(self, *args: Any) -> _Actor:
        return _Actor(self.cls(*args))


class FakeRay:
    """Actors in this process; ``wait`` returns the oldest call first."""

    def remote(self, cls: type) -> _ActorClass:
        return _ActorClass(cls)

    def wait(self, refs: list[_Ref], num_returns: int) -> tuple[list[_Ref], list[_Ref]]:
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref: _Ref) -> Any:
        return ref.value

    def kill(self, _actor: Any) -> None:
        pass


SUITE = """
suite: ray-progress
cases: [{id: c0, prompt: hi}]
scorers:
  - {id: len, use: length}
  - {id: kw, use: contains, with: {terms: [hate]}}
metrics:
  - {id: words, mean: len.words}
"""


def test_ray_scoring_reports_progress_per_scorer_like_the_local_executor(
    monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr(ray_executor, "MIN_SHARD", 10)
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    loaded = load_suite(tmp_path / "suite.yaml")
    cases = {f"c{i}": Case(id=f"c{i}", prompt=f"q{i}") for i in range(45)}
    rows = [
        {"case_id": cid, "sample": 0, "response": f"I hate {cid}", "error": None, "scores": {}}
        for cid in cases
    ]
    rows.append({"case_id": "c0", "sample": 1, "response": None, "error": {"type": "x"}})
    calls: list[tuple[str, int, int]] = []
    session = RayScoring(
        FakeRay(),
        loaded.scorers,
        SuiteContext(suite_name="ray-progress", seed=0),
        {"CPU": 2},
        progress=lambda sid, done, total: calls.append((sid, done, total)),
    )
    session.score(rows, cases)
    session.close()
    assert rows[0]["scores"]["kw"]["matched"] is True
    for sid in ("len", "kw"):
        mine = [(done, total) for s, done, total in calls if s == sid]
        assert mine[0] == (0, 45) and mine[-1] == (45, 45)
        assert len(mine) >= 3  # alive between start and end: one call per shard back
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)
    # Scorers report one after another, in the suite's order (they run in that order).
    assert [s for s, _, _ in calls] == sorted((s for s, _, _ in calls), key=["len", "kw"].index)
