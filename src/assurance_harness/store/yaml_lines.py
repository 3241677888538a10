"""YAML loading that remembers where every value came from, so errors can name the line.

Each file is parsed once: libyaml's C composer (``CSafeLoader``, pure-Python ``SafeLoader`` where
libyaml is missing) builds the node tree, which carries every value's line. The number of
values written is bounded while the tree is composed (each node costs memory: 32 MB of minimal
cases took 3.8 GB). Before anything walks the tree it is bounded too: nesting depth, and the
number of values that aliases add (an "alias bomb" of nine nested lists of ``*a`` expands to
hundreds of millions of values from a few lines). Data is then built from the nodes without
recursion, with ``yaml.safe_load`` semantics (tags, merge keys ``<<``); a line is found on demand
by following a path down the nodes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from ..errors import ConfigError, ConfigIssue, yaml_problem
from ..utf8 import is_utf8, shown
from .fileformat import binary_format, not_yaml_hint
from .files import NOT_REGULAR_FILE, read_bounded, sha256_bytes

_SPLIT_YAML = (
    "a suite keeps many cases in a dataset file (dataset: {path: cases.jsonl}), read as a stream"
)
PathKey = tuple[Any, ...]
LineOf = Callable[[PathKey], int | None]


def format_path(path: PathKey) -> str:
    """``("scorers", 0, "with", "x")`` -> ``scorers[0].with.x``: a field as every error names
    it."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted. Suites nest about six levels; past a few
