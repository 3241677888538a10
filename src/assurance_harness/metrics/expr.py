"""A small, safe expression language for metric conditions (``tox.toxicity > 0.5``).

Parsed with :mod:`ast` and evaluated by a whitelist walker: no attribute access on Python
objects, no imports, no arbitrary calls. Missing values are null, and null propagates through
comparisons and arithmetic, so a row without the field is skipped rather than miscounted. NaN
is null too: ``nan > 0.5`` is False in Python, which counted a NaN score as a clean answer.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..errors import HarnessError


class ExpressionError(HarnessError):
    """The expression cannot be parsed or uses something outside the language."""


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_FUNCTIONS: dict[str, Any] = {
    "len": len,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "float": float,
    "int": int,
    "str": str,
    "bool": bool,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    # The first value that is not null: ``coalesce(human.label, tox.toxicity > 0.5)`` takes a
    # reviewer's label where there is one and the scorer's elsewhere. (Null-aware; see _eval.)
    "coalesce": lambda *args: next((a for a in args if a is not None), None),
}
_CONSTANTS = {
    "true": True,
    "false": False,
    "null": None,
    "none": None,
    "True": True,
    "False": False,
    "None": None,
}
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.BinOp,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Constant,
    ast.Call,
    ast.List,
    ast.Tuple,
    *_COMPARE,
    *_BINARY,
)


MAX_CHARS = 1000
"""Longest expression accepted: a condition is a line, not a program."""
MAX_NODES = 300
MAX_DEPTH = 40
"""Nesting bound: evaluation recurses once per level."""
MAX_REPEAT = 1_000_000
"""Longest text or list that ``*`` may build (``response * 100000000000`` would exhaust memory)."""
_TEXT_NAMES = {"response", "prompt", "case_id"}


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def _check_size(text: str, tree: ast.Expression) -> None:
    """Size and nesting bounds, checked when the suite is validated, so evaluating an accepted
    expression can neither recurse too deep nor run for long."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, level = stack.pop()
        count += 1
        if level > MAX_DEPTH:
            raise ExpressionError(
                f"invalid expression '{_short(text)}': nested too deep (over {MAX_DEPTH} levels)"
            )
        if count > MAX_NODES:
            raise ExpressionError(
                f"invalid expression '{_short(text)}': too large (over {MAX_NODES} parts); "
                "split it into several metrics"
            )
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(node))


def _is_text(node: ast.AST) -> bool:
    """An operand known to be text or a list before any row is seen."""
    if isinstance(node, ast.Name):
        return node.id in _TEXT_NAMES
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"str", "lower", "upper"}
    return isinstance(node, ast.List | ast.Tuple)


def _check_repeat(text: str, node: ast.AST) -> None:
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult)):
        return
    for seq, count in ((node.left, node.right), (node.right, node.left)):
        if (
            _is_text(seq)
            and isinstance(count, ast.Constant)
            and isinstance(count.value, int)
            and abs(count.value) > 1000
        ):
            raise ExpressionError(
                f"invalid expression '{_short(text)}': repeats text or a list "
                f"{count.value:,} times (would not fit in memory)"
            )


@lru_cache(maxsize=1024)
def compile_expression(text: str) -> ast.Expression:
    """Parse and check an expression once; errors say what is not allowed."""
    if len(text) > MAX_CHARS:
        raise ExpressionError(
            f"invalid expression '{_short(text)}': the expression is too long "
            f"({len(text):,} characters, at most {MAX_CHARS:,}); split it into several metrics"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"invalid expression '{text}': {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"invalid expression '{_short(text)}': nested too deep (over {MAX_DEPTH} levels)"
        ) from None
    _check_size(text, tree)
    for node in ast.walk(tree):
        _check_repeat(text, node)
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                f"invalid expression '{text}': {type(node).__name__} is not allowed"
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
                raise ExpressionError(
                    f"invalid expression '{text}': functions allowed are "
                    f"{', '.join(sorted(_FUNCTIONS))}"
                )
            if node.keywords:
                raise ExpressionError(f"invalid expression '{text}': no keyword arguments")
    return tree


