"""The ``callable`` target: a Python function as the system under test, ``module:function``.

The function is called with the keyword arguments it declares, out of:

- ``messages``: the conversation, ``list[dict]`` with ``role`` and ``content`` (the target's
  system prompt already prepended),
- ``params``: the generation parameters (target defaults overridden by the suite's),
- ``metadata``: the case's metadata, ``seed``, ``sample``, ``case_id``,
- ``request``: the whole :class:`~assurance_harness.datatypes.GenerationRequest`.

So ``def reply(messages)``, ``def reply(messages, params, *, metadata)`` and
``async def reply(**kwargs)`` (which receives all of them) all work. A first positional
parameter with another name receives ``messages``. It returns a ``str``, a dict
``{"text": ..., "model_version": ..., "finish_reason": ..., "usage": ...}`` (only ``text``
required; one with an ``error`` that says something is that error, not an answer; a
``finish_reason`` that is not text or a number, or a ``usage`` that is not a dict, fails the
case ``bad_response``) or a :class:`~assurance_harness.datatypes.GenerationResponse`. Sync
functions run in a worker thread and async ones on an event loop of their own, so neither can
stall the run's (a blocked call is a timeout); each call gets its own copies of what it is
passed, and the working directory is put back after it. Raising a ``TargetError`` subclass (say
``RateLimitedError``) behaves as that failure would from a real endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import dataclasses
import difflib
import hashlib
import importlib
import importlib.machinery
import importlib.util
import inspect
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from pydantic import Field, field_validator

from ..datatypes import GenerationRequest, GenerationResponse
from ..errors import ConfigError
from ..scrub import environment_secrets
from ..store.files import check_local_path
from ._messages import build_messages, error_value_said, json_kind
from ._module_names import module_names
from ._module_shadows import HARNESS_IMPORTS, folder_modules
from .base import (
    DEFAULT_MAX_RESPONSE_MB,
    BadResponseError,
    Target,
    TargetError,
    TargetSpec,
    describe,
    register_target,
)
from .daemon_workers import DaemonWorkers

_ARGUMENTS = ("messages", "params", "metadata", "seed", "sample", "case_id", "request")


class CallableError(TargetError):
    """The function raised something other than a TargetError: a bug, not retried."""

    kind = "callable_error"


class CallableSpec(TargetSpec):
    """A Python function that answers like a model."""

    type: str = "callable"
    """Adapter name: ``callable``."""
    function: str
    """``package.module:function``."""
    python_path: list[str] = Field(default_factory=list)
    """Directories added to ``sys.path`` before importing, relative to the target file."""

    @field_validator("python_path")
    @classmethod
    def _usable_paths(cls, value: list[str]) -> list[str]:
        return [check_local_path(entry) for entry in value]

    system_prompt: str | None = None
    """Prepended as a system turn unless the conversation already starts with one."""


_SECRET_MIN = 8
"""The shortest environment value scrubbed from a callable's errors and answers."""


