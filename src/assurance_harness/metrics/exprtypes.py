"""Static type-checking of metric expressions, so a mistake fails at ``validate``, not as a gate
that silently reads ``no_data`` or a rate of 1.000 after every request has been sent.

The checker infers a type for each part of an expression from what the names are known to hold
(scorer output declarations, metadata seen in the suite's cases) and reports the first thing
that cannot work: an unknown name or field, a number used as a condition, a comparison between
a label and a number, a label value that never occurs, a division by a constant zero. Where the
type cannot be known (a third-party scorer without declarations, a mapping's undeclared members)
it says nothing: a valid suite is never rejected on a guess.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field, replace
from typing import Literal

from .expr import _CONSTANTS, compile_expression, evaluate

Kind = Literal["bool", "number", "label", "text", "mapping", "list", "null", "any"]
Role = Literal["condition", "value", "group", "any"]
"""What an expression is for: a condition (a rate, ``where:``) must be true or false; a value
(a mean) must be a number; a group (``by:``) must name a group."""


@dataclass(frozen=True)
class Type:
    """What an expression part holds. ``members`` lists a mapping's known keys; ``closed``
    says no other key exists; ``choices`` are every value a label can take, when known."""

    kind: Kind
    members: dict[str, Type] | None = None
    closed: bool = False
    choices: frozenset[str] | None = None
    name: str | None = None
    """How the user wrote it (``tox.toxicity``), for messages."""
    conditions: tuple[str, ...] = ()
    """For a number or label read from a scorer: that scorer's boolean fields (``tox.flagged``),
    suggested when the number is used as a condition."""
    kind_of: str = ""
    """What kind of mapping this is (``scorer 'tox'``, ``metadata``), for messages."""
    absent: str = "{kind_of} has no field '{key}'"
    """The message for a key a closed mapping lacks."""
    mixed: str = ""
    """For metadata that is text in some cases and a number or true/false in others, what
    the cases give (``text in some cases ('false') and true/false in others``): a condition,
    a comparison or arithmetic reads the two kinds differently, so such a read is refused."""

    def member_names(self) -> list[str]:
        return sorted(self.members or {})


ANY = Type("any")
BOOL = Type("bool")
NUMBER = Type("number")
LABEL = Type("label")

_FUNCTION_ARITY = {
    "len": (1, 1),
    "abs": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "round": (1, 2),
    "float": (1, 1),
    "int": (1, 1),
    "str": (1, 1),
    "bool": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "coalesce": (1, None),
}
_NUMERIC = ("number", "bool")
_STRINGS = ("label", "text")
_WHAT = {
    "bool": "a condition (true/false)",
    "number": "a number",
    "label": "a label",
    "text": "text",
    "mapping": "a mapping",
    "list": "a list",
    "null": "null",
    "any": "a value",
}


class TypeProblem(Exception):
    """One mistake in an expression: a message and a fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Checker:
    """Infers types over an expression's tree against the names a row exposes."""

    names: dict[str, Type]
    text: str = ""
    problems: list[TypeProblem] = field(default_factory=list)
    null_fields: list[str] = field(default_factory=list)
    """Fields read that are null wherever known (metadata null in every case), for the hint
    that says why a part is null on every row."""

    def infer(self, node: ast.AST) -> Type:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        return method(node) if method is not None else ANY

    # leaves
    def _constant(self, node: ast.Constant) -> Type:
        value = node.value
        if value is None:
            return Type("null")
        if isinstance(value, bool):
            return BOOL
        if isinstance(value, int | float):
            return Type("number", name=repr(value))
        if isinstance(value, str):
            return Type("label", choices=frozenset({value}), name=repr(value))
        return ANY

    def _name(self, node: ast.Name) -> Type:
        if node.id in self.names:
            return self.names[node.id]
        if node.id in _CONSTANTS:
            value = _CONSTANTS[node.id]
            return Type("null") if value is None else BOOL
        raise TypeProblem(f"unknown name '{node.id}'", self._name_hint(node.id))

    def _name_hint(self, name: str) -> str:
        candidates = [n for n in self.names if n != "metadata"]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
        if close:
            return f"did you mean '{close[0]}'?"
        meta = self.names.get("meta")
        if meta is not None and (not meta.closed or name in (meta.members or {})):
            return f"did you mean 'meta.{name}'? (case metadata is read as meta.<key>)"
        for scorer, kind in self.names.items():
            if kind.kind_of.startswith("scorer") and name in (kind.members or {}):
                return f"did you mean '{scorer}.{name}'?"
        scorer_ids = [n for n, t in self.names.items() if t.kind_of.startswith("scorer")]
        return (
            "names are the scorer ids ("
            + (", ".join(sorted(scorer_ids)) or "none configured")
            + "), meta.<key>, expected.<key>, response, prompt, error, sample, case_id"
        )

    # access
    def _attribute(self, node: ast.Attribute) -> Type:
        return self._member(self.infer(node.value), node.attr, _source(node, self.text))

    def _subscript(self, node: ast.Subscript) -> Type:
        base = self.infer(node.value)
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return self._member(base, key.value, _source(node, self.text))
        index = self.infer(key)
        if base.kind in ("mapping", "any"):
            return ANY
        if base.kind == "list":
            self._expect(index, ("number",), "a list index", node)
            return ANY
        if base.kind in _STRINGS:
            self._expect(index, ("number",), "a text index", node)
            return Type("text")
        raise TypeProblem(
            f"'{_source(node.value, self.text)}' is {_WHAT[base.kind]}: it has no members"
        )

    def _member(self, base: Type, key: str, written: str) -> Type:
        if base.kind == "any":
            return ANY
        if base.kind == "null":
            return Type("null")
        if base.kind != "mapping":
            raise TypeProblem(
                f"'{base.name}' is {_WHAT[base.kind]}: it has no field '{key}'",
                f"use '{base.name}' itself" if base.name else None,
            )
        members = base.members or {}
        if key in members:
            if members[key].kind == "null":
                self.null_fields.append(written)
            return replace(members[key], name=written)
        if not base.closed:
            return Type("any", name=written)
        close = difflib.get_close_matches(key, list(members), n=1, cutoff=0.5)
        if close:
            hint = f"did you mean '{base.name}.{close[0]}'?"
        elif members:
            hint = f"{base.kind_of} has: {', '.join(sorted(members))}"
        else:
            hint = f"{base.kind_of} has no fields"
        raise TypeProblem(base.absent.format(kind_of=base.kind_of, key=key), hint)

    # operators
    def _unaryop(self, node: ast.UnaryOp) -> Type:
        operand = self._uniform(self.infer(node.operand))
        if operand.kind == "null":
            raise self._null_everywhere(node)
        if isinstance(node.op, ast.Not):
            self._condition(operand, node.operand, "'not'")
            return BOOL
        self._expect(operand, _NUMERIC, "a sign", node.operand)
        return NUMBER

    def _boolop(self, node: ast.BoolOp) -> Type:
        word = "'and'" if isinstance(node.op, ast.And) else "'or'"
        for value in node.values:
            found = self._uniform(self.infer(value))
            if found.kind == "null":
                raise self._null_operand(node, value)
            self._condition(found, value, word)
        return BOOL

    def _null_operand(self, node: ast.BoolOp, null: ast.AST) -> TypeProblem:
        """``x or null`` is true or null, never false; ``x and null`` false or null, never
        true: a rate of it is 1.0 (0.0) over the rows left, whatever the rows say, and a
        ``where:`` of the ``and`` keeps no row."""
        written = _source(null, self.text)
        never = "false" if isinstance(node.op, ast.Or) else "true"
        hint = (
            self._null_hint() or f"drop '{written}'; to test for a missing value write 'x is None'"
        )
        return TypeProblem(
            f"'{_source(node, self.text)}' is never {never}: '{written}' is null on every row, "
            f"so the rows where the rest is {never} have no value and a rate of it counts "
            "only the others",
            hint,
        )

    def _null_hint(self) -> str | None:
        """Why a part is null on every row, when a field null in every case made it so."""
        if not self.null_fields:
            return None
        name = self.null_fields[0]
        return (
            f"{name} is null in every case: give the cases a value for it, or test for it "
            f"with '{name} is None'"
        )

    def _binop(self, node: ast.BinOp) -> Type:
        left, right = self._uniform(self.infer(node.left)), self._uniform(self.infer(node.right))
        if isinstance(node.op, ast.Div | ast.Mod) and _constant_zero(node.right):
            raise TypeProblem(
                f"'{_source(node, self.text)}' divides by zero: it is null on every row, so "
                "the metric would count no row",
                "divide by a number that is not zero",
            )
        if "null" in (left.kind, right.kind):
            raise self._null_everywhere(node)
        if "any" in (left.kind, right.kind):
            return ANY
        if isinstance(node.op, ast.Add):
            if left.kind in _STRINGS and right.kind in _STRINGS:
                return Type("text")
            if left.kind == "list" and right.kind == "list":
                return Type("list")
        if left.kind in _NUMERIC and right.kind in _NUMERIC:
            return NUMBER
        raise TypeProblem(
            f"'{_source(node, self.text)}' does arithmetic on {_WHAT[left.kind]} "
            f"and {_WHAT[right.kind]}",
            "arithmetic works on numbers",
        )

    def _compare(self, node: ast.Compare) -> Type:
        left_node: ast.AST = node.left
        left = self.infer(left_node)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.infer(right_node)
            if not isinstance(op, ast.Is | ast.IsNot):
                self._uniform(left)
                self._uniform(right)
            if "null" in (left.kind, right.kind) and not isinstance(op, ast.Is | ast.IsNot):
                raise self._null_everywhere(node, _null_test_hint(op, left, left_node, self.text))
            self._compare_pair(op, left, right, left_node, right_node)
            left, left_node = right, right_node
        return BOOL

    def _compare_pair(
        self, op: ast.cmpop, left: Type, right: Type, left_node: ast.AST, right_node: ast.AST
    ) -> None:
        if isinstance(op, ast.Is | ast.IsNot):
            return
        if isinstance(op, ast.In | ast.NotIn):
            self._membership(left, right, left_node, right_node)
            return
        if "any" in (left.kind, right.kind):
            return
        ordering = isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE)
        for side, side_node in ((left, left_node), (right, right_node)):
            if side.kind in ("mapping", "list"):
                raise TypeProblem(
                    f"'{_source(side_node, self.text)}' is {_WHAT[side.kind]}: "
                    "it cannot be compared",
                    _mapping_hint(side),
                )
        numeric = left.kind in _NUMERIC and right.kind in _NUMERIC
        strings = left.kind in _STRINGS and right.kind in _STRINGS
        if not (numeric or strings):
            raise TypeProblem(
                f"'{_source(left_node, self.text)}' is {_WHAT[left.kind]} but "
                f"'{_source(right_node, self.text)}' is {_WHAT[right.kind]}: "
                "the comparison is never true",
                _compare_hint(left, right),
            )
        if ordering and left.kind == "bool" and right.kind == "bool":
            raise TypeProblem(f"'{_source(left_node, self.text)}' is a condition: it has no order")
        if strings and not ordering:
            self._label_value(left, right)
            self._label_value(right, left)

    def _label_value(self, label: Type, constant: Type) -> None:
        """A constant compared with a label that never takes that value."""
        if label.choices is None or constant.choices is None or len(constant.choices) != 1:
            return
        if constant.name is None or label.name is None or label.name.startswith("'"):
            return
        (value,) = constant.choices
        if value in label.choices:
            return
        close = difflib.get_close_matches(value, list(label.choices), n=1, cutoff=0.5)
        values = ", ".join(repr(c) for c in sorted(label.choices)[:12])
        raise TypeProblem(
            f"{label.name} is never {value!r}",
            f"did you mean {close[0]!r}?" if close else f"its values are {values}",
        )

    def _membership(self, left: Type, right: Type, left_node: ast.AST, right_node: ast.AST) -> None:
        if right.kind in ("bool", "number"):
            raise TypeProblem(
                f"'{_source(right_node, self.text)}' is {_WHAT[right.kind]}: "
                "'in' needs a list, a mapping or text"
            )
        if right.kind in _STRINGS and left.kind not in (*_STRINGS, "any"):
            # Python cannot look for a number in text: null on every row.
            raise TypeProblem(
                f"'{_source(left_node, self.text)}' is {_WHAT[left.kind]}: 'in' text finds "
                f"only text, so '{_source(right_node, self.text)}' never holds it",
                f"compare it as text: 'str({_source(left_node, self.text)}) in "
                f"{_source(right_node, self.text)}'",
            )
        if isinstance(right_node, ast.List | ast.Tuple):
            for element in right_node.elts:
                item = self.infer(element)
                if left.kind in _STRINGS and item.kind in _STRINGS:
                    self._label_value(left, item)
                elif _known(left, item) and not (left.kind in _NUMERIC and item.kind in _NUMERIC):
                    raise TypeProblem(
                        f"'{_source(left_node, self.text)}' is {_WHAT[left.kind]} but "
                        f"'{_source(element, self.text)}' is {_WHAT[item.kind]}: "
                        "it can never be in the list"
                    )

    def _call(self, node: ast.Call) -> Type:
        name = node.func.id if isinstance(node.func, ast.Name) else "?"
        low, high = _FUNCTION_ARITY.get(name, (0, None))
        count = len(node.args)
        if count < low or (high is not None and count > high):
            wanted = str(low) if low == high else f"{low} to {high or 'many'}"
            raise TypeProblem(f"{name}() takes {wanted} argument(s), not {count}")
        args = [self.infer(a) for a in node.args]
        if name != "str":  # str() reads text and numbers alike
            for arg in args:
                self._uniform(arg)
        if name != "coalesce" and any(a.kind == "null" for a in args):
            raise self._null_everywhere(node)  # every function but coalesce: null in, null out
        if name == "coalesce" and all(a.kind == "null" for a in args):
            raise self._null_everywhere(node)
        if name == "len":
            self._expect(args[0], ("label", "text", "list", "mapping"), "len()", node.args[0])
            return NUMBER
        if name in ("abs", "round"):
            self._expect(args[0], _NUMERIC, f"{name}()", node.args[0])
            return NUMBER
        if name in ("min", "max"):
            if count == 1:
                self._expect(args[0], ("list",), f"{name}() of one argument", node.args[0])
                return ANY
            for arg, arg_node in zip(args, node.args, strict=True):
                self._expect(arg, _NUMERIC, f"{name}()", arg_node)
            return NUMBER
        if name in ("float", "int"):
            self._expect(args[0], (*_NUMERIC, *_STRINGS), f"{name}()", node.args[0])
            return NUMBER
        if name == "bool":
            return BOOL
        if name == "coalesce":
            # The first non-null argument: its type, when the arguments agree on one.
            kinds = {a.kind for a in args if a.kind not in ("null", "any")}
            if kinds <= {"bool"} and kinds:
                return BOOL
            if kinds and kinds <= set(_NUMERIC):
                return NUMBER
            if len(kinds) == 1:
                return Type(kinds.pop())
            return ANY
        if name in ("lower", "upper"):
            return Type("text")
        return Type("text") if name == "str" else ANY

    def _list(self, node: ast.List) -> Type:
        for element in node.elts:
            self.infer(element)
        return Type("list")

    _tuple = _list

    # helpers
    def _uniform(self, found: Type) -> Type:
        """``found``, unless it is metadata of text and other kinds (``Type.mixed``): read as
        a condition any text is true (``"false"`` too), and as a number it is none."""
        if not found.mixed:
            return found
        raise TypeProblem(
            f"{found.name} is {found.mixed}: the text is read otherwise (any text counts as "
            "true, and is no number), so rows would count by how a value was written",
            f"give {found.name} one kind of value in every case: write numbers and true/false "
            "without quotes, or quote them all",
        )

    def _null_everywhere(self, node: ast.AST, hint: str | None = None) -> TypeProblem:
        """The problem with a part that is null whatever the row: null in, null out (every
        operator but ``is``, ``and``/``or`` and ``coalesce``)."""
        return null_everywhere(_source(node, self.text), hint or self._null_hint())

    def _expect(self, found: Type, kinds: tuple[str, ...], where: str, node: ast.AST) -> None:
        if found.kind in (*kinds, "any", "null"):
            return
        raise TypeProblem(
            f"{where} needs {' or '.join(_WHAT[k] for k in kinds)}, but "
            f"'{_source(node, self.text)}' is {_WHAT[found.kind]}",
            _mapping_hint(found) if found.kind == "mapping" else None,
        )

    def _condition(self, found: Type, node: ast.AST, where: str) -> None:
        if found.kind in ("bool", "any", "null"):
            return
        written = _source(node, self.text)
        raise TypeProblem(
            f"{where} needs conditions, but '{written}' is {_WHAT[found.kind]}",
            condition_hint(found, written),
        )


