"""The kinds of values a column holds, each with every rule that checks it.

A :class:`Kind` is one declarative unit: the line-by-line parser of CSV text
(which names the line of every problem), the DuckDB condition of the fast
check that scans a whole CSV file at once, and the checks of typed sources
(Parquet files, database tables): which stored types are accepted, the rule
for values held as text, and the range of numbers. The readers never branch
on a kind's name; they read these fields. ``docs/data-contract.md`` names
each kind with :attr:`Kind.doc`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

__all__ = [
    "ANY_TEXT",
    "DECIMAL_PATTERN",
    "BOOL",
    "COUNT",
    "DATE",
    "ID",
    "ID_PATTERN",
    "NONNEGATIVE",
    "POSITIVE",
    "SCORE",
    "SHARE",
    "TEXT",
    "TIMESTAMP",
    "WHOLE_PATTERN",
    "Kind",
    "ValueProblem",
    "choice",
    "duckdb_is_date",
    "parse_date",
    "parse_id",
    "sql_is_date",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# The grammar of values (docs/data-contract.md), ASCII digits only: no underscores, no digits
# of other scripts, no thousands separators.
_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMESTAMP_PATTERN = re.compile(
    # an offset only after a time: "2026-02-16-05" is not a timestamp
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?"
)
WHOLE_PATTERN = re.compile(r"[+-]?[0-9]+")
DECIMAL_PATTERN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
#: Dates and timestamps are written from 1900-01-01 to 2199-12-31 (so every window and
#: pre-period stays representable in every time zone).
FIRST_YEAR, LAST_YEAR = 1900, 2199
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}

# The same formats as DuckDB regular expressions: the fast check of CSV files (stricter:
# ASCII digits, hours and minutes in range) and the check of text held in typed sources.
_SQL_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_SQL_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_SQL_TIME = (
    "[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?"
    "(Z|z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?"
)
# the text rule of typed sources is their only check: as strict as the parser (hours, minutes,
# seconds and offsets in range)
_SQL_TIMESTAMP_TEXT = f"^{_SQL_DATE}({_SQL_TIME})?$"
_SQL_DATE_TEXT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class ValueProblem(Exception):
    """Raised by a parser: ``str(exc)`` is the 'expected ..., found ...' text."""


def _found(text: str) -> str:
    return "nothing (empty)" if text == "" else repr(text)


# ---------------------------------------------------------------- parsers of CSV text
def parse_id(text: str) -> str:
    """An id: 1-64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not ID_PATTERN.fullmatch(text):
        raise ValueProblem(
            "expected an id of 1-64 ASCII letters, digits, '.', '_' or '-' starting "
            f"with a letter or digit, found {_found(text)}"
        )
    return text


def _parse_text(text: str) -> str:
    if text.strip() == "":
        raise ValueProblem("expected a non-empty value, found nothing (empty)")
    return text


def _in_years(text: str) -> None:
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise ValueProblem(
            f"expected a date from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31, found {_found(text)}"
        )


def parse_date(text: str) -> dt.date:
    """A calendar date written YYYY-MM-DD, from 1900-01-01 to 2199-12-31."""
    if not _DATE_PATTERN.fullmatch(text):
        raise ValueProblem(f"expected a date as YYYY-MM-DD, found {_found(text)}")
    _in_years(text)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(
            f"expected a valid calendar date (YYYY-MM-DD), found {_found(text)}"
        ) from None


def _timestamp_parser(tz: ZoneInfo) -> Callable[[str], dt.datetime]:
    """Parser of ISO 8601 timestamps; naive values and bare dates are read in ``tz``."""

    def parse_timestamp(text: str) -> dt.datetime:
        if not _TIMESTAMP_PATTERN.fullmatch(text):
            raise ValueProblem(
                "expected an ISO 8601 timestamp such as 2026-03-04T10:15:00Z "
                f"(or with an offset like +01:00, or a bare date), found {_found(text)}"
            )
        _in_years(text)
        try:
            value = dt.datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            raise ValueProblem(
                f"expected a valid ISO 8601 timestamp, found {_found(text)}"
            ) from None
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
    if not DECIMAL_PATTERN.fullmatch(text.strip()):
        raise ValueProblem(f"expected a number, found {_found(text)}")
    value = float(text)
    if not math.isfinite(value):
        raise ValueProblem(f"expected a finite number, found {_found(text)}")
    return value


