"""What the validation scripts share: the repository paths, the seed, number formatting, the
section record, finding the public datasets folder and writing the figures as JSON.

Importing this module puts ``src/`` on ``sys.path`` and keeps Hugging Face offline, so the
scripts run from a checkout without an install and never download anything.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED = 20261130
"""Seed of every bootstrap interval and sampled expansion in the validation reports."""


@dataclass
class Section:
    """One section of a validation report: Markdown lines, figures, and failed checks."""

    title: str
    lines: list[str]
    figures: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def find_datasets(explicit: str | None) -> Path | None:
    """The public datasets folder (``--datasets``, else ``../shared/datasets``), if present."""
    candidate = Path(explicit) if explicit else ROOT.parent / "shared" / "datasets"
    return candidate if candidate.is_dir() else None


def write_figures(path: str | Path, results: list[Section]) -> None:
    """Every section's figures as JSON, keyed by section title."""
    Path(path).write_text(
        json.dumps({r.title: r.figures for r in results}, indent=2, default=str),
        encoding="utf-8",
    )


def run_timed(
    sections: Iterable[Callable[[T], Section]], arg: T, *, announce: bool = False
) -> list[Section]:
    """Run each section on ``arg``, recording its wall time as the figure ``seconds``."""
    results: list[Section] = []
    for section in sections:
        started = time.perf_counter()
        if announce:
            print(f"running {section.__name__} ...", flush=True)
        result = section(arg)
        result.figures["seconds"] = round(time.perf_counter() - started, 1)
        results.append(result)
    return results