_ROW_NAMES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "response": lambda row: row.get("response"),
    "prompt": lambda row: row.get("prompt"),
    "error": lambda row: row.get("error") is not None,
    "sample": lambda row: row.get("sample"),
    "case_id": lambda row: row.get("case_id"),
    "meta": lambda row: row.get("metadata") or {},
    "metadata": lambda row: row.get("metadata") or {},
    "expected": lambda row: row.get("expected") or {},
    # A person's verdict (``human.label``, ``human.reviewed``); null until reviewed.
    "human": lambda row: row.get("human") or {},
}
"""The names a row gives an expression besides its scorers' (which they hide)."""

CASE_NAMES = frozenset({"meta", "metadata", "prompt", "sample", "case_id", "expected"})
"""The names whose values the cases fix before any request is sent."""


def reads_the_case(text: str) -> bool:
    """Whether an expression reads a name the cases fix (``meta.axis``, ``expected``): a
    ``where:`` that does may leave out a ``by:`` group on purpose, one that reads only what
    the run gave (the response, a scorer's field, ``error``) leaves a group out by chance."""
    return bool(names_read(text) & CASE_NAMES)


def groups_left_out_unmeasured(by: str, where: str) -> bool:
    """Whether a ``by:`` group whose every row ``where`` left out went unmeasured: the groups
    are the cases' (``by`` reads only names the cases fix, as ``meta.group``) and the ``where``
    reads none (only what the run gave). Groups of the answers (``by: tox.label``) are no
    population the run was to measure, and a ``where`` on the cases chooses its groups."""
    names = names_read(by)
    return bool(names) and names <= CASE_NAMES and not reads_the_case(where)


RESERVED_NAMES: frozenset[str] = frozenset(_ROW_NAMES) | frozenset(_CONSTANTS)
"""Names no scorer id may take: an expression reads the row's own value (``error``, ``meta``)
or the literal (``null``) by them, so a scorer with one of these ids could never be read."""


def namespace(row: dict[str, Any]) -> dict[str, Any]:
    """The names an expression sees for one result row."""
    names: dict[str, Any] = dict(row.get("scores") or {})
    names.update({name: value(row) for name, value in _ROW_NAMES.items()})
    return names


