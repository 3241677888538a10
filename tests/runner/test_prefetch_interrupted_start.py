"""A Ctrl-C (or pytest-timeout's signal) landing while the prefetch thread starts left
``Prefetch.join`` calling ``Thread.join`` on a thread whose start never finished:
``RuntimeError: cannot join thread before it is started`` replaced the interrupt, and the run
stopped as "internal error ... a bug in assurance-harness" instead of with its resume command
(seen once in a fresh-clone CI run, test_pytest_timeout_stops_the_suite_run)."""

from __future__ import annotations

import threading
import time

import pytest

from assurance_harness.runner import prefetch as prefetch_module
from assurance_harness.runner.prefetch import Prefetch


class _NeverLaunched(threading.Thread):
    """Interrupted before the thread was launched."""

    def start(self) -> None:
        raise KeyboardInterrupt


class _LaunchedThenInterrupted(threading.Thread):
    """Interrupted as ``start`` waited for the launched thread to say it runs."""

    def start(self) -> None:
        super().start()
        raise KeyboardInterrupt


@pytest.mark.parametrize("thread", [_NeverLaunched, _LaunchedThenInterrupted])
def test_join_after_an_interrupted_start_lets_the_interrupt_stand(
    monkeypatch: pytest.MonkeyPatch, thread: type[threading.Thread]
) -> None:
    monkeypatch.setattr(prefetch_module.threading, "Thread", thread)
    prefetch = Prefetch(intervals=False)
    with pytest.raises(KeyboardInterrupt):
        prefetch.start()
    began = time.monotonic()
    prefetch.join()  # raised RuntimeError: cannot join thread before it is started
    assert time.monotonic() - began < 1.5
    if thread is _LaunchedThenInterrupted:
        assert prefetch.environment is not None  # joined: the thread's work is done
