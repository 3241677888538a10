"""A large run's metrics computed on threads (``metrics.threads``) equal the serial figures bit
for bit, and fail as the serial loop fails."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from assurance_harness.errors import HarnessError
from assurance_harness.metrics import columns as columns_module
from assurance_harness.metrics import disparity as disparity_module
from assurance_harness.metrics import threads
from assurance_harness.metrics.columns import MetricColumns
from assurance_harness.spec.loader import load_suite
from tests.metrics.test_columns import GAPS, SUITE, _gap_rows, _rows


def test_map_in_order_keeps_the_order_of_the_items(monkeypatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 4)
    used = set()

    def slow_square(x: int) -> int:
        used.add((threading.current_thread().name, threading.get_ident()))
        time.sleep(0.01 * (5 - x))  # the first items finish last
        return x * x

    assert threads.map_in_order(slow_square, [1, 2, 3, 4], parallel=True) == [1, 4, 9, 16]
    assert len(used) > 1 and {name for name, _ in used} == {threads.THREAD_NAME}
    used.clear()
    assert threads.map_in_order(slow_square, [1, 2], parallel=False) == [1, 4]
    assert used == {(threading.current_thread().name, threading.get_ident())}


def test_an_error_does_not_wait_for_the_other_metrics(monkeypatch) -> None:
    """The first item's error is raised at once, without waiting for a long second item (nor
    would a Ctrl-C: the threads are daemons), and items not started yet are never started."""
    monkeypatch.setattr(threads, "cores", lambda: 2)
    started = []

    def job(x: int) -> int:
        started.append(x)
        if x == 0:
            time.sleep(0.05)
            raise ValueError("first")
        time.sleep(3 if x == 1 else 0)
        return x

    begun = time.perf_counter()
    with pytest.raises(ValueError, match="first"):
        threads.map_in_order(job, [0, 1, 2], parallel=True)
    assert time.perf_counter() - begun < 2
    time.sleep(0.1)
    assert sorted(started) == [0, 1]  # item 2 was waiting for a thread: never started


def test_map_in_order_raises_the_first_error_in_item_order(monkeypatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 4)

    def fail_on_even(x: int) -> int:
        if x % 2 == 0:
            time.sleep(0.05 if x == 2 else 0)  # 4 fails first in time, 2 first in order
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(ValueError, match="item 2"):
        threads.map_in_order(fail_on_even, [1, 2, 3, 4], parallel=True)


def test_threads_are_capped_however_many_cores(monkeypatch) -> None:
    """Each metric thread holds its own columns and draws: on a 64-core machine a suite of many
    metrics must not hold them all at once (the run's peak memory would grow with the cores)."""
    monkeypatch.setattr(threads, "cores", lambda: 64)
    lock = threading.Lock()
    running, most = 0, 0

    def job(x: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return x

    assert threads.map_in_order(job, list(range(24)), parallel=True) == list(range(24))
    assert 1 < most <= threads.MAX_THREADS


def test_one_core_stays_on_the_calling_thread(monkeypatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 1)
    names = threads.map_in_order(lambda _: threading.current_thread().name, [1, 2], parallel=True)
    assert names == [threading.current_thread().name] * 2
    here = threads.Background(lambda: threading.current_thread().name, parallel=True)
    assert here.result() == threading.current_thread().name


@pytest.mark.parametrize("parallel", [True, False])
def test_background_gives_the_value_or_the_error(monkeypatch, parallel: bool) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 2)
    assert threads.Background(lambda: 42, parallel=parallel).result() == 42

    def broken() -> int:
        raise HarnessError("bad input")

    job = threads.Background(broken, parallel=parallel)  # raises where the value is read
    with pytest.raises(HarnessError, match="bad input"):
        job.result()


def _computed(write, suite: str, rows: list[dict], samples: int) -> dict:
    loaded = load_suite(write("s.yaml", suite))
    columns = MetricColumns(
        loaded.metrics, samples=samples, case_id=lambda i: rows[i * samples]["case_id"]
    )
    for start in range(0, len(rows), 64):
        columns.add(rows[start : start + 64])
    values = columns.compute(seed=11)
    return {key: json.dumps(value.to_dict(), sort_keys=True) for key, value in values.items()}


@pytest.mark.parametrize(("suite", "make_rows"), [(SUITE, _rows), (GAPS, _gap_rows)])
def test_threaded_metrics_equal_serial_ones(monkeypatch, write, suite: str, make_rows) -> None:
    """Every metric kind of the column tests' suites (rates, means, quantiles, disparities
    between groups, to the overall figure, by ratio, within strata), on threads and not."""
    rows = make_rows(300, 2, 7)
    monkeypatch.setattr(threads, "cores", lambda: 1)
    serial = _computed(write, suite, rows, 2)

    seen: set[str] = set()
    permutation = disparity_module.permutation_p_value

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.add(threading.current_thread().name)
        return permutation(*args, **kwargs)

    monkeypatch.setattr(threads, "cores", lambda: 2)
    monkeypatch.setattr(columns_module, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(disparity_module, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(disparity_module, "permutation_p_value", watched)
    threaded = _computed(write, suite, rows, 2)
    assert threaded == serial
    assert seen == {threads.THREAD_NAME}
    assert any('"p_value_no_gap": 0.' in text for text in threaded.values())  # not vacuous


_FRESH_RACE = r"""
import importlib.abc, importlib.util, sys, tempfile, threading
from pathlib import Path

from assurance_harness.metrics import columns, disparity, threads

entered, imported = threading.Event(), threading.Event()


class Hold(importlib.abc.MetaPathFinder):
    # Widens what a loaded machine makes narrow: a metric thread's load of scipy.special's
    # compiled ufuncs (stats._special) is held until fairlearn, imported by a disparity on the
    # other thread, is imported (or has failed); that import waits until the load has begun.
    def find_spec(self, name, path, target=None):
        hold = name == "scipy.special._ufuncs"
        if hold and threading.current_thread().name != threads.THREAD_NAME:
            return None
        if not hold and name != "fairlearn.metrics":
            return None
        spec = next(
            s for f in sys.meta_path if f is not self
            for s in [getattr(f, "find_spec", lambda *a: None)(name, path, target)] if s
        )
        run = spec.loader.exec_module

        def held(module):
            if hold:
                entered.set()
                imported.wait(20)
                return run(module)
            if "scipy.special._ufuncs" not in sys.modules:
                entered.wait(20)
            try:
                return run(module)
            finally:
                imported.set()

        spec.loader.exec_module = held
        return spec


sys.meta_path.insert(0, Hold())
threads.cores = lambda: 2
columns.PARALLEL_MIN_ROWS = disparity.PARALLEL_MIN_ROWS = 0
from assurance_harness.spec.loader import load_suite
from tests.metrics.test_columns import _rows

suite = Path(tempfile.mkdtemp()) / "s.yaml"
suite.write_text(
    "suite: s\ncases: [{id: a, prompt: x, metadata: {group: g1}},"
    " {id: b, prompt: x, metadata: {group: g2}}]\n"
    "scorers: [{id: rx, use: regex, with: {pattern: x}}]\n"
    "metrics:\n  - {id: r, rate: rx.matched}\n"
    "  - {id: gap, disparity: {value: rx.matched, by: meta.group, statistic: rate}}\n"
)
assert "scipy.special" not in sys.modules
rows = _rows(60, 1, 3)
metrics = columns.MetricColumns(
    load_suite(suite).metrics, samples=1, case_id=lambda i: rows[i]["case_id"]
)
metrics.add(rows)
values = metrics.compute(seed=1, resamples=50)
print("OK", values["gap"].value is not None)
"""


def test_fresh_process_threads_do_not_race_the_scipy_special_load(repo_root) -> None:
    """In a process that has not loaded scipy.special yet (``--resume`` of a run whose responses
    are all in: no request, so the run's prefetch never loaded it), a metric thread's first
    interval loads scipy.special's ufuncs through a module object put in ``sys.modules`` before
    its code runs (``stats._special``) while a disparity's fairlearn import on another thread
    does ``from scipy.special import ...``: that import must not find the half-made module."""
    proc = subprocess.run(
        [sys.executable, "-c", _FRESH_RACE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo_root,
    )
    assert proc.returncode == 0 and "OK True" in proc.stdout, proc.stderr[-3000:]


def test_a_metric_on_a_thread_reads_the_rule_its_caller_set(monkeypatch) -> None:
    """A summary is measured again under an earlier rule set in a context variable
    (``effective_n_as_before``); a metric computed on a thread must read it too."""
    import numpy as np

    from assurance_harness.stats.intervals import effective_n, effective_n_as_before

    monkeypatch.setattr(threads, "cores", lambda: 4)
    sizes = np.full(10, 3.0)

    def size(_: int) -> float:
        assert threading.current_thread().name == threads.THREAD_NAME
        return effective_n(np.zeros(10), sizes)

    assert threads.map_in_order(size, [0, 1], parallel=True) == [10.0, 10.0]
    with effective_n_as_before():
        before = threads.map_in_order(size, [0, 1], parallel=True)
        assert threads.Background(lambda: size(0), parallel=True).result() == before[0]
    assert before[0] == before[1] == pytest.approx(24.5, abs=0.05)  # 30 samples, scaled
