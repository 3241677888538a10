"""YAML loading that remembers where every value came from, so errors can name the line.

Data is parsed with ``yaml.safe_load`` semantics only (SafeLoader); a second walk over the
composed node tree maps each path (``("scorers", 0, "with", "threshold")``) to its 1-based line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, ConfigIssue

PathKey = tuple[Any, ...]
LineOf = Callable[[PathKey], int | None]


def _walk(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], issues: list[ConfigIssue], src: str
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                issues.append(
                    ConfigIssue(
                        src,
                        key_node.start_mark.line + 1,
                        ".".join(str(p) for p in (*path, key)) or None,
                        "duplicate key",
                        "YAML keeps only the last one; remove or rename the other",
                    )
                )
            seen.add(key)
            lines[(*path, key, "__key__")] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines, issues, src)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, issues, src)


def parse_yaml_with_lines(text: str, source: str) -> tuple[Any, LineOf]:
    """Parse YAML text; return the data and a function from a path to its line."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        raise ConfigError.single(
            source, f"invalid YAML: {problem}", line=line, hint="check indentation and quoting"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError.single(source, f"invalid YAML: {exc}") from None
    lines: dict[PathKey, int] = {}
    issues: list[ConfigIssue] = []
    if root is not None:
        _walk(root, (), lines, issues, source)
    if issues:
        raise ConfigError(issues)

    def line_of(path: PathKey, *, key: bool = False) -> int | None:
        path = tuple(path)
        if key and (*path, "__key__") in lines:
            return lines[(*path, "__key__")]
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return lines.get(())

    return data, line_of


def load_yaml_with_lines(path: str | Path) -> tuple[Any, LineOf]:
    """Read and parse a YAML file; a missing or unreadable file is a one-line ConfigError."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError.single(source, "file not found", hint="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError.single(source, f"cannot read file: {exc}") from None
    return parse_yaml_with_lines(text, source)
