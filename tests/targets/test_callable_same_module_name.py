"""Two callable targets whose functions have the same module name in different folders (a
staging and a production copy of ``bot.py``), in one process: each target has its own
fingerprint, and one whose module name another folder's module holds is refused. Python keeps
one module per name, so the second target was given the first one's module: a run against
staging executed production's code, recorded under staging's file name with production's
fingerprint, and counted as the production system's evidence."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assurance_harness.datatypes import GenerationRequest
from assurance_harness.errors import ConfigError
from assurance_harness.spec.targets import load_target

from ..testing.cli import run_cli

REQUEST = GenerationRequest(
    case_id="a", sample=0, seed=1, messages=[{"role": "user", "content": "hi"}], params={}
)


def _copies(root: Path, module: str) -> tuple[Path, Path]:
    """staging/ and prod/ each with ``module``.py answering its folder's name, and a target."""
    for name in ("staging", "prod"):
        folder = root / name
        folder.mkdir()
        (folder / f"{module}.py").write_text(
            f"def reply(messages):\n    return {name!r}\n", encoding="utf-8"
        )
        (folder / "bot.yaml").write_text(
            f"type: callable\nname: homework-bot\nfunction: {module}:reply\npython_path: ['.']\n",
            encoding="utf-8",
        )
    return root / "staging" / "bot.yaml", root / "prod" / "bot.yaml"


def _answer(target_path: Path) -> str:
    return asyncio.run(load_target(target_path).generate(REQUEST)).text


@pytest.fixture
def module_name(request: pytest.FixtureRequest) -> str:
    """A module name no other test imports, forgotten by ``sys.modules`` afterwards."""
    name = f"same_name_bot_{request.node.name.replace('-', '_')}"
    yield name
    for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[loaded]


def test_a_module_of_another_folder_is_refused(tmp_path: Path, module_name: str) -> None:
    """Python holds one module per name: the second target was answered by the first's
    module (staging's run said "prod"). Refused, naming both files."""
    staging, prod = _copies(tmp_path, module_name)
    assert _answer(prod) == "prod"
    with pytest.raises(ConfigError) as refused:
        _answer(staging)
    text = str(refused.value)
    assert str(prod.parent / f"{module_name}.py") in text
    assert str(staging.parent / f"{module_name}.py") in text
    assert _answer(prod) == "prod"  # the first target goes on as it was


def test_a_copy_of_the_same_module_is_used(tmp_path: Path, module_name: str) -> None:
    """Byte-identical copies (one helper module in each test's folder) are the same code with
    the same fingerprint: the module already imported answers for both."""
    staging, prod = _copies(tmp_path, module_name)
    (staging.parent / f"{module_name}.py").write_bytes(
        (prod.parent / f"{module_name}.py").read_bytes()
    )
    assert _answer(prod) == "prod"
    assert _answer(staging) == "prod"
    assert load_target(staging).fingerprint() == load_target(prod).fingerprint()


def test_a_package_on_the_way_held_from_another_folder_is_refused(
    tmp_path: Path, module_name: str
) -> None:
    """``pkg.bot`` of the second folder was looked for in the first folder's ``pkg``: its
    functions checked against the other file at validate, and "No module named" at a run
    where the module is there."""
    for name in ("staging", "prod"):
        package = tmp_path / name / module_name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"# {name}\n", encoding="utf-8")
        (tmp_path / name / "bot.yaml").write_text(
            f"type: callable\nfunction: {module_name}.{name}_bot:reply\npython_path: ['.']\n",
            encoding="utf-8",
        )
        (package / f"{name}_bot.py").write_text("def reply(messages):\n    return 'x'\n")
    assert _answer(tmp_path / "prod" / "bot.yaml") == "x"
    for attempt in (
        lambda: load_target(tmp_path / "staging" / "bot.yaml").check(),
        lambda: _answer(tmp_path / "staging" / "bot.yaml"),
    ):
        with pytest.raises(ConfigError) as refused:
            attempt()
        assert str(tmp_path / "prod" / module_name / "__init__.py") in str(refused.value)
        assert str(tmp_path / "staging" / module_name / "__init__.py") in str(refused.value)