@register_target
class CallableTarget(Target):
    """A Python function, ``module:function``, sync (run in a thread) or async."""

    type: ClassVar[str] = "callable"
    Spec = CallableSpec

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, CallableSpec)
        self.s: CallableSpec = spec
        self._fn: Callable[..., Any] | None = None
        self._wanted: tuple[str, ...] = ()
        self._positional_messages = False
        self._is_async = False
        self._workers = DaemonWorkers("assurance-callable")
        self._source_digest: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._home = _cwd()
        """The working directory the target was made in, which calls put back (``_cwd``)."""
        self._cwd: str | None = self._home
        self._secrets: list[str] | None = None
        """The environment's secrets as :meth:`secret_values` gives them, read once a start."""

    def _refusal(self, message: str, *, field: str, hint: str | None = None) -> ConfigError:
        """A problem with ``field``, located at its line in the target file."""
        path, line = self.located(field)
        return ConfigError.single(path, message, line=line, field=field, hint=hint)

    def _names(self) -> tuple[str, str]:
        """The function's (module, name), from ``function``; nothing imported or changed."""
        module_name, sep, attr = self.s.function.partition(":")
        if not sep or not module_name or not attr:
            raise self._refusal(
                f"function '{self.s.function}' is not of the form module:function",
                field="function",
                hint="for example examples.demo_assistant:reply",
            )
        return module_name, attr

    def _folders(self) -> list[str]:
        """``python_path`` as absolute folders, in its order; nothing changed."""
        folders = []
        for entry in self.s.python_path:
            try:
                resolved = (Path(self.base_dir) / entry).resolve()
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
                raise self._refusal(
                    f"python_path entry '{entry}' cannot be followed ({describe(exc)})",
                    field="python_path",
                    hint="list the folders that hold the function's module",
                ) from None
            if resolved.exists() and not (resolved.is_dir() or resolved.is_file()):
                # On sys.path, a FIFO is opened (as a zip archive) by the next scan of the
                # path, a package's metadata or an import, which then waits for a writer.
                raise self._refusal(
                    f"python_path entry '{entry}' is not a folder (a pipe or a device)",
                    field="python_path",
                    hint="list the folders that hold the function's module",
                )
            folders.append(str(resolved))
        return folders

    def _module(self) -> tuple[str, str]:
        """The function's (module, name), with python_path put first on ``sys.path``, in its
        order: an entry already there further down (the working folder, which ``python -m``
        puts there, or another target's) was left where it was, so a module of the same name
        in a folder listed after it was the one imported.

        The refusals that need no import come first: a refused target leaves ``sys.path`` as
        it was. Its folder put first and left there gave the rest of the process (the other
        files ``validate`` checks, a test process's later tests) the folder's ``numpy.py`` for
        numpy, the very mix-up it was refused for."""
        module_name, attr = self._names()
        self._refuse_another_files(module_name)  # a package on the way held from elsewhere
        self._refuse_hiding_modules()
        for path in reversed(self._folders()):
            if path in sys.path:
                sys.path.remove(path)
            sys.path.insert(0, path)
        return module_name, attr

    def _cannot_import(
        self,
        module_name: str,
        reason: object,
        hint: str = "add its directory to python_path (relative to the target file)",
    ) -> ConfigError:
        return self._refusal(
            f"cannot import module '{module_name}': {reason}",
            field="function",
            hint=hint,
        )

    def check(self) -> None:
        """The function's form, that its module is there and, where its source can be read,
        that the module binds the function's name; the module is not run (importing it may
        load a model), so what its import does is found when a run starts.

        ``find_spec`` of ``pkg.mod`` imports ``pkg`` (its ``__init__``) to find ``mod``: that
        is accepted, as the run imports it too and finding modules through the import system
        is what sees meta-path finders (editable installs); the module itself is only parsed.
        A name is reported missing only when its source says so for certain
        (``_module_names``): otherwise the run finds out, as before. A module Python would
        give from another file (built in, or one this process has imported: ``json`` for a
        ``json.py`` of one's own) is refused here as the run would refuse it."""
        module_name, attr = self._module()
        try:
            found = importlib.util.find_spec(module_name)  # runs its parent packages only
        except Exception as exc:  # a parent package missing, or failing as it is imported
            raise self._cannot_import(module_name, describe(exc)) from None
        if found is None:
            raise self._cannot_import(module_name, f"No module named '{module_name}'")
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, attr):
            return  # already imported (by this process) and there: nothing to read
        names = module_names(found)
        if names is None or attr in names.bound or _submodule(found, attr):
            return
        raise self._no_function(module_name, attr, sorted(names.bound), names.functions)

    def _no_function(
        self, module_name: str, attr: str, known: list[str], functions: tuple[str, ...] = ()
    ) -> ConfigError:
        """The one wording of "the module has no such function", from check() and the run."""
        close = difflib.get_close_matches(attr, known, n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"functions defined there: {', '.join(functions)}"
            if functions
            else None
        )
        return self._refusal(
            f"module '{module_name}' has no function '{attr}'",
            field="function",
            hint=hint,
        )

    def _load(self) -> Callable[..., Any]:
        if self._fn is not None:
            return self._fn
        module_name, attr = self._module()
        _keep_the_process()  # before the import: ``from os import _exit`` takes the guard
        global _IMPORTING
        _IMPORTING = True
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise self._cannot_import(module_name, exc) from None
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # its own code failed (a syntax error, even sys.exit)
            raise self._cannot_import(
                module_name, describe(exc), hint="fix the module or what its import needs"
            ) from None
        finally:
            _IMPORTING = False
        self._refuse_another_files(module_name)
        fn = getattr(module, attr, None)
        if not callable(fn):
            raise self._no_function(
                module_name, attr, [n for n in vars(module) if callable(getattr(module, n))]
            )
        self._restore_cwd()
        self._inspect(fn)
        source = getattr(module, "__file__", None)
        spec = getattr(module, "__spec__", None)
        if source and Path(source).is_file():
            self._source_digest = _digest(Path(source).read_bytes())
        elif spec is not None and spec.has_location:
            self._source_digest = _spec_digest(spec)  # in a zip file, say
        self._fn = fn
        return fn

    def _own_specs(self, module_name: str) -> list[importlib.machinery.ModuleSpec] | None:
        """Where each package on the way to this target's module, and the module itself, are
        on its own ``python_path`` (then ``sys.path``), found without running or changing
        anything; None where one is not found by a search of the folders (an import hook)."""
        parts = module_name.split(".")
        search: list[str] | None = [*self._folders(), *sys.path]
        chain = []
        for depth in range(1, len(parts) + 1):
            if search is None:
                return None
            try:
                found = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth]), search)
            except (ImportError, OSError, ValueError):
                return None
            if found is None:
                return None
            chain.append(found)
            locations = found.submodule_search_locations
            search = list(locations) if locations is not None else None
        return chain

    def _own_spec(self, module_name: str) -> importlib.machinery.ModuleSpec | None:
        """The module's own file as ``_own_specs`` finds it; None where it is not a file (a
        namespace package) or is not found."""
        chain = self._own_specs(module_name)
        found = chain[-1] if chain else None
        return found if found is not None and found.has_location and found.origin else None

    def _refuse_another_files(self, module_name: str) -> None:
        """Python holds one module per name in a process: a second target whose function's
        module (or a package on the way to it) has the name of one already imported from
        another folder (a staging and a production copy of ``bot.py``) was given that one, and
        ran the other folder's code under its own file's name; a file named as one of Python's
        own modules (``time.py``) was never run at all. Refused, naming both, for a target that
        names its ``python_path`` (without one, its module is the one Python finds). A copy
        with the same bytes is let through: the same code, the same fingerprint (what it
        imports beside it is outside both, as the README says)."""
        if not self.s.python_path:
            return
        chain = self._own_specs(module_name)
        if not chain:
            return
        parts = module_name.split(".")
        for depth, own in enumerate(chain, start=1):
            name = ".".join(parts[:depth])
            held = sys.modules.get(name)
            if held is None and not (depth == 1 and _python_own(name)):
                continue
            if not own.has_location or not own.origin:
                continue  # a namespace package: no file to compare
            if _already_this_file(held, own):
                continue
            loaded = getattr(held, "__file__", None)
            where = (
                f"is already imported in this process from {loaded}"
                if loaded
                else "is Python's own (built in)"
            )
            raise self._refusal(
                f"module '{name}' {where}, and this target's python_path finds it at "
                f"{own.origin}: Python holds one module per name, so this target would not "
                "run its own file",
                field="function",
                hint="give the module a name no other module in this process has, or run "
                "this target in a process of its own",
            )

    def _refuse_hiding_modules(self) -> None:
        """``python_path`` goes first on the import path, for the harness's imports too: a
        module of the folder's named as one the harness imports (``numpy.py``) or as one of
        Python's own (``html.py``) would be imported in its place (a crash after the answers
        were sent, reports not written), and one named as a module already imported from
        another file (a ``csv.py`` once ``csv`` is loaded) would never run. Refused, naming
        the file; the same file, or one with the same bytes, already imported is let through
        (a second target of the same folder)."""
        if not self.s.python_path:
            return
        for name, own in folder_modules(self._folders()):
            assert own.origin is not None
            held = sys.modules.get(name)
            if _already_this_file(held, own):
                continue
            if name in HARNESS_IMPORTS:
                why = "a module assurance-harness imports"
            elif name in sys.stdlib_module_names or _python_own(name):
                why = "one of Python's own modules"
            elif held is not None:
                where = getattr(held, "__file__", None) or ", ".join(getattr(held, "__path__", []))
                why = f"a module already imported in this process from {where or 'Python'}"
            else:
                continue
            raise self._refusal(
                f"{own.origin} (module '{name}') has the name of {why}: its folder goes "
                "first on the process's import path, so one of the two would be given the "
                "other's code",
                field="python_path",
                hint=f"rename '{name}' (and its imports), or list in python_path a folder "
                "that holds only the target's code",
            )

    @property
    def reads_metadata(self) -> bool:
        """Whether the function is given the case's metadata (a ``metadata`` or ``request``
        parameter, or ``**kwargs``): one that takes the prompt alone answers the same whatever
        the metadata says, and keyed on it, its cached answers missed once the suite's metadata
        was edited. Known once the function is loaded (``start``); True before, since a key
        with the metadata can only miss, one without could serve an answer to other metadata."""
        return self._given("metadata")

    @property
    def reads_case_id(self) -> bool:
        """Whether the function is given the case's id (a ``case_id`` or ``request``
        parameter, or ``**kwargs``), as ``reads_metadata`` says for the metadata: such a
        function may answer two cases of one conversation differently."""
        return self._given("case_id")

    def _given(self, field: str) -> bool:
        """Whether the function may be given ``field`` of the request (by name, in the whole
        ``request``, or through ``**kwargs``); True until it is loaded."""
        return self._fn is None or not {field, "request"}.isdisjoint(self._wanted)

    def _inspect(self, fn: Callable[..., Any]) -> None:
        self._is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
            getattr(fn, "__call__", None)  # noqa: B004 - async callable objects
        )
        try:
            parameters = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            self._wanted, self._positional_messages = (), True
            return
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            self._wanted = _ARGUMENTS
            return
        names = {p.name for p in parameters}
        self._wanted = tuple(a for a in _ARGUMENTS if a in names)
        first = next(
            (
                p
                for p in parameters
                if p.kind
                in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            ),
            None,
        )
        if first is not None and first.name not in _ARGUMENTS:
            self._positional_messages = True

    async def start(self) -> None:
        self._cwd = self._home  # closed and started again: calls put it back again
        self._load()
        self._secrets = None  # read again: the module's import may have set some (load_dotenv)

    def secret_values(self) -> list[str]:
        """The values of the environment variables whose names say they hold a secret, of eight
        characters or more: the function's code reads what it needs itself (an SDK reads
        ``OPENAI_API_KEY``), and the SDK's 401 or a wrapper repeating its request carries the
        key back in an error or an answer. No shorter one: a key is never that short, while
        ``TOKENIZERS_PARALLELISM=true`` would blank out a word of every message. Read once per
        start, not per answer: the environment's decoding cost 65 us an answer."""
        if self._secrets is None:
            self._secrets = environment_secrets(min_length=_SECRET_MIN)
        return self._secrets

    def _restore_cwd(self) -> None:
        """Undo an ``os.chdir`` by the function or its module (to find its own files): the
        working directory is the whole process's, and the run's relative paths (its reports
        folder) were then looked for elsewhere, failing the run after every answer came.

        A sync call's own thread does this as the call returns (``_in_daemon_thread``'s
        ``after``), not the run's loop: ``os.getcwd`` lets go of the interpreter's lock, which a
        worker thread then took, and the loop waited for it back after every answer (a seventh
        of the loop's time sending 20k cases to the demo assistant; with ``DaemonWorkers``
        running quick calls in turn, 3.1 s of CPU to send those 20k instead of 3.4 s)."""
        home = self._cwd  # read once: ``close`` on the loop's thread may set it to None now
        if home is not None and _cwd() != home:
            with contextlib.suppress(OSError):
                os.chdir(home)

    async def close(self) -> None:
        """Finalise the async functions' loop as a run's own loop is finalised at its end (the
        async generators a function left open are closed, their ``finally`` blocks run: a
        client's session, a stream), then stop it. Waited for at most ``_CLOSE_WAIT_S``: its
        thread is a daemon, so a loop still blocked in a call is abandoned, as a hung sync
        call's thread is. The sync calls' idle threads end."""
        # A call abandoned here that returns later must not put the working directory back:
        # by then it is another run's (the pytest plugin's next session), not this one's.
        self._cwd = None
        self._workers.close()
        loop, self._loop = self._loop, None
        if loop is None:
            return
        try:
            done = asyncio.run_coroutine_threadsafe(loop.shutdown_asyncgens(), loop)
            with contextlib.suppress(TimeoutError, Exception):
                await asyncio.wait_for(asyncio.wrap_future(done), _CLOSE_WAIT_S)
            loop.call_soon_threadsafe(loop.stop)
        except RuntimeError:  # already closed
            pass

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        """The event loop async functions run on, in a daemon thread of its own, made on the
        first call: one loop for all calls, so a client the function keeps between calls stays
        on the loop it was made on."""
        if self._loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="assurance-callable-loop", daemon=True
            ).start()
            self._loop = loop
        return self._loop

    def public_config(self) -> dict[str, Any]:
        """Adds a digest of the function's source file, so editing the function changes the
        fingerprint and the response cache does not serve answers from the old code.

        The file is found on the target's ``python_path`` without running it where it can be
        (``_own_spec``): a register's system target is fingerprinted to judge each run's
        scope, and importing its module there ran it (it may load a model) and took its name,
        so the run's own target, a copy of the module in another folder, then ran that one."""
        data = super().public_config()
        if self._fn is None and self._source_digest is None:
            with contextlib.suppress(ConfigError):
                module_name = self._names()[0]
                # Without python_path, a module already imported is what runs, wherever
                # the search would find one now; with it, another file is refused.
                held = not self.s.python_path and module_name in sys.modules
                if not held and not _python_own(module_name):
                    own = self._own_spec(module_name)
                    self._source_digest = None if own is None else _spec_digest(own)
        if self._source_digest is None:
            with contextlib.suppress(ConfigError):
                self._load()
        data["source_sha256"] = self._source_digest
        return data

    async def generate(self, request: GenerationRequest) -> GenerationResponse:
        fn = self._load()
        available: dict[str, Any] = {
            "messages": build_messages(request.messages, self.s.system_prompt),
            "params": {**self.s.generation, **request.params},
            "metadata": request.metadata,
            "seed": request.seed,
            "sample": request.sample,
            "case_id": request.case_id,
            "request": request,
        }
        # The user's function gets its own copies: the runner's request shares its messages and
        # metadata with the case's other samples, its retries and the row results.jsonl records
        # (and params the target's generation), so a function that appended to ``messages`` or
        # edited ``metadata`` in place changed the prompt later samples were asked and the groups
        # the metrics split by.
        available = {name: _own_copy(value) for name, value in available.items()}
        kwargs = {name: available[name] for name in self._wanted}
        args: tuple[Any, ...] = ()
        if self._positional_messages:
            args = (available["messages"],)
        # Only the function's own outcome comes back as (ok, value); an exception out of the
        # wait itself is the run's (a timeout, Ctrl-C: cancellation) and goes on up.
        if self._is_async:
            ok, result = await _on_loop(self._own_loop(), fn, *args, **kwargs)
            self._restore_cwd()
        else:
            ok, result = await _in_daemon_thread(
                self._workers, fn, *args, after=self._restore_cwd, **kwargs
            )
        if not ok:
            raise _failure(self.s.function, result)
        return to_response(result, where=self.s.function)


