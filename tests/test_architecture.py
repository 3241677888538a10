"""The import rule of docs/ARCHITECTURE.md, checked over src/: a package imports only from
lower layers, and the list of known exceptions only shrinks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "assurance_harness"
DOC = REPO / "docs" / "ARCHITECTURE.md"

LAYER_LINE = re.compile(r"^layer (\d+) [^:]+: (.+)$")
ALLOWED_LINE = re.compile(r"^allowed: (\S+) -> (\S+)")


def read_rules() -> tuple[dict[str, int], set[tuple[str, str]]]:
    layers: dict[str, int] = {}
    allowed: set[tuple[str, str]] = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if match := LAYER_LINE.match(line.strip()):
            for name in match.group(2).split():
                layers[name] = int(match.group(1))
        elif match := ALLOWED_LINE.match(line.strip()):
            allowed.add((match.group(1), match.group(2)))
    return layers, allowed


def top_unit(module: str) -> str:
    """``assurance_harness.metrics.engine`` -> ``metrics``; the package itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Absolute ``assurance_harness...`` modules imported by one file, with line numbers."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = (
        module.rsplit(".", 1)[0] if path.name != "__init__.py" else module[: -len(".__init__")]
    )
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
                names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            else:
                names = [node.module or ""]
            found += [(n, node.lineno) for n in names if n.startswith("assurance_harness")]
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return [(n, line) for n, line in found if n.startswith("assurance_harness")]


def edges() -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> where, for imports that cross units."""
    out: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        source = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for target_module, line in imports_of(path):
            target = top_unit(target_module)
            if target != source:
                out.setdefault((source, target), []).append(f"src/assurance_harness/{rel}:{line}")
    return out


def test_every_package_has_a_layer() -> None:
    layers, _ = read_rules()
    units = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    units |= {p.stem for p in PACKAGE.glob("*.py")}
    missing = sorted(units - set(layers))
    assert not missing, f"add these to a layer in docs/ARCHITECTURE.md: {missing}"


def test_imports_go_only_to_lower_layers() -> None:
    layers, allowed = read_rules()
    broken = [
        f"{source} (layer {layers.get(source)}) imports {target} (layer {layers.get(target)}) "
        f"at {', '.join(where)}"
        for (source, target), where in sorted(edges().items())
        if (source, target) not in allowed and layers.get(target, 99) >= layers.get(source, -1)
    ]
    assert not broken, "imports against docs/ARCHITECTURE.md:\n" + "\n".join(broken)


def test_known_exceptions_are_still_needed() -> None:
    _, allowed = read_rules()
    stale = sorted(allowed - set(edges()))
    assert not stale, f"remove from docs/ARCHITECTURE.md, no longer imported: {stale}"


def test_the_rule_sees_relative_lazy_and_type_only_imports(tmp_path: Path) -> None:
    # The checker must not pass by missing imports: relative and function-level imports count,
    # TYPE_CHECKING-only ones do not.
    found = dict(imports_of(PACKAGE / "metrics" / "engine.py"))
    assert "assurance_harness.metrics.base" in found
    assert not any(name.startswith("assurance_harness.spec") for name in found)
    lazy = dict(imports_of(PACKAGE / "nlp" / "exemplars.py"))
    assert "assurance_harness.spec.datasets" in lazy
