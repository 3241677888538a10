"""Room in the process's open-file limit for an HTTP target's connection pool.

Each connection is a file descriptor. A Linux shell's default soft limit (``ulimit -n``) is
1024, less in some containers, while a target may keep up to 4,096 requests in flight. Past the
limit every further connection failed with ``[Errno 24] Too many open files``, recorded as the
endpoint's ``connection_error``: a run failed (or, under the allowed error rate, passed with
cases missing) for a cause that was this machine's, not the model's. So before anything is
sent the soft limit is raised as far as the pool needs (the hard limit allows any process to),
and a hard limit too low for the pool is a configuration error naming both ways out.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError

__all__ = ["HEADROOM", "make_room_for_connections"]

HEADROOM = 128
"""Files the process holds besides the pool's connections: the interpreter's own, the run
folder's journal and lock, SQLite's database, WAL and shared-memory files (run index, response
cache), a scorer's model files. A run held 18 while sending (``/proc/self/fd``, callable
target); the rest is margin."""


def make_room_for_connections(connections: int, *, target_path: str | Path) -> None:
    """Make sure this process may open ``connections`` sockets besides ``HEADROOM`` files:
    raise the soft limit where it is lower (up to the hard limit), or raise a ConfigError that
    names the target file, what it needs and how to fix it. Nothing is checked where the
    platform has no such limit (no ``resource`` module: Windows)."""
    try:
        import resource
    except ImportError:
        return
    needed = connections + HEADROOM
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard == resource.RLIM_INFINITY or hard >= needed:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
            return
        except (ValueError, OSError):  # a sandbox may refuse it: say so below
            allowed = soft
    else:
        allowed = hard
    fits = max(allowed - HEADROOM, 1)
    raise ConfigError.single(
        str(target_path),
        f"{connections} connections need about {needed} open files (one each, {HEADROOM} for "
        f"the rest), but this process may open {allowed} (ulimit -n); run with --concurrency "
        f"{fits} (or set concurrency: {fits} there), or raise the limit (ulimit -n {needed})",
        field="concurrency",
    )
