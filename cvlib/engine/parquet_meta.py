"""Facts about Parquet sources read from their footers, without reading rows.

Every Parquet file ends with a footer holding, per row group and column, the
number of rows and (when the writer wrote them) statistics: the null count
and the minimum and maximum value. :func:`footer_stats` sums them over all
row groups of a source with DuckDB's ``parquet_metadata`` (the same glob as
``read_parquet``, so the same files); :func:`bad_rows` and
:func:`profile_row` answer the checks of :func:`cvlib.engine.checks.check_table`
and the row count and latest instants of :func:`cvlib.engine.queries.profile`
from them.

A fact is used only when every row group with rows has it; otherwise the
answer is ``None`` and the caller runs its aggregate query for that check
alone. A minimum or maximum only shows whether a value outside a range (or an
empty text) exists, not how many: when one may exist, the caller counts with
its query, so the messages are those of the query path, counts included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cvlib.contract.values import FIRST_YEAR, LAST_YEAR
from cvlib.engine.sql import sql_string as _sql_string

# the years of dates and timestamps (the contract's), as the epoch seconds the footers give
_EPOCH_FIRST = (dt.date(FIRST_YEAR, 1, 1) - dt.date(1970, 1, 1)).days * 86400
_EPOCH_AFTER_LAST = (dt.date(LAST_YEAR + 1, 1, 1) - dt.date(1970, 1, 1)).days * 86400

__all__ = ["ColumnStats", "FooterStats", "applies", "footer_stats", "bad_rows", "profile_row"]

# DuckDB types whose statistics are read (text, numbers, instants, dates).
_TIME_TYPES = (
    "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "TIMESTAMP_S",
    "TIMESTAMP_MS",
    "TIMESTAMP_NS",
    "DATE",
)
_NUMBER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
)
# What the queries' trim removes (cvlib.engine.sql.WHITESPACE): all at most ' '.
_BLANK_MAX = " "


@dataclass(frozen=True, slots=True)
class ColumnStats:
    """Footer statistics of one column over all row groups.

    Attributes
    ----------
    nulls : int or None
        Null values in the column; ``None`` when a row group does not say.
    low, high : object
        Smallest and largest non-null value (numbers and text as such; dates
        and timestamps as epoch seconds of their wall-clock reading in UTC,
        as the profile query reads them); ``None`` when the
        column holds no value.
    bounds : bool
        Whether ``low`` and ``high`` are known (every row group with a
        non-null value has both, and the maximum is exact).
    time : bool
        Whether the column holds dates or timestamps.
    """

    nulls: int | None
    low: object
    high: object
    bounds: bool
    time: bool = False


@dataclass(frozen=True, slots=True)
class FooterStats:
    """Row count of a Parquet source and statistics of the columns asked for."""

    rows: int
    columns: dict


def applies(source, embedded: bool) -> bool:
    """Whether the footer path applies: ``source`` is Parquet read by the embedded DuckDB engine."""
    return source.kind == "parquet" and embedded


def footer_stats(con, pattern: str, columns) -> FooterStats | None:
    """Sum the footer statistics of the Parquet files matching ``pattern``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A cursor of the embedded engine, session time zone UTC (dates and timestamps are
        read in it).
    pattern : str
        The file, or glob, as given to ``read_parquet``.
    columns : iterable of str
        Top-level columns whose statistics are wanted; a column of another
        type than text, number, date or timestamp, or absent from the files
        (a hive partition), gets no entry.

    Returns
    -------
    FooterStats or None
        ``None`` when the footers cannot be read (the caller queries instead).
    """
    source = _sql_string(pattern)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({source})").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        wanted = []
        for name in dict.fromkeys(columns):
            typ = types.get(name)
            if typ is None:
                continue
            if (
                typ == "VARCHAR"
                or typ in _NUMBER_TYPES
                or typ in _TIME_TYPES
                or typ.startswith("DECIMAL(")
            ):
                wanted.append((name, typ))
        parts = [
            "sum(row_group_num_rows) FILTER (WHERE column_id = 0)",
            "count(*) FILTER (WHERE column_id = 0 AND row_group_num_rows > 0)",
        ]
        for name, typ in wanted:
            here = f"path_in_schema = {_sql_string(name)} AND row_group_num_rows > 0"
            # a row group whose values are all null has no min/max, and needs none
            some = "coalesce(stats_null_count, -1) <> row_group_num_rows"
            low, high = f"TRY_CAST(stats_min_value AS {typ})", f"TRY_CAST(stats_max_value AS {typ})"
            if typ in _TIME_TYPES:
                low, high = (f"epoch(CAST({v} AS TIMESTAMP))" for v in (low, high))
            parts += [
                f"count(*) FILTER (WHERE {here})",
                f"count(*) FILTER (WHERE {here} AND stats_null_count IS NULL)",
                f"coalesce(sum(stats_null_count) FILTER (WHERE {here}), 0)",
                f"count(*) FILTER (WHERE {here} AND {some} AND "
                f"({low} IS NULL OR {high} IS NULL OR max_is_exact IS NOT TRUE))",
                f"min({low}) FILTER (WHERE {here} AND {some})",
                f"max({high}) FILTER (WHERE {here} AND {some})",
            ]
        # the footers read once into the columns used: aggregating parquet_metadata() directly
        # makes DuckDB produce all of its columns for every filter (three times slower)
        used = (
            "column_id, path_in_schema, row_group_num_rows, stats_min_value, stats_max_value, "
            "stats_null_count, max_is_exact"
        )
        row = con.execute(
            f"WITH m AS MATERIALIZED (SELECT {used} FROM parquet_metadata({source})) "
            f"SELECT {', '.join(parts)} FROM m"
        ).fetchone()
    except Exception:  # an unreadable footer: the query path reports it
        return None
    rows, groups = int(row[0] or 0), int(row[1] or 0)
    stats = {}
    for i, (name, typ) in enumerate(wanted):
        present, no_nulls, nulls, no_bounds, low, high = row[2 + 6 * i : 8 + 6 * i]
        if present != groups:  # not in every row group (a partition column, a differing file)
            continue
        stats[name] = ColumnStats(
            nulls=None if no_nulls else int(nulls),
            low=low,
            high=high,
            bounds=no_bounds == 0,
            time=typ in _TIME_TYPES,
        )
    return FooterStats(rows=rows, columns=stats)


def bad_rows(stats: FooterStats | None, column: str, rule: str, *, text: bool) -> int | None:
    """How many rows break ``rule`` in ``column``, when the footers tell; else ``None``.

    Parameters
    ----------
    stats : FooterStats or None
    column : str
    rule : str
        ``value`` (null, or empty text after stripping white space), ``score``
        (outside 0..10), ``nonnegative`` (below 0) or ``years`` (a date or
        timestamp outside 1900..2199).
    text : bool
        Whether the column holds text (only text can be empty).

    Returns
    -------
    int or None
        The exact count, or ``None`` when the query must count: a statistic
        is missing, or a value breaking the rule may exist (a minimum or
        maximum shows that one exists, not how many).
    """
    col = None if stats is None else stats.columns.get(column)
    if col is None:
        return None
    if rule == "value":
        if col.nulls is None:
            return None
        if not text or col.low is None and col.bounds:
            return col.nulls
        # every value at least the minimum: when it starts above ' ', no value is blank
        if col.bounds and col.low and col.low[0] > _BLANK_MAX:
            return col.nulls
        return None
    if not col.bounds:
        return None
    if col.low is None:  # no value at all
        return 0
    if rule == "score":
        return 0 if col.low >= 0 and col.high <= 10 else None
    if rule == "nonnegative":
        return 0 if col.low >= 0 else None
    if rule == "years":  # dates and timestamps from 1900 to 2199, as epoch seconds here
        return 0 if _EPOCH_FIRST <= col.low and col.high < _EPOCH_AFTER_LAST else None
    return None


def profile_row(stats: FooterStats | None, columns) -> dict | None:
    """The profile query's row: ``rows`` and ``m0``, ``m1``, ... (latest epoch seconds per column).

    ``None`` when a column lacks exact statistics (the caller queries).
    """
    if stats is None:
        return None
    row = {"rows": stats.rows}
    for i, column in enumerate(columns):
        col = stats.columns.get(column)
        if col is None or not col.bounds or not col.time:
            return None
        row[f"m{i}"] = col.high
    return row
