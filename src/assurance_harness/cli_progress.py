"""A run's progress on the terminal: a live bar on a TTY, a plain line every few seconds in logs.

Both show the run id from the start and both keep going while the responses are scored: a bar
stuck at 408/408 for 75 s while a model scores them looks hung. Without a TTY (CI) a live bar
prints nothing, and a line per response would drown the log, so a line is written when a phase
starts, when it ends, and at most every ``ASSURANCE_PROGRESS_EVERY`` seconds (default 5) between.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

PLAIN_EVERY_S = 5.0


def plain_interval() -> float:
    """Seconds between plain progress lines (``ASSURANCE_PROGRESS_EVERY``, default 5)."""
    raw = os.environ.get("ASSURANCE_PROGRESS_EVERY", "")
    try:
        return max(float(raw), 0.0) if raw.strip() else PLAIN_EVERY_S
    except ValueError:
        return PLAIN_EVERY_S


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class RunProgress:
    """Progress of one suite's run: sending (cases done, rate, errors, ETA), then each scorer.

    ``live`` (default: the console is a terminal) draws a Rich bar; otherwise plain lines.
    ``clock`` is injectable so the rate limit can be checked without waiting.
    """

    def __init__(
        self,
        label: str,
        *,
        console: Console,
        live: bool | None = None,
        every_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.console = console
        self.live = console.is_terminal if live is None else live
        self.every_s = plain_interval() if every_s is None else every_s
        self.clock = clock
        self.started = clock()
        self.first: int | None = None
        self.last_line: float | None = None
        self.phase: str | None = None
        self.last_text: str | None = None
        self.progress: Any = None
        self.task: Any = None
        self.scoring_task: Any = None
        self.scoring_started = self.started
        if self.live:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f}/s"),
                TextColumn("{task.fields[extra]}", markup=False),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self.task = self.progress.add_task(label, total=None, rate=0.0, extra="errors 0")

    def __enter__(self) -> RunProgress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def started_run(self, run_id: str) -> None:
        """The run id, printed once before anything is sent (on a TTY above the bar)."""
        self.console.print(f"{self.label}: run {run_id}", soft_wrap=True)

    def __call__(self, done: int, total: int, errors: int) -> None:
        """Sending: ``done`` of ``total`` responses collected, ``errors`` of them failed."""
        now = self.clock()
        if self.first is None:
            self.first = done
        elapsed = max(now - self.started, 1e-6)
        rate = (done - self.first) / elapsed
        if self.progress is not None:
            self.progress.update(
                self.task, completed=done, total=total, rate=rate, extra=f"errors {errors}"
            )
            return
        if self.phase == "sending" and done < total and not self._due(now):
            return  # no line due (``_plain`` would print none): called once per response
        text = f"sending {done}/{total}{_percent(done, total)}, {rate:.1f}/s, errors {errors}"
        if rate > 0 and done < total:
            text += f", about {_duration((total - done) / rate)} left"
        self._plain("sending", text, finished=done >= total, now=now)

    def scoring(self, scorer: str, done: int, total: int) -> None:
        """Scoring: scorer ``scorer`` has scored ``done`` of ``total`` responses."""
        now = self.clock()
        phase = f"scoring {scorer}"
        if self.progress is not None:
            if self.phase != phase:
                self.phase = phase
                self.scoring_started = now
                if self.scoring_task is not None:
                    self.progress.remove_task(self.scoring_task)
                self.scoring_task = self.progress.add_task(phase, total=total, rate=0.0, extra="")
            rate = done / max(now - self.scoring_started, 1e-6)
            self.progress.update(self.scoring_task, completed=done, total=total, rate=rate)
            return
        if self.phase != phase:
            self.scoring_started = now
        self._plain(
            phase,
            f"{phase} {done}/{total}{_percent(done, total)}",
            finished=done >= total,
            now=now,
        )

    def _due(self, now: float) -> bool:
        return self.last_line is None or now - self.last_line >= self.every_s

    def _plain(self, phase: str, text: str, *, finished: bool, now: float) -> None:
        """One line when a phase starts or ends, otherwise at most one per ``every_s``."""
        new_phase = phase != self.phase
        due = self._due(now)
        self.phase = phase
        if text == self.last_text or not (new_phase or finished or due):
            return
        self.last_line, self.last_text = now, text
        elapsed = _duration(now - self.started)
        self.console.print(f"{self.label}: {text} (at {elapsed})", soft_wrap=True)


def _percent(done: int, total: int) -> str:
    return f" ({100 * done // total}%)" if total else ""
