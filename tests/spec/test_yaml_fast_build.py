"""The fast data builder (``yaml_lines._build``) gives what the exact one gives, data or error.

``_build`` reads plain text inline and hands a file to ``_build_exact`` when a mapping has a
merge key, a list as a key or a repeated key; these cases pin that every route agrees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assurance_harness.errors import ConfigError
from assurance_harness.store import yaml_lines
from assurance_harness.store.yaml_lines import _build, _build_exact, _Loader

ROOT = Path(__file__).resolve().parents[2]

SNIPPETS = [
    "a: 1\nb: [x, 'y', \"z\", 2.5, null, true, 2026-01-02]\n",
    "a: 1\na: 2\n",
    "top:\n  a: 1\n  b: 2\n  a: 3\nother: {k: v, k: w}\n",
    "1: a\n0x1: b\n",
    "x: &base {k: 1, j: 2}\ny:\n  <<: *base\n  k: 3\n",
    "x: &a {k: 1}\ny: &b {j: 2}\nz:\n  <<: [*a, *b]\n  m: 0\n",
    "x: &a [1, 2]\ny: {<<: *a}\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\n",
    "i: !!int 12\nf: !!float '1.5'\nb: !!binary aGVsbG8=\n",
    "bad: !!int abc\n",
    'u: "caf\\u00e9 \\U0001F600"\nv: \'plain é\'\n"k\\u00e9y": 1\n',
    "unknown: !custom x\n",
    "m: !custom {a: 1}\n",
    "a: &x [1, *x]\n",
    "a: &x {k: *x}\n",
    "l: &l [a, b, c]\nm: [*l, *l, *l]\nn: {p: *l, q: *l}\n",
    "- a\n- {b: c}\n- [d, [e, [f]]]\n",
    "plain\n",
    "[]\n",
    "{}\n",
    "a: {b: {c: {d: [1, {e: f}]}}}\nb: ~\n",
    "a: 1\nb: {a: 1, b: 2}\nb: 3\n",
    "a: &x {k: 1}\nb: *x\nc: {k: 1, k: 2}\n",
]


def _outcome(build: Any, text: str) -> Any:
    root = _Loader(text).get_single_node()
    try:
        return ("data", build(root, "f.yaml"))
    except ConfigError as exc:
        return ("config", [str(issue) for issue in exc.issues])
    except yaml.MarkedYAMLError as exc:
        return ("yaml", exc.problem, exc.problem_mark.line if exc.problem_mark else None)


@pytest.mark.parametrize("text", SNIPPETS)
def test_fast_build_matches_exact_on_snippets(text: str) -> None:
    assert _outcome(_build, text) == _outcome(_build_exact, text)


def test_fast_build_matches_exact_on_bundled_files() -> None:
    files = [
        p
        for folder in ("suites", "targets", "examples", "register")
        for p in sorted((ROOT / folder).rglob("*.y*ml"))
    ]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _outcome(_build, text) == _outcome(_build_exact, text), path


def test_fast_build_matches_exact_on_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_lines, "MAX_DEPTH", 4)
    monkeypatch.setattr(yaml_lines, "MAX_ALIAS_VALUES", 20)
    for text in [
        "a: {b: {c: {d: {e: 1}}}}\n",
        "a: &x {b: {c: 1}}\nb: {c: {d: *x}}\n",
        "a: &a [1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a]\nc: [*b, *b]\n",
        "a: &a [1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a]\nc: [*b, *b]\nd: 1\nd: 2\n",
    ]:
        assert _outcome(_build, text) == _outcome(_build_exact, text), text


SCALARS = st.one_of(
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.sampled_from(["k", "é", "<<", "1", "yes", "null", "a b", "\u202e", "0x1"]),
)
KEYS = st.sampled_from(["a", "b", "c", "1", 1, True, "é", "<<"])
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=DATA, flow=st.booleans(), dup=st.booleans(), quote=st.booleans())
def test_fast_build_matches_exact_on_generated(
    data: Any, flow: bool, dup: bool, quote: bool
) -> None:
    text = yaml.safe_dump(
        {"x": data}, default_flow_style=flow, default_style='"' if quote else None
    )
    if dup and not flow:
        text += text  # every top-level key twice
    assert _outcome(_build, text) == _outcome(_build_exact, text)


def test_gc_paused_leaves_built_objects_old_and_collects_cycles_later() -> None:
    """What was built while paused is not in the youngest generation (no sweep over it on the
    next allocation), cyclic garbage made meanwhile is still collected, and objects someone
    froze on purpose stay frozen."""
    import gc

    class Node:
        pass

    with yaml_lines.gc_paused():
        kept = [[i] for i in range(10_000)]
        loop = Node()
        loop.self = loop  # type: ignore[attr-defined]
        del loop
    assert gc.isenabled()
    assert gc.get_count()[0] < 1_000
    assert gc.collect() >= 1  # the cycle
    assert len(kept) == 10_000

    # Frozen on purpose, it stays so. Asked of one object, not of the freeze count: another
    # thread (pytest-xdist's, a lock-wait watcher) may free a frozen object meanwhile.
    owned = [object()]
    gc.freeze()
    try:
        with yaml_lines.gc_paused():
            _ = [[i] for i in range(100)]
        assert not any(o is owned for o in gc.get_objects())  # still in the permanent generation
    finally:
        gc.unfreeze()
