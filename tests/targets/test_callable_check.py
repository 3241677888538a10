"""``validate`` finds a callable target's missing function without running its module: the
module's source is parsed, and only a definite absence is reported (no binding of the name,
no star import, no module ``__getattr__``, no dynamic globals); where the source cannot be read
(a namespace package, an extension module) it says nothing rather than guess."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assurance_harness.errors import ConfigError
from assurance_harness.targets.callable_target import CallableSpec, CallableTarget


def _target(tmp_path: Path, function: str) -> CallableTarget:
    spec = CallableSpec(function=function, python_path=["."])
    return CallableTarget(spec, base_dir=str(tmp_path))


def _module(tmp_path: Path, source: str, name: str = "mod") -> str:
    """Write a module under a name no other test uses (``sys.modules`` is per process)."""
    unique = f"{name}_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{unique}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return unique


# Running this module would leave a marker beside it and then end the process.
RUNS_WHEN_IMPORTED = """\
import pathlib
pathlib.Path(__file__).with_suffix(".ran").write_text("ran")
raise SystemExit("imported")

def answer(messages):
    return "ok"

helper = 1
"""


def test_a_missing_function_is_found_without_running_the_module(tmp_path: Path) -> None:
    module = _module(tmp_path, RUNS_WHEN_IMPORTED)
    with pytest.raises(ConfigError) as info:
        _target(tmp_path, f"{module}:reply").check()
    assert len(info.value.issues) == 1
    assert str(info.value.issues[0]) == (
        f"target callable: function: module '{module}' has no function 'reply'; "
        "functions defined there: answer"
    )
    assert not list(tmp_path.glob("*.ran")), "check() ran the module"


def test_a_close_name_is_suggested(tmp_path: Path) -> None:
    module = _module(tmp_path, "def reply(messages):\n    return 'ok'\n")
    with pytest.raises(ConfigError, match="has no function 'replly'; did you mean 'reply'\\?"):
        _target(tmp_path, f"{module}:replly").check()


def test_a_module_in_a_package_is_read_too(tmp_path: Path) -> None:
    package = tmp_path / f"pkg_{tmp_path.name.replace('-', '_')}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bot.py").write_text("def answer(messages):\n    return 'ok'\n")
    with pytest.raises(ConfigError, match=f"module '{package.name}.bot' has no function 'reply'"):
        _target(tmp_path, f"{package.name}.bot:reply").check()


@pytest.mark.parametrize(
    "source",
    [
        "def reply(messages):\n    return 'ok'\n",
        "async def reply(messages):\n    return 'ok'\n",
        "class reply:\n    pass\n",
        "reply = lambda messages: 'ok'\n",
        "from json import dumps as reply\n",
        "import os as reply\n",
        "if True:\n    def reply(messages):\n        return 'ok'\n",
        "try:\n    from fast import reply\nexcept ImportError:\n    reply = None\n",
        "for reply in [print]:\n    pass\n",
        "with open(__file__) as reply:\n    pass\n",
        "reply: object = print\n",
        "a, (b, reply) = 1, (2, 3)\n",
        "(reply := print)\n",
        "from os.path import *\n",
        "def __getattr__(name):\n    return print\n",
        "globals()['rep' + 'ly'] = print\n",
        "def setup():\n    global reply\n    reply = print\nsetup()\n",
        "def broken(:\n",  # cannot be parsed: the run says what is wrong, not validate
    ],
)
def test_a_name_the_module_may_bind_is_not_reported(tmp_path: Path, source: str) -> None:
    module = _module(tmp_path, source)
    _target(tmp_path, f"{module}:reply").check()


def test_a_namespace_package_is_not_guessed_at(tmp_path: Path) -> None:
    namespace = tmp_path / f"ns_{tmp_path.name.replace('-', '_')}"
    namespace.mkdir()
    _target(tmp_path, f"{namespace.name}:reply").check()


def test_a_module_without_source_is_not_guessed_at(tmp_path: Path) -> None:
    # A compiled extension module: find_spec finds it, but there is no Python source to read.
    _target(tmp_path, "_json:reply").check()
