"""Bounded fuzzing of the configuration edge: generated suites and datasets, valid and broken.

Whatever the input, ``validate`` ends 0 or 2 and ``run`` 0, 1, 2 or 3 — never a traceback (CI
must tell a crash from a failed gate). Derandomised, so a failure reproduces; a few hundred
examples in well under a minute. ``benchmarks/fuzz.py`` runs the same generators at scale.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assurance_harness.errors import HarnessError

from .testing.cli import invoke_in_process

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=12
)
ODD = st.sampled_from(
    ["", " ", "\t", "\x00", "é", "😀", "\u202e", "a" * 300, "\\ud800", "../..", "{x}", "'\""]
)
GOOD_ATOM = st.sampled_from(
    ["error", "len(response)", "m.matched", "1", "0.5", "len(response) > 5", "not error"]
)
BAD_ATOM = st.sampled_from(
    [
        "error",
        "response",
        "prompt",
        "m.matched",
        "len(response)",
        "meta.group",
        "1",
        "0.5",
        "null",
        "'a'",
        "[1, 2]",
        "response * 100000000000",
        "len(response) * 2",
        "m.matched and not error",
        "__import__('os')",
        "lambda: 1",
        "x.__class__",
        "(",
    ]
)
OPS = st.sampled_from([" + ", " - ", " * ", " / ", " > ", " == ", " and ", " or ", " in ", " % "])


HOSTILE_YAML = [
    "x-a: &a [1,2,3,4,5,6,7,8,9]\n"
    + "".join(
        f"x-{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in itertools.pairwise("abcdefghi")
    ),
    "x-deep: " + "[" * 600 + "]" * 600 + "\n",
    "x-deep: " + "- " * 300 + "x\n",
    "dup: 1\ndup: 2\n",
]
"""Top-level YAML that no reader may choke on: an alias bomb (9**9 leaves), 600-deep nesting
both ways, and a duplicate key; appended to a generated file."""


def _rarely(draw: st.DrawFn) -> bool:
    """True about one draw in eight: most generated suites are valid, so runs are exercised."""
    return draw(st.integers(0, 7)) == 7  # hypothesis favours small values: 0 is common


@st.composite
def expressions(draw: st.DrawFn) -> str:
    atom = BAD_ATOM if _rarely(draw) else GOOD_ATOM
    terms = draw(st.lists(atom, min_size=1, max_size=4))
    text = terms[0]
    for term in terms[1:]:
        text += draw(OPS if _rarely(draw) else st.sampled_from([" and ", " or "])) + term
    if _rarely(draw):
        wrap = draw(st.sampled_from(["abs(", "-(", "not (", "len("]))
        text = wrap + text + ")"
    if draw(st.integers(0, 40)) == 40:
        text = " + ".join(["error"] * draw(st.integers(100, 3000)))
    return text


SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    ODD,
)
JUNK = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def scorers(draw: st.DrawFn) -> list[Any]:
    choices = [
        {"id": "m", "use": "regex", "with": {"pattern": "(" if _rarely(draw) else "\\d"}},
        {"id": "m", "use": "contains", "with": {"terms": draw(st.lists(TEXT, max_size=2))}},
        {"id": "m", "use": "length"},
    ]
    if _rarely(draw):
        choices = [{"id": "m", "use": draw(st.sampled_from(["regexx", "", "length", "regex"]))}]
    return [draw(st.sampled_from(choices))]


@st.composite
def metrics(draw: st.DrawFn) -> list[Any]:
    out = []
    for index in range(draw(st.integers(0, 3))):
        kinds = ["rate", "mean", "quantile", "disparity", "rates", "rate", "mean", "quantile"]
        kind = draw(st.sampled_from(kinds if _rarely(draw) else kinds[:4]))
        expr = draw(expressions())
        if kind == "quantile":
            q = draw(st.sampled_from([1.5, "x"])) if _rarely(draw) else 0.9
            body: Any = {"expr": expr, "q": q}
        elif kind == "disparity":
            by = draw(st.sampled_from(["(", "response"])) if _rarely(draw) else "meta.group"
            body = {"value": expr, "by": by}
        else:
            body = expr
        metric: dict[str, Any] = {"id": f"k{index}", kind: body}
        if draw(st.booleans()):
            metric["by"] = draw(st.sampled_from(["meta.group", "meta.none", "x y"]))
        if _rarely(draw):
            metric[draw(st.sampled_from(["id", "where", "confidence"]))] = draw(JUNK)
        out.append(metric)
    return out


@st.composite
def gates(draw: st.DrawFn, metric_ids: list[str]) -> list[Any]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        gate: dict[str, Any] = {
            "metric": draw(st.sampled_from([*metric_ids, "nope"])) if metric_ids else "nope",
            draw(st.sampled_from(["max", "min"])): draw(st.floats(-1, 2)),
        }
        if _rarely(draw):
            gate[draw(st.sampled_from(["metric", "max", "bound", "extra"]))] = draw(JUNK)
        out.append(gate)
    return out


@st.composite
def datasets(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, text) of a JSONL or CSV dataset, sometimes broken."""
    rows = []
    for index in range(draw(st.integers(1, 4))):
        prompt = draw(st.one_of(TEXT, ODD, JUNK)) if _rarely(draw) else f"q{index} {index}"
        rows.append({"id": f"d{index}", "prompt": prompt, "group": draw(st.sampled_from("ab"))})
    if draw(st.booleans()):
        lines = [json.dumps(r) for r in rows]
        if _rarely(draw):
            lines.append(
                draw(
                    st.sampled_from(
                        ['{"prompt": ', "[1]", '{"prompt": "a\tb"}', '{"prompt": "\\ud800"}']
                    )
                )
            )
        if draw(st.integers(0, 15)) == 15:
            lines.append('{"prompt": "x", "d": ' + "[" * 3000 + "]" * 3000 + "}")
        return "d.jsonl", "\n".join(lines) + "\n"
    lines = ["id,prompt,group"] + [f"{r['id']},{r['prompt']},{r['group']}" for r in rows]
    if _rarely(draw):
        lines.append(draw(st.sampled_from(['x,"open', "a,b,c,d", "a", "\x00,\x00,\x00"])))
    return "d.csv", "\n".join(lines) + "\n"


