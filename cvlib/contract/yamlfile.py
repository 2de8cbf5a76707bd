"""Reading YAML with the line of every key and item, and PyYAML's messages for syntax errors."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
import re
import reprlib
from pathlib import Path

import yaml

from cvlib.contract.problems import Problems
from cvlib.contract.values import DECIMAL_PATTERN, WHOLE_PATTERN, ValueProblem, parse_date

__all__ = ["LineDict", "LineList", "describe", "is_number", "read_yaml", "unknown_key", "yaml_date"]


class LineDict(dict):
    """A mapping from YAML that remembers the line of each key (``.lines``) and its own.

    ``.raw`` keeps the source text of each scalar value, so an id such as
    ``1.10`` is not turned into the number ``1.1``.
    """

    line: int = 0
    lines: dict
    raw: dict


class LineList(list):
    """A sequence from YAML that remembers the line of each item (``.lines``)."""

    lines: list


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    # A key written twice is a mistake (YAML would silently keep the last one);
    # keys brought in by a merge (<<: *defaults) may be overridden, as YAML intends.
    written: dict[str, int] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in written:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} appears twice in one mapping "
                    f"(first on line {written[key_node.value]})",
                    key_node.start_mark,
                )
            written[key_node.value] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    result.raw = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            result.raw[key] = value_node.value
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader, node):
    # An impossible date such as 2026-02-30 stays text, so the caller reports it
    # as 'expected a valid calendar date' instead of YAML crashing.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


# The contract's grammar of numbers (docs/data-contract.md), not YAML 1.1's, which also reads
# 1_000, 0x1F, 0o17 and the base-60 1:30 as numbers: those stay text, and the caller reports
# them as not the number expected.


def _construct_int(loader, node):
    if not WHOLE_PATTERN.fullmatch(node.value):
        return loader.construct_scalar(node)
    # decimal digits (YAML 1.1 reads 017 as octal 15); an integer of thousands of digits is
    # beyond Python's int() of text: it stays text too
    try:
        return int(node.value)
    except ValueError:
        return loader.construct_scalar(node)


def _construct_float(loader, node):
    # .nan and .inf stay floats (reported as not finite); 1_000.5 or 1:30.5 stay text
    if not DECIMAL_PATTERN.fullmatch(node.value) and node.value.lower().lstrip("+-") not in (
        ".nan",
        ".inf",
    ):
        return loader.construct_scalar(node)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


#: YAML files larger than this are refused unread.
MAX_YAML_BYTES = 16 * 1024 * 1024
#: Values that aliases (``*name``) may bring into a file beyond those written in it: a
#: few aliases of aliases (a "billion laughs" file of 250 bytes) would otherwise stand
#: for millions of values that every check walks.
MAX_ALIASED_VALUES = 100_000


class _AliasLimit(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _aliased_values(root) -> tuple[int, int]:
    """(values as expanded, values as written) of a composed YAML node graph.

    Aliases share nodes, so the written count is the number of distinct
    nodes; the expanded count follows every alias (memoized: linear time).
    A node that contains itself raises :class:`_AliasLimit`.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if key in sizes:
            continue
        if key in active:
            raise _AliasLimit(
                "expected values that do not contain themselves, found an alias inside "
                "the value it names",
                node.start_mark.line + 1,
            )
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)], len(sizes)


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _load(text: str, loader_class):
    """``yaml.load`` with the alias limit checked between composing and constructing."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded, written = _aliased_values(node)
        if expanded - written > MAX_ALIASED_VALUES:
            raise _AliasLimit(
                f"expected aliases (*name) to bring in at most {MAX_ALIASED_VALUES:,} values, "
                f"found {expanded - written:,} (aliases of aliases)",
                node.start_mark.line + 1,
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


# libyaml's parser (five times faster) reads the files; a file it rejects is read again by
# PyYAML's own parser, whose messages the problems quote.
_FastLineLoader = type("_FastLineLoader", (getattr(yaml, "CSafeLoader", _LineLoader),), {})

for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    # 1e3 is a number in the contract's grammar (YAML 1.1 wants a dot: 1.0e3)
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[+-]?[0-9]+[eE][+-]?[0-9]+$"),
        list("-+0123456789"),
    )


def read_yaml(path: Path, display: str, problems: Problems):
    """Load a YAML file with line numbers, or add a problem and return ``None``."""
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            problems.add(
                display, None, None, f"expected a YAML file of at most 16 MB, found {size:,} bytes"
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(display, None, None, f"cannot be read: {exc.strerror}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(display, line, None, "expected UTF-8 text, found a byte that is not UTF-8")
        return None
    try:
        return _load(text, _FastLineLoader)
    except RecursionError:
        problems.add(display, None, None, "expected valid YAML, found nesting too deep to read")
        return None
    except _AliasLimit as exc:
        problems.add(display, exc.line, None, str(exc))
        return None
    except yaml.YAMLError:
        pass  # read again below for PyYAML's message
    try:
        return _load(text, _LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        start = exc.context_mark
        if exc.context and start is not None and line is not None and start.line + 1 != line:
            context += f" (started on line {start.line + 1})"
        problems.add(
            display, line, None, f"expected valid YAML, found a syntax error: {what}{context}"
        )
        return None
    except yaml.YAMLError as exc:
        problems.add(display, None, None, f"expected valid YAML, found: {exc}")
        return None


# ---------------------------------------------------------------- checking what YAML held
def describe(value) -> str:
    """How a message names a YAML value that is not what was expected.

    Examples
    --------
    >>> describe(None), describe({}), describe([1]), describe("x")
    ('nothing', 'a mapping', 'a list', "'x'")
    """
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _SHORT.repr(value)


# a value quoted in a message: at most 200 characters of it (an alias can expand a short file
# into a huge value)
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 200
_SHORT.maxlist = _SHORT.maxdict = _SHORT.maxtuple = 6
_SHORT.maxlevel = 3


def is_number(value) -> bool:
    """Whether YAML read ``value`` as a finite number (not a boolean, not .nan or .inf)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def unknown_key(problems: Problems, file: str, line, key, known) -> None:
    """Report ``key`` as not one of ``known`` (with the closest known key as a hint)."""
    hint = difflib.get_close_matches(str(key), known, n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
    problems.add(
        file, line, str(key), f"expected one of the keys {', '.join(known)}, found {key!r}{extra}"
    )


def yaml_date(problems: Problems, file: str, line, key: str, value):
    """A date from YAML (a date, a timestamp or text YYYY-MM-DD), or a problem and ``None``."""
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except ValueProblem as exc:
        problems.add(file, line, key, str(exc))
        return None
