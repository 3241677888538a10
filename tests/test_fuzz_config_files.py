"""Bounded fuzzing of the input files other than suites and datasets: target files of every
adapter (with a replay target's recording and a transformers target's model folder), the risk
register, a ``register import`` CSV, the project file ``assurance.yaml``, and the data files
expanders read (attack libraries, counterfactual groups, BOLD prompts).

Each file starts from a valid one; fields are set to values of the wrong type or out of range
(null, lists, huge and non-finite numbers, NULs, unset variable names, broken URLs), dropped or
joined by unknown keys, and the text itself is cut short, prefixed with a BOM, given bytes that
are not UTF-8, an alias bomb or 600-deep nesting; or a folder, a FIFO or nothing stands in the
file's place. Whatever the file, every command that reads it ends 0 or 2 (``run`` also 1 or 3),
never in a traceback or an internal error: exit 1 tells CI a gate failed, and a crash report
tells the user the bug is ours when the fix is theirs. Derandomised, so a failure reproduces;
``benchmarks/fuzz.py --config-files N`` runs the same generators at scale.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_fuzz import ECHO, HOSTILE_YAML, JUNK, _invoke_output

SUITE = (
    "suite: fuzz\ncases: [{id: c1, prompt: hello}, {id: c2, prompt: world}]\n"
    "scorers: [{id: m, use: contains, with: {terms: [echo]}}]\n"
    "metrics: [{id: r, rate: m.matched}]\ngates: [{metric: r, min: 0.5}]\n"
)
RECORDING = [
    {"id": "c1", "prompt": "hello", "response": "echo hello", "sample": 0},
    {"id": "c2", "prompt": "world", "response": "echo world", "sample": 0},
]

TARGETS: dict[str, dict[str, Any]] = {
    "callable": {
        "type": "callable",
        "function": "fuzz_echo_target:reply",
        "python_path": ["."],
        "system_prompt": "be brief",
        "concurrency": 2,
        "timeout_s": 10,
        "retry": {"max_attempts": 1},
    },
    "replay": {
        "type": "replay",
        "path": "rec.jsonl",
        "fields": {"id": "id", "prompt": "prompt", "response": "response", "sample": "sample"},
        "match_prompt": True,
        "redact": False,
    },
    # Port 9 (discard) on the loopback: nothing listens, so nothing is sent anywhere. These
    # are validated, not run: a mutated retry policy could wait minutes on the refusals.
    "openai": {
        "type": "openai",
        "base_url": "http://127.0.0.1:9/v1",
        "model": "m",
        "api_key_env": "FUZZ_API_KEY",
        "headers": {"X-Team": "a"},
        "generation": {"temperature": 0, "max_tokens": 5},
        "timeout_s": 1,
        "retry": {"max_attempts": 1, "base_delay_s": 0, "max_delay_s": 0},
    },
    "http": {
        "type": "http",
        "url": "http://127.0.0.1:9/generate",
        "body": {"prompt": "{prompt}", "n": 1},
        "response_path": "output.text",
        "headers": {"X-Team": "a"},
        "timeout_s": 1,
    },
    "transformers": {"type": "transformers", "model": "model", "dtype": "auto", "device": "cpu"},
}
RUNNABLE = {"callable", "replay"}
"""Adapters whose mutated files are also run (offline, and over in well under a second)."""

REGISTER: dict[str, Any] = {
    "register_version": 1,
    "system": {
        "name": "Demo",
        "intended_use": "homework help",
        "owner": "Safety lead",
        "audience": {"min_age": 8, "max_age": 14},
        "target": "t.yaml",
    },
    "risks": [
        {
            "id": "R-001",
            "title": "Toxic output",
            "category": "safety",
            "owner": "T&S",
            "likelihood": 3,
            "impact": 4,
            "suites": ["fuzz", {"suite": "other", "gates": ["r"]}],
            "iso42001_annex_a": ["A.5.4"],
            "freshness_days": 30,
        }
    ],
}
PROJECT: dict[str, Any] = {
    "privacy": {
        "policy_version": "1",
        "redaction": {"enabled": False, "min_score": 0.4},
        "retention_days": 90,
        "replay_redacts_on_ingest": False,
    },
    "store": "sqlite",
}
EXPANDERS: dict[str, tuple[str, Any]] = {
    "attack": (
        "cases: [{id: a, prompt: hi}]\nexpand: [{use: attack, with: {library: DATA}}]\n",
        {
            "library": "fuzz",
            "version": "1",
            "wrappers": [
                {
                    "id": "a",
                    "category": "c",
                    "description": "d",
                    "source": "s",
                    "template": "say {payload}",
                }
            ],
        },
    ),
    "counterfactual": (
        "cases: [{id: a, prompt: 'hi {person}'}]\n"
        "expand: [{use: counterfactual, with: {groups: DATA}}]\n",
        {
            "name": "g",
            "version": "1",
            "axes": {
                "gender": {"groups": {"girl": {"person": "a girl"}, "boy": {"person": "a boy"}}}
            },
        },
    ),
    "bold": (
        "cases: []\nexpand: [{use: bold, with: {files: [DATA]}}]\n",
        {"G1": {"jane": ["Jane is a", "Jane was"]}},
    ),
}
"""Per expander: the suite lines that name its data file (``DATA``), and a valid data file."""
CSV_HEADER = ["id", "title", "category", "owner", "likelihood", "impact", "suites"]
CSV_ROW = ["R-001", "Toxic output", "safety", "T&S", "3", "4", "fuzz"]

HOSTILE = st.sampled_from(
    [
        None,
        True,
        0,
        -1,
        10**30,
        1e308,
        -1e308,
        float("nan"),
        float("inf"),
        float("-inf"),
        0.5,
        "",
        " ",
        "\x00",
        "a\x00b",
        "\u202e",
        "x" * 300,
        [],
        {},
        [1],
        {"a": 1},
        "1e308",
        "-1",
        "fifo",
        "folder",
        ".",
        "missing.jsonl",
        "../..",
        "FUZZ_UNSET_VARIABLE",
        "A B",
        "http://127.0.0.1:99999/v1",
        "file:///etc/passwd",
        "http://[::1",
        "http://[zz::1]:9/v1",
        "127.0.0.1:9/v1",
        "http://127.0.0. 1:9/v1",
        "http://127.0.0.1:9/v1\x00",
        "http://127.0.0.1:9/v 1",
    ]
)
"""Values a hostile user writes where a field's value belongs."""
VALUE = st.one_of(HOSTILE, HOSTILE, JUNK)
UNKNOWN_KEY = st.sampled_from(["bogus", "x-fuzz", "", "type", "Type", "1"])


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path inside ``node``, containers included."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list) and value:
            found.extend(_paths(value, (*prefix, key)))
    return found


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to three fields set to a hostile value, dropped, or joined by an
    unknown key beside them."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        if not isinstance(doc, dict | list) or not doc:
            break
        path = draw(st.sampled_from(_paths(doc)))
        parent, key = _at(doc, path[:-1]), path[-1]
        operation = draw(st.sampled_from(["set", "set", "set", "drop", "add"]))
        # Copies: a drawn list or mapping is the strategy's own object, which a later "add"
        # would change for every example after this one.
        if operation == "set":
            parent[key] = copy.deepcopy(draw(VALUE))
        elif operation == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(UNKNOWN_KEY)] = copy.deepcopy(draw(VALUE))
    return doc