@st.composite
def suites(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """(suite YAML text, other files by name)."""
    files: dict[str, str] = {}
    doc: dict[str, Any] = {"suite": draw(st.one_of(TEXT, JUNK)) if _rarely(draw) else "fuzz"}
    doc["samples"] = draw(st.sampled_from([0, -1, "x"])) if _rarely(draw) else 2
    if draw(st.booleans()):
        doc["cases"] = [
            {"id": f"c{i}", "prompt": draw(st.one_of(TEXT, JUNK)) if _rarely(draw) else f"p{i}"}
            for i in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()) or "cases" not in doc:
        name, text = draw(datasets())
        files[name] = text
        odd_paths = ["missing.jsonl", ".", "a\x00b", "x" * 300]
        path = draw(st.sampled_from(odd_paths)) if _rarely(draw) else name
        doc["dataset"] = {"path": path, "fields": {"meta.group": "group"}}
    if doc.get("cases") and doc.get("dataset") and _rarely(draw):
        doc["cases"][0]["id"] = "d0"  # the same id as the dataset's first row
    doc["scorers"] = draw(scorers())
    doc["metrics"] = draw(metrics())
    ids = [m["id"] for m in doc["metrics"] if isinstance(m.get("id"), str)]
    doc["gates"] = draw(gates(ids))
    for _ in range(1 if _rarely(draw) else 0):
        doc[draw(st.sampled_from(["seed", "max_error_rate", "expand", "x-a", "bogus"]))] = draw(
            JUNK
        )
    text = yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False)
    mutation = draw(st.integers(0, 15))
    if mutation == 15:  # cut the file short
        text = text[: draw(st.integers(0, len(text)))]
    elif mutation == 14:  # an alias bomb or deep nesting beside the suite
        text += draw(st.sampled_from(HOSTILE_YAML))
    elif mutation == 13:  # a byte-level insertion
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["\t", ":", "- ", "{", "&a ", "*b", "!!int "]))
            + text[at:]
        )
    return text, files


def _write(tmp: Path, case: tuple[str, dict[str, str]]) -> Path:
    text, files = case
    for name, body in files.items():
        (tmp / name).write_text(body, encoding="utf-8")
    (tmp / "s.yaml").write_text(text, encoding="utf-8")
    return tmp / "s.yaml"


def _invoke(args: list[str]) -> int:
    """Run the CLI in this process as ``main()`` does, failing on any escaping exception."""
    return _invoke_output(args)[0]


def _invoke_output(args: list[str]) -> tuple[int, str]:
    """``_invoke``, with what the command printed (main() prints an escaping HarnessError as
    its one line: that line is the output here)."""
    result = invoke_in_process(args)
    exc = result.exception
    if isinstance(exc, HarnessError):  # main() prints these as one line with their exit code
        return exc.exit_code, result.output + str(exc)
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(f"traceback for {args}: {exc!r}\n{result.output}") from exc
    assert "Traceback" not in result.output
    return result.exit_code, result.output


COUNTER = itertools.count()


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(case=suites())
def test_validate_ends_0_or_2_whatever_the_suite(tmp_path_factory, case) -> None:
    folder = tmp_path_factory.mktemp(f"v{next(COUNTER)}")
    code = _invoke(["validate", str(_write(folder, case))])
    assert code in {0, 2}


ECHO = "def reply(messages):\n    return 'echo ' + messages[-1]['content'][:50]\n"


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(case=suites())
def test_run_ends_0_1_2_or_3_whatever_the_suite(tmp_path_factory, case) -> None:
    folder = tmp_path_factory.mktemp(f"r{next(COUNTER)}")
    (folder / "fuzz_echo_target.py").write_text(ECHO, encoding="utf-8")
    target = folder / "t.yaml"
    target.write_text(
        "type: callable\nfunction: fuzz_echo_target:reply\n"
        f"python_path: [{json.dumps(str(folder))}]\n",
        encoding="utf-8",
    )
    suite = _write(folder, case)
    code = _invoke(
        [
            "run",
            str(suite),
            "--target",
            str(target),
            "--reports",
            str(folder / "reports"),
            "--no-report",
            "--no-evidence",
        ]
    )
    assert code in {0, 1, 2, 3}
