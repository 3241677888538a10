"""Field docstrings (``fielddocs``): the ``assurance`` command reads them only to print a JSON
Schema, and the schemas it prints are the ones the library makes with every docstring read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assurance_harness.register.model import register_schema
from assurance_harness.spec.schema import suite_schema, target_schema
from tests.testing.cli import run_cli


@pytest.mark.parametrize(
    ("args", "build"),
    [
        (["schema", "--kind", "suite"], suite_schema),
        (["schema", "--kind", "target"], target_schema),
        (["register", "schema"], register_schema),
    ],
    ids=["suite", "target", "register"],
)
def test_the_schema_commands_print_the_documented_schemas(args, build, tmp_path: Path) -> None:
    # This process never defers the docstrings: its schemas are the reference.
    expected = build()
    assert "description" in json.dumps(expected)
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected
    assert proc.stdout == json.dumps(expected, indent=2) + "\n"


_PROBE = """
import atexit, json, sys
sys.argv = ["assurance", "--help"]
from assurance_harness.cli import main

def probe():
    from assurance_harness.spec.suite import Suite
    from assurance_harness.spec.schema import suite_schema
    try:
        suite_schema()
        refused = None
    except RuntimeError as exc:
        refused = str(exc)
    print("PROBE " + json.dumps([Suite.model_fields["suite"].description, refused]))

atexit.register(probe)
main()
"""


def test_other_commands_skip_them_and_make_no_schema_without_them(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE ")), None)
    assert line is not None, proc.stdout + proc.stderr
    description, refused = json.loads(line.removeprefix("PROBE "))
    assert description is None  # the model was made after main() deferred its docstrings
    assert refused is not None and "lack their descriptions" in refused


def test_a_library_import_reads_them() -> None:
    from assurance_harness.spec.suite import Suite

    assert Suite.model_fields["suite"].description