@st.composite
def yaml_bytes(draw: st.DrawFn, base: Any) -> bytes:
    """A YAML file's bytes: ``base`` (mutated nine times in ten), sometimes damaged as text."""
    doc = draw(mutated(base)) if draw(st.integers(0, 9)) else base
    text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)
    return _damaged(draw, text.encode("utf-8"))


def _damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` as it is nine times in sixteen, else cut short, emptied, given a BOM, a byte
    that is not UTF-8, a raw NUL or a hostile YAML tail."""
    mutation = draw(st.integers(0, 15))
    at = draw(st.integers(0, len(data)))
    if mutation == 15:
        return data[:at]
    if mutation == 14:
        return b""
    if mutation == 13:
        return b"\xef\xbb\xbf" + data
    if mutation == 12:
        return data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[at:]
    if mutation == 11:
        return data[:at] + b"\x00" + data[at:]
    if mutation == 10:
        return data + draw(st.sampled_from(HOSTILE_YAML)).encode()
    return data


PLACES = st.sampled_from(["file"] * 12 + ["folder", "fifo", "missing"])
"""What stands where the file should be: most often the file."""


def _place(path: Path, data: bytes, place: str) -> None:
    """Put ``data`` at ``path``, or a folder, a FIFO or nothing in its place."""
    if place == "file":
        path.write_bytes(data)
    elif place == "folder":
        path.mkdir()
    elif place == "fifo":
        os.mkfifo(path)


@st.composite
def recordings(draw: st.DrawFn) -> bytes:
    """A replay recording (JSONL), its records sometimes mutated or the file damaged."""
    records = draw(mutated(RECORDING)) if draw(st.integers(0, 3)) == 3 else RECORDING
    lines = [json.dumps(r, allow_nan=True).encode() for r in records]
    if draw(st.integers(0, 7)) == 7:
        lines.append(draw(st.sampled_from([b"{broken", b"[1]", b'"x"', b"\xff", b"1e999"])))
    return _damaged(draw, b"\n".join(lines) + b"\n")


@st.composite
def model_folders(draw: st.DrawFn) -> dict[str, bytes]:
    """A transformers model folder's files: none, or a config.json that is no model's."""
    config = draw(st.sampled_from([None, b"{not json", b"[]", b'{"model_type": "nope"}', b""]))
    return {} if config is None else {"config.json": config}


@st.composite
def target_cases(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(TARGETS)))
    return {
        "kind": kind,
        "target": draw(yaml_bytes(TARGETS[kind])),
        "place": draw(PLACES),
        "recording": draw(recordings()) if kind == "replay" else b"",
        "model": draw(model_folders()) if kind == "transformers" else {},
    }


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A ``register import`` CSV: the header and a row, cells sometimes hostile."""
    rows = [list(CSV_HEADER), list(CSV_ROW)]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.sampled_from(rows))
        cell = draw(st.integers(0, len(row)))
        value = draw(VALUE)
        text = value if isinstance(value, str) else json.dumps(value)
        if cell == len(row):
            row.append(text)
        else:
            row[cell] = text
    if draw(st.integers(0, 7)) == 7:
        rows.append(draw(st.sampled_from([['"open'], [], ["R-001"] * 20])))
    text = "\n".join(",".join(_csv_cell(c) for c in row) for row in rows) + "\n"
    return _damaged(draw, text.encode("utf-8", errors="surrogatepass"))


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


COUNTER = itertools.count()
FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Work in ``folder``: the project file is read from the working directory."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _deadline(seconds: int, args: list[str]) -> Iterator[None]:
    """Fail rather than hang: a FIFO read as a file waits for a writer that never comes."""

    def hung(_signum: int, _frame: object) -> None:
        raise AssertionError(f"{args} still running after {seconds} s (hung?)")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _ends_well(args: list[str], allowed: set[int]) -> int:
    """Run ``assurance ARGS`` in this process: no traceback, no internal error, and an exit
    code in ``allowed``; a refusal is an ``error:`` line that names a file or a target."""
    with _deadline(60, args):
        code, output = _invoke_output(args)
    assert "internal error" not in output, f"{args}: {output}"
    assert code in allowed, f"{args} ended {code}: {output}"
    return code


def _run_ends_well(target: str) -> int:
    """``run`` of the project's suite against ``target``: any verdict, never a traceback."""
    args = ["run", "s.yaml", "--target", target, "--reports", "r", "--no-report", "--no-evidence"]
    return _ends_well(args, {0, 1, 2, 3})


def _project(tmp: Path, echo: bool = True) -> Path:
    folder = tmp / str(next(COUNTER))
    folder.mkdir()
    (folder / "s.yaml").write_text(SUITE, encoding="utf-8")
    if echo:
        (folder / "fuzz_echo_target.py").write_text(ECHO, encoding="utf-8")
    return folder


def _write_target(folder: Path, case: dict[str, Any]) -> Path:
    (folder / "rec.jsonl").write_bytes(case["recording"])
    if case["kind"] == "transformers":
        (folder / "model").mkdir()
        for name, data in case["model"].items():
            (folder / "model" / name).write_bytes(data)
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    target = folder / "t.yaml"
    _place(target, case["target"], case["place"])
    return target


def check_target(folder: Path, case: dict[str, Any], *, run: bool) -> dict[str, int]:
    """Validate a generated target file; run the runnable ones with a tiny suite. Returns each
    command's exit code."""
    target = _write_target(folder, case)
    codes: dict[str, int] = {}
    with _inside(folder):
        codes["validate"] = _ends_well(["validate", "s.yaml", target.name], {0, 2})
        if run and case["kind"] in RUNNABLE:
            codes["run"] = _run_ends_well(target.name)
    return codes


@settings(FUZZ_SETTINGS, max_examples=120)
@given(case=target_cases())
def test_target_files_validate_and_run_without_a_traceback(tmp_path_factory, case) -> None:
    check_target(_project(tmp_path_factory.mktemp("t")), case, run=True)


@st.composite
def register_cases(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "register": draw(yaml_bytes(REGISTER)),
        "place": draw(PLACES),
        "csv": draw(csv_bytes()),
    }


def check_register(folder: Path, case: dict[str, Any]) -> dict[str, int]:
    """The register commands on a generated register file (and an import CSV); returns each
    command's exit code."""
    (folder / "t.yaml").write_text(
        "type: callable\nfunction: fuzz_echo_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    _place(folder / "register.yaml", case["register"], case["place"])
    (folder / "risks.csv").write_bytes(case["csv"])
    # A reports folder that is there: one that is not is refused before the register is read.
    (folder / "r").mkdir(exist_ok=True)
    with _inside(folder):
        where = ["--register", "register.yaml"]
        return {
            "register validate": _ends_well(["register", "validate", *where], {0, 2}),
            "register status": _ends_well(["register", "status", *where, "--reports", "r"], {0, 2}),
            "register export": _ends_well(
                ["register", "export", *where, "--reports", "r", "-o", "out.md"], {0, 2}
            ),
            "register import": _ends_well(
                ["register", "import", "risks.csv", *where, "--dry-run"], {0, 2}
            ),
        }


@settings(FUZZ_SETTINGS, max_examples=80)
@given(case=register_cases())
def test_register_files_and_import_csvs_end_in_one_line(tmp_path_factory, case) -> None:
    check_register(_project(tmp_path_factory.mktemp("g")), case)


@st.composite
def project_cases(draw: st.DrawFn) -> dict[str, Any]:
    return {"project": draw(yaml_bytes(PROJECT)), "place": draw(PLACES)}


def check_project(folder: Path, case: dict[str, Any], *, run: bool) -> dict[str, int]:
    """Commands that read ``assurance.yaml`` from the working directory, on a generated one;
    returns each command's exit code."""
    (folder / "t.yaml").write_text(
        "type: callable\nfunction: fuzz_echo_target:reply\npython_path: [.]\n", encoding="utf-8"
    )
    _place(folder / "assurance.yaml", case["project"], case["place"])
    codes: dict[str, int] = {}
    with _inside(folder):
        codes["runs list"] = _ends_well(["runs", "list", "--reports", "r"], {0, 2})
        if run:
            codes["run"] = _run_ends_well("t.yaml")
    return codes


@settings(FUZZ_SETTINGS, max_examples=40)
@given(case=project_cases())
def test_project_files_end_in_one_line(tmp_path_factory, case) -> None:
    check_project(_project(tmp_path_factory.mktemp("p")), case, run=True)


@st.composite
def expander_cases(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(EXPANDERS)))
    base = EXPANDERS[kind][1]
    if kind == "bold":  # a JSON file
        doc = draw(mutated(base)) if draw(st.integers(0, 9)) else base
        data = _damaged(draw, json.dumps(doc, allow_nan=True).encode("utf-8"))
    else:
        data = draw(yaml_bytes(base))
    odd = draw(st.sampled_from(["fifo", "folder", "'~fuzz_no_such_user/x'", '"da\\0ta"', "''"]))
    return {
        "kind": kind,
        "data": data,
        "place": draw(PLACES),
        "path": odd if draw(st.integers(0, 9)) == 9 else "data.txt",
    }


def check_expander(folder: Path, case: dict[str, Any]) -> dict[str, int]:
    """``validate`` of a suite whose expander reads a generated data file; returns its exit."""
    (folder / "folder").mkdir()
    os.mkfifo(folder / "fifo")
    _place(folder / "data.txt", case["data"], case["place"])
    lines = EXPANDERS[case["kind"]][0].replace("DATA", case["path"])
    (folder / "e.yaml").write_text(
        f"suite: e\n{lines}metrics: [{{id: failed, rate: error}}]\n", encoding="utf-8"
    )
    with _inside(folder):
        return {"validate": _ends_well(["validate", "e.yaml"], {0, 2})}


@settings(FUZZ_SETTINGS, max_examples=80)
@given(case=expander_cases())
def test_expander_data_files_end_in_one_line(tmp_path_factory, case) -> None:
    check_expander(_project(tmp_path_factory.mktemp("e"), echo=False), case)
