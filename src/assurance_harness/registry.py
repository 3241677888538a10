"""One registry pattern for every plugin kind (targets, scorers, metrics, expanders).

Entries are either objects registered with a decorator or lazy ``"module:attr"`` strings, so
heavy dependencies are imported only when a suite actually uses the plugin. Third-party
plugins arrive through entry points named ``assurance_harness.<kind>``.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownPluginError(KeyError):
    """A name that is not registered; the message lists close matches and the valid names."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"valid names: {', '.join(known)}"
        self.hint = hint
        self.message = f"unknown {kind} '{name}'"
        super().__init__(f"{self.message}; {hint}")

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}"


class PluginLoadError(ImportError):
    """An installed plugin (an entry point) whose module cannot be imported, or lacks the name
    the entry point gives: the package that provides it is broken or misses a dependency."""

    def __init__(self, kind: str, name: str, ref: str, cause: BaseException) -> None:
        self.message = f"cannot load {kind} plugin '{name}' ({ref})"
        self.hint = "reinstall or fix the package that provides it"
        self.cause = cause
        super().__init__(f"{self.message}; {self.hint}")


@cache
def _entry_points_by_group() -> dict[str, list[EntryPoint]]:
    """Every installed entry point, read once: each ``entry_points(group=...)`` call reads every
    installed package's metadata again, and a run asks for four groups."""
    everything = entry_points()
    return {group: list(everything.select(group=group)) for group in everything.groups}


class Registry(Generic[T]):
    """Name -> plugin, with lazy imports and entry-point discovery."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T | str] = {}
        self._entry_points_loaded = False
        self._installed: set[str] = set()
        """Names that came from entry points (another package's code, not ours)."""

    def register(self, name: str) -> Callable[[T], T]:
        def decorate(obj: T) -> T:
            self._items[name] = obj
            return obj

        return decorate

    def register_lazy(self, name: str, target: str) -> None:
        """Register ``"package.module:attr"``, imported on first use."""
        self._items.setdefault(name, target)

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in _entry_points_by_group().get(f"assurance_harness.{self.kind}s", []):
            if ep.name not in self._items:
                self._items[ep.name] = ep.value
                self._installed.add(ep.name)

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        # As ``get``: the installed packages' metadata is read only for a name not built in.
        if name in self._items:
            return True
        self._load_entry_points()
        return name in self._items

    def get(self, name: str) -> T:
        # A name registered here is the answer whatever is installed (an entry point never
        # replaces a built-in plugin), so the installed packages' metadata is read only for a
        # name not registered: reading it costs a run's start-up 25-40 ms.
        if name not in self._items:
            self._load_entry_points()
        if name not in self._items:
            raise UnknownPluginError(self.kind, name, self.names())
        item = self._items[name]
        if isinstance(item, str):
            module_name, _, attr = item.partition(":")
            try:
                item = getattr(importlib.import_module(module_name), attr)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # its import's SystemExit too
                if name not in self._installed:
                    raise  # a built-in plugin's: a bug of ours
                raise PluginLoadError(self.kind, name, item, exc) from exc
            self._items[name] = item
        return item  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
