"""Reading spreadsheet exports and YAML with exact positions for every problem (private).

Nothing here knows a file name or a column of the data contract: the caller
(:mod:`cvlib.workspace`) passes column specifications. Every problem is a
:class:`cvlib.errors.Problem` naming the file, the physical line on which the
record starts (as an editor shows it), the column, what was expected and what
was found.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from cvlib.errors import Problem

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP_PATTERN = re.compile(
    # an offset only after a time: "2026-02-16-05" is not a timestamp
    r"(\d{4}-\d{2}-\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?"
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

#: At most this many problems are listed per file and column; the rest are counted.
MAX_PROBLEMS_PER_COLUMN = 20


class ValueProblem(Exception):
    """Raised by a parser: ``str(exc)`` is the 'expected ..., found ...' text."""


def _found(text: str) -> str:
    return "nothing (empty)" if text == "" else repr(text)


# ---------------------------------------------------------------- value parsers
def parse_id(text: str):
    if not ID_PATTERN.fullmatch(text):
        raise ValueProblem(
            "expected an id of 1-64 ASCII letters, digits, '.', '_' or '-' starting "
            f"with a letter or digit, found {_found(text)}"
        )
    return text


def parse_text(text: str):
    if text.strip() == "":
        raise ValueProblem("expected a non-empty value, found nothing (empty)")
    return text


def parse_date(text: str) -> dt.date:
    if not _DATE_PATTERN.fullmatch(text):
        raise ValueProblem(f"expected a date as YYYY-MM-DD, found {_found(text)}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"expected a valid calendar date (YYYY-MM-DD), found {_found(text)}")


def make_timestamp_parser(tz: ZoneInfo) -> Callable[[str], dt.datetime]:
    """Parser for ISO 8601 timestamps; naive values and bare dates are read in ``tz``."""

    def parse_timestamp(text: str) -> dt.datetime:
        if not _TIMESTAMP_PATTERN.fullmatch(text):
            raise ValueProblem(
                "expected an ISO 8601 timestamp such as 2026-03-04T10:15:00Z "
                f"(or with an offset like +01:00, or a bare date), found {_found(text)}"
            )
        try:
            value = dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueProblem(f"expected a valid ISO 8601 timestamp, found {_found(text)}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value

    return parse_timestamp


def _parse_number(text: str) -> float:
    if _DECIMAL_COMMA.fullmatch(text.strip()):
        raise ValueProblem(
            f"expected a number with a decimal point (.), found {_found(text)} "
            "(a decimal comma: export the file with '.' as the decimal separator)"
        )
    try:
        value = float(text)
    except ValueError:
        raise ValueProblem(f"expected a number, found {_found(text)}")
    if not math.isfinite(value):
        raise ValueProblem(f"expected a finite number, found {_found(text)}")
    return value


def parse_nonnegative(text: str) -> float:
    value = _parse_number(text)
    if value < 0:
        raise ValueProblem(f"expected a number >= 0, found {_found(text)}")
    return value


def parse_positive(text: str) -> float:
    value = _parse_number(text)
    if value <= 0:
        raise ValueProblem(f"expected a number > 0, found {_found(text)}")
    return value


def parse_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueProblem(f"expected a whole number >= 0, found {_found(text)}")
    if value < 0:
        raise ValueProblem(f"expected a whole number >= 0, found {_found(text)}")
    return value


def parse_score(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueProblem(f"expected a whole number from 0 to 10, found {_found(text)}")
    if not 0 <= value <= 10:
        raise ValueProblem(f"expected a whole number from 0 to 10, found {_found(text)}")
    return value


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueProblem(f"expected true/false, 1/0 or yes/no, found {_found(text)}")


def make_choice_parser(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse_choice(text: str) -> str:
        if text not in choices:
            hint = difflib.get_close_matches(text.strip().lower(), choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueProblem(f"expected one of {', '.join(choices)}, found {_found(text)}{extra}")
        return text

    return parse_choice


# ---------------------------------------------------------------- CSV reading
@dataclass(frozen=True)
class Column:
    """One column of a table: its parser, whether the column and a value are required."""

    name: str
    parse: Callable[[str], object]
    column_required: bool = True
    value_required: bool = True
    kind: str = "text"  # for engine-side checks: text, id, date, timestamp, score, nonnegative


@dataclass
class Problems:
    """Collects problems, listing at most MAX_PROBLEMS_PER_COLUMN per file and column."""

    items: list[Problem] = field(default_factory=list)
    _counts: dict = field(default_factory=dict)

    def add(self, file: str, line: int | None, column: str | None, message: str) -> None:
        key = (file, column)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= MAX_PROBLEMS_PER_COLUMN:
            self.items.append(Problem(file, line, column, message))

    def extend(self, problems) -> None:
        for p in problems:
            self.add(p.file, p.line, p.column, p.message)

    def finish(self) -> list[Problem]:
        """Return the problems, with one summary line per file and column that overflowed."""
        out = list(self.items)
        for (file, column), count in self._counts.items():
            if count > MAX_PROBLEMS_PER_COLUMN:
                out.append(
                    Problem(
                        file,
                        None,
                        column,
                        f"... and {count - MAX_PROBLEMS_PER_COLUMN} more rows with problems "
                        "in this column (the first ones are listed above)",
                    )
                )
        return out

    def __bool__(self) -> bool:
        return bool(self._counts)


class _DecodeProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _decoded_lines(handle) -> Iterator[str]:
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start : exc.start + 1].hex()
            raise _DecodeProblem(
                number,
                f"expected UTF-8 text, found byte 0x{byte} at character {exc.start + 1} "
                "(save the file as 'CSV UTF-8')",
            ) from None


@dataclass
class Table:
    """Parsed rows of a CSV file: one dict per record, with the line it starts on."""

    file: str
    columns: list[str]
    rows: list[dict]
    lines: list[int]
    header_line: int = 1


def read_csv(
    path: Path,
    display: str,
    columns: list[Column],
    problems: Problems,
    *,
    keep_rows: bool = True,
    on_row: Callable[[dict, int], None] | None = None,
) -> Table | None:
    """Read and check a CSV file, streaming it row by row.

    Returns the parsed rows (or none when ``keep_rows`` is false, for large
    tables that are only checked here), or ``None`` when the file cannot be
    read as a table at all. Problems go to ``problems``.
    """
    wanted = {c.name: c for c in columns}
    rows: list[dict] = []
    lines: list[int] = []
    try:
        handle = path.open("rb")
    except OSError as exc:
        problems.add(display, None, None, f"cannot be read: {exc.strerror}")
        return None
    with handle:
        reader = csv.reader(_decoded_lines(handle), strict=True)
        try:
            header = None
            previous_end = 0  # the last line of the previous record
            while header is None:
                candidate = next(reader, None)
                if candidate is None:
                    names = ", ".join(c.name for c in columns if c.column_required)
                    problems.add(
                        display, None, None,
                        f"file is empty: expected a header line with the columns {names}",
                    )
                    return None
                if any(cell.strip() for cell in candidate):
                    header = [cell.strip() for cell in candidate]
                    header_line = previous_end + 1
                previous_end = reader.line_num
            if not _check_header(display, header_line, header, columns, problems):
                return None
            index = {name: i for i, name in enumerate(header)}
            width = len(header)
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if not record or not any(cell.strip() for cell in record):
                    continue  # blank line
                if len(record) != width:
                    split = _decimal_comma_split(record, header, wanted)
                    if split is not None:
                        name, joined = split
                        problems.add(
                            display, start, name,
                            f"expected a number with a decimal point (.), found {joined!r} "
                            f"(an unquoted decimal comma splits the record into {len(record)} "
                            f"fields instead of {width}: export the file with '.' as the "
                            "decimal separator)",
                        )
                        continue
                    hint = ""
                    if len(record) > width and any(
                        _DECIMAL_COMMA.fullmatch(f"{a},{b}") for a, b in zip(record, record[1:])
                    ):
                        hint = (
                            " (a decimal comma? quote the value or export the file with "
                            "'.' as the decimal separator)"
                        )
                    problems.add(
                        display, start, None,
                        f"expected {width} fields as in the header, found {len(record)}{hint}",
                    )
                    continue
                parsed = {}
                for name, column in wanted.items():
                    if name not in index:
                        continue
                    text = record[index[name]].strip()
                    if text == "":
                        if column.value_required:
                            problems.add(
                                display, start, name, "expected a value, found nothing (empty)"
                            )
                        parsed[name] = None
                        continue
                    try:
                        parsed[name] = column.parse(text)
                    except ValueProblem as exc:
                        problems.add(display, start, name, str(exc))
                        parsed[name] = None
                if on_row is not None:
                    on_row(parsed, start)
                if keep_rows:
                    rows.append(parsed)
                    lines.append(start)
        except _DecodeProblem as exc:
            problems.add(display, exc.line, None, exc.message)
            return None
        except csv.Error as exc:
            # the line on which the broken record starts (an unclosed quote runs to the end)
            problems.add(
                display, previous_end + 1, None,
                f"expected a well-formed CSV record, found {exc} (an unclosed quote?)",
            )
            return None
    return Table(display, header, rows, lines, header_line)


def _decimal_comma_split(record, header, wanted):
    """The column and value an unquoted decimal comma split in two, when only one fits.

    A record one field longer than the header is re-joined at each adjacent
    pair that looks like ``12,5``; the split is named only when exactly one
    re-joined record (with ``12.5``) parses in every known column.
    """
    if len(record) != len(header) + 1:
        return None
    fits = []
    for i, name in enumerate(header):
        joined = f"{record[i].strip()},{record[i + 1].strip()}"
        if not _DECIMAL_COMMA.fullmatch(joined):
            continue
        merged = record[:i] + [joined.replace(",", ".")] + record[i + 2 :]
        if all(
            _fits(wanted[column], merged[j].strip())
            for j, column in enumerate(header)
            if column in wanted
        ):
            fits.append((name, joined))
    return fits[0] if len(fits) == 1 else None


def _fits(column: Column, text: str) -> bool:
    if text == "":
        return not column.value_required
    try:
        column.parse(text)
    except ValueProblem:
        return False
    return True


def _check_header(display, line, header, columns, problems) -> bool:
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "';'" if ";" in header[0] else "a tab"
        problems.add(
            display, line, None,
            f"expected comma-separated columns, found {separator} as the separator "
            "(export the file as 'CSV UTF-8 (comma delimited)')",
        )
        return False
    ok = True
    seen = set()
    for name in header:
        if name in seen and name:
            problems.add(display, line, name, "expected each column once, found it twice")
            ok = False
        seen.add(name)
    for column in columns:
        if column.column_required and column.name not in header:
            close = [h for h in header if h.lower() == column.name.lower()]
            close = close or difflib.get_close_matches(column.name, header, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(
                display, line, column.name,
                f"expected a column named {column.name!r}, found columns "
                f"{', '.join(header)}{hint}",
            )
            ok = False
    return ok


# ---------------------------------------------------------------- YAML reading
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
                    None, None,
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


# libyaml's parser (five times faster) reads the files; a file it rejects is read again by
# PyYAML's own parser, whose messages the problems quote.
_FastLineLoader = type("_FastLineLoader", (getattr(yaml, "CSafeLoader", _LineLoader),), {})

for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def read_yaml(path: Path, display: str, problems: Problems):
    """Load a YAML file with line numbers, or add a problem and return ``None``."""
    try:
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
        return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        pass  # read again below for PyYAML's message
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        start = exc.context_mark
        if exc.context and start is not None and line is not None and start.line + 1 != line:
            context += f" (started on line {start.line + 1})"
        problems.add(display, line, None, f"expected valid YAML, found a syntax error: {what}{context}")
        return None
    except yaml.YAMLError as exc:
        problems.add(display, None, None, f"expected valid YAML, found: {exc}")
        return None