_CLOSE_WAIT_S = 5.0
"""How long closing the target waits for the async functions' loop to finalise what they left
open; a loop blocked in a call never does, and is left to its daemon thread."""


_PLAIN = (str, int, float, bool, type(None))
_COPY_DEPTH = 16
"""Nesting copied by hand; deeper values (and anything not plain) go to ``copy.deepcopy``."""


def _own_copy(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` the function may change freely: what ``copy.deepcopy`` gives, built
    directly for the plain lists, dicts and strings a request holds. ``deepcopy`` of every
    call's arguments (the request a second time over) was a tenth of the sending time of a
    run against a fast function; it still copies anything else, cycles included."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if depth >= _COPY_DEPTH:
        return copy.deepcopy(value)
    if kind is list:
        return [_own_copy(item, depth + 1) for item in value]
    if kind is dict:
        return {key: _own_copy(item, depth + 1) for key, item in value.items()}
    if kind is GenerationRequest:
        return dataclasses.replace(
            value,
            messages=_own_copy(value.messages, depth + 1),
            params=_own_copy(value.params, depth + 1),
            metadata=_own_copy(value.metadata, depth + 1),
        )
    return copy.deepcopy(value)


def _digest(source: bytes) -> str:
    """The fingerprint's digest of a function's source file."""
    return hashlib.sha256(source).hexdigest()[:16]


def _spec_digest(spec: importlib.machinery.ModuleSpec) -> str | None:
    """The digest of the file a module spec names, read by its loader (a file in a zip
    archive as well as one on disk); None where it cannot be read."""
    get_data = getattr(spec.loader, "get_data", None)
    if get_data is None or not spec.origin:
        return None
    try:
        data = get_data(spec.origin)
    except (OSError, ImportError, ValueError):
        return None
    return _digest(data) if isinstance(data, bytes) else None


def _already_this_file(held: object, own: importlib.machinery.ModuleSpec) -> bool:
    """Whether ``held``, the module a process already holds under ``own``'s name, was loaded
    from the file ``own`` names, or from a copy with its bytes (the same code, the same
    fingerprint)."""
    loaded = getattr(held, "__file__", None)
    if not loaded or not own.origin:
        return False
    return _same_file(Path(own.origin), Path(loaded)) or _same_bytes(own, Path(loaded))


def _same_bytes(spec: importlib.machinery.ModuleSpec, loaded: Path) -> bool:
    """Whether the file ``spec`` names holds the same bytes as ``loaded``."""
    try:
        return _spec_digest(spec) == _digest(loaded.read_bytes())
    except OSError:
        return False


def _python_own(module_name: str) -> bool:
    """Whether the module's top package is built into Python or frozen in it: found before
    any folder, so a file of that name on ``python_path`` is never what runs."""
    top = module_name.partition(".")[0]
    if top in sys.builtin_module_names:
        return True
    try:
        return importlib.machinery.FrozenImporter.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _same_file(first: Path, second: Path) -> bool:
    """Whether two module paths name one file, compared resolved rather than with
    ``samefile`` (``store.files``): a module in a zip archive has a path that is no file."""
    try:
        return first.resolve() == second.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return first == second


def _cwd() -> str | None:
    """The working directory, None where it has been removed."""
    try:
        return os.getcwd()
    except OSError:
        return None


def _submodule(package: importlib.machinery.ModuleSpec, name: str) -> bool:
    """Whether a package has a submodule ``name`` (``pkg:sub`` then works once something has
    imported ``pkg.sub``): looked up on the package's path, without importing anything."""
    locations = package.submodule_search_locations
    if locations is None:
        return False
    found = importlib.machinery.PathFinder.find_spec(f"{package.name}.{name}", list(locations))
    return found is not None


async def _on_loop(
    loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[bool, Any]:
    """Await an async function on ``loop`` (not the run's): one that blocks its loop (a
    ``time.sleep`` or a sync client inside ``async def``) stalled the run's loop with it, so
    ``timeout_s`` never fired and the run hung. Cancelling this (a timeout) cancels the call."""

    async def call() -> tuple[bool, Any]:
        # (ok, value), never the exception itself: a task that raises KeyboardInterrupt or
        # SystemExit re-raises it out of the loop, ending its thread, and the call never settles.
        try:
            return True, await fn(*args, **kwargs)
        except BaseException as exc:
            return False, exc

    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), loop))


async def _in_daemon_thread(
    workers: DaemonWorkers,
    fn: Callable[..., Any],
    *args: Any,
    after: Callable[[], None] | None = None,
    **kwargs: Any,
) -> tuple[bool, Any]:
    """Call a sync function on a daemon thread of ``workers`` and await the result.

    Not ``asyncio.to_thread``: its shared pool has min(32, CPUs + 4) workers, fewer than a
    target's ``concurrency``, and a call that hangs past ``timeout_s`` keeps its worker, so a few
    hangs starve every later request into a timeout, and the pool's shutdown then waits for the
    hung calls, so the command never exits. ``DaemonWorkers`` gives a call that no thread will
    take soon a new one, and a hung call's thread is abandoned on timeout instead. ``after`` runs
    on that thread once the call returns, even one that has timed out meanwhile.
    """
    loop = asyncio.get_running_loop()
    # (ok, value) as the result, never set_exception: a future refuses a StopIteration (the
    # call then never settled and read as a timeout), and the task awaiting one that holds a
    # SystemExit or KeyboardInterrupt re-raises it out of the event loop, past every handler.
    future: asyncio.Future[tuple[bool, Any]] = loop.create_future()
    context = contextvars.copy_context()  # as asyncio.to_thread does

    def settle(ok: bool, value: Any) -> None:
        if not future.done():  # else timed out or cancelled meanwhile
            future.set_result((ok, value))

    def work() -> Callable[[], None]:
        try:
            outcome: tuple[bool, Any] = (True, context.run(fn, *args, **kwargs))
        except BaseException as exc:  # handed to the awaiting task, which decides
            outcome = (False, exc)
        if after is not None:
            after()

        def deliver() -> None:  # once this thread is free for the next call (DaemonWorkers)
            with contextlib.suppress(RuntimeError):  # the loop closed while this call hung
                loop.call_soon_threadsafe(settle, *outcome)

        return deliver

    workers.submit(work, loop.call_later)
    return await future


class ProcessExitRefused(SystemExit):
    """``os._exit`` called on a thread of the target's function: refused there (the process
    would have ended with the function's status, exit 0 reading as "every gate passed", no
    summary and no resume command), and that request fails as a SystemExit would."""


_PROCESS_EXIT = os._exit
_GUARDED_PID: int | None = None
_IMPORTING = False
"""The target's module is being imported (on the main thread): its code, not the harness's."""


def _keep_the_process() -> None:
    """Put a guard in place of ``os._exit`` (once a process): called on any thread but the main
    one, where the harness's own exits are, or while the target's module is imported, it raises
    :class:`ProcessExitRefused` instead. A forked child (its pid another) exits as it asked."""
    global _GUARDED_PID
    if os.getpid() == _GUARDED_PID:
        return
    _GUARDED_PID = os.getpid()
    os._exit = _refusing_exit


def _refusing_exit(status: int) -> NoReturn:
    if os.getpid() == _GUARDED_PID and (
        _IMPORTING or threading.current_thread() is not threading.main_thread()
    ):
        raise ProcessExitRefused(
            f"os._exit({status}), which would have ended the run's process; refused"
        )
    _PROCESS_EXIT(status)


def _fields_checked(answer: GenerationResponse, *, where: str) -> GenerationResponse:
    """``answer`` with its ``finish_reason`` and ``usage`` as the contract says, else the
    case's ``bad_response`` naming the field, as a malformed field of an endpoint's answer
    fails it. A finish reason in a list (``["length"]``) was recorded as its Python text, so a
    cut-off answer read as complete; a number (a code) is kept, recorded as its text. A usage
    that is not an object was cached as text no later run could read back (each sent the
    request again); a mapping that is not a dict is kept as one."""
    finish: Any = answer.finish_reason
    if finish is not None and (
        isinstance(finish, bool) or not isinstance(finish, str | int | float)
    ):
        raise BadResponseError(
            f"{where} returned a finish_reason that is {_kind(finish)}, not text: return how "
            "the answer ended as text ('stop', 'length'), or leave finish_reason out"
        )
    usage: Any = answer.usage
    if isinstance(usage, Mapping) and not isinstance(usage, dict):
        answer.usage = dict(usage)
    elif usage is not None and not isinstance(usage, dict):
        raise BadResponseError(
            f"{where} returned a usage that is {_kind(usage)}, not an object of token counts: "
            "return a dict ({'total_tokens': 12}; an SDK's usage object as .model_dump()), "
            "or leave usage out"
        )
    return answer


def _kind(value: Any) -> str:
    """What a returned value is: JSON's word for a JSON value (``a list``), else its type."""
    if value is None or isinstance(value, dict | list | str | bool | int | float):
        return json_kind(value)
    return f"a {type(value).__name__}"


def _failure(function: str, exc: BaseException) -> TargetError:
    """What the function raised, as this request's failure: a TargetError as it is (a
    ``RateLimitedError`` is retried as an endpoint's would be); anything else, SystemExit,
    KeyboardInterrupt and CancelledError included, a CallableError. It was raised in the
    function's own thread (a signal reaches only the main thread), so it is never the run being
    stopped: let through, it ended the command (exit 0 or 1, or "interrupted", exit 130)."""
    if isinstance(exc, TargetError):
        return exc
    error = CallableError(f"{function} raised {describe(exc)}")
    error.__cause__ = exc
    return error


def to_response(result: Any, *, where: str) -> GenerationResponse:
    """Accept the return shapes the module docstring lists, of at most the answer size the
    HTTP targets read by default (``DEFAULT_MAX_RESPONSE_MB``)."""
    response = _shaped(result, where=where)
    limit = int(DEFAULT_MAX_RESPONSE_MB * 1_000_000)
    text = response.text
    # (characters are 1 to 4 bytes: only a text that may be over the limit is encoded to tell)
    if len(text) > limit or (
        len(text) > limit // 4 and len(text.encode("utf-8", "surrogatepass")) > limit
    ):
        raise BadResponseError(
            f"{where} returned an answer of more than {DEFAULT_MAX_RESPONSE_MB:g} MB, the "
            "most the harness reads from any target by default; return a shorter one"
        )
    return response


def _shaped(result: Any, *, where: str) -> GenerationResponse:
    if isinstance(result, GenerationResponse):
        if not isinstance(result.text, str):
            raise BadResponseError(
                f"{where} returned a GenerationResponse whose text is "
                f"{type(result.text).__name__}; expected str"
            )
        return _fields_checked(result, where=where)
    if isinstance(result, str):
        return GenerationResponse(text=result)
    if isinstance(result, dict) and (said := error_value_said(result.get("error"))) is not None:
        # A client's body returned whole: its text beside an error is a fallback or nothing,
        # and was scored as the answer (an empty one for a failed call), as the http and
        # openai targets no longer do.
        raise BadResponseError(f"{where} returned an error beside its text: {said}")
    if isinstance(result, dict) and isinstance(result.get("text"), str):
        answer = GenerationResponse(
            text=result["text"],
            model_version=result.get("model_version"),
            finish_reason=result.get("finish_reason"),
            usage=result.get("usage"),
        )
        return _fields_checked(answer, where=where)
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()  # else Python warns "never awaited" on stderr, mid-progress
        raise BadResponseError(
            f"{where} returned a coroutine; make the function async (async def) so it is "
            "awaited, or await what it calls"
        )
    raise BadResponseError(
        f"{where} returned {type(result).__name__}; expected str or a dict with 'text'"
    )
