"""What a run needs after sending, imported while its requests are out.

While a run sends, this process mostly waits for the target: at 50 requests in flight its event
loop is busy about 40 % of the time. The modules that scoring, the metrics and the run record
need are imported on a second thread meanwhile, rather than before the first request (they were
about 0.1 s of a run's start-up). The thread only imports; a module it fails to import is
imported again where it is used, and fails there as it would have without this.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

AFTER_SENDING = (
    "assurance_harness.metrics.columns",
    "assurance_harness.metrics.engine",
    "assurance_harness.scorers.validity",
    "assurance_harness.spec.recorded",
    "assurance_harness.runner.record",
    "assurance_harness.runner.rowstream",
    "assurance_harness.runner.scoreprogress",
    "assurance_harness.review.queuecolumns",
    "rich.table",  # the command's table of gates, printed once the run is done
    "numpy.ma",  # numpy.unique (the journal index's) imports it on its first call
)
"""What ``run._score`` and ``run._finish`` import, with everything those import in turn."""


def after_sending_here() -> None:
    """Import :data:`AFTER_SENDING` and build the run log's models written after sending on the
    calling thread, where the prefetch thread has not (a run with no more requests than its
    concurrency never starts it): the finishing step calls this first, inside
    ``forcestop.deferred``, since a Ctrl-C landing in pydantic's compiled core as it builds a
    validator is lost there or comes out as a SchemaError. Where the thread did its work, this
    finds the modules imported and the models built, and costs nothing."""
    for name in AFTER_SENDING:
        importlib.import_module(name)
    from ..store.runlog import build_models_written_after_sending

    build_models_written_after_sending()


class Prefetch:
    """Imports :data:`AFTER_SENDING` on a thread from :meth:`start` on; :meth:`join` waits for it,
    so no import is left running when the run moves on or stops.

    Started once the run's first round of requests is answered (``run._send``) rather than with
    the sending: before it, the process is busy itself (importing the HTTP client, opening
    connections, sending the first round), and a second thread would only take turns with it.
    ``intervals``: also load the compiled functions behind the metrics' intervals. The thread
    also builds the run log's models written after sending, and reads the manifest's
    :func:`provenance.environment` (package versions: 17 package metadata files parsed), kept in
    :attr:`environment`."""

    def __init__(self, *, intervals: bool) -> None:
        self._intervals = intervals
        self._thread: threading.Thread | None = None
        self._began = threading.Event()
        self.environment: dict[str, Any] | None = None
        """The run's environment once the thread has read it (after :meth:`join`), else None."""

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._import_all, name="assurance-prefetch", daemon=True
            )
            self._thread.start()

    def join(self) -> None:
        """Wait for the thread. Where a Ctrl-C (or pytest-timeout's signal) landed inside
        :meth:`start`, ``Thread.join`` raises "cannot join thread before it is started", which
        replaced the interrupt being handled: the run stopped as an internal error. Then the
        thread, if it was launched at all, says so at once (``_began``) and is waited for."""
        if self._thread is None:
            return
        try:
            self._thread.join()
        except RuntimeError:  # its start was interrupted
            if self._began.wait(timeout=1.0):
                self._thread.join()

    def _import_all(self) -> None:
        self._began.set()
        try:
            for name in AFTER_SENDING:
                importlib.import_module(name)
            from ..store.runlog import build_models_written_after_sending

            build_models_written_after_sending()
            if self._intervals:
                from ..stats._special import ndtri

                ndtri(0.5)  # loads scipy.special's compiled ufuncs, which the intervals use
            from .provenance import environment

            self.environment = environment()
        except Exception:  # imported again (read again), and reported, where it is used
            pass
