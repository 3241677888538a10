"""The names a Python module's source may bind at module level, read with ``ast`` without
running the module, so ``validate`` can say a callable target's function is missing.

Only a definite answer counts: a name is absent when no statement at module level could bind
it. Anything that binds names at run time in ways the source does not spell out (a star
import, a module ``__getattr__``, ``globals()``/``exec``/``setattr``, ``sys.modules``) makes
the answer "unknown", never "absent".
"""

from __future__ import annotations

import ast
import importlib.machinery
import tokenize
from dataclasses import dataclass
from importlib.machinery import ModuleSpec

# Names whose use lets a module bind globals the source does not spell out (``modules``:
# ``from sys import modules``).
_DYNAMIC_NAMES = frozenset(
    {"globals", "vars", "locals", "exec", "eval", "setattr", "__import__", "modules"}
)
# ``sys.modules[__name__]`` (a module replaced, or its class swapped), ``__dict__`` writes.
_DYNAMIC_ATTRIBUTES = frozenset({"modules", "__dict__", "__getattr__"})


@dataclass(frozen=True)
class ModuleNames:
    """What a module's source binds at module level."""

    bound: frozenset[str]
    """Every name some module-level statement could bind (conditionally or not)."""
    functions: tuple[str, ...]
    """Top-level public ``def``s, in source order, for a hint."""


def module_names(spec: ModuleSpec) -> ModuleNames | None:
    """The module's bound names, or None where they cannot be known for certain: no Python
    source (an extension, a namespace package, a sourceless ``.pyc``, a zip), a source that
    does not parse, or one that binds names dynamically."""
    if not isinstance(spec.loader, importlib.machinery.SourceFileLoader) or not spec.origin:
        return None
    try:
        with tokenize.open(spec.origin) as handle:  # honours a PEP 263 coding line
            tree = ast.parse(handle.read(), filename=spec.origin)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None  # the import then fails, and says why, when a run starts
    return _names(tree)


def _names(tree: ast.Module) -> ModuleNames | None:
    if any(_dynamic(node) for node in ast.walk(tree)):
        return None
    # ``global x`` anywhere in the file binds a module global from inside a function.
    bound = {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        bound.update(_binds(node))
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))  # a body of its own is its own scope
    if "__getattr__" in bound:  # PEP 562: any name may resolve
        return None
    functions = tuple(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name[:1] != "_"
    )
    return ModuleNames(frozenset(bound), functions)


def _dynamic(node: ast.AST) -> bool:
    """Whether this node may bind globals the source does not spell out."""
    if isinstance(node, ast.Name):
        return node.id in _DYNAMIC_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in _DYNAMIC_ATTRIBUTES
    return isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)


def _binds(node: ast.AST) -> list[str]:
    """The module-level names this one node binds."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        return [node.id]  # assignments, for/with targets, walrus
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []
