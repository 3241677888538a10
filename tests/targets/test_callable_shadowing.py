"""A callable target's ``python_path`` folder holding a module named as one the harness uses
(``html.py``, ``numpy.py``) or one this process has already imported (``csv.py``).

The folder goes first on the process's import path, so its files hide the modules of that
name for the harness too: a ``numpy.py`` beside the target's module crashed the run after every
answer was sent ("internal error ... a bug in assurance-harness"), an ``html.py`` or
``jinja2.py`` left the run "passed" with its reports not written, and a ``csv.py`` of the
user's own was never run at all (Python gave the target's code the ``csv`` already imported).
Each is refused at ``validate`` and before the run sends anything, naming the file."""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.errors import ConfigError
from assurance_harness.spec.targets import load_target

from ..testing.cli import run_cli

SUITE = """\
suite: shadow
version: 1.0.0
dataset: {path: cases.jsonl}
scorers:
  - {id: m, use: contains, with: {terms: ['56']}}
metrics:
  - {id: r, mean: m.matched}
"""


def _project(root: Path, *helpers: str, module: str = "shadow_bot") -> Path:
    """root/lib/MODULE.py answering, root/lib/HELPER for each helper, a target naming lib,
    a suite of two cases; the target file's path."""
    lib = root / "lib"
    lib.mkdir()
    (lib / f"{module}.py").write_text(
        "def reply(messages):\n    return 'Sure! 7 x 8 = 56.'\n", encoding="utf-8"
    )
    for helper in helpers:
        path = lib / helper
        if helper.endswith("/"):
            path.mkdir()
            (path / "__init__.py").write_text("# the user's own package\n", encoding="utf-8")
        else:
            path.write_text("# the user's own helper\n", encoding="utf-8")
    (root / "target.yaml").write_text(
        f"type: callable\nfunction: {module}:reply\npython_path: [lib]\n", encoding="utf-8"
    )
    (root / "cases.jsonl").write_text(
        '{"id": "a", "prompt": "7 x 8?"}\n{"id": "b", "prompt": "7 x 8?"}\n', encoding="utf-8"
    )
    (root / "suite.yaml").write_text(SUITE, encoding="utf-8")
    return root / "target.yaml"


@pytest.fixture(autouse=True)
def _forget_shadow_bot() -> object:
    yield
    sys.modules.pop("shadow_bot", None)


@pytest.mark.parametrize(
    ("helper", "name", "why"),
    [
        ("html.py", "html", "one of Python's own modules"),
        ("email/", "email", "one of Python's own modules"),
        ("csv.py", "csv", "one of Python's own modules"),
        ("numpy.py", "numpy", "assurance-harness imports"),
        ("jinja2.py", "jinja2", "assurance-harness imports"),
    ],
)
def test_a_module_hiding_another_is_refused_by_validate(
    tmp_path: Path, helper: str, name: str, why: str
) -> None:
    target = _project(tmp_path, helper)
    with pytest.raises(ConfigError) as refused:
        load_target(target).check()
    text = str(refused.value)
    assert str(tmp_path / "lib" / helper.rstrip("/")) in text
    assert f"'{name}'" in text
    assert why in text
    assert "rename" in text


def _run_one(target: Path) -> None:
    """Start the target and send it one request, as a run does."""
    loaded = load_target(target)

    async def main() -> None:
        await loaded.start()
        try:
            await loaded.generate(
                GenerationRequest(
                    case_id="a",
                    sample=0,
                    seed=0,
                    messages=[{"role": "user", "content": "7 x 8?"}],
                    params={},
                )
            )
        finally:
            await loaded.close()

    asyncio.run(main())


@pytest.mark.parametrize("helper", ["numpy.py", "html.py", "email/"])
@pytest.mark.parametrize("step", ["check", "run"])
def test_a_refused_folder_is_left_off_the_import_path(
    tmp_path: Path, helper: str, step: str
) -> None:
    """A refused target changes nothing in the process that refused it: its folder was put
    first on ``sys.path`` before the refusal and stayed there, so the process's next import of
    numpy (a later test on the same pytest-xdist worker) was the folder's ``numpy.py``."""
    target = _project(tmp_path, helper)
    before = list(sys.path)
    with pytest.raises(ConfigError):
        load_target(target).check() if step == "check" else _run_one(target)
    assert sys.path == before