hundred, Python's recursion limit breaks validation and JSON writing alike."""
MAX_ALIAS_VALUES = 1_000_000
"""Values that aliases may add beyond those written in the file (a merge of a few keys into each
of 100,000 cases is 300,000)."""
MAX_VALUES = 2_000_000
"""Values (each scalar, list and mapping; aliases are bounded above) one YAML file may write.
Each is a node of about 700 bytes while the file is composed, so a 32 MB file of minimal cases
(5.5 million values) peaked at 3.8 GB; at this limit ``validate`` peaks at about 1.4 GB. The
benchmark's 100,000 inline cases are 900,000 values. Counted while the tree is composed, so a
file over it is refused before it is composed whole."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_SCALARS: dict[str, Any] = {
    tag: fn
    for tag, fn in SafeConstructor.yaml_constructors.items()
    if tag is not None and tag not in (_SEQ, _MAP, _STR)
}


class _FastResolver(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader with tag resolution made cheap: libyaml's composer calls ``resolve`` for
    every scalar (900,000 times for 100,000 cases). Plain text whose first character starts no
    implicit type (``What is 2?``, ``c17``) is text; the rest is memoised, as most such values
    are the same few (``1``, ``true``). Same tags as the safe loader (the safe loader registers
    no path resolvers and no wildcard implicit resolvers: checked below)."""

    _memo: dict[str, str] = {}
    _typed_first = frozenset(k for k in _BaseLoader.yaml_implicit_resolvers if k is not None)
    assert None not in _BaseLoader.yaml_implicit_resolvers and not _BaseLoader.yaml_path_resolvers

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._values_left = MAX_VALUES  # read now: tests lower it

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Path resolvers: the safe loader registers none. Both composers (libyaml's and the
        pure-Python one) call this once for every value they make, tagged or not (``resolve``
        skips ``!!str x``), never for an alias: the one place to count what is written."""
        self._values_left -= 1
        if self._values_left < 0:
            raise _TooManyValues

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if not implicit[0] or (value and value[0] not in self._typed_first):
                return _STR
            if len(value) <= 64:
                tag = self._memo.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(self._memo) < 100_000:
                        self._memo[value] = tag
                return tag
        return super().resolve(kind, value, implicit)


_Loader: Any = _FastResolver


class _TooManyValues(Exception):
    """The composer made more than ``MAX_VALUES`` values; it stops there, the tree unfinished."""


def _too_many_values(text: str, source: str) -> ConfigError:
    """The error for a file over ``MAX_VALUES``, at the line of the first value past it.

    The composer cannot tell where it is (libyaml keeps the position to itself), so the file is
    parsed again as events, which build no tree, up to that value: about 2 s for 2 million
    values on a loaded machine, paid only by a file being refused."""
    line: int | None = None
    loader = _Loader(text)
    try:
        seen = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                seen += 1
                if seen > MAX_VALUES:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    break
    except yaml.YAMLError:
        pass  # not before that value: the composer parsed this far without an error
    finally:
        loader.dispose()
    return _issue(
        source,
        line,
        f"more than {MAX_VALUES:,} values (scalars, lists, mappings) in one YAML file",
        _SPLIT_YAML,
    )


class _Constructor(SafeConstructor):
    """SafeConstructor for scalars and the rare tagged collections (!!set, !!omap)."""


_CONSTRUCTOR = _Constructor()


def _issue(source: str, line: int | None, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError([ConfigIssue(source, line, None, message, hint)])


def _scalar(node: yaml.ScalarNode, constructor: _Constructor) -> Any:
    if node.tag == _STR:
        if node.style == '"' and not node.value.isascii():
            _check_encodable(node)
        return node.value
    build = _SCALARS.get(node.tag)
    if build is None:
        raise ConstructorError(None, None, f"unsupported tag {node.tag}", node.start_mark)
    try:
        value = build(constructor, node)
    except (ValueError, TypeError, OverflowError) as exc:  # !!int abc, a date 2026-13-45
        raise ConstructorError(
            None,
            None,
            f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}: {exc}",
            node.start_mark,
        ) from None
    if node.tag in _NUMBERS:
        _refuse_read_otherwise(node, value)
    return value


_INT = "tag:yaml.org,2002:int"
_NUMBERS = (_INT, "tag:yaml.org,2002:float")


class _NumberReadOtherwise(ConstructorError):
    """A number YAML 1.1 reads as another value than its digits say (:func:`_scalar`); its
    ``hint`` is the fix, said in place of the generic one for a tag."""

    def __init__(self, problem: str, hint: str, node: yaml.ScalarNode) -> None:
        super().__init__(None, None, problem, node.start_mark)
        self.hint = hint


def _refuse_read_otherwise(node: yaml.ScalarNode, value: int | float) -> None:
    """Refuse a number YAML 1.1 reads otherwise than JSON, YAML 1.2 and a person do: a leading
    zero is octal (``010`` is 8, ``02134`` 1116) and ``a:b`` is base 60 (``1:30`` is 90), where
    they read 10 and the text ``02134`` and ``1:30``. Taken silently, ``samples: 010`` ran 8
    samples a case and ``seed: 1:30`` recorded 90 in the manifest and the evidence. A leading
    zero that changes nothing (``07``, ``00``), hexadecimal, binary and underscores read the
    same everywhere they are numbers, and are kept. A float has no octal (``!!float 010`` is
    10.0). Where the text is quoted and a tag makes it a number (``!!int '010'``), the tag is
    what to remove, not a quote to add."""
    text = node.value
    digits = text.lstrip("+-").replace("_", "")
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    tag = node.tag.rsplit(":", 1)[-1]
    as_text = (
        f"remove the !!{tag} tag" if node.style in ("'", '"') else f"quote it ('{text}')"
    ) + " where it is text"
    if ":" in text:
        # a:b is a time or a ratio wherever a person writes it, hardly ever base 60: the quote
        # is the fix said first.
        problem = f"{text!r} is read by YAML as a number in base 60 ({shown})"
        hint = f"{as_text} (a time, a ratio), or write {shown}"
    elif node.tag == _INT and _octal_reads_otherwise(digits):
        written = text[: len(text) - len(text.lstrip("+-"))] + digits.lstrip("0")
        problem = f"{text!r} is read by YAML as an octal number ({shown}), not {written}"
        hint = f"write {written} without the leading zero, or {as_text}"
    else:
        return
    raise _NumberReadOtherwise(problem, hint, node)


def _octal_reads_otherwise(digits: str) -> bool:
    """Whether YAML 1.1 reads these digits (sign and underscores taken off) as an octal number
    other than their decimal one: a leading zero, then octal digits (07 reads the same)."""
    return (
        digits[:1] == "0"
        and digits.isdigit()
        and not set(digits) & {"8", "9"}
        and int(digits, 8) != int(digits)
    )


def _check_encodable(node: yaml.ScalarNode) -> None:
    """The pure-Python loader turns a "\\ud800" escape into a lone surrogate, which no file
    or journal can hold; libyaml refuses it as we do here."""
    try:
        node.value.encode("utf-8")
    except UnicodeEncodeError:
        raise ConstructorError(
            None, None, "a lone surrogate escape (\\ud800) is not a character", node.start_mark
        ) from None


def _merged_pairs(
    node: yaml.MappingNode, duplicates: list[yaml.Node] | None = None
) -> list[tuple[yaml.Node, yaml.Node]]:
    """The mapping's pairs with ``<<`` merges applied (explicit keys win), as safe_load does;
    repeated explicit keys are added to ``duplicates``."""
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    explicit: list[tuple[yaml.Node, yaml.Node]] = []
    seen: set[tuple[str, Any]] = set()
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for sub in sources:
                if not isinstance(sub, yaml.MappingNode):
                    raise ConstructorError(
                        None,
                        None,
                        "a merge key (<<) takes a mapping or a list of mappings",
                        sub.start_mark,
                    )
            # Earlier mappings in a merge list win over later ones.
            for sub in reversed(sources):
                merged.extend(_merged_pairs(sub))
            continue
        if duplicates is not None and isinstance(key_node, yaml.ScalarNode):
            key = (key_node.tag, key_node.value)
            if key in seen:
                duplicates.append(key_node)
            seen.add(key)
        explicit.append((key_node, value_node))
    return merged + explicit if merged else explicit


def _path_to(root: yaml.Node, target: yaml.Node) -> PathKey:
    """The path of a key node, for a message (only looked for when there is a problem)."""
    stack: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node is target:
                    return (*path, key_node.value)
                stack.append((value_node, (*path, key_node.value)))
    return ()


def _too_deep(node: yaml.Node, source: str, aliases: str = "") -> ConfigError:
    return _issue(
        source,
        node.start_mark.line + 1,
        f"YAML nested more than {MAX_DEPTH} levels deep{aliases}",
        "flatten the structure",
    )


def _build(root: yaml.Node, source: str) -> Any:
    """Python data from the node tree: :func:`_build_exact`'s result, faster on the common case.

    Plain-text scalars (most keys and values) are read inline rather than through
    :func:`_scalar`, and mappings are not searched for repeated keys. A mapping that comes out
    with fewer keys than it has pairs, holds a merge key (``<<``) or a list as a key sends the
    whole file to :func:`_build_exact`, which reports duplicates in its own order, applies merges
    and reports the key; the walk order is the same, so any other error is the same one.
    """
    if isinstance(root, yaml.ScalarNode):
        return _scalar(root, _CONSTRUCTOR)
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode
    plain_tags = (_SEQ, _MAP)
    built: dict[int, Any] = {}
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    push = stack.append
    pop = stack.pop
    while stack:
        node, level, fill = pop()
        key = id(node)
        if not fill:
            if key in built:
                continue
            if level > MAX_DEPTH:
                raise _too_deep(node, source)
            distinct += 1
            if node.tag not in plain_tags:
                built[key] = _CONSTRUCTOR.construct_object(node, deep=True)
                size[key], depth[key] = 1, 1
                continue
            push((node, level, True))
            below = level + 1
            if node.__class__ is sequence_node:
                built[key] = []
                for child in node.value:
                    if child.__class__ is scalar_node:
                        distinct += 1
                    else:
                        push((child, below, False))
            else:
                built[key] = {}
                for key_node, value_node in node.value:
                    if key_node.__class__ is not scalar_node or key_node.tag == _MERGE:
                        return _build_exact(root, source)  # a merge, or a list as a key
                    if value_node.__class__ is scalar_node:
                        distinct += 1
                    else:
                        push((value_node, below, False))
                distinct += len(node.value)
            continue
        total, deepest = 1, 0
        if node.__class__ is sequence_node:
            items = built[key]
            for item in node.value:
                if item.__class__ is scalar_node:
                    if item.tag == _STR and (item.style != '"' or item.value.isascii()):
                        items.append(item.value)
                    else:
                        items.append(_scalar(item, _CONSTRUCTOR))
                    total += 1
                else:
                    items.append(_value(item, built, size))
                    total += size[id(item)]
                    if depth[id(item)] > deepest:
                        deepest = depth[id(item)]
        else:
            mapping = built[key]
            for key_node, value_node in node.value:
                if key_node.tag == _STR and (key_node.style != '"' or key_node.value.isascii()):
                    name = key_node.value
                else:
                    name = _scalar(key_node, _CONSTRUCTOR)
                if value_node.__class__ is scalar_node:
                    if value_node.tag == _STR and (
                        value_node.style != '"' or value_node.value.isascii()
                    ):
                        value = value_node.value
                    else:
                        value = _scalar(value_node, _CONSTRUCTOR)
                    total += 2
                else:
                    value = _value(value_node, built, size)
                    total += 1 + size[id(value_node)]
                    if depth[id(value_node)] > deepest:
                        deepest = depth[id(value_node)]
                try:
                    mapping[name] = value
                except TypeError:
                    raise ConstructorError(
                        None,
                        None,
                        "a mapping key must be a plain value, not a list or mapping",
                        key_node.start_mark,
                    ) from None
            if len(mapping) != len(node.value):  # a repeated key, or two spellings of one
                return _build_exact(root, source)
        size[key], depth[key] = total, deepest + 1
        if deepest + 1 > MAX_DEPTH:
            raise _too_deep(node, source, " (through aliases)")
        if total - distinct > MAX_ALIAS_VALUES:
            raise _alias_bomb(node, source, total, distinct)
    return built[id(root)]


def _alias_bomb(node: yaml.Node, source: str, total: int, distinct: int) -> ConfigError:
    return _issue(
        source,
        node.start_mark.line + 1,
        f"YAML aliases expand this to {total:,} values from {distinct:,} written (an alias bomb?)",
        f"at most {MAX_ALIAS_VALUES:,} more values than written; use fewer nested aliases (*name)",
    )


def _build_exact(root: yaml.Node, source: str) -> Any:
    """Python data from the node tree in one walk without recursion, bounded as it goes.

    An aliased node is one node object met again: it is built once and shared (as safe_load
    does), so the walk is linear in what is written; its expanded size and depth are counted
    from the shared parts, so an alias bomb is refused before any caller walks the data.
    """
    if isinstance(root, yaml.ScalarNode):
        return _scalar(root, _CONSTRUCTOR)
    built: dict[int, Any] = {}
    size: dict[int, int] = {}  # expanded values under each finished container
    depth: dict[int, int] = {}
    pairs_of: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
    duplicates: list[yaml.Node] = []
    distinct = 0
    # (node, level, fill): a container is created on the way down and filled on the way up.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, level, fill = stack.pop()
        key = id(node)
        if not fill:
            if key in built:
                continue
            if level > MAX_DEPTH:
                raise _too_deep(node, source)
            distinct += 1
            if node.tag not in (_SEQ, _MAP):  # !!set, !!omap: rare, small, built by PyYAML
                built[key] = _CONSTRUCTOR.construct_object(node, deep=True)
                size[key], depth[key] = 1, 1
                continue
            stack.append((node, level, True))
            if isinstance(node, yaml.SequenceNode):
                built[key] = []
                children = node.value
            else:
                assert isinstance(node, yaml.MappingNode)
                built[key] = {}
                pairs = pairs_of[key] = _merged_pairs(node, duplicates)
                children = [value for _, value in pairs]
                children += [k for k, _ in pairs if not isinstance(k, yaml.ScalarNode)]
                distinct += len(pairs)  # the keys
            distinct += sum(1 for child in children if isinstance(child, yaml.ScalarNode))
            stack.extend(
                (child, level + 1, False)
                for child in children
                if not isinstance(child, yaml.ScalarNode)
            )
            continue
        total, deepest = 1, 0
        if isinstance(node, yaml.SequenceNode):
            items = []
            for item in node.value:
                items.append(_value(item, built, size))
                if not isinstance(item, yaml.ScalarNode):
                    total += size[id(item)]
                    deepest = max(deepest, depth[id(item)])
                else:
                    total += 1
            built[key].extend(items)
        else:
            mapping = built[key]
            for key_node, value_node in pairs_of.pop(key):
                name = _value(key_node, built, size)
                try:
                    mapping[name] = _value(value_node, built, size)
                except TypeError:
                    raise ConstructorError(
                        None,
                        None,
                        "a mapping key must be a plain value, not a list or mapping",
                        key_node.start_mark,
                    ) from None
                total += 1
                if isinstance(value_node, yaml.ScalarNode):
                    total += 1
                else:
                    total += size[id(value_node)]
                    deepest = max(deepest, depth[id(value_node)])
        size[key], depth[key] = total, deepest + 1
        if depth[key] > MAX_DEPTH:
            raise _too_deep(node, source, " (through aliases)")
        if total - distinct > MAX_ALIAS_VALUES:
            raise _alias_bomb(node, source, total, distinct)
    if duplicates:
        raise ConfigError(
            [
                ConfigIssue(
                    source,
                    node.start_mark.line + 1,
                    format_path(tuple(_path_to(root, node))) or None,
                    "duplicate key",
                    "YAML keeps only the last one; remove or rename the other",
                )
                for node in duplicates
            ]
        )
    return built[id(root)]


def _value(node: yaml.Node, built: dict[int, Any], size: dict[int, int]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, _CONSTRUCTOR)
    if id(node) not in size:  # met while still being filled: it contains itself
        raise ConstructorError(None, None, "a YAML alias refers to itself", node.start_mark)
    return built[id(node)]


def _line_finder(root: yaml.Node | None, source: str) -> LineOf:
    """Follow a path (``("scorers", 0, "with")``) down the nodes to the deepest value that
    exists; ``key=True`` gives the line of the last key rather than of its value."""
    constructor = _CONSTRUCTOR

    def child(node: yaml.Node, part: Any) -> tuple[yaml.Node, yaml.Node] | None:
        if isinstance(node, yaml.SequenceNode):
            if isinstance(part, int) and 0 <= part < len(node.value):
                return node.value[part], node.value[part]
            return None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(_merged_pairs(node)):
                if isinstance(key_node, yaml.ScalarNode):
                    try:
                        name = _scalar(key_node, constructor)
                    except (ConstructorError, ValueError):
                        continue
                    if name == part or key_node.value == part:
                        return key_node, value_node
        return None

    def line_of(path: PathKey, *, key: bool = False) -> int | None:
        if root is None:
            return None
        node = root
        for index, part in enumerate(tuple(path)):
            found = child(node, part)
            if found is None:
                break
            key_node, node = found
            if key and index == len(path) - 1:
                return int(key_node.start_mark.line) + 1
        return int(node.start_mark.line) + 1

    return line_of


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects: with it
    on, a suite of 100,000 cases parses three times slower (each collection walks the heap).

    On the way out, what was built goes straight to the oldest generation (freeze, then
    unfreeze: both move lists, they walk nothing). Left in the youngest, the first allocation
    after ``gc.enable()`` would walk all of it: about 1 s for the 3.5 million objects of a
    100,000-case suite. Cyclic garbage made meanwhile is still found, by the next full
    collection. Skipped where something froze objects on purpose (a pre-forking server):
    unfreezing would undo that."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_yaml_with_lines(text: str, source: str) -> tuple[Any, LineOf]:
    """Parse YAML text once; return the data and a function from a path to its line."""
    try:
        with gc_paused():
            loader = _Loader(text)
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
            data = _build(root, source) if root is not None else None
    except _TooManyValues:
        raise _too_many_values(text, source) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        hint = (
            "check indentation and quoting"
            if not isinstance(exc, ConstructorError)
            else "remove the tag or quote the value"
        )
        message = f"invalid YAML: {problem}"
        if isinstance(exc, _NumberReadOtherwise):
            message, hint = problem, exc.hint
        elif "maximum nesting depth" in problem:
            message, hint = f"YAML nested more than {MAX_DEPTH} levels deep", "flatten it"
        elif "Unicode character escape" in problem:
            message = "invalid YAML: an escape names no character (half a surrogate pair?)"
            hint = "write a character outside the BMP as one escape (\\U0001F600), not a pair"
        raise ConfigError.single(source, message, line=line, hint=hint) from None
    except RecursionError:  # the pure-Python composer, a few hundred levels down
        raise ConfigError.single(
            source, f"YAML nested more than {MAX_DEPTH} levels deep", hint="flatten the structure"
        ) from None
    except yaml.YAMLError as exc:  # a character YAML refuses (ReaderError): no mark
        problem, line = yaml_problem(exc, text)
        raise ConfigError.single(
            source,
            f"invalid YAML: {problem}",
            line=line,
            hint="remove the control character or write it as an escape in double quotes",
        ) from None
    return data, _line_finder(root, source)


def load_yaml_with_lines(path: str | Path) -> tuple[Any, LineOf]:
    """Read and parse a YAML file; a missing or unreadable file is a one-line ConfigError."""
    data, line_of, _digest = load_yaml_file(path)
    return data, line_of


def load_yaml_file(path: str | Path) -> tuple[Any, LineOf, str]:
    """``load_yaml_with_lines`` and the SHA-256 of the very bytes parsed: a file's hash taken
    later (a suite's, after its datasets load) could be of a file saved since, recorded as
    evidence for specs it does not hold."""
    source = str(path)
    if not is_utf8(source):  # found in a folder: its name would not fit the run's records
        raise ConfigError.single(
            shown(source), "the file name is not UTF-8", hint="rename it in UTF-8"
        )
    if Path(path).exists() and not Path(path).is_file() and not Path(path).is_dir():
        # A pipe (or a device) would be read until a writer closes it: validate would hang.
        raise ConfigError.single(source, NOT_REGULAR_FILE)
    try:
        data = read_bounded(Path(path), source, hint=_SPLIT_YAML)
        # As read_text read it: universal newlines, so line numbers count as before.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise ConfigError.single(source, "file not found", hint="check the path") from None
    except IsADirectoryError:
        raise ConfigError.single(source, "is a directory, not a YAML file") from None
    except UnicodeDecodeError as exc:
        kind = binary_format(data)
        if kind is not None:  # a spreadsheet or an archive: re-saving it as UTF-8 is no fix
            raise ConfigError.single(
                source, f"{kind}, not a YAML file", hint=not_yaml_hint(kind)
            ) from None
        raise ConfigError.single(
            source, f"not UTF-8 (byte {exc.start})", hint="re-save the file as UTF-8"
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError.single(source, f"cannot read file: {exc}") from None
    parsed, line_of = parse_yaml_with_lines(text, source)
    return parsed, line_of, sha256_bytes(data)
