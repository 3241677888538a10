"""A large run's metrics computed on threads (``metrics.threads``) equal the serial figures bit
for bit, and fail as the serial loop fails."""

from __future__ import annotations

import json
import threading
import time

import pytest

from assurance_harness.metrics import columns as columns_module
from assurance_harness.metrics import disparity as disparity_module
from assurance_harness.metrics import threads
from assurance_harness.metrics.columns import MetricColumns
from assurance_harness.metrics.disparity import DisparityError
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
        raise DisparityError("bad input")

    job = threads.Background(broken, parallel=parallel)  # raises where the value is read
    with pytest.raises(DisparityError, match="bad input"):
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