def _constant_zero(node: ast.AST) -> bool:
    """Whether ``node`` is a constant (literals and arithmetic on them, no name a row gives)
    equal to zero: a divisor that is zero on every row."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name) and part.id not in _CONSTANTS:
            return False
        if isinstance(part, ast.Attribute | ast.Subscript | ast.Call):
            return False
    value = evaluate(ast.unparse(node), {})
    return isinstance(value, int | float) and value == 0


def null_everywhere(written: str, hint: str | None = None) -> TypeProblem:
    """An expression (or part) that is null on every row: a metric counts no row by it."""
    return TypeProblem(
        f"'{written}' is null on every row (null in, null out), so the metric would count "
        "no row by it",
        hint or "to test for a missing value write 'x is None'",
    )


def _null_test_hint(op: ast.cmpop, left: Type, left_node: ast.AST, text: str) -> str | None:
    """``x == null`` was meant as ``x is None``."""
    side = _source(left_node, text) if left.kind != "null" else "x"
    if isinstance(op, ast.Eq):
        return f"to test for a missing value write '{side} is None'"
    if isinstance(op, ast.NotEq):
        return f"to test for a value write '{side} is not None'"
    return None


def _known(*types: Type) -> bool:
    return all(t.kind not in ("any", "null") for t in types)


def _source(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or ast.unparse(node)


def _mapping_hint(found: Type) -> str | None:
    if found.kind != "mapping" or not found.members:
        return f"read one of its members: {found.name}.<key>" if found.name else None
    return f"read one of its members, e.g. {found.name}.{found.member_names()[0]}"


def _compare_hint(left: Type, right: Type) -> str | None:
    kinds = {left.kind, right.kind}
    if kinds & set(_STRINGS) and kinds & set(_NUMERIC):
        label = left if left.kind in _STRINGS else right
        if label.choices and label.name and not label.name.startswith("'"):
            return f"its values are {', '.join(repr(c) for c in sorted(label.choices)[:12])}"
        return "quote a label (x == 'value'), or compare numbers with numbers"
    return None


def condition_hint(found: Type, written: str) -> str:
    """How to turn a non-condition into one: a threshold, the scorer's flag, a comparison."""
    if found.kind == "number":
        hint = f"compare it, e.g. '{written} > 0.5'"
        if found.conditions:
            flags = " or ".join(f"'{c}'" for c in found.conditions[:3])
            hint += f", or use the scorer's condition {flags}"
        return hint
    if found.kind in _STRINGS:
        if found.choices:
            return f"compare it, e.g. \"{written} == '{sorted(found.choices)[0]}'\""
        return f"compare it, e.g. \"{written} == 'value'\""
    if found.kind == "mapping":
        return _mapping_hint(found) or "read one of its members"
    if found.kind == "list":
        return f"e.g. 'len({written}) > 0'"
    return "write a comparison"