def test_numpy_imported_after_a_refusal_is_numpy(tmp_path: Path) -> None:
    """The failure itself, in a process that has not imported numpy yet: after ``check``
    refused a folder's ``numpy.py``, ``import numpy`` gave that file ("module 'numpy' has no
    attribute 'ndarray'" from torch, the store's spill, every later command in process)."""
    target = _project(tmp_path, "numpy.py")
    script = (
        "import sys\n"
        "from assurance_harness.errors import ConfigError\n"
        "from assurance_harness.spec.targets import load_target\n"
        "assert 'numpy' not in sys.modules, 'numpy imported already: nothing to show'\n"
        "try:\n"
        f"    load_target({str(target)!r}).check()\n"
        "except ConfigError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('not refused')\n"
        "import numpy\n"
        "print(numpy.__file__)\n"
        "numpy.ndarray\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str(tmp_path) not in done.stdout


def test_a_module_already_imported_from_another_file_is_refused(tmp_path: Path) -> None:
    """The target's code would be given the module already imported: its own never runs."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "shadow_imported.py").write_text("ORIGIN = 'other'\n", encoding="utf-8")
    sys.path.insert(0, str(other))
    try:
        __import__("shadow_imported")
        target = _project(tmp_path, "shadow_imported.py")
        with pytest.raises(ConfigError) as refused:
            load_target(target).check()
    finally:
        sys.path.remove(str(other))
        sys.modules.pop("shadow_imported", None)
    text = str(refused.value)
    assert str(tmp_path / "lib" / "shadow_imported.py") in text
    assert f"already imported in this process from {other / 'shadow_imported.py'}" in text


def test_a_run_is_refused_before_it_sends(tmp_path: Path) -> None:
    """In a process of its own, as a user runs it: exit 2, one line naming the file, and no
    run folder (nothing was sent, so nothing is lost)."""
    _project(tmp_path, "numpy.py")
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert str(tmp_path / "lib" / "numpy.py") in done.stderr
    assert not list((tmp_path / "reports").glob("*/journal*"))
    checked = run_cli("validate", "suite.yaml", "target.yaml", cwd=tmp_path)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert str(tmp_path / "lib" / "numpy.py") in checked.stdout + checked.stderr


HARMLESS = (
    "prompts.py",  # a name nothing else has
    "json/",  # a folder without __init__.py: a namespace portion, never ahead of json
    "README.md",
    "__pycache__/",
    "not-a-module.py",
)


def _harmless(root: Path, *helpers: str) -> Path:
    target = _project(root, *helpers)
    if "json/" in helpers:
        (root / "lib" / "json" / "__init__.py").unlink()
    return target


@pytest.mark.parametrize("helper", HARMLESS)
def test_modules_of_ones_own_are_let_through(tmp_path: Path, helper: str) -> None:
    load_target(_harmless(tmp_path, helper)).check()


def test_a_run_beside_modules_of_ones_own(tmp_path: Path) -> None:
    _harmless(tmp_path, *HARMLESS)
    done = run_cli(
        "run", "suite.yaml", "--target", "target.yaml", "--reports", "reports", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_second_target_of_the_same_folder_is_let_through(tmp_path: Path) -> None:
    """The folder's helper imported by the first target is the same file for the second."""
    target = _project(tmp_path, "shadow_helper.py")
    (tmp_path / "lib" / "shadow_bot.py").write_text(
        "import shadow_helper\ndef reply(messages):\n    return '56'\n", encoding="utf-8"
    )
    try:
        load_target(target).check()
        __import__("shadow_bot")
        assert "shadow_helper" in sys.modules
        load_target(target).check()
    finally:
        sys.modules.pop("shadow_helper", None)


def test_the_harness_imports_listed_are_all_of_them() -> None:
    """The third-party modules the harness imports, by its own source: the list the check
    reads cannot fall behind the code."""
    from assurance_harness.targets import _module_shadows

    package = Path(_module_shadows.__file__).resolve().parents[1]
    imported: set[str] = set()
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    third_party = {
        name
        for name in imported
        if name not in sys.stdlib_module_names and name != "assurance_harness"
    }
    assert third_party <= _module_shadows.HARNESS_IMPORTS