def _parse_nonnegative(text: str) -> float:
    value = _parse_number(text)
    if value < 0:
        raise ValueProblem(f"expected a number >= 0, found {_found(text)}")
    return value


def _parse_positive(text: str) -> float:
    value = _parse_number(text)
    if value <= 0:
        raise ValueProblem(f"expected a number > 0, found {_found(text)}")
    return value


def _parse_share(text: str) -> float:
    value = _parse_number(text)
    if not 0 < value < 1:
        raise ValueProblem(f"expected a number > 0 and < 1, found {_found(text)}")
    return value


def _whole(text: str) -> int:
    if not WHOLE_PATTERN.fullmatch(text.strip()):
        raise ValueError(text)
    return int(text)  # ValueError above Python's limit of digits


def _parse_count(text: str) -> int:
    try:
        value = _whole(text)
    except ValueError:
        raise ValueProblem(f"expected a whole number >= 0, found {_found(text)}") from None
    if value < 0:
        raise ValueProblem(f"expected a whole number >= 0, found {_found(text)}")
    return value


def _parse_score(text: str) -> int:
    try:
        value = _whole(text)
    except ValueError:
        raise ValueProblem(f"expected a whole number from 0 to 10, found {_found(text)}") from None
    if not 0 <= value <= 10:
        raise ValueProblem(f"expected a whole number from 0 to 10, found {_found(text)}")
    return value


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueProblem(f"expected true/false, 1/0 or yes/no, found {_found(text)}")


# ---------------------------------------------------------------- kinds
def _same(parse):
    return lambda _tz: parse


def _always_doubted(_value: str, _raw: str) -> str:
    # only the small tables (checked line by line, never by the fast check) hold these kinds
    return "true"


@dataclass(frozen=True, slots=True)
class Kind:
    """What a column holds, and the rules of every reader for it.

    Attributes
    ----------
    name : str
        Short name (``id``, ``timestamp``, ...).
    doc : str
        How the data contract describes a value (``number >= 0``).
    make_parser : callable
        ``make_parser(tz)`` returns the line-by-line parser of CSV text: it
        returns the value or raises :class:`ValueProblem` with the
        'expected ..., found ...' text (``tz``: the workspace time zone).
    csv_doubt : callable
        ``csv_doubt(value, raw)`` returns a DuckDB condition, on the SQL
        expressions of a value trimmed of spaces and as read, that is true
        where the parser would, or might, reject the value. The fast check
        is as strict as the parser or stricter; a doubted value sends the
        file to the line-by-line check, which gives the exact message.
    free_text : bool
        Text of any length: Python's CSV reader refuses fields above its
        limit, so the fast check doubts longer values.
    blank_only : bool
        The parser rejects nothing but blank text, so an optional value of
        this kind is never doubted.
    stored : tuple of str or None
        The storage kinds (``text``, ``integer``, ``number``, ``date``,
        ``timestamp``, ``timestamptz``, ``boolean``) a typed source may use
        for the column; ``None``: any (read as text).
    stored_as : str
        The expected storage in words, for the message of another one.
    text_rule : (callable, str) or None
        For values a typed source holds as text: a function of the trimmed
        SQL value giving the condition of a bad value, and the message.
    range_rule : (callable, str, str) or None
        For numbers: a function of the SQL column giving the condition of a
        bad value, the message, and the rule the Parquet footers answer
        (``score`` or ``nonnegative``, see :mod:`cvlib.engine.parquet_meta`).
    time : {"", "instant", "day"}
        Whether the column holds instants or days (time columns).
    dtype : {"object", "float", "Int64", "bool", "instant"}
        How a frame of a table read line by line holds the values.
    choices : tuple of str
        The allowed values of a choice.
    """

    name: str
    doc: str
    make_parser: Callable[[ZoneInfo], Callable[[str], object]]
    csv_doubt: Callable[[str, str], str] = _always_doubted
    free_text: bool = False
    blank_only: bool = False
    stored: tuple[str, ...] | None = None
    stored_as: str = ""
    text_rule: tuple | None = None
    range_rule: tuple | None = None
    time: str = ""
    dtype: str = "object"
    choices: tuple[str, ...] = field(default=())

    def parser(self, tz: ZoneInfo) -> Callable[[str], object]:
        """The line-by-line parser with naive times read in ``tz``."""
        return self.make_parser(tz)


