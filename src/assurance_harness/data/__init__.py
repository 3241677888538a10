"""Data that ships inside the package: scorer exemplars, lexicons, the synonym table and the
attack library.

They are package data (not files found next to a source checkout), so a wheel installed
anywhere has them. :func:`bundled` returns a real file path: the scorers hash and read them
like any user-supplied file, so the recorded model version is the same either way.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["bundled", "load_yaml"]


def bundled(relative: str) -> Path:
    """The path of a bundled data file, e.g. ``bundled("refusal/exemplars.jsonl")``."""
    # Installed packages (a wheel or an editable install) live on disk, so this is a real path.
    return Path(str(files(__name__).joinpath(relative)))


@cache
def load_yaml(relative: str) -> Any:
    """A bundled YAML file, parsed once per process."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with bundled(relative).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)
