"""Run the ``assurance`` CLI in a real subprocess, the way a user or CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "assurance_harness.cli"]


def cli_command(*args: str | Path) -> list[str]:
    """The argv that runs ``assurance ARGS...`` with this interpreter (for ``Popen``)."""
    return [*CLI, *(str(a) for a in args)]


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``assurance ARGS...`` to completion, capturing text output (never raises on rc)."""
    return subprocess.run(
        cli_command(*args), capture_output=True, text=True, timeout=timeout, cwd=cwd
    )