ID = Kind(
    "id",
    "id",
    _same(parse_id),
    csv_doubt=lambda v, _raw: f"NOT regexp_full_match({v}, '{_SQL_ID}')",
)
TEXT = Kind(
    "text",
    "text",
    _same(_parse_text),
    # only emptiness matters; a value of nothing but (any kind of) white space is doubted
    csv_doubt=lambda _v, raw: f"NOT regexp_matches({raw}, '[^\\s\\x0b\\x1c-\\x1f\\x85\\p{{Z}}]')",
    free_text=True,
    blank_only=True,
)
ANY_TEXT = Kind(
    "any text", "any text", _same(str), csv_doubt=lambda _v, _raw: "false", free_text=True
)


def sql_is_date(v: str) -> str:
    """SQL true where the text ``v`` is a day ``YYYY-MM-DD`` of the calendar from
    :data:`FIRST_YEAR` to :data:`LAST_YEAR` (so 2021-02-30 is not), false otherwise.

    Written without ``TRY_CAST`` (which sqlglot turns into a ``CAST`` that fails
    the whole query on most engines): the format by a regular expression, the
    year, month and day by arithmetic, the leap years of the Gregorian
    calendar. Only text that passed the regular expression is cast, so the
    casts cannot fail; any engine sqlglot translates to runs it.

    Examples
    --------
    >>> import duckdb
    >>> [duckdb.sql(f"SELECT {sql_is_date(repr(t))}").fetchone()[0]
    ...  for t in ("2024-02-29", "2023-02-29", "2021-04-31", "1899-12-31", "2026-1-01")]
    [True, False, False, False, False]
    """
    y, m, d = (f"CAST(substr({v}, {i}, {n}) AS INTEGER)" for i, n in ((1, 4), (6, 2), (9, 2)))
    leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
    days = (
        f"CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 "
        f"WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"
    )
    return (
        f"(CASE WHEN regexp_matches({v}, '{_SQL_DATE_TEXT}') THEN "
        f"{y} BETWEEN {FIRST_YEAR} AND {LAST_YEAR} AND {m} BETWEEN 1 AND 12 "
        f"AND {d} BETWEEN 1 AND {days} ELSE false END)"
    )


def duckdb_is_date(v: str) -> str:
    """DuckDB SQL true exactly where :func:`sql_is_date` is, for the engine's CSV check.

    The format by a regular expression, the day of the calendar by
    ``TRY_CAST`` (null for 2021-02-30), the years by comparing the text
    itself (``YYYY-MM-DD`` orders as the days do): two to three times
    faster than the portable arithmetic, which the checks of other engines keep.

    Examples
    --------
    >>> import duckdb
    >>> days = ("2024-02-29", "2023-02-29", "2021-04-31", "1899-12-31", "2026-1-01", "2199-12-31")
    >>> [duckdb.sql(f"SELECT {duckdb_is_date(repr(t))}").fetchone()[0] for t in days]
    [True, False, False, False, False, True]
    """
    return (
        f"(regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
        f"AND TRY_CAST({v} AS DATE) IS NOT NULL "
        f"AND {v} BETWEEN '{FIRST_YEAR}-01-01' AND '{LAST_YEAR}-12-31')"
    )


_YEARS_RULE = (
    lambda col: f"{col} < DATE '{FIRST_YEAR}-01-01' OR {col} >= DATE '{LAST_YEAR + 1}-01-01'",
    f"expected dates from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31, found values outside",
    "years",
)

