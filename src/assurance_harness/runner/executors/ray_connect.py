"""Connecting the driver to Ray: the cluster ``--ray-address`` or ``RAY_ADDRESS`` names, or a
fresh local instance.

Ray's own failures here read as bugs (an address it cannot parse is a ``ValueError``, ``auto``
with no cluster a ``ConnectionError`` that reads as a disk fault), and an address nothing
listens on makes ``ray.init`` retry for minutes while its C++ log lines scroll by. Each is
the user's configuration, found before anything is made: one line naming the address, where
it came from and the fix (exit 2).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...errors import UsageError

CONNECT_TIMEOUT_S = 5.0
"""How long a cluster's port may take to accept a connection before it is called unreachable:
a head node on a network answers in milliseconds; Ray itself would retry for minutes."""

FIX = (
    "fix --ray-address (ray://HEAD:10001, HOST:6379 or auto) or RAY_ADDRESS, or leave both "
    "unset to start a local Ray instance"
)


def where(address: str | None) -> tuple[str | None, str]:
    """The address Ray will use and how to name it to the user: the option, else
    ``RAY_ADDRESS`` (which Ray reads for ``auto`` too)."""
    variable = os.environ.get("RAY_ADDRESS") or None
    if address and (address != "auto" or variable is None):
        return address, f"--ray-address '{address}'"
    if variable is not None:
        return variable, f"RAY_ADDRESS '{variable}'"
    return None, ""


def connect(ray: Any, address: str | None) -> None:
    """Connect to the cluster named, or start a local instance. Quiet: the run prints its own
    progress."""
    effective, named = where(address)
    if effective is not None:
        _check_reachable(effective, named)
    try:
        with (
            _signal_handlers_kept(),
            _breakpoint_hook_kept(),
            loopback_only(ray),
            _token_notice_quiet(),
        ):
            ray.init(
                address=effective,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
    except (ValueError, ConnectionError, RuntimeError) as exc:
        if effective is None:
            raise  # a local instance that would not start: not an address to fix
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"{named}: Ray cannot use it: {reason}; {FIX}") from None


@contextmanager
def loopback_only(ray: Any) -> Iterator[None]:
    """Ray's node address is 127.0.0.1 while ``ray.init`` runs: a fresh local instance then
    listens on loopback only, and a loopback address is joined as it is given.

    Measured with Ray 2.60 (``ss -ltnp``): by default the GCS, the raylet's two gRPC servers and
    the driver's and each worker's own listened on ``::`` (every interface) and the runtime-env
    agent on the machine's network address. Ray binds loopback only when the node address is
    127.0.0.1, but ``ray.init`` rewrites a loopback address (``_node_ip_address``, or the GCS
    address ``auto`` finds) to the network address, except where
    ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` is off (its single-machine mode, the default on macOS
    and Windows); rewritten, ``auto`` retried for minutes against a loopback-only instance
    another run had started. Ray reads that variable once, when imported, into the constant set
    here for ``ray.init`` alone: joining a cluster it touches nothing else (the node is found by
    its id, a non-loopback address is used as given; ``ray://`` never reads it), and afterwards
    the node's own address is Ray's answer again. tests/runner/test_ray_loopback.py checks every
    listening socket after a Ray upgrade."""
    constants = ray._private.ray_constants
    if not hasattr(constants, "ENABLE_RAY_CLUSTER"):
        yield
        return
    kept = constants.ENABLE_RAY_CLUSTER
    constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        constants.ENABLE_RAY_CLUSTER = kept


TOKEN_NOTICE_LOGGER = "ray._private.authentication.authentication_token_setup"
TOKEN_NOTICE = "Token authentication is enabled for this Ray cluster"


class _DropTokenNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(TOKEN_NOTICE)


@contextmanager
def _token_notice_quiet() -> Iterator[None]:
    """Without Ray's notice, printed on every start of a local instance: "Token authentication
    is enabled for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out ...". It came before
    the run's own lines (Ray's logger has no handler, so Python's last-resort handler printed
    it), made any error after Ray's start two lines, and its one advice was to turn the
    protection off. The token stays on; Ray's warning that authentication is *disabled* (a
    cluster joined without it) still shows."""
    logger = logging.getLogger(TOKEN_NOTICE_LOGGER)
    quiet = _DropTokenNotice()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


@contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """The process's SIGTERM and SIGINT handlers as they were before: ``ray.init`` makes SIGTERM
    a bare ``sys.exit`` (under its C++ stack dump), which turned a CI timeout's stop into an
    "internal error" instead of the run's interrupted line and resume command (exit 130)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in kept.items():
            if handler is not None:  # None: set outside Python, not ours to restore
                signal.signal(signum, handler)


BREAKPOINT_VARIABLE = "PYTHONBREAKPOINT"


@contextmanager
def _breakpoint_hook_kept() -> Iterator[None]:
    """The process's ``PYTHONBREAKPOINT`` as it was before: ``ray.init`` sets it to Ray's
    remote debugger in the driver for good, so after a Ray run in a user's pytest session (the
    pytest plugin runs suites in that process) their own ``breakpoint()`` started a debugpy
    server and waited, and every process their tests started inherited it. Ray's workers set
    their own."""
    kept = os.environ.get(BREAKPOINT_VARIABLE)
    try:
        yield
    finally:
        if kept is None:
            os.environ.pop(BREAKPOINT_VARIABLE, None)
        else:
            os.environ[BREAKPOINT_VARIABLE] = kept


def _check_reachable(address: str, named: str) -> None:
    """A ``HOST:PORT`` address (``ray://`` or not) whose port accepts no connection within
    ``CONNECT_TIMEOUT_S``: refused at once, not after Ray's minutes of retries."""
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit():
        return  # auto, or a form Ray itself refuses with a reason
    try:
        with socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"{named}: no Ray cluster answers there ({reason}); {FIX}") from None