def reads_nothing(tree: ast.Expression) -> bool:
    """Whether an expression names nothing a row gives (a scorer, ``meta``, ``response`` ...):
    only literals, ``null``/``true``/``false`` and functions, so the same value on every row."""
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return not any(
        isinstance(n, ast.Name) and n.id not in _CONSTANTS and id(n) not in called
        for n in ast.walk(tree)
    )


def check(
    text: str, names: dict[str, Type], role: Role, *, constant_ok: bool = False
) -> TypeProblem | None:
    """The first problem with ``text`` used as ``role``, or None when it type-checks and
    reads something from the rows (:func:`reads_nothing`; ``constant_ok``: or need not, as a
    review policy's ``flag: false``, which queues only its sample, need not)."""
    tree = compile_expression(text)
    problem = _type_problem(tree, text, names, role)
    if problem is None and not constant_ok and reads_nothing(tree):
        return TypeProblem(
            f"'{text.strip()}' reads nothing from the rows: it is the same on every row "
            "whatever the model answered, so it measures nothing",
            "name what it should read: a scorer's field (e.g. len.words), meta.KEY, response"
            + (", or remove it" if role in ("condition", "group") else ""),
        )
    return problem


def _type_problem(
    tree: ast.Expression, text: str, names: dict[str, Type], role: Role
) -> TypeProblem | None:
    checker = Checker(names, text.strip())
    try:
        found = checker.infer(tree.body)
    except TypeProblem as problem:
        return problem
    written = text.strip()
    if role in ("condition", "value"):
        try:
            checker._uniform(found)
        except TypeProblem as problem:
            return problem
    if found.kind == "null" and role != "group":
        return null_everywhere(written, checker._null_hint())
    if role == "condition" and found.kind not in ("bool", "any", "null"):
        return TypeProblem(
            f"'{written}' is {_WHAT[found.kind]}, not a condition: a row counts when it is "
            "true, so any non-zero or non-empty value would count",
            condition_hint(found, written),
        )
    if role == "value" and found.kind not in ("number", "bool", "any", "null"):
        return TypeProblem(
            f"'{written}' is {_WHAT[found.kind]}, not a number",
            _mapping_hint(found) if found.kind == "mapping" else "use a numeric field",
        )
    if role == "group" and found.kind in ("mapping", "list"):
        return TypeProblem(
            f"'{written}' is {_WHAT[found.kind]}: it cannot name a group",
            _mapping_hint(found),
        )
    if role == "group" and found.kind == "null":
        return TypeProblem(
            f"'{written}' is always null: every row would be left out", checker._null_hint()
        )
    return None