DATE = Kind(
    "date",
    "date",
    _same(parse_date),
    csv_doubt=lambda v, _raw: f"NOT {duckdb_is_date(v)}",
    stored=("date", "text", "timestamp", "timestamptz"),
    stored_as="a date column",
    text_rule=(
        lambda v: f"NOT {sql_is_date(v)}",
        f"expected dates as YYYY-MM-DD from {FIRST_YEAR} to {LAST_YEAR}, found values that are not",
    ),
    range_rule=_YEARS_RULE,
    time="day",
)
TIMESTAMP = Kind(
    "timestamp",
    "timestamp",
    _timestamp_parser,
    csv_doubt=lambda v, _raw: (
        f"NOT regexp_full_match({v}, '{_SQL_DATE}({_SQL_TIME})?') "
        f"OR NOT {duckdb_is_date(f'substr({v}, 1, 10)')}"
    ),
    stored=("timestamp", "timestamptz", "date", "text"),
    stored_as="a timestamp column",
    text_rule=(
        lambda v: (
            f"NOT regexp_matches({v}, '{_SQL_TIMESTAMP_TEXT}') "
            f"OR NOT {sql_is_date(f'substr({v}, 1, 10)')}"
        ),
        f"expected ISO 8601 timestamps from {FIRST_YEAR} to {LAST_YEAR}, found values that are not",
    ),
    range_rule=_YEARS_RULE,
    time="instant",
    dtype="instant",
)
SCORE = Kind(
    "score",
    "whole number from 0 to 10",
    _same(_parse_score),
    csv_doubt=lambda v, _raw: (
        f"NOT regexp_full_match({v}, '[0-9]{{1,2}}') OR CAST({v} AS INTEGER) > 10"
    ),
    stored=("integer",),
    stored_as="an integer column",
    range_rule=(
        lambda col: f"{col} < 0 OR {col} > 10",
        "expected whole numbers from 0 to 10, found values outside",
        "score",
    ),
)
NONNEGATIVE = Kind(
    "nonnegative",
    "number >= 0",
    _same(_parse_nonnegative),
    csv_doubt=lambda v, _raw: f"NOT regexp_full_match({v}, '[0-9]{{1,15}}(\\.[0-9]{{1,15}})?')",
    stored=("integer", "number"),
    stored_as="a numeric column",
    range_rule=(
        lambda col: f"{col} < 0",
        "expected numbers >= 0, found negative values",
        "nonnegative",
    ),
    dtype="float",
)
POSITIVE = Kind("positive", "number > 0", _same(_parse_positive), dtype="float")
SHARE = Kind("share", "number > 0 and < 1", _same(_parse_share), dtype="float")
COUNT = Kind("count", "whole number >= 0", _same(_parse_count), dtype="Int64")
BOOL = Kind("yes/no", "yes/no", _same(_parse_bool), dtype="bool")


def choice(choices: tuple[str, ...]) -> Kind:
    """A kind that is exactly one of ``choices`` (a close match is suggested).

    The fast check of CSV files and the rule for text in typed sources
    accept exactly ``choices`` (as written, in lower case); a typed source
    holds a choice as text.

    Examples
    --------
    >>> phase = choice(("before", "after"))
    >>> phase.parser(None)("after")
    'after'
    >>> phase.parser(None)("After")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    cvlib.contract.values.ValueProblem: expected one of before, after, found 'After'
    (did you mean 'after'?)
    """

    def parse_choice(text: str) -> str:
        if text not in choices:
            hint = difflib.get_close_matches(text.strip().lower(), choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueProblem(f"expected one of {', '.join(choices)}, found {_found(text)}{extra}")
        return text

    listed = ", ".join("'" + c.replace("'", "''") + "'" for c in choices)
    words = [f"`{c}`" for c in choices]
    doc = " or ".join(words) if len(words) == 2 else "one of " + ", ".join(words)
    return Kind(
        "choice",
        doc,
        _same(parse_choice),
        csv_doubt=lambda v, _raw: f"{v} NOT IN ({listed})",
        stored=("text",),
        stored_as="a text column",
        text_rule=(
            lambda v: f"{v} NOT IN ({listed})",
            f"expected one of {', '.join(choices)}, found other values",
        ),
        choices=tuple(choices),
    )