def test_a_target_without_python_path_is_fingerprinted_without_running(
    tmp_path: Path, module_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module whose import fails where the register is read (a variable only the run's
    environment sets) had no digest there, so the run's fingerprint never matched."""
    (tmp_path / f"{module_name}.py").write_text(
        "import os\nif 'BOT_READY' not in os.environ:\n    raise ImportError('not ready')\n"
        "def reply(messages):\n    return 'ready'\n",
        encoding="utf-8",
    )
    (tmp_path / "t.yaml").write_text(f"type: callable\nfunction: {module_name}:reply\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    unready = load_target(tmp_path / "t.yaml").fingerprint()
    assert module_name not in sys.modules
    monkeypatch.setenv("BOT_READY", "1")
    target = load_target(tmp_path / "t.yaml")
    assert _answer(tmp_path / "t.yaml") == "ready"
    assert target.fingerprint() == unready


def test_each_target_has_its_own_fingerprint(tmp_path: Path, module_name: str) -> None:
    staging, prod = _copies(tmp_path, module_name)
    _answer(prod)  # its module imported
    for target in (prod, staging):
        source = (target.parent / f"{module_name}.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()[:16]
        assert load_target(target).public_config()["source_sha256"] == digest
    assert load_target(prod).fingerprint() != load_target(staging).fingerprint()


def test_a_fingerprint_does_not_run_the_module(tmp_path: Path, module_name: str) -> None:
    """The register's system target is fingerprinted to judge each run's scope: its module
    is only read for that (running it may load a model, and it took the module's name)."""
    _, prod = _copies(tmp_path, module_name)
    (prod.parent / f"{module_name}.py").write_text(
        "raise SystemExit('ran')\ndef reply(messages):\n    return 'prod'\n", encoding="utf-8"
    )
    config = load_target(prod).public_config()
    assert config["source_sha256"] is not None
    assert module_name not in sys.modules


def test_a_package_module_of_another_folder_is_refused(tmp_path: Path, module_name: str) -> None:
    """A package's module cannot be loaded a second time under its own name: refused, naming
    both files, where the other folder's was run."""
    for name in ("staging", "prod"):
        package = tmp_path / name / module_name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "chat.py").write_text(
            f"def reply(messages):\n    return {name!r}\n", encoding="utf-8"
        )
        (tmp_path / name / "bot.yaml").write_text(
            f"type: callable\nfunction: {module_name}.chat:reply\npython_path: ['.']\n",
            encoding="utf-8",
        )
    assert _answer(tmp_path / "prod" / "bot.yaml") == "prod"
    with pytest.raises(ConfigError) as refused:
        _answer(tmp_path / "staging" / "bot.yaml")
    text = str(refused.value)
    assert str(tmp_path / "prod" / module_name / "chat.py") in text
    assert str(tmp_path / "staging" / module_name / "chat.py") in text


REGISTER = """\
register_version: 1
system:
  name: homework-bot
  description: d
  intended_use: u
  owner: o
  target: prod/bot.yaml
risks:
  - id: R-001
    title: t
    description: d
    category: safety
    owner: o
    likelihood: 3
    impact: 3
    treatment: mitigate
    acceptance_criteria: a
    suites: [mini]
"""

SUITE = """\
suite: mini
cases: [{id: a, prompt: hi}]
scorers: [{id: m, use: regex, with: {pattern: staging}}]
metrics: [{id: r, rate: m.matched}]
gates: [{metric: r, min: 0}]
"""


def test_a_staging_run_is_not_the_registered_systems_evidence(tmp_path: Path) -> None:
    """The register names production's target; a run against staging's, whose module has the
    same name, ran production's code (its register scope check imported it first) and was
    appended as production's evidence."""
    _copies(tmp_path, "bot")
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    (tmp_path / "suite.yaml").write_text(SUITE, encoding="utf-8")
    done = run_cli(
        "run",
        "suite.yaml",
        "--target",
        "staging/bot.yaml",
        "--register",
        "register.yaml",
        "--reports",
        "reports",
        "--no-report",
        cwd=tmp_path,
    )
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    (journal,) = (tmp_path / "reports").glob("*/responses.jsonl")
    assert '"response": "staging"' in journal.read_text(encoding="utf-8")
    assert "exploratory run, no evidence written" in text
    assert not (tmp_path / "reports" / "evidence" / "ledger.jsonl").exists()


def _zipped_copies(root: Path, module: str) -> tuple[Path, Path]:
    """``_copies``, each module in a zip archive on the target's python_path."""
    for name in ("staging", "prod"):
        folder = root / name
        folder.mkdir()
        with zipfile.ZipFile(folder / "lib.zip", "w") as archive:
            archive.writestr(f"{module}.py", f"def reply(messages):\n    return {name!r}\n")
        (folder / "bot.yaml").write_text(
            f"type: callable\nfunction: {module}:reply\npython_path: [lib.zip]\n",
            encoding="utf-8",
        )
    return root / "staging" / "bot.yaml", root / "prod" / "bot.yaml"


def test_a_module_in_a_zip_archive_is_fingerprinted_and_refused(
    tmp_path: Path, module_name: str
) -> None:
    staging, prod = _zipped_copies(tmp_path, module_name)
    digests = {load_target(t).public_config()["source_sha256"] for t in (staging, prod)}
    assert len(digests) == 2 and None not in digests  # read from the archives, not run
    assert module_name not in sys.modules
    assert _answer(prod) == "prod"
    with pytest.raises(ConfigError):
        _answer(staging)


def test_fingerprinting_leaves_the_import_path_alone(tmp_path: Path, module_name: str) -> None:
    """The register's target was put on ``sys.path`` to be fingerprinted, and the run's own
    module then imported its helpers from there (production's ``settings.py``)."""
    _, prod = _copies(tmp_path, module_name)
    path = list(sys.path)
    load_target(prod).public_config()
    assert sys.path == path


def _run_mini(folder: Path) -> subprocess.CompletedProcess[str]:
    """``assurance run suite.yaml --target t.yaml`` in ``folder``, results in ``r``."""
    (folder / "suite.yaml").write_text(SUITE, encoding="utf-8")
    return run_cli(
        "run",
        "suite.yaml",
        "--target",
        "t.yaml",
        "--reports",
        "r",
        "--no-report",
        "--no-evidence",
        cwd=folder,
    )


def test_python_path_comes_first_in_its_order(tmp_path: Path) -> None:
    """``python -m`` puts the working folder on ``sys.path``: listed first in python_path, it
    was left behind the folder listed after it, whose module of the same name then ran."""
    (tmp_path / "vendor").mkdir()
    (tmp_path / "ordered_bot.py").write_text("def reply(messages):\n    return 'root'\n")
    (tmp_path / "vendor" / "ordered_bot.py").write_text(
        "def reply(messages):\n    return 'vendor'\n"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: ordered_bot:reply\npython_path: ['.', vendor]\n"
    )
    done = _run_mini(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (journal,) = (tmp_path / "r").glob("*/responses.jsonl")
    assert '"response": "root"' in journal.read_text(encoding="utf-8")


def test_a_file_named_as_a_built_in_module_is_refused(tmp_path: Path) -> None:
    """``time.py`` on python_path is never run: ``time`` is built into Python. The run called
    the built-in ``time.time`` while its manifest recorded the digest of the user's file."""
    (tmp_path / "time.py").write_text("def respond(messages):\n    return 'mine'\n")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: time:respond\npython_path: ['.']\n")
    done = _run_mini(tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert "built in" in text and str(tmp_path / "time.py") in text
    assert "Traceback" not in text
    checked = run_cli("validate", "t.yaml", cwd=tmp_path)  # found before any run
    assert checked.returncode == 2 and "built in" in checked.stdout + checked.stderr


def test_a_python_path_symlink_loop_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: looped_bot:reply\npython_path: [loop, '.']\n"
    )
    done = run_cli("validate", "t.yaml", cwd=tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert "python_path entry 'loop' cannot be followed" in text
    assert "internal error" not in text and "Traceback" not in text
