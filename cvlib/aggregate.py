"""Aggregation of the event-scale tables (events, surveys, accounts).

This is the only module that reads those tables, and it returns aggregates
(counts, distinct users, latest dates), never whole tables. Queries run in
embedded DuckDB with the session time zone set to UTC; timestamps are parsed
in SQL (an offset or ``Z`` is honoured, a naive timestamp or a bare date is
read in the workspace time zone), so CSV and Parquet files are scanned by the
engine and no row is loaded into pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = ["Source", "TableProfile", "profile"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an event-scale table lives.

    Attributes
    ----------
    name : str
        ``events``, ``surveys`` or ``accounts``.
    kind : str
        ``csv`` or ``parquet``.
    path : pathlib.Path
        The file.
    display : str
        How messages and reports name the source (relative to the workspace).
    """

    name: str
    kind: str
    path: Path
    display: str


@dataclass(frozen=True, slots=True)
class TableProfile:
    """Row count and the latest instant of each time column of a table."""

    rows: int
    latest: dict


def _connect():
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _relation_sql(source: Source) -> str:
    path = str(source.path).replace("'", "''")
    if source.kind == "csv":
        return (
            f"read_csv('{path}', header = true, all_varchar = true, quote = '\"', "
            "escape = '\"', delim = ',', strict_mode = false)"
        )
    if source.kind == "parquet":
        return f"read_parquet('{path}')"
    raise ValueError(f"source kind must be 'csv' or 'parquet', got {source.kind!r}")


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def timestamp_sql(column: str, timezone: str) -> str:
    """SQL turning a text or timestamp column into an instant (TIMESTAMPTZ).

    A value with ``Z`` or an offset is taken as it is; a naive timestamp or a
    bare date is read in ``timezone``.
    """
    # upper(): a lower-case 'z' (accepted by the CSV checks) is the UTC designator too
    col = f"upper(trim(CAST({_quote_ident(column)} AS VARCHAR)))"
    tz = timezone.replace("'", "''")
    return (
        f"CASE WHEN length({col}) > 10 AND regexp_matches({col}, '(Z|z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
        f"THEN CAST({col} AS TIMESTAMPTZ) "
        f"ELSE timezone('{tz}', CAST({col} AS TIMESTAMP)) END"
    )


def profile(source: Source, time_columns: list[str], timezone: str) -> TableProfile:
    """Count the rows of ``source`` and find the latest instant of each time column.

    Parameters
    ----------
    source : Source
        The table.
    time_columns : list of str
        Columns holding dates or timestamps.
    timezone : str
        IANA name in which naive values are read.

    Returns
    -------
    TableProfile
        ``rows`` and ``latest`` (column -> aware :class:`datetime.datetime` in
        ``timezone``, or ``None`` for an empty column).
    """
    con = _connect()
    try:
        selects = ["count(*)"] + [
            f"epoch(max({timestamp_sql(c, timezone)}))" for c in time_columns
        ]
        row = con.execute(f"SELECT {', '.join(selects)} FROM {_relation_sql(source)}").fetchone()
    finally:
        con.close()
    tz = ZoneInfo(timezone)
    latest = {}
    for column, value in zip(time_columns, row[1:]):
        latest[column] = None if value is None else dt.datetime.fromtimestamp(value, tz)
    return TableProfile(rows=int(row[0]), latest=latest)


_ID_REGEX = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# The timestamps the CSV checks accept (cvlib._tables), as an RE2 pattern.
_TIMESTAMP_REGEX = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?"
    "(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)


