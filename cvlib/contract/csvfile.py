"""Reading spreadsheet exports (CSV) with the exact line of every problem.

Nothing here knows a file name or a column of the data contract: the caller
passes the columns of a :class:`cvlib.contract.tables.TableSpec` with their
parsers. Every problem names the file, the physical line on which the record
starts (as an editor shows it), the column, what was expected and what was
found.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cvlib.contract.problems import Problems
from cvlib.contract.values import _DECIMAL_COMMA, ValueProblem

#: The longest field read (in characters); a longer one is a problem that says so.
MAX_FIELD_CHARS = 10 * 1024 * 1024

__all__ = ["Column", "Table", "read_csv"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column as the reader needs it: its parser, whether the column and a value are required."""

    name: str
    parse: Callable[[str], object]
    column_required: bool = True
    value_required: bool = True


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
    longest: int = 0  # characters of the longest record (its fields and separators)
    blank: bool = False  # a record of nothing but spaces (skipped as a blank line)


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
    # Python's csv module refuses fields over its limit (131,072 characters by default)
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
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
                        display,
                        None,
                        None,
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
            longest, blank = 0, False
            for record in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                longest = max(longest, sum(map(len, record)) + len(record))
                if not record or not any(cell.strip() for cell in record):
                    blank = blank or bool(record)  # not an empty line: spaces, or commas
                    continue  # blank line
                if len(record) != width:
                    split = _decimal_comma_split(record, header, wanted)
                    if split is not None:
                        name, joined = split
                        problems.add(
                            display,
                            start,
                            name,
                            f"expected a number with a decimal point (.), found {joined!r} "
                            f"(an unquoted decimal comma splits the record into {len(record)} "
                            f"fields instead of {width}: export the file with '.' as the "
                            "decimal separator)",
                        )
                        continue
                    hint = ""
                    if len(record) > width and any(
                        _DECIMAL_COMMA.fullmatch(f"{a},{b}")
                        for a, b in zip(record, record[1:], strict=False)
                    ):
                        hint = (
                            " (a decimal comma? quote the value or export the file with "
                            "'.' as the decimal separator)"
                        )
                    problems.add(
                        display,
                        start,
                        None,
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
            if "field larger than field limit" in str(exc):
                found = (
                    f"expected fields of at most {MAX_FIELD_CHARS:,} characters (10 MB), found a "
                    "longer one (or a quote that is never closed)"
                )
            else:
                found = f"expected a well-formed CSV record, found {exc} (an unclosed quote?)"
            problems.add(display, previous_end + 1, None, found)
            return None
    return Table(display, header, rows, lines, header_line, longest, blank)


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
            display,
            line,
            None,
            f"expected comma-separated columns, found {separator} as the separator "
            "(export the file as 'CSV UTF-8 (comma delimited)')",
        )
        return False
    ok = True
    seen = set()
    for name in header:
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
            # a NUL or another control character in a name breaks the engine's SQL
            problems.add(display, line, None, f"expected column names of text, found {name!r}")
            ok = False
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
                display,
                line,
                column.name,
                f"expected a column named {column.name!r}, found columns {', '.join(header)}{hint}",
            )
            ok = False
    return ok
