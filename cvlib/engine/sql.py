"""Pieces of DuckDB SQL shared by the engine's queries (engine-neutral: sqlglot translates them).

Queries are written once, in DuckDB SQL that sqlglot translates into every
dialect: no ``FILTER`` clause (:func:`count_if`, :func:`min_if`), no
``TRY_CAST`` (text dates are checked by
:func:`cvlib.contract.values.sql_is_date` before they are cast), no struct
or ordered aggregate outside DuckDB (:meth:`cvlib.engine.scan.Scan.one_per_user`),
and instants turned into UTC readings explicitly (:func:`utc`), never through
the session's time zone.

The session time zone is UTC in every engine. Instants are compared as
instants: a column with a time zone (Parquet ``isAdjustedToUTC``, DuckDB
``TIMESTAMPTZ``, text with an offset) is an instant; a naive timestamp or a
date is wall-clock time in the workspace time zone, so it is compared with
bounds written as wall-clock time. The conversion of bounds happens in
Python (:func:`time_literal`), not in the engine, so every engine agrees.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = [
    "WHITESPACE",
    "count_if",
    "date_literal",
    "instant",
    "min_if",
    "parsed",
    "quote_ident",
    "space_trimmed",
    "sql_string",
    "sum_if",
    "time_literal",
    "timestamp_sql",
    "trim",
    "utc",
]

#: What is trimmed from text values (Python's string.whitespace).
WHITESPACE = " \t\n\r\x0b\x0c"


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier.

    Examples
    --------
    >>> print(quote_ident('a"b'))
    "a""b"
    """
    return '"' + name.replace('"', '""') + '"'


def sql_string(value) -> str:
    """``value`` as an SQL string literal.

    Examples
    --------
    >>> sql_string("it's")
    "'it''s'"
    """
    return "'" + str(value).replace("'", "''") + "'"


def trim(expr: str) -> str:
    """``expr`` trimmed of :data:`WHITESPACE`."""
    return f"trim({expr}, {sql_string(WHITESPACE)})"


def space_trimmed(expr: str) -> str:
    """DuckDB SQL: ``expr`` (text) trimmed of spaces, copied only when it starts or ends with one
    (a value without is passed on as it is: trimming every value costs a copy of each).

    Examples
    --------
    >>> print(space_trimmed("x"))
    CASE WHEN starts_with(x, ' ') OR ends_with(x, ' ') THEN trim(x, ' ') ELSE x END
    """
    edge = f"starts_with({expr}, ' ') OR ends_with({expr}, ' ')"
    return f"CASE WHEN {edge} THEN trim({expr}, ' ') ELSE {expr} END"


def count_if(condition: str) -> str:
    """An aggregate counting the rows where ``condition`` holds (``0`` for none).

    Examples
    --------
    >>> count_if("score >= 9")
    'count(CASE WHEN score >= 9 THEN 1 END)'
    """
    return f"count(CASE WHEN {condition} THEN 1 END)"


def sum_if(condition: str, column: str) -> str:
    """An aggregate summing the integer ``column`` over the rows where ``condition`` holds
    (``0`` for none), as a BIGINT in every engine.

    Examples
    --------
    >>> sum_if("score >= 9", "n")
    'CAST(sum(CASE WHEN score >= 9 THEN n ELSE 0 END) AS BIGINT)'
    """
    return f"CAST(sum(CASE WHEN {condition} THEN {column} ELSE 0 END) AS BIGINT)"


def min_if(value: str, condition: str) -> str:
    """An aggregate: the smallest ``value`` where ``condition`` holds (null for none)."""
    return f"min(CASE WHEN {condition} THEN {value} END)"


def utc(column: str) -> str:
    """An instant column (a timestamp with time zone) as its UTC reading (a naive timestamp)."""
    return f"({column} AT TIME ZONE 'UTC')"


def timestamp_sql(column: str, timezone: str) -> str:
    """DuckDB SQL turning a text or timestamp column into an instant (TIMESTAMPTZ).

    A value with ``Z`` or an offset is taken as it is; a naive timestamp or a
    bare date is read in ``timezone``.
    """
    # upper(): a lower-case 'z' (accepted by the CSV checks) is the UTC designator too
    col = f"upper({space_trimmed(f'CAST({quote_ident(column)} AS VARCHAR)')})"
    tz = timezone.replace("'", "''")
    return (
        f"CASE WHEN length({col}) > 10 AND regexp_matches({col}, "
        "'(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$') "
        f"THEN CAST({col} AS TIMESTAMPTZ) "
        f"ELSE timezone('{tz}', CAST({col} AS TIMESTAMP)) END"
    )


def parsed(text: list[str], timezone: str, relation: str) -> str:
    """DuckDB SQL selecting ``relation`` with its ``text`` timestamp columns parsed.

    They are parsed by :func:`timestamp_sql`.
    """
    replaced = ", ".join(f"{timestamp_sql(c, timezone)} AS {quote_ident(c)}" for c in text)
    return f"SELECT * REPLACE ({replaced}) FROM {relation}"


def time_literal(value: dt.datetime, aware: bool, timezone: str, kind: str) -> str:
    """``value`` as a literal comparable with a time column of ``kind``: an instant (UTC)
    for columns of instants, the wall-clock time in ``timezone`` for naive ones."""
    if aware:
        text = f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S.%f}"
        if kind == "timestamptz":
            return f"CAST('{text}+00:00' AS TIMESTAMPTZ)"
        return f"CAST('{text}' AS TIMESTAMP)"
    return f"CAST('{value.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)"


def date_literal(day: dt.date) -> str:
    """``day`` as an SQL date."""
    return f"CAST('{day:%Y-%m-%d}' AS DATE)"


def instant(value, aware: bool, timezone: str) -> dt.datetime:
    """A reading of an instant (UTC) or, when not ``aware``, of wall-clock time in ``timezone``,
    as an aware datetime in ``timezone``. ``value`` is a naive datetime or epoch seconds."""
    tz = ZoneInfo(timezone)
    if isinstance(value, dt.datetime):
        base = value.replace(tzinfo=None)
    else:
        base = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(value))
    if aware:
        return base.replace(tzinfo=dt.UTC).astimezone(tz)
    return base.replace(tzinfo=tz)