@lru_cache(maxsize=1024)
def _path(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``name.member.member`` expressions (most metrics' values, conditions and groups) as
    (name, members), so ``evaluate`` reads them without building the whole namespace; None
    for any other expression."""
    node = compile_expression(text).body
    members: list[str] = []
    while isinstance(node, ast.Attribute):
        members.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, tuple(reversed(members))


def path_of(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``scorer.field`` (``meta.key``, any ``name.member...``) as (name, members); None for
    any other expression: what a message names when a value read by it is of the wrong
    kind."""
    return _path(text)


@lru_cache(maxsize=1024)
def condition_parts(text: str) -> tuple[str, ...]:
    """The parts of an expression read as true/false inside it (the operands of ``not``,
    ``and``, ``or``, nested ones too), as expressions: ``not s.flagged`` reads the text
    "false" as true, so whoever needs true/false must check them as well as the whole.
    Empty for most expressions (a path, a comparison)."""
    parts: list[str] = []
    stack: list[ast.AST] = [compile_expression(text).body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operands = [node.operand]
        elif isinstance(node, ast.BoolOp):
            operands = list(node.values)
        else:
            continue
        for operand in operands:
            parts.append(ast.unparse(operand))
            stack.append(operand)
    return tuple(dict.fromkeys(parts))


@lru_cache(maxsize=1024)
def names_read(text: str) -> frozenset[str]:
    """The names an expression reads from a row (``meta``, ``response``, a scorer's id), its
    constants and functions aside: what decides whether it can be read before a run (on a
    case's metadata alone). Raises ``ExpressionError`` as ``compile_expression`` does."""
    tree = compile_expression(text)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return frozenset(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id not in _CONSTANTS and id(node) not in called
    )


def evaluate(text: str, row: dict[str, Any]) -> Any:
    """Evaluate an expression against a result row (see docs/FORMATS.md)."""
    path = _path(text)
    scores = row.get("scores") or {}
    if path is None or not isinstance(scores, dict):
        return _eval(compile_expression(text).body, namespace(row))
    name, members = path
    if name in _CONSTANTS:
        value = _CONSTANTS[name]
    elif name in _ROW_NAMES:
        value = _ROW_NAMES[name](row)
    else:
        value = scores.get(name)
    for member in members:
        value = _member(value, member)
    return defined(value)


def evaluate_on_metadata(text: str, metadata: dict[str, Any]) -> Any:
    """``evaluate(text, {"metadata": metadata})`` for an expression that reads only ``meta``
    (``metadata``), without building the names of a whole row (``namespace``): ``validate``
    reads such a ``where:`` on each of a suite's cases (``spec.casemeta``), 100k of them."""
    if _path(text) is not None:
        return evaluate(text, {"metadata": metadata})
    names = {"meta": metadata, "metadata": metadata}
    return _eval(compile_expression(text).body, names)


def reader(text: str) -> Callable[[dict[str, Any]], Any]:
    """``lambda row: evaluate(text, row)``, with the expression's parse looked up once rather
    than once a row: a run's metric columns read each of their expressions from every row
    (``metrics.columns``), and a ``name.member`` path, most of them, is then read directly."""
    path = _path(text)
    if path is None or path[0] in _CONSTANTS:
        return lambda row: evaluate(text, row)
    name, members = path
    from_row = _ROW_NAMES.get(name)

    def read(row: dict[str, Any]) -> Any:
        scores = row.get("scores") or {}
        if not isinstance(scores, dict):
            return evaluate(text, row)
        value = from_row(row) if from_row is not None else scores.get(name)
        for member in members:
            # ``_member`` with a text key: a mapping's member, else none.
            value = value.get(member) if isinstance(value, dict) else None
        return defined(value)

    return read


def defined(value: Any) -> Any:
    """``value``, or null for NaN: a score that is not a number (a model whose logits
    overflowed) is no value, so a condition on it skips the row and counts it in
    ``n_skipped``. Compared as Python does, ``nan > 0.5`` is False and ``nan`` is truthy, so
    the row counted as one where the condition failed, or held."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _eval(node: ast.AST, names: dict[str, Any]) -> Any:
    """The value of ``node``, NaN read as null at every step (:func:`defined`)."""
    return defined(_eval_node(node, names))


def _eval_node(node: ast.AST, names: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        return _member(_eval(node.value, names), node.attr)
    if isinstance(node, ast.Subscript):
        return _member(_eval(node.value, names), _eval(node.slice, names))
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, names) for e in node.elts]
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, names)
        if value is None:
            return None
        if isinstance(node.op, ast.Not):
            return not value
        return _sign(node.op, value)
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, names) for v in node.values]
        if isinstance(node.op, ast.And):
            if any(v is not None and not v for v in values):
                return False
            return None if any(v is None for v in values) else True
        if any(v for v in values):
            return True
        return None if any(v is None for v in values) else False
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, names)
            if (left is None or right is None) and not isinstance(op, ast.Is | ast.IsNot):
                return None
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return None
            left = right
        return True
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, names), _eval(node.right, names)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult) and _too_long(left, right):
            return None
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            return None  # printf formatting, not arithmetic: '"%0999999999d" % 1' is 1 GB
        try:
            return _BINARY[type(node.op)](left, right)
        except (TypeError, ZeroDivisionError, OverflowError):  # a huge int with a float
            return None
    if isinstance(node, ast.Call):
        args = [_eval(a, names) for a in node.args]
        if node.func.id == "coalesce":  # type: ignore[attr-defined]
            return _FUNCTIONS["coalesce"](*args)
        if any(a is None for a in args):
            return None
        try:
            return _FUNCTIONS[node.func.id](*args)  # type: ignore[attr-defined]
        except (TypeError, ValueError, OverflowError):  # int(inf), round(nan): no value
            return None
    raise ExpressionError(f"unsupported expression node {type(node).__name__}")


def _sign(op: ast.unaryop, value: Any) -> Any:
    """``-x`` or ``+x``; no value for text, a mapping or a list. A suite's types refuse those
    before a run, but the web app's score filter is typed by a person and evaluated unchecked."""
    if not isinstance(value, int | float):
        return None
    return -value if isinstance(op, ast.USub) else +value


def _too_long(left: Any, right: Any) -> bool:
    """Text or a list repeated past MAX_REPEAT items (a scorer's field times a big number):
    no value, rather than minutes of work and a MemoryError."""
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            return len(seq) * count > MAX_REPEAT
    return False


def _member(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        try:
            return container.get(key)
        except TypeError:  # an unhashable key (a list or dict) names no member
            return None
    if isinstance(container, list | tuple | str) and isinstance(key, int):
        return container[key] if -len(container) <= key < len(container) else None
    return None
