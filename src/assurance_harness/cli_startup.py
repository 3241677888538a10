"""Ctrl-C while the ``assurance`` command starts or ends: a quiet exit 130, as Ctrl-C is while a
command runs.

Python turns Ctrl-C into ``KeyboardInterrupt`` from its first moments. Until ``cli.main`` is in
its ``try`` (the package and ``cli`` imported, ``cli`` compiled under ``python -m``, the command
tree built: about 0.1 s) nothing caught it, so the command ended in a traceback and died by the
signal. The package's first lines (``__init__``) hold Ctrl-C and import this module, which, in
the ``assurance`` process only, makes Ctrl-C end the process at once with exit 130 (a Ctrl-C
held meanwhile too, :func:`settle`): nothing has been written yet that could be lost. (Finding
and loading this module is itself a window of about a millisecond, more on a loaded machine: a
fresh-clone test run's Ctrl-C 20 ms after the start landed there, a traceback.) ``cli.main``
gives Ctrl-C back to Python (:func:`interrupts`) once it can catch it (a run saves its journal
and prints the resume command), and takes it again (:func:`quiet`) as the process exits. Ctrl-C
before the package's first line (the interpreter's own start-up and ``site``, about the first 10
ms) is Python's, beyond the package's reach.

A program that imports the package (the pytest plugin, a notebook) is left as it is: its Ctrl-C
stays its own ``KeyboardInterrupt``.
"""

from __future__ import annotations

# The C module, not ``signal``: its import builds enums (about 2 ms), a window in which Ctrl-C
# was still a traceback (the fresh clone under load); ``os`` and ``sys`` are loaded already.
# No ``contextlib`` either, for the same reason.
import _signal
import os
import sys

COMMAND_MODULE = "assurance_harness.cli"
"""What ``python -m`` runs as the command."""
COMMAND_NAMES = ("assurance", "assurance.exe")
"""The console script's names (``pyproject.toml``, ``[project.scripts]``)."""


def _exit_quietly(signum: int, _frame: object) -> None:
    os._exit(128 + signum)  # the shell's status for a command Ctrl-C stopped: 130


def _starting_as_the_command() -> bool:
    """Whether this process is the ``assurance`` command, starting: the console script, or
    ``python -m assurance_harness.cli`` (whose package is imported while ``sys.argv[0]`` is
    still ``-m``, before the module is found)."""
    if sys.argv[:1] == ["-m"]:
        return any(arg in (COMMAND_MODULE, f"-m{COMMAND_MODULE}") for arg in sys.orig_argv)
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in COMMAND_NAMES


def quiet() -> None:
    """Ctrl-C ends the process at once with exit 130 (where Python's own handler is in place:
    an ignored SIGINT, a background job's, stays ignored)."""
    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        try:  # noqa: SIM105 - contextlib is not imported yet, on purpose (above)
            _signal.signal(_signal.SIGINT, _exit_quietly)
        except ValueError:  # not the main thread: signals are not its to set
            pass


def interrupts() -> None:
    """Ctrl-C is Python's ``KeyboardInterrupt`` again (after :func:`quiet`)."""
    if _signal.getsignal(_signal.SIGINT) is _exit_quietly:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)


_THE_COMMAND = _starting_as_the_command()


def is_the_command() -> bool:
    """Whether this process is the ``assurance`` command (asked as the package was imported:
    under ``python -m`` ``sys.argv[0]`` is the module's path later)."""
    return _THE_COMMAND


def settle(hold: object, held: list[int]) -> None:
    """End the hold the package's ``__init__`` put on Ctrl-C while it found and loaded this
    module (``hold``, its handler; ``held``, the Ctrl-C that came meanwhile): in the command,
    Ctrl-C is quiet from here on and one that came is the exit 130 now; in any other process
    Python's own handler is back, and one that came is that program's ``KeyboardInterrupt``,
    raised as Python would have raised it, a moment later."""
    if _signal.getsignal(_signal.SIGINT) is hold:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    if _THE_COMMAND:
        quiet()
        if held:
            _exit_quietly(_signal.SIGINT, None)
    elif held:
        raise KeyboardInterrupt
