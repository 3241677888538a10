"""Children that act on Ctrl-C however the test run itself was started.

A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored across
exec: Python then installs no KeyboardInterrupt handler, so a test that sends SIGINT to a run
would see it ignored. Restoring the default before exec makes Python install its handler.
"""

from __future__ import annotations

import signal


def default_sigint() -> None:
    """``preexec_fn`` for a child that must receive SIGINT as a user's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
