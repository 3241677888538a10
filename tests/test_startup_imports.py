"""Start-up stays light: ``assurance --help``, ``validate`` and a short run import no heavy library
they do not use.

Was: a 1-case run with a callable target imported scipy.stats (about a second, for one beta
quantile) and aiohttp (half a second, for a helper that prepends a system prompt); ``validate``
imported scipy.stats through the disparity and paired metrics' parameter classes and aiohttp
through the openai target's. Checked by the set of imported modules in a fresh interpreter, not
by timing (timings move with the machine's load; see BENCHMARKS.md for the figures).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

HEAVY = {
    "torch",
    "transformers",
    "pandas",
    "matplotlib",
    "presidio_analyzer",
    "spacy",
    "sklearn",
    "fairlearn",
    "scipy.stats",
    "aiohttp",
    "jinja2",
    "detoxify",
    "textstat",
}
"""Libraries that cost from a few hundred milliseconds to seconds to import."""

_PROBE = """
import atexit, json, sys
sys.argv = ["assurance", *json.loads(sys.argv[1])]
from assurance_harness.cli import main
# main() ends the process (cli_exit); atexit handlers still run, so the modules are read there.
atexit.register(lambda: print("\\nMODULES " + json.dumps(sorted(sys.modules))))
main()
"""


def _imported(args: list[str], cwd: Path) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("MODULES ")), None)
    assert line is not None, proc.stdout + proc.stderr
    return proc.returncode, set(json.loads(line.removeprefix("MODULES ")))


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["runs", "--help"]])
def test_help_imports_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    code, modules = _imported(args, tmp_path)
    assert code == 0
    assert not HEAVY & modules, sorted(HEAVY & modules)
    # Nor the harness's own machinery: help is the command tree and nothing else (a
    # subcommand's help also runs the root's options through typer's pydantic coercion).
    light = {"numpy", "yaml", "scipy"} | ({"pydantic"} if args == ["--help"] else set())
    assert not light & modules, sorted(light & modules)
    # Nor what typer.rich_utils imports for Markdown help and pretty tracebacks (about 0.1 s;
    # cli_help prints the same help without it; if this typer is not one cli_help follows,
    # typer prints it and imports these).
    rich_extras = {"typer.rich_utils", "rich.markdown", "markdown_it", "rich.traceback", "attr"}
    assert not rich_extras & modules, sorted(rich_extras & modules)


def test_validate_of_every_bundled_file_imports_no_heavy_library(tmp_path: Path) -> None:
    """The bundled suites use every metric kind and most scorers; the targets include openai."""
    code, modules = _imported(
        [
            "validate",
            str(REPO / "suites"),
            str(REPO / "targets"),
            str(REPO / "register" / "risk_register.yaml"),
        ],
        tmp_path,
    )
    assert code == 0
    assert not HEAVY & modules, sorted(HEAVY & modules)
    # Its quantiles are for intervals, which validation never computes (0.2 s of import).
    assert "scipy.special" not in modules
    # Nor the tables commands print once their work is done (a run imports rich.table on its
    # prefetch thread while its requests are out: about 8 ms of start-up).
    assert "rich.table" not in modules


@pytest.mark.parametrize("target_kind", ["callable", "replay"])
def test_a_short_run_imports_no_heavy_library(tmp_path: Path, target_kind: str) -> None:
    """Cheap scorers, rate, mean and quantile metrics, a callable or replay target, no report."""
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "suite: short\nversion: 1.0.0\ncases:\n"
        '  - {id: a, prompt: "What is 2 plus 2?"}\n'
        '  - {id: b, prompt: "Name a planet."}\n'
        "scorers:\n  - {id: n, use: regex, with: {pattern: '\\d'}}\n  - {id: l, use: length}\n"
        "metrics:\n  - {id: r, rate: n.matched}\n  - {id: w, mean: l.words}\n"
        "  - {id: p, quantile: {expr: l.words, q: 0.9}}\n"
        "gates:\n  - {metric: r, min: 0}\n",
        encoding="utf-8",
    )
    if target_kind == "callable":
        (tmp_path / "bot.py").write_text("def reply(messages):\n    return 'It is 4.'\n")
        target = "type: callable\nfunction: bot:reply\npython_path: ['.']\n"
    else:
        (tmp_path / "rec.jsonl").write_text(
            '{"prompt": "What is 2 plus 2?", "response": "4"}\n'
            '{"prompt": "Name a planet.", "response": "Mars"}\n'
        )
        target = "type: replay\npath: rec.jsonl\n"
    (tmp_path / "t.yaml").write_text(target)
    code, modules = _imported(
        [
            "run",
            "s.yaml",
            "--target",
            "t.yaml",
            "--reports",
            "reports",
            "--no-report",
            "--no-evidence",
        ],
        tmp_path,
    )
    assert code == 0
    assert not HEAVY & modules, sorted(HEAVY & modules)
    # The interval quantiles come from scipy.special's compiled ufuncs; the package's own
    # __init__ (numpy's namespace cloned for the array API, 0.2 s) does not run.
    assert "scipy.special._ufuncs" in modules
    assert "scipy._lib._array_api" not in modules
    # No redaction policy: the PII detector's rules are not compiled.
    assert "assurance_harness.privacy.pii" not in modules


def test_command_annotations_are_evaluated_at_definition() -> None:
    """typer evaluates a string annotation (``from __future__ import annotations``) four times
    per command whenever it builds the command tree, as every process does (about 40 ms of
    start-up for the tree's ~45 commands), so the modules that define commands evaluate theirs
    once, at definition."""
    from assurance_harness import cli

    def callbacks(app: Any) -> Iterator[Any]:
        yield from (command.callback for command in app.registered_commands)
        if app.registered_callback is not None:
            yield app.registered_callback.callback
        for group in app.registered_groups:
            yield from callbacks(group.typer_instance)

    found = list(callbacks(cli.app))
    assert len(found) > 30
    for callback in found:
        strings = [
            name for name, value in callback.__annotations__.items() if isinstance(value, str)
        ]
        assert not strings, f"{callback.__module__}.{callback.__qualname__}: {strings}"


_FIRST_IMPORTER = """
import json, sys, threading
sys.argv = ["assurance", *json.loads(sys.argv[1])]


class Watch:
    # The thread that first asks for numpy: the finder is consulted before numpy is loaded.
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and "first" not in Watch.__dict__:
            Watch.first = threading.current_thread().name
            print("NUMPY-FIRST " + Watch.first, flush=True)
        return None


sys.meta_path.insert(0, Watch())
from assurance_harness.cli import main
main()
"""


def test_a_run_loads_numpy_while_its_requests_are_out(tmp_path: Path) -> None:
    """Loading a suite, making the run's folder and its request plan need no numpy (about 60 ms
    of start-up): it is first imported by the prefetch thread, after the first answer, while the
    other requests are out (``runner.prefetch``). Was: imported by the runner's modules and the
    rate metric's, before the first request."""
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps({"id": f"c{i}", "prompt": f"Question {i}"}) + "\n" for i in range(4))
    )
    (tmp_path / "s.yaml").write_text(
        "suite: lazy\nversion: 1.0.0\ndataset: {path: cases.jsonl}\n"
        "scorers:\n  - {id: m, use: contains, with: {terms: ['ok']}}\n"
        "metrics:\n  - {id: r, rate: m.matched}\n  - {id: w, mean: m.matched}\n"
        "gates:\n  - {metric: r, min: 0}\n",
        encoding="utf-8",
    )
    # Slow enough answers that the prefetch thread, started by the first, is first to numpy.
    (tmp_path / "bot.py").write_text(
        "import time\n\ndef reply(messages):\n    time.sleep(0.3)\n    return 'ok'\n"
    )
    (tmp_path / "t.yaml").write_text(
        "type: callable\nfunction: bot:reply\npython_path: ['.']\nconcurrency: 1\n"
    )
    args = ["run", "s.yaml", "--target", "t.yaml", "--reports", "reports"]
    args += ["--no-report", "--no-evidence"]
    proc = subprocess.run(
        [sys.executable, "-c", _FIRST_IMPORTER, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = [ln for ln in proc.stdout.splitlines() if ln.startswith("NUMPY-FIRST ")]
    assert first == ["NUMPY-FIRST assurance-prefetch"], proc.stdout + proc.stderr


def test_compare_of_two_runs_imports_no_scipy_stats(tmp_path: Path) -> None:
    """Was: ``compare`` (and ``baseline check``, ``trend``) imported scipy.stats for a normal
    tail and a t quantile: about 0.6 s of a 1.4 s command. Those are scipy.special's ufuncs
    (``stats._special``), bit for bit (tests/stats/test_special.py)."""
    from tests.testing.project import echo_runs

    base, cand = echo_runs(tmp_path, "imports-compare", 2)
    code, modules = _imported(["compare", str(base), str(cand)], tmp_path)
    assert code == 0
    assert "scipy.stats" not in modules
    assert "scipy._lib._array_api" not in modules


def test_a_redacted_run_imports_neither_torch_nor_transformers(tmp_path: Path) -> None:
    """Was: a run under a redaction policy imported torch and transformers (about 3 s and
    300 MB of a 6 s, 500 MB run) through spaCy's thinc and Presidio, which import them where
    installed for pipelines and recognizers the redactor never uses (a blank spaCy tokenizer,
    rule recognizers)."""
    (tmp_path / "assurance.yaml").write_text(
        "privacy:\n  policy_version: t-1\n  redaction: {enabled: true}\n", encoding="utf-8"
    )
    (tmp_path / "s.yaml").write_text(
        "suite: redacted\ncases:\n  - {id: a, prompt: 'write to zelda.quux@example.org'}\n"
        "scorers: [{id: len, use: length}]\nmetrics: [{id: long, rate: 'len.words > 1'}]\n",
        encoding="utf-8",
    )
    (tmp_path / "bot.py").write_text("def reply(messages):\n    return 'ok, mail bo@example.org'\n")
    (tmp_path / "t.yaml").write_text("type: callable\nfunction: bot:reply\npython_path: ['.']\n")
    code, modules = _imported(
        ["run", "s.yaml", "--target", "t.yaml", "--reports", "reports", "--no-report"], tmp_path
    )
    assert code == 0
    assert "presidio_analyzer" in modules  # the redactor did run
    assert not {"torch", "transformers"} & modules, sorted({"torch", "transformers"} & modules)
    results = next((tmp_path / "reports").glob("*/results.jsonl")).read_text(encoding="utf-8")
    assert "bo@example.org" not in results and "<EMAIL_ADDRESS>" in results, results