def check_parquet(
    source: Source,
    columns: list[tuple[str, str, bool, bool]],
    *,
    unique: str | None = None,
    references: dict | None = None,
    not_before: tuple[str, str] | None = None,
):
    """Check a Parquet source by its schema and with aggregate queries, never by reading rows.

    Parameters
    ----------
    source : Source
    columns : list of (name, kind, column_required, value_required)
        ``kind`` is one of text, id, date, timestamp, score, nonnegative.
    unique : str, optional
        A column whose values must not repeat.
    references : dict of str to (collection of str, str), optional
        Column -> (the values it may take, the file listing them); empty
        values are allowed.
    not_before : (str, str), optional
        ``(later, earlier)``: the date in ``later``, where given, must not be
        before the one in ``earlier``.

    Returns
    -------
    (list of Problem, int or None)
        The problems (each naming the source, the column and how many rows are
        affected) and the row count (``None`` when the file cannot be read).
    """
    import duckdb

    from cvlib.errors import Problem

    file = source.display
    con = _connect()
    try:
        try:
            schema = con.execute(f"DESCRIBE SELECT * FROM {_relation_sql(source)}").fetchall()
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0]
            return [Problem(file, None, None, f"expected a readable Parquet file, found: {first}")], None
        types = {row[0]: row[1].upper() for row in schema}
        problems = []
        checks = []  # (column, condition true for a bad row, message)
        for name, kind, column_required, value_required in columns:
            if name not in types:
                if column_required:
                    problems.append(
                        Problem(file, None, name, f"expected a column named {name!r}, found columns {', '.join(types)}")
                    )
                continue
            col = _quote_ident(name)
            typ = types[name]
            text = f"trim(CAST({col} AS VARCHAR))"
            if value_required:
                checks.append((name, f"{col} IS NULL OR {text} = ''", "expected a value, found nothing (null or empty)"))
            if kind == "id":
                checks.append((name, f"{col} IS NOT NULL AND NOT regexp_matches({text}, '{_ID_REGEX}')",
                               "expected ids of 1-64 ASCII letters, digits, '.', '_' or '-' starting with a letter or digit, found other values"))
            elif kind == "timestamp":
                if not (typ.startswith("TIMESTAMP") or typ == "DATE" or typ == "VARCHAR"):
                    problems.append(Problem(file, None, name, f"expected a timestamp column, found type {typ}"))
                elif typ == "VARCHAR":
                    checks.append((name, f"{col} IS NOT NULL AND {text} <> '' AND (NOT regexp_matches({text}, '{_TIMESTAMP_REGEX}') OR TRY_CAST(upper({text}) AS TIMESTAMPTZ) IS NULL)",
                                   "expected ISO 8601 timestamps, found values that are not"))
            elif kind == "date":
                if not (typ == "DATE" or typ == "VARCHAR" or typ.startswith("TIMESTAMP")):
                    problems.append(Problem(file, None, name, f"expected a date column, found type {typ}"))
                elif typ == "VARCHAR":
                    checks.append((name, f"{col} IS NOT NULL AND (NOT regexp_matches({text}, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$') OR TRY_CAST({text} AS DATE) IS NULL)",
                                   "expected dates as YYYY-MM-DD, found values that are not"))
            elif kind == "score":
                if not any(typ.startswith(p) for p in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT")):
                    problems.append(Problem(file, None, name, f"expected an integer column, found type {typ}"))
                else:
                    checks.append((name, f"{col} < 0 OR {col} > 10", "expected whole numbers from 0 to 10, found values outside"))
            elif kind == "nonnegative":
                if not any(k in typ for k in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL")):
                    problems.append(Problem(file, None, name, f"expected a numeric column, found type {typ}"))
                else:
                    checks.append((name, f"{col} < 0", "expected numbers >= 0, found negative values"))
        # Checks on the whole table, counted by aggregates: (column, count, message, params).
        counted = [(name, f"count(*) FILTER (WHERE {sql})", message, []) for name, sql, message in checks]
        if unique is not None and unique in types:
            col = _quote_ident(unique)
            counted.append((unique, f"count({col}) - count(DISTINCT {col})",
                            "expected unique values, found values that repeat an earlier row", []))
        for name, (known, other) in (references or {}).items():
            if name in types:
                text = f"trim(CAST({_quote_ident(name)} AS VARCHAR))"
                counted.append((name, f"count(*) FILTER (WHERE {text} <> '' AND NOT list_contains(?::VARCHAR[], {text}))",
                                f"expected a {name} listed in {other} or nothing, found others", [sorted(known)]))
        if not_before is not None and all(name in types for name in not_before):
            later, earlier = (_quote_ident(name) for name in not_before)
            counted.append((not_before[0], f"count(*) FILTER (WHERE TRY_CAST({later} AS DATE) < TRY_CAST({earlier} AS DATE))",
                            f"expected {not_before[0]} on or after {not_before[1]}, found earlier dates", []))
        if counted:
            valid = [c for c in counted if not any(p.column == c[0] for p in problems)]
            if valid:
                sums = ", ".join(count for _, count, _, _ in valid)
                params = [param for *_, ps in valid for param in ps]
                counts = con.execute(f"SELECT count(*), {sums} FROM {_relation_sql(source)}", params).fetchone()
                rows = int(counts[0])
                for (name, _, message, _), bad in zip(valid, counts[1:]):
                    if bad:
                        problems.append(Problem(file, None, name, f"{message} ({bad:,} of {rows:,} rows)"))
                return problems, rows
        rows = con.execute(f"SELECT count(*) FROM {_relation_sql(source)}").fetchone()[0]
        return problems, int(rows)
    finally:
        con.close()


# ---------------------------------------------------------------- metric aggregates
def _epoch(instant) -> float:
    return float(instant.timestamp())


def _has_column(con, source: Source, column: str) -> bool:
    names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_relation_sql(source)}").fetchall()]
    return column in names


def _windows_sql(rows: list[tuple]) -> str:
    """A VALUES list of (key, start, stop, extra) with instants as epoch seconds."""
    parts = []
    for key, start, stop, extra in rows:
        k = str(key).replace("'", "''")
        e = "NULL" if extra is None else "'" + str(extra).replace("'", "''") + "'"
        parts.append(f"('{k}', to_timestamp({_epoch(start)!r}), to_timestamp({_epoch(stop)!r}), {e})")
    return "(VALUES " + ", ".join(parts) + ") AS w(key, start_at, stop_at, extra)"


def adoption_counts(source: Source, windows: list[tuple], timezone: str):
    """Distinct users and adopters per window, overall and per segment, in one scan.

    Parameters
    ----------
    source : Source
        The events table.
    windows : list of (key, start, stop, feature_id)
        Half-open windows ``[start, stop)`` of aware datetimes; adopters are
        users with an event equal to ``feature_id`` in the same window.
    timezone : str
        Time zone in which naive timestamps are read.

    Returns
    -------
    dict
        ``key -> {"users": int, "adopters": int, "segments": {segment: (users, adopters)}}``.
        A user's segment is that of their first event in the window.
    """
    if not windows:
        return {}
    con = _connect()
    try:
        has_segment = _has_column(con, source, "segment")
        segment = "NULLIF(trim(CAST(segment AS VARCHAR)), '')" if has_segment else "NULL"
        low = min(_epoch(w[1]) for w in windows)
        high = max(_epoch(w[2]) for w in windows)
        sql = f"""
            WITH ev AS (
                SELECT ts, user_id, event, seg FROM (
                    SELECT {timestamp_sql('timestamp', timezone)} AS ts,
                           trim(CAST(user_id AS VARCHAR)) AS user_id,
                           trim(CAST(event AS VARCHAR)) AS event,
                           {segment} AS seg
                    FROM {_relation_sql(source)})
                WHERE ts >= to_timestamp({low!r}) AND ts < to_timestamp({high!r})
            ),
            per_user AS (
                SELECT w.key, ev.user_id,
                       min({{'t': ev.ts, 's': coalesce(ev.seg, '')}})['s'] AS seg,
                       bool_or(ev.event = w.extra) AS adopted
                FROM ev JOIN {_windows_sql(windows)}
                  ON ev.ts >= w.start_at AND ev.ts < w.stop_at
                GROUP BY w.key, ev.user_id
            )
            SELECT key, seg, count(*) AS users, count(*) FILTER (WHERE adopted) AS adopters,
                   grouping(seg) AS overall
            FROM per_user GROUP BY GROUPING SETS ((key), (key, seg))
        """
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    result = {w[0]: {"users": 0, "adopters": 0, "segments": {}} for w in windows}
    for key, seg, users, adopters, overall in rows:
        if overall:
            result[key]["users"] = int(users)
            result[key]["adopters"] = int(adopters)
        elif has_segment and seg != "":
            result[key]["segments"][seg] = (int(users), int(adopters))
    return result


def nps_counts(source: Source, windows: list[tuple], timezone: str):
    """Promoters, passives and detractors per window, overall and per segment, in one scan.

    Parameters
    ----------
    source : Source
        The surveys table.
    windows : list of (key, start, stop, None)
        Half-open windows ``[start, stop)`` of aware datetimes on ``submitted_at``.
    timezone : str

    Returns
    -------
    dict
        ``key -> {"counts": (promoters, passives, detractors), "segments": {segment: counts}}``.
    """
    if not windows:
        return {}
    con = _connect()
    try:
        has_segment = _has_column(con, source, "segment")
        segment = "NULLIF(trim(CAST(segment AS VARCHAR)), '')" if has_segment else "NULL"
        sql = f"""
            WITH s AS (
                SELECT {timestamp_sql('submitted_at', timezone)} AS ts,
                       CAST(score AS INTEGER) AS score, {segment} AS seg
                FROM {_relation_sql(source)}
            )
            SELECT w.key, coalesce(s.seg, '') AS seg,
                   count(*) FILTER (WHERE s.score >= 9),
                   count(*) FILTER (WHERE s.score BETWEEN 7 AND 8),
                   count(*) FILTER (WHERE s.score <= 6),
                   grouping(coalesce(s.seg, '')) AS overall
            FROM s JOIN {_windows_sql(windows)} ON s.ts >= w.start_at AND s.ts < w.stop_at
            GROUP BY GROUPING SETS ((w.key), (w.key, coalesce(s.seg, '')))
        """
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    result = {w[0]: {"counts": (0, 0, 0), "segments": {}} for w in windows}
    for key, seg, p, pa, d, overall in rows:
        counts = (int(p), int(pa), int(d))
        if overall:
            result[key]["counts"] = counts
        elif has_segment and seg != "":
            result[key]["segments"][seg] = counts
    return result


def churn_counts(source: Source, cutoffs: list[tuple]):
    """Accounts at risk and churned per cutoff date, overall and per segment, in one scan.

    Parameters
    ----------
    source : Source
        The accounts table.
    cutoffs : list of (key, date, window_days)
        The population is accounts with ``started_on < date`` and no
        ``churned_on`` or ``churned_on >= date``; churned are those with
        ``churned_on < date + window_days``.

    Returns
    -------
    dict
        ``key -> {"accounts": int, "churned": int, "segments": {segment: (accounts, churned)}}``.
    """
    if not cutoffs:
        return {}
    con = _connect()
    try:
        has_segment = _has_column(con, source, "segment")
        segment = "NULLIF(trim(CAST(segment AS VARCHAR)), '')" if has_segment else "NULL"
        values = ", ".join(
            "('{}', DATE '{}', DATE '{}')".format(
                str(key).replace("'", "''"), day.isoformat(), (day + dt.timedelta(days=int(days))).isoformat()
            )
            for key, day, days in cutoffs
        )
        sql = f"""
            WITH a AS (
                SELECT CAST(trim(CAST(started_on AS VARCHAR)) AS DATE) AS started,
                       CAST(NULLIF(trim(CAST(churned_on AS VARCHAR)), '') AS DATE) AS churned,
                       {segment} AS seg
                FROM {_relation_sql(source)}
            )
            SELECT c.key, coalesce(a.seg, '') AS seg, count(*),
                   count(*) FILTER (WHERE a.churned IS NOT NULL AND a.churned < c.stop_on),
                   grouping(coalesce(a.seg, '')) AS overall
            FROM a JOIN (VALUES {values}) AS c(key, cut_on, stop_on)
              ON a.started < c.cut_on AND (a.churned IS NULL OR a.churned >= c.cut_on)
            GROUP BY GROUPING SETS ((c.key), (c.key, coalesce(a.seg, '')))
        """
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    result = {c[0]: {"accounts": 0, "churned": 0, "segments": {}} for c in cutoffs}
    for key, seg, n, churned, overall in rows:
        if overall:
            result[key]["accounts"] = int(n)
            result[key]["churned"] = int(churned)
        elif has_segment and seg != "":
            result[key]["segments"][seg] = (int(n), int(churned))
    return result


def feature_comments(source: Source, feature_ids: list[str], timezone: str, *, limit: int = 50):
    """Survey comments tied to the given features (at most ``limit`` per feature, newest first).

    Returns
    -------
    list of dict
        ``feature_id``, ``submitted_at`` (ISO text), ``score``, ``comment``.
    """
    if not feature_ids:
        return []
    con = _connect()
    try:
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {_relation_sql(source)}").fetchall()]
        if "feature_id" not in names or "comment" not in names:
            return []
        ids = ", ".join("'" + f.replace("'", "''") + "'" for f in feature_ids)
        sql = f"""
            SELECT feature_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ'), score, comment FROM (
                SELECT trim(CAST(feature_id AS VARCHAR)) AS feature_id,
                       {timestamp_sql('submitted_at', timezone)} AS ts,
                       CAST(score AS INTEGER) AS score, CAST(comment AS VARCHAR) AS comment,
                       row_number() OVER (PARTITION BY trim(CAST(feature_id AS VARCHAR))
                                          ORDER BY {timestamp_sql('submitted_at', timezone)} DESC) AS rn
                FROM {_relation_sql(source)}
                WHERE trim(CAST(feature_id AS VARCHAR)) IN ({ids})
                  AND comment IS NOT NULL AND trim(CAST(comment AS VARCHAR)) <> '')
            WHERE rn <= {int(limit)}
            ORDER BY feature_id, ts DESC
        """
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    return [
        {"feature_id": f, "submitted_at": s, "score": int(sc), "comment": c} for f, s, sc, c in rows
    ]
