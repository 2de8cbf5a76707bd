"""Aggregation of the event-scale tables (events, surveys, accounts).

This is the only module that reads those tables, and it returns aggregates
(counts, distinct users, latest instants), never whole tables. Every query is
written once, as DuckDB SQL, and runs where the data lives:

- CSV files: embedded DuckDB (text timestamps are parsed there: an offset or
  ``Z`` is honoured, a naive timestamp or a bare date is read in the
  workspace time zone);
- Parquet files (a file, a directory or a glob, hive-partitioned or not): the
  workspace engine, embedded DuckDB by default, or PySpark or another ibis
  backend (``engine``);
- a table behind a connection (an ibis URL, ``ibis.connect``): that database.

The embedded engine runs the SQL itself, without ibis. For the other engines
ibis hands it over (``Table.sql(sql, dialect="duckdb")``), and sqlglot
translates it into the engine's dialect; ``tests/test_engines.py`` checks that
every engine gives the same numbers.

The session time zone is UTC in every engine. Instants are compared as
instants: a column with a time zone (Parquet ``isAdjustedToUTC``, DuckDB
``TIMESTAMPTZ``, text with an offset) is an instant; a naive timestamp or a
date is wall-clock time in the workspace time zone, so it is compared with
the window bounds written as wall-clock time (the conversion happens in
Python, not in the engine, so every engine agrees).

A process keeps one in-memory DuckDB database for the embedded engine and the
CSV checks. A file source is declared there once as a view, and
the footer statistics of Parquet files are read once, while the files keep
their sizes and modification times (a rewritten file is read afresh).
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import os
import glob
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from cvlib import _parquet_meta

__all__ = ["ENGINES", "Source", "TableProfile", "profile"]

ENGINES = ("duckdb", "pyspark")

# Columns holding instants (timestamps) and dates, per table.
_TIMESTAMPS = {"events": ("timestamp",), "surveys": ("submitted_at",), "accounts": ()}
_DATES = {"events": (), "surveys": (), "accounts": ("started_on", "churned_on")}


@dataclass(frozen=True, slots=True)
class Source:
    """Where an event-scale table lives.

    Attributes
    ----------
    name : str
        ``events``, ``surveys`` or ``accounts``.
    kind : str
        ``csv``, ``parquet`` or ``connection``.
    path : pathlib.Path or None
        The CSV file, or the Parquet file, directory or glob (absolute);
        ``None`` for a connection.
    display : str
        How messages and reports name the source (relative to the workspace;
        for a connection the URL without its password, and the table).
    url : str or None
        The connection URL with ``${NAME}`` replaced (it may hold a secret:
        never shown).
    table : str or None
        The table behind the connection.
    engine : str or ibis backend
        What aggregates Parquet files: ``duckdb`` (embedded, the default),
        ``pyspark`` (the active SparkSession) or an ibis backend object.
        CSV files are always aggregated by embedded DuckDB, connection tables
        by their own database.
    """

    name: str
    kind: str
    path: Path | None
    display: str
    url: str | None = field(default=None, repr=False)
    table: str | None = None
    engine: object = field(default="duckdb", compare=False)

    def files(self) -> list[Path]:
        """The files the source reads, sorted (none for a connection)."""
        if self.kind == "csv":
            return [Path(self.path)]
        if self.kind != "parquet":
            return []
        path = Path(self.path)
        if path.is_dir():
            return sorted(p for p in path.rglob("*.parquet") if p.is_file())
        if path.is_file():
            return [path]
        return sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())


@dataclass(frozen=True, slots=True)
class TableProfile:
    """Row count and the latest instant of each time column of a table."""

    rows: int
    latest: dict


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_string(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def timestamp_sql(column: str, timezone: str) -> str:
    """DuckDB SQL turning a text or timestamp column into an instant (TIMESTAMPTZ).

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


# ---------------------------------------------------------------- engines and scans
def _is_duckdb(backend) -> bool:
    return getattr(backend, "name", None) == "duckdb"


def _duckdb_session(execute) -> None:
    """Set a DuckDB session (``execute`` runs a statement) to the time zone UTC, without progress bars."""
    execute("SET TimeZone = 'UTC'")
    try:  # no progress bars in logs; in Jupyter DuckDB shows none without ipywidgets and
        # refuses to change the setting
        execute("SET enable_progress_bar = false")
    except Exception:  # noqa: BLE001, S110 - duckdb.InvalidInputException, imported lazily
        pass


def _set_utc(backend) -> None:
    if _is_duckdb(backend):
        _duckdb_session(backend.raw_sql)
    elif getattr(backend, "name", None) == "pyspark":
        backend._session.conf.set("spark.sql.session.timeZone", "UTC")


#: Memory DuckDB may use for one query before it spills to a temporary folder; override
#: with the environment variable CVLIB_DUCKDB_MEMORY_LIMIT (e.g. "8GB").
DUCKDB_MEMORY_LIMIT = "2GB"

_DATABASES = {}


def _database():
    """The process's in-memory DuckDB database: the embedded engine (made once; it only reads files).

    Queries run on cursors of it (:func:`_cursor`); file sources are views in it.
    """
    con = _DATABASES.get(os.getpid())
    if con is None:
        import tempfile

        import duckdb

        con = _DATABASES[os.getpid()] = duckdb.connect(":memory:")
        limit = os.environ.get("CVLIB_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT)
        spill = os.path.join(tempfile.gettempdir(), "cvlib-duckdb")
        for statement in (
            "SET TimeZone = 'UTC'",
            f"SET memory_limit = {_sql_string(limit)}",
            f"SET temp_directory = {_sql_string(spill)}",
            # aggregates only: rows need not keep their file order (less memory, more
            # parallelism); queries that return rows in an order say ORDER BY
            "SET preserve_insertion_order = false",
            # Parquet footers are read once per file, not once per query (DuckDB re-reads
            # a file whose modification time changed)
            "SET parquet_metadata_cache = true",
        ):
            con.execute(statement)
        # closed at exit, so spill files go even if the process skips its last garbage
        # collection; only by the process that made it (a forked child has a copy)
        atexit.register(_close_database, os.getpid())
    return con


def _close_database(pid: int) -> None:
    con = _DATABASES.pop(pid, None) if os.getpid() == pid else None
    if con is not None:
        con.close()


def _cursor():
    """A session of its own on the process's database (session time zone UTC, no progress bar).

    The caller closes it. Cursors of one database see the same views and may run
    queries at the same time, each outside Python's lock.
    """
    cursor = _database().cursor()
    _duckdb_session(cursor.execute)
    return cursor


def _fetch(sql: str) -> list[dict]:
    """Run ``sql`` on the embedded engine (a cursor of its own) and return its rows as dicts."""
    cursor = _cursor()
    try:
        cursor.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        cursor.close()


def spark_backend(session=None):
    """An ibis PySpark backend on ``session`` (default: the active one, or a new local one), UTC."""
    import ibis
    from pyspark.sql import SparkSession

    if session is None:
        session = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    con = ibis.pyspark.connect(session)
    _set_utc(con)
    return con


@contextmanager
def _backend(source: Source):
    """The ibis backend that aggregates ``source``, or ``None`` for the embedded engine.

    A backend opened here is closed afterwards. The embedded engine needs no ibis.
    """
    if source.kind == "csv" or (source.kind == "parquet" and source.engine in (None, "duckdb")):
        yield None
        return
    import ibis

    owned = True
    if source.kind == "connection":
        con = ibis.connect(source.url)
    elif source.engine == "pyspark":
        con, owned = spark_backend(), False
    else:  # an ibis backend object given by the caller
        con, owned = source.engine, False
    try:
        _set_utc(con)
        yield con
    finally:
        if owned:
            con.disconnect()


class SourceError(Exception):
    """A source could not be read (the message names it, without secrets)."""


def _redact(source: Source, text: str) -> str:
    from urllib.parse import urlsplit

    if source.url:
        password = urlsplit(source.url).password
        if password:
            text = text.replace(password, "***")
    return text


def _parquet_pattern(source: Source) -> str:
    path = Path(source.path)
    if path.is_dir():
        return str(path / "**" / "*.parquet")
    return str(path)


def _aware_in_parquet(source: Source) -> dict:
    """Column -> True where the Parquet files store instants (a time zone), False for naive."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = source.files()
    if not files:
        return {}
    schema = pq.read_schema(files[0])
    return {
        f.name: bool(pa.types.is_timestamp(f.type) and f.type.tz is not None)
        for f in schema
        if pa.types.is_timestamp(f.type)
    }


# Column kinds, as the queries need them: text, timestamptz (instants), timestamp (naive),
# date, integer, number, boolean or other.
_DUCKDB_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
# DuckDB's names of the common types as Arrow (and pandas) name them, for messages: the
# names a Parquet file's writer knows
_ARROW_NAMES = {
    "TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64",
    "UTINYINT": "uint8", "USMALLINT": "uint16", "UINTEGER": "uint32", "UBIGINT": "uint64",
    "FLOAT": "float32", "DOUBLE": "float64", "VARCHAR": "string", "BOOLEAN": "bool",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}


def _duckdb_kind(typ: str) -> str:
    if typ == "VARCHAR":
        return "text"
    if typ == "TIMESTAMP WITH TIME ZONE":
        return "timestamptz"
    if typ.startswith("TIMESTAMP"):  # TIMESTAMP, TIMESTAMP_S, _MS, _NS
        return "timestamp"
    if typ == "DATE":
        return "date"
    if typ in _DUCKDB_INTEGERS:
        return "integer"
    if typ in ("FLOAT", "DOUBLE") or typ.startswith("DECIMAL"):
        return "number"
    return "boolean" if typ == "BOOLEAN" else "other"


def _ibis_kind(dtype) -> str:
    if dtype.is_string():
        return "text"
    if dtype.is_timestamp():
        return "timestamptz" if dtype.timezone is not None else "timestamp"
    if dtype.is_date():
        return "date"
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_integer():
        return "integer"
    return "number" if dtype.is_numeric() else "other"


def _time_meaning(source: Source, kinds: dict) -> tuple[dict, list[str]]:
    """The meaning of the source's time columns: column -> True (instants) or False
    (wall-clock time in the workspace zone), and the time columns held as text."""
    aware = _aware_in_parquet(source) if source.kind == "parquet" else {}
    text = []
    for column in _TIMESTAMPS.get(source.name, ()):
        kind = kinds.get(column)
        if kind == "text":
            text.append(column)
            aware[column] = True
        elif kind in ("timestamp", "timestamptz"):
            aware.setdefault(column, kind == "timestamptz")
        elif kind == "date":
            aware[column] = False
    return aware, text


def _parsed(text: list[str], timezone: str, relation: str) -> str:
    """DuckDB SQL selecting ``relation`` with its ``text`` timestamp columns parsed (:func:`timestamp_sql`)."""
    replaced = ", ".join(f"{timestamp_sql(c, timezone)} AS {_quote_ident(c)}" for c in text)
    return f"SELECT * REPLACE ({replaced}) FROM {relation}"


@dataclass
class _Scan:
    """A source ready for queries: its name in SQL, its columns' kinds and the meaning of its time columns.

    Queries are DuckDB SQL that name the table ``scan.name``. The embedded
    engine runs them on the process's database, where file sources are views.
    Elsewhere ibis hands them to the source's engine (``Table.sql`` with
    ``dialect="duckdb"``: sqlglot translates them to the engine's dialect).
    """

    name: str  # the table in SQL (a quoted identifier)
    kinds: dict  # column -> kind (see _duckdb_kind)
    shown: dict  # column -> type name for messages
    aware: dict  # time column -> True (instants) or False (wall-clock in the workspace zone)
    con: object = None  # the ibis backend; None: the embedded engine
    table: object = None  # the ibis table (other engines)
    csv: bool = False  # text read as written: values are trimmed
    key: tuple | None = None  # the source's key in _TABLES (embedded engine), for facts kept there

    @property
    def embedded(self) -> bool:
        return self.con is None

    @property
    def duckdb(self) -> bool:
        """Whether DuckDB runs the queries (embedded or behind a connection)."""
        return self.con is None or _is_duckdb(self.con)

    def rows(self, sql: str) -> list[dict]:
        """Run ``sql`` (an aggregate: few rows) and return its rows as dicts."""
        if self.con is None:
            return _fetch(sql)
        expr = self.table.alias(_ALIAS).sql(sql, dialect="duckdb")
        if getattr(self.con, "name", None) == "pyspark":
            return self.con._session.sql(self.con.compile(expr)).toArrow().to_pylist()
        return expr.to_pyarrow().to_pylist()

    def start(self, sql: str):
        """Start ``sql`` and return a function that waits for its rows (as :meth:`rows`).

        On the embedded engine the query runs in a thread on a cursor of its
        own (DuckDB works outside Python's lock), so the caller can build and
        run other queries meanwhile. Elsewhere it runs now.
        """
        if self.con is not None:
            rows = self.rows(sql)
            return lambda: rows
        import threading

        out: dict = {}

        def run():
            try:
                out["rows"] = _fetch(sql)
            except BaseException as exc:  # noqa: BLE001 - raised again by the waiting caller
                out["error"] = exc

        thread = threading.Thread(target=run, name="cvlib-query", daemon=True)
        thread.start()

        def wait():
            thread.join()
            if "error" in out:
                raise out["error"]
            return out["rows"]

        return wait


#: How queries name a table of another engine (``Table.alias``).
_ALIAS = "cvlib_source"


def _ibis_scan(con, source: Source, timezone: str | None) -> _Scan:
    """A source of another engine (PySpark, a connection) as an ibis table; text timestamps parsed (DuckDB) when ``timezone`` is given."""
    if source.kind == "parquet":
        if not source.files():
            raise SourceError(f"expected Parquet files at {source.display}, found none")
        table = con.read_parquet(str(Path(source.path)))
    else:
        table = con.table(source.table)
    schema = table.schema()
    kinds = {name: _ibis_kind(typ) for name, typ in schema.items()}
    aware = {}
    if timezone is not None:
        aware, text = _time_meaning(source, kinds)
        if text:
            if not _is_duckdb(con):
                raise SourceError(
                    f"{text[0]}: expected a timestamp column (text timestamps are parsed by the "
                    f"duckdb engine only), found text"
                )
            import ibis

            table = con.sql(_parsed(text, timezone, f"({ibis.to_sql(table, dialect='duckdb')})"))
            kinds.update({c: "timestamptz" for c in text})
    return _Scan(_quote_ident(_ALIAS), kinds, {n: str(t) for n, t in schema.items()}, aware, con=con, table=table)


def _embedded_relation(source: Source, timezone: str | None, view: str, base: tuple | None = None) -> tuple:
    """The source as a view of the process's database: (name, kinds, type names, aware).

    The view lives in the database itself (not as a temporary view, which only
    the connection that made it could see), so every cursor sees it. With
    ``timezone``, text timestamps are parsed (:func:`timestamp_sql`) by a view
    over ``base``, the file's view as read.
    """
    db = _database()

    def make(sql: str, name: str) -> tuple:
        db.execute(f"CREATE OR REPLACE VIEW {_quote_ident(name)} AS {sql}")
        described = db.execute(f"DESCRIBE {_quote_ident(name)}").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        return name, {c: _duckdb_kind(t) for c, t in types.items()}, {
            c: _ARROW_NAMES.get(t, t.lower()) for c, t in types.items()
        }

    if base is not None:
        name, kinds, shown = base[:3]
    elif source.kind == "csv":
        name, kinds, shown = make(f"SELECT * FROM {_csv_relation(Path(source.path), strict=False)}", view + "_file")
    else:
        if not source.files():
            raise SourceError(f"expected Parquet files at {source.display}, found none")
        name, kinds, shown = make(f"SELECT * FROM read_parquet({_sql_string(_parquet_pattern(source))})", view + "_file")
    if timezone is None:
        return name, kinds, shown, {}
    aware, text = _time_meaning(source, kinds)
    if text:
        name, kinds, shown = make(_parsed(text, timezone, _quote_ident(name)), view)
    return name, kinds, shown, aware


def _csv_header(path: Path) -> list[str] | None:
    """The column names of a CSV file's first line, when plain enough to declare them.

    ``None`` for an empty file, a byte-order mark, undecodable text, or names
    that are blank, padded with spaces or repeated (the engine then detects
    the layout itself).
    """
    with path.open("rb") as handle:
        first = handle.readline()
    if not first or first.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        header = next(csv.reader([first.decode("utf-8")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if any(name != name.strip() or not name for name in header) or len(set(header)) != len(header):
        return None
    return header


def _csv_relation(path: Path, *, strict: bool, header: list[str] | None = None, buffer_size: int | None = None) -> str:
    """DuckDB ``read_csv`` of ``path``, every column as text (the contract's CSV dialect).

    With a plain header the columns are declared, so DuckDB does not sniff
    the file (sniffing costs more than reading a small file); otherwise
    DuckDB detects the header itself. DuckDB reads a file in parallel by
    buffers of ``buffer_size`` bytes (by default 32 MB, so a smaller file is
    read by one thread); a line longer than the buffer is an error.
    """
    header = header if header is not None else _csv_header(path)
    options = (
        "header = true, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = {'true' if strict else 'false'}"
    )
    if buffer_size is not None:
        options += f", buffer_size = {int(buffer_size)}, max_line_size = {int(buffer_size)}"
    if header is None:
        return f"read_csv({_sql_string(str(path))}, {options}, all_varchar = true)"
    columns = ", ".join(f"{_sql_string(name)}: 'VARCHAR'" for name in header)
    return (
        f"read_csv({_sql_string(str(path))}, {options}, auto_detect = false, "
        f"null_padding = false, columns = {{{columns}}})"
    )


#: The embedded engine's tables of file sources, by source, time zone and the files'
#: sizes and modification times (a changed file is read afresh): reusing them spares a
#: schema query per aggregate.
#: The embedded engine's views of file sources, by source, time zone and the files' sizes
#: and modification times (a changed file is read afresh): reusing them spares declaring
#: and describing the view for every aggregate.
_TABLES: dict = {}
_TABLES_KEPT = 32


def _file_signature(source: Source) -> tuple:
    out = []
    for path in source.files():
        stat = path.stat()
        out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def _embedded_scan(source: Source, timezone: str | None) -> _Scan:
    """A file source on the embedded engine: its views, reused while the files are unchanged."""
    import hashlib

    try:
        # the pid: a forked process has its own database (see _database), not these views
        key = (os.getpid(), source.name, source.kind, str(source.path), _file_signature(source))
    except OSError:  # a file vanished: nothing is kept, and the engine says what is missing
        key = None
    view = "cvlib_" + hashlib.sha256(repr(key or (source.path, os.getpid())).encode()).hexdigest()[:16]
    if key is None:
        return _Scan(*_as_scan(_embedded_relation(source, timezone, view + "_unkept")))
    base = _remember(key, lambda: _embedded_relation(source, None, view))
    if timezone is not None:
        zone = hashlib.sha256(timezone.encode()).hexdigest()[:8]
        base = _remember(key + (timezone,), lambda: _embedded_relation(source, timezone, f"{view}_{zone}", base))
    return _Scan(*_as_scan(base), key=key)


def _as_scan(relation: tuple) -> tuple:
    name, kinds, shown, aware = relation
    return _quote_ident(name), kinds, shown, dict(aware)


def _remember(key, make):
    """``_TABLES[key]``, made by ``make()`` when missing (the oldest entries make room)."""
    if key not in _TABLES:
        value = make()
        while len(_TABLES) >= _TABLES_KEPT:
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[key] = value
    return _TABLES[key]


def _footers(scan, source: Source):
    """The footer statistics of every column of a Parquet source, read once while its files are unchanged."""
    def read():
        cursor = _cursor()
        try:
            return _parquet_meta.footer_stats(cursor, _parquet_pattern(source), list(scan.kinds))
        finally:
            cursor.close()

    return read() if scan.key is None else _remember(scan.key + ("footers",), read)


@contextmanager
def _scan(source: Source, timezone: str | None = None):
    with _backend(source) as con:
        try:
            scan = _embedded_scan(source, timezone) if con is None else _ibis_scan(con, source, timezone)
        except SourceError:
            raise
        except Exception as exc:  # the engine's own error: keep its first line, without secrets
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SourceError(_redact(source, first)) from None
        scan.csv = source.kind == "csv"  # text read as written: values are trimmed
        yield scan


# ---------------------------------------------------------------- SQL of the queries
# Queries are DuckDB SQL; for other engines sqlglot translates them (see _Scan).
_WHITESPACE = " \t\n\r\x0b\x0c"  # what is trimmed from text values (Python's string.whitespace)


def _trim(expr: str) -> str:
    return f"trim({expr}, {_sql_string(_WHITESPACE)})"


def _text(scan: _Scan, column: str, *, strip: bool = True) -> str:
    """A column as text, trimmed of white space unless ``strip`` is false."""
    col = _quote_ident(column)
    if scan.kinds[column] != "text":
        col = f"CAST({col} AS VARCHAR)"
    return _trim(col) if strip else col


def _segment(scan: _Scan, *, strip: bool = True) -> str:
    """The segment column as text ("" when missing or null)."""
    if "segment" not in scan.kinds:
        return "''"
    return f"coalesce({_text(scan, 'segment', strip=strip)}, '')"


def _as_date(scan: _Scan, column: str) -> str:
    """A date column; text is read as YYYY-MM-DD (empty or unreadable: null)."""
    kind = scan.kinds[column]
    if kind == "text":
        return f"TRY_CAST(NULLIF({_trim(_quote_ident(column))}, '') AS DATE)"
    if kind in ("timestamp", "timestamptz"):
        return f"CAST({_quote_ident(column)} AS DATE)"
    return _quote_ident(column)


def _wall_clock(scan: _Scan, column: str) -> str:
    """A time column as a naive timestamp: UTC for instants (session time zone UTC),
    the reading itself for naive timestamps, midnight for dates (text: YYYY-MM-DD)."""
    value = _as_date(scan, column) if scan.kinds[column] == "text" else _quote_ident(column)
    return f"CAST({value} AS TIMESTAMP)"


def _time_literal(instant: dt.datetime, aware: bool, timezone: str, kind: str) -> str:
    """``instant`` as a literal comparable with a time column of ``kind``: an instant (UTC)
    for columns of instants, the wall-clock time in ``timezone`` for naive ones."""
    if aware:
        value = f"{instant.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S.%f}"
        if kind == "timestamptz":
            return f"CAST('{value}+00:00' AS TIMESTAMPTZ)"
        return f"CAST('{value}' AS TIMESTAMP)"
    return f"CAST('{instant.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)"


def _date_literal(day: dt.date) -> str:
    return f"CAST('{day:%Y-%m-%d}' AS DATE)"


def _instant(value, aware: bool, timezone: str) -> dt.datetime:
    """A reading of an instant (UTC) or, when not ``aware``, of wall-clock time in ``timezone``,
    as an aware datetime in ``timezone``. ``value`` is a naive datetime or epoch seconds."""
    tz = ZoneInfo(timezone)
    if isinstance(value, dt.datetime):
        base = value.replace(tzinfo=None)
    else:
        base = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(value))
    if aware:
        return base.replace(tzinfo=dt.timezone.utc).astimezone(tz)
    return base.replace(tzinfo=tz)



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
        ``timezone``, or ``None`` for an empty column), to the second.
    """
    with _scan(source, timezone) as scan:
        present = [c for c in time_columns if c in scan.kinds]
        row = None
        if _parquet_meta.applies(source, scan.embedded):  # the footers, when their statistics suffice
            row = _parquet_meta.profile_row(_footers(scan, source), present)
        if row is None:
            latest = "".join(f", max({_wall_clock(scan, c)}) AS m{i}" for i, c in enumerate(present))
            row = scan.rows(f"SELECT count(*) AS n{latest} FROM {scan.name}")[0]
            row["rows"] = row.pop("n")
    latest = {c: None for c in time_columns}
    for i, column in enumerate(present):
        value = row[f"m{i}"]
        if value is not None:
            latest[column] = _instant(value, scan.aware.get(column, False), timezone)
    return TableProfile(rows=int(row["rows"]), latest=latest)
def fingerprint(source: Source, time_columns: list[str], timezone: str) -> str:
    """A cheap fingerprint of a connection table: its row count and latest instants.

    A nightly run against a live warehouse sees a new fingerprint when rows
    arrive, without reading them.
    """
    prof = profile(source, time_columns, timezone)
    parts = [str(prof.rows)] + [
        "" if prof.latest[c] is None else prof.latest[c].isoformat() for c in time_columns
    ]
    return "|".join(parts)


# The timestamps the CSV checks accept (cvlib._tables).
_TIMESTAMP_REGEX = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?"
    "(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$"
)
_DATE_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def check_table(
    source: Source,
    columns: list[tuple[str, str, bool, bool]],
    *,
    unique: str | None = None,
    references: dict | None = None,
    not_before: tuple[str, str] | None = None,
):
    """Check a Parquet or connection source by its schema and with aggregate queries, never by reading rows.

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
        affected) and the row count (``None`` when the source cannot be read).
    """
    from cvlib.errors import Problem

    file = source.display
    try:
        with _scan(source) as scan:
            stats = None
            if _parquet_meta.applies(source, scan.embedded):  # nulls and ranges from the footers
                stats = _footers(scan, source)
            return _check(scan, file, columns, unique, references, not_before, stats)
    except SourceError as exc:
        what = "a readable Parquet file" if source.kind == "parquet" else f"a readable table {source.table!r}"
        return [Problem(file, None, None, f"expected {what}, found: {exc}")], None
    except Exception as exc:  # an engine error while counting
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [Problem(file, None, None, f"expected a readable table, found: {_redact(source, first)}")], None




def _check(scan, file, columns, unique, references, not_before, stats=None):
    from cvlib.errors import Problem

    kinds = scan.kinds
    problems = []
    checks = []  # (column, SQL condition true for a bad row, or the count the footers give, message)

    def check(name, rule, cond, message):
        # cond: a function making the condition, only when the footers do not answer
        known = _parquet_meta.bad_rows(stats, name, rule, text=kinds[name] == "text")
        checks.append((name, cond() if known is None else known, message))

    for name, kind, column_required, value_required in columns:
        if name not in kinds:
            if column_required:
                problems.append(
                    Problem(file, None, name, f"expected a column named {name!r}, found columns {', '.join(kinds)}")
                )
            continue
        col = _quote_ident(name)
        typ = kinds[name]
        shown = scan.shown[name]
        if value_required:  # only text can be empty: other types skip the trim (cheap in a warehouse)
            def empty(col=col, typ=typ):
                return f"{col} IS NULL OR {_trim(col)} = ''" if typ == "text" else f"{col} IS NULL"

            check(name, "value", empty, "expected a value, found nothing (null or empty)")
        # id formats are checked for CSV files only: a regex over every row of an event table
        # costs a full scan (docs/data-contract.md)
        if kind == "timestamp":
            if typ not in ("timestamp", "timestamptz", "date", "text"):
                problems.append(Problem(file, None, name, f"expected a timestamp column, found type {shown}"))
            elif typ == "text":
                text = _trim(col)
                bad = (f"NOT regexp_matches({text}, {_sql_string(_TIMESTAMP_REGEX)}) "
                       f"OR TRY_CAST(substr({text}, 1, 10) AS DATE) IS NULL")
                checks.append((name, f"{col} IS NOT NULL AND {text} <> '' AND ({bad})",
                               "expected ISO 8601 timestamps, found values that are not"))
        elif kind == "date":
            if typ not in ("date", "text", "timestamp", "timestamptz"):
                problems.append(Problem(file, None, name, f"expected a date column, found type {shown}"))
            elif typ == "text":
                text = _trim(col)
                bad = f"NOT regexp_matches({text}, {_sql_string(_DATE_REGEX)}) OR TRY_CAST({text} AS DATE) IS NULL"
                # empty text is no date (an optional one may be empty; a required one is
                # reported as missing above), as in CSV files
                checks.append((name, f"{col} IS NOT NULL AND {text} <> '' AND ({bad})",
                               "expected dates as YYYY-MM-DD, found values that are not"))
        elif kind == "score":
            if typ != "integer":
                problems.append(Problem(file, None, name, f"expected an integer column, found type {shown}"))
            else:
                check(name, "score", lambda col=col: f"{col} < 0 OR {col} > 10",
                      "expected whole numbers from 0 to 10, found values outside")
        elif kind == "nonnegative":
            if typ not in ("integer", "number"):
                problems.append(Problem(file, None, name, f"expected a numeric column, found type {shown}"))
            else:
                check(name, "nonnegative", lambda col=col: f"{col} < 0", "expected numbers >= 0, found negative values")
    # Checks on the whole table, counted by aggregates: (column, count (SQL or int), message).
    counted = [(name, cond if isinstance(cond, int) else f"count(*) FILTER (WHERE {cond})", message)
               for name, cond, message in checks]
    if unique is not None and unique in kinds:
        col = _quote_ident(unique)
        counted.append((unique, f"count({col}) - count(DISTINCT {col})",
                        "expected unique values, found values that repeat an earlier row"))
    for name, (known, other) in (references or {}).items():
        if name in kinds:
            text = _text(scan, name)
            values = ", ".join(_sql_string(v) for v in sorted(known) or [""])
            counted.append((name, f"count(*) FILTER (WHERE {text} <> '' AND {text} NOT IN ({values}))",
                            f"expected a {name} listed in {other} or nothing, found others"))
    if not_before is not None and all(name in kinds for name in not_before):
        later, earlier = (_as_date(scan, name) for name in not_before)
        counted.append((not_before[0], f"count(*) FILTER (WHERE {later} < {earlier})",
                        f"expected {not_before[0]} on or after {not_before[1]}, found earlier dates"))
    valid = [c for c in counted if not any(p.column == c[0] for p in problems)]
    queried = "".join(f", {count} AS c{i}" for i, (_, count, _) in enumerate(valid) if not isinstance(count, int))
    if stats is not None and not queried:  # everything answered by the footers: no scan
        row = {"n": stats.rows}
    else:
        row = scan.rows(f"SELECT count(*) AS n{queried} FROM {scan.name}")[0]
    rows = int(row["n"])
    for i, (name, count, message) in enumerate(valid):
        bad = count if isinstance(count, int) else int(row[f"c{i}"] or 0)
        if bad:
            problems.append(Problem(file, None, name, f"{message} ({bad:,} of {rows:,} rows)"))
    return problems, rows




# ---------------------------------------------------------------- metric aggregates
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

    Notes
    -----
    The windows of a release all start at the release, so one query per
    distinct start (one per release) answers every window: the events in
    [start, latest stop) are reduced to one row per user with the instant of
    their first event, the segment of that event, and the instant of their
    first use of each feature; a user is active in a window when their first
    event falls before its stop, and an adopter when their first use of its
    feature does. A user's segment is that of their first event in the window
    (the same for every window sharing the start); where events of different
    segments share that first instant, the smallest segment name wins, so
    every engine breaks the tie alike. Overall counts are the sums over
    segments (each user has exactly one). Distinct users are counted after
    this de-duplication, so memory grows with users, not events.
    """
    return _adoption_started(source, windows, timezone)()


def _adoption_started(source: Source, windows: list[tuple], timezone: str):
    """:func:`adoption_counts`, started (see :meth:`_Scan.start`): returns a function that waits for the counts."""
    result = {w[0]: {"users": 0, "adopters": 0, "segments": {}} for w in windows}
    if not windows:
        return lambda: result
    by_start: dict = {}
    for w in windows:
        by_start.setdefault(w[1], []).append(w)
    with _scan(source, timezone) as scan:
        has_segment = "segment" in scan.kinds
        pending = [(group, scan.start(_adoption_query(scan, start, group, timezone)))
                   for start, group in by_start.items()]

    def finish():
        for group, rows in pending:
            for row in rows():
                seg = row["seg"]
                for i, w in enumerate(group):
                    users, adopters = int(row[f"u{i}"] or 0), int(row[f"a{i}"] or 0)
                    if users == 0:
                        continue
                    entry = result[w[0]]
                    entry["users"] += users
                    entry["adopters"] += adopters
                    if has_segment and seg:
                        entry["segments"][seg] = (users, adopters)
        return result

    return finish


def release_counts(*, adoption=None, nps=None, churn=None) -> dict:
    """:func:`adoption_counts`, :func:`nps_counts` and :func:`churn_counts` of one release, at once.

    Each argument is the tuple of arguments of its function (or ``None``);
    the result maps ``"adoption"``, ``"nps"`` and ``"churn"`` to the results of
    those given. The events query, the one that reads millions of rows, is
    started first: on the embedded engine it runs on a cursor of its own while
    the survey and account queries are built and run, so their fixed costs
    hide behind it. The counts are those of the three functions called one by
    one.
    """
    return release_counts_started(adoption=adoption, nps=nps, churn=churn)()


def release_counts_started(*, adoption=None, nps=None, churn=None):
    """:func:`release_counts`, started: returns a function that waits for the counts.

    The caller may do other work (not with the events table's engine
    connection) before calling it; until then the events query may still run.
    """
    out = {}
    waiting = _adoption_started(*adoption) if adoption is not None else None
    try:
        if nps is not None:
            out["nps"] = nps_counts(*nps)
        if churn is not None:
            out["churn"] = churn_counts(*churn)
    except BaseException:
        if waiting is not None:  # no query is left running; the first error is the one raised
            try:
                waiting()
            except Exception:  # noqa: BLE001, S110
                pass
        raise

    def finish():
        if waiting is not None:
            out["adoption"] = waiting()
        return out

    return finish



def _adoption_query(scan, start, windows, timezone):
    """The per-user reduction and the per-window counts for windows sharing ``start``.

    Bounds are compared with the time column itself (no per-row conversion), so
    engines can skip files and row groups outside the windows.
    """
    col = _quote_ident("timestamp")
    aware, kind = scan.aware.get("timestamp", True), scan.kinds["timestamp"]
    low = _time_literal(start, aware, timezone, kind)
    highs = [_time_literal(w[2], aware, timezone, kind) for w in windows]
    latest = _time_literal(max(w[2] for w in windows), aware, timezone, kind)
    strip = scan.csv
    # missing segments become "" after the reduction, on one row per user and segment
    seg = _text(scan, "segment", strip=strip) if "segment" in scan.kinds else "''"
    features = sorted({str(w[3]) for w in windows})
    uses = [f"f{i}" for i in range(len(features))]  # each user's first use of each feature
    firsts = "".join(f", min(ts) FILTER (WHERE event = {_sql_string(f)}) AS {u}" for f, u in zip(features, uses))
    # the segment of the earliest (first, seg) pair, so ties of the first instant go to the
    # smallest segment in every engine: DuckDB's ordered FIRST, elsewhere the minimum of a
    # struct (structs order field by field; no window function either way)
    if scan.duckdb:
        earliest = "first(seg ORDER BY first_ts, seg)"
    else:
        earliest = "min({'first_ts': first_ts, 'seg': seg}).seg"
    metrics = []
    for i, (w, high) in enumerate(zip(windows, highs)):
        used = uses[features.index(str(w[3]))]
        metrics.append(f"count(*) FILTER (WHERE first_ts < {high}) AS u{i}")
        metrics.append(f"count(*) FILTER (WHERE {used} < {high}) AS a{i}")
    return f"""
        WITH ev AS (
            SELECT {col} AS ts, {_text(scan, 'user_id', strip=strip)} AS user_id,
                   {_text(scan, 'event', strip=strip)} AS event, {seg} AS seg
            FROM {scan.name} WHERE {col} >= {low} AND {col} < {latest}
        ), per_seg AS (
            SELECT user_id, coalesce(seg, '') AS seg, first_ts{''.join(f', {u}' for u in uses)}
            FROM (SELECT user_id, seg, min(ts) AS first_ts{firsts} FROM ev GROUP BY user_id, seg) AS s
        ), per_user AS (
            SELECT user_id, min(first_ts) AS first_ts, {earliest} AS seg{''.join(f', min({u}) AS {u}' for u in uses)}
            FROM per_seg GROUP BY user_id
        )
        SELECT seg, {', '.join(metrics)} FROM per_user GROUP BY seg"""


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

    Notes
    -----
    One query grouped by segment with three filtered counts per window (a
    release has a few windows, so no join is needed); the responses outside
    every window are filtered out first, comparing the time column itself
    with the bounds so engines can skip files and row groups.
    """
    result = {w[0]: {"counts": (0, 0, 0), "segments": {}} for w in windows}
    if not windows:
        return result
    with _scan(source, timezone) as scan:
        has_segment = "segment" in scan.kinds
        col = _quote_ident("submitted_at")
        aware, kind = scan.aware.get("submitted_at", True), scan.kinds["submitted_at"]

        def at(instant):
            return _time_literal(instant, aware, timezone, kind)

        metrics = []
        for i, w in enumerate(windows):
            inside = f"ts >= {at(w[1])} AND ts < {at(w[2])}"
            metrics.append(f"count(*) FILTER (WHERE {inside} AND score >= 9) AS p{i}")
            metrics.append(f"count(*) FILTER (WHERE {inside} AND score >= 7 AND score <= 8) AS pa{i}")
            metrics.append(f"count(*) FILTER (WHERE {inside} AND score <= 6) AS d{i}")
        low, high = at(min(w[1] for w in windows)), at(max(w[2] for w in windows))
        rows = scan.rows(
            f"SELECT seg, {', '.join(metrics)} FROM (SELECT {col} AS ts, "
            f"CAST({_quote_ident('score')} AS BIGINT) AS score, {_segment(scan)} AS seg FROM {scan.name} "
            f"WHERE {col} >= {low} AND {col} < {high}) AS s GROUP BY seg"
        )
    for row in rows:
        for i, w in enumerate(windows):
            counts = (int(row[f"p{i}"] or 0), int(row[f"pa{i}"] or 0), int(row[f"d{i}"] or 0))
            if sum(counts) == 0:
                continue
            entry = result[w[0]]
            entry["counts"] = tuple(a + b for a, b in zip(entry["counts"], counts))
            if has_segment and row["seg"]:
                entry["segments"][row["seg"]] = counts
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

    Notes
    -----
    One query grouped by segment with two filtered counts per cutoff.
    """
    result = {c[0]: {"accounts": 0, "churned": 0, "segments": {}} for c in cutoffs}
    if not cutoffs:
        return result
    with _scan(source) as scan:
        has_segment = "segment" in scan.kinds
        metrics = []
        for i, (_, cut, days) in enumerate(cutoffs):
            cut_on, stop_on = _date_literal(cut), _date_literal(cut + dt.timedelta(days=int(days)))
            at_risk = f"started < {cut_on} AND (churned IS NULL OR churned >= {cut_on})"
            metrics.append(f"count(*) FILTER (WHERE {at_risk}) AS n{i}")
            metrics.append(f"count(*) FILTER (WHERE {at_risk} AND churned < {stop_on}) AS c{i}")
        rows = scan.rows(
            f"SELECT seg, {', '.join(metrics)} FROM (SELECT {_as_date(scan, 'started_on')} AS started, "
            f"{_as_date(scan, 'churned_on')} AS churned, {_segment(scan)} AS seg FROM {scan.name}) AS a GROUP BY seg"
        )
    for row in rows:
        for i, c in enumerate(cutoffs):
            n, churned = int(row[f"n{i}"] or 0), int(row[f"c{i}"] or 0)
            if n == 0:
                continue
            entry = result[c[0]]
            entry["accounts"] += n
            entry["churned"] += churned
            if has_segment and row["seg"]:
                entry["segments"][row["seg"]] = (n, churned)
    return result


def feature_comments(source: Source, feature_ids: list[str], timezone: str, *, limit: int = 50):
    """Survey comments tied to the given features (at most ``limit`` per feature, newest first).

    Returns
    -------
    list of dict
        ``feature_id``, ``submitted_at`` (ISO text, UTC), ``score``, ``comment``.
    """
    if not feature_ids:
        return []
    with _scan(source, timezone) as scan:
        if "feature_id" not in scan.kinds or "comment" not in scan.kinds:
            return []
        aware = scan.aware.get("submitted_at", True)
        comment = _text(scan, "comment", strip=False)
        features = ", ".join(_sql_string(f) for f in feature_ids)
        feature = _text(scan, "feature_id")
        rows = scan.rows(f"""
            SELECT feature_id, submitted, score, comment FROM (
                SELECT feature_id, submitted, score, comment,
                       row_number() OVER (PARTITION BY feature_id ORDER BY ts DESC, response_id) AS rn
                FROM (
                    SELECT {feature} AS feature_id, {_quote_ident('submitted_at')} AS ts,
                           {_wall_clock(scan, 'submitted_at')} AS submitted,
                           {_text(scan, 'response_id')} AS response_id,
                           CAST({_quote_ident('score')} AS BIGINT) AS score, {comment} AS comment
                    FROM {scan.name}
                    WHERE {feature} IN ({features}) AND {comment} IS NOT NULL AND {_trim(comment)} <> ''
                ) AS s
            ) AS r
            WHERE rn <= {int(limit)} ORDER BY feature_id, rn""")
    out = []
    for row in rows:
        when = _instant(row["submitted"], aware, timezone).astimezone(dt.timezone.utc)
        out.append({
            "feature_id": row["feature_id"],
            "submitted_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "score": int(row["score"]),
            "comment": row["comment"],
        })
    return out


# ---------------------------------------------------------------- CSV fast check
_CSV_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_CSV_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_CSV_TIME = (
    "[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?"
    "(Z|z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?"
)
_CSV_BAD = {
    # a condition true for a value (VALUE: trimmed of spaces) that the line-by-line check
    # would, or might, reject
    "id": f"NOT regexp_full_match(VALUE, '{_CSV_ID}')",
    "timestamp": f"NOT regexp_full_match(VALUE, '{_CSV_DATE}({_CSV_TIME})?') "
    "OR TRY_CAST(substr(VALUE, 1, 10) AS DATE) IS NULL",
    "date": f"NOT regexp_full_match(VALUE, '{_CSV_DATE}') OR TRY_CAST(VALUE AS DATE) IS NULL",
    "score": "NOT regexp_full_match(VALUE, '[0-9]{1,2}') OR CAST(VALUE AS INTEGER) > 10",
    "nonnegative": "NOT regexp_full_match(VALUE, '[0-9]{1,15}(\\.[0-9]{1,15})?')",
    # text: only emptiness matters; a value of nothing but (any kind of) white space is doubted
    "text": "NOT regexp_matches(RAW, '[^\\s\\x0b\\x1c-\\x1f\\x85\\p{Z}]')",
}


#: Buffer of the CSV check's reads: files above it are checked by every DuckDB thread. A
#: line longer than this fails the scan, and the line-by-line check takes over.
_CSV_CHECK_BUFFER = 1 << 20


def csv_profile_if_clean(
    path: Path,
    columns: list[tuple[str, str, bool, bool]],
    *,
    unique: str | None = None,
    references: dict | None = None,
    not_before: tuple[str, str] | None = None,
    time_columns: list[str] = (),
    timezone: str = "UTC",
) -> TableProfile | None:
    """Count the records of a CSV file (and profile it) if one DuckDB scan finds nothing to report, else ``None``.

    The line-by-line check in :mod:`cvlib.workspace` names the line of every
    problem but runs in Python; this scan runs in the engine and applies rules
    that are as strict or stricter (ASCII digits only, plain decimals, spaces
    only trimmed), so a file it passes has no problem the line-by-line check
    would report. Anything it cannot vouch for (a byte-order mark, an odd
    header, any value it doubts, a parse error) returns ``None`` and the caller
    runs the line-by-line check, which gives the exact messages.

    Parameters
    ----------
    path : pathlib.Path
    columns : list of (name, kind, column_required, value_required)
    unique, references, not_before
        As for :func:`check_table`.
    time_columns : list of str
        Columns (kinds ``timestamp`` or ``date`` in ``columns``) whose latest
        instant the same scan finds, as :func:`profile` does.
    timezone : str
        IANA name in which naive timestamps and dates are read.

    Returns
    -------
    TableProfile or None
        The row count and the latest instants, equal to what :func:`profile`
        returns for the file.
    """
    import duckdb

    header = _csv_header(path)
    if header is None:
        return None
    present = set(header)
    if any(required and name not in present for name, _, required, _ in columns):
        return None
    kinds = {name: kind for name, kind, _, _ in columns}
    latest_sql = []  # the profile's latest instants, as epoch seconds (see _seconds)
    for name in time_columns:
        if name not in present:
            latest_sql.append("NULL")
        elif kinds.get(name) == "date":
            value = f"TRY_CAST(trim({_quote_ident(name)}, ' ') AS DATE)"
            latest_sql.append(f"epoch(CAST(max({value}) AS TIMESTAMP))")
        else:  # an instant: offset honoured, naive read in the time zone (as _raw_table)
            latest_sql.append(f"epoch(max({timestamp_sql(name, timezone)}))")
    con = _cursor()
    try:
        relation = _csv_relation(path, strict=True, header=header, buffer_size=_CSV_CHECK_BUFFER)
        conditions = []
        for name, kind, _, value_required in columns:
            if name not in present:
                continue
            raw = _quote_ident(name)
            v = f"trim({raw}, ' ')"
            bad = _CSV_BAD.get(kind, "true").replace("VALUE", v).replace("RAW", raw)
            if kind == "text" and not value_required:
                bad = "false"
            empty = f"({raw} IS NULL OR {v} = '')"
            if value_required:
                conditions.append(f"{empty} OR ({bad})")
            else:
                conditions.append(f"NOT {empty} AND ({bad})")
            if kind == "text":  # Python's csv module refuses longer fields (in bytes: stricter)
                conditions.append(f"strlen({raw}) > {csv.field_size_limit()}")
        for name, (allowed, _) in (references or {}).items():
            if name in present:
                values = ", ".join(_sql_string(x) for x in sorted(a for a in allowed if isinstance(a, str)))
                values = values or "NULL"
                v = f"trim({_quote_ident(name)}, ' ')"
                conditions.append(f"{v} <> '' AND {v} NOT IN ({values})")
        if not_before and all(c in present for c in not_before):
            later, earlier = (f"TRY_CAST(trim({_quote_ident(c)}, ' ') AS DATE)" for c in not_before)
            conditions.append(f"{later} < {earlier}")
        bad_rows = " OR ".join(f"({c})" for c in conditions) or "false"
        distinct = (
            f"count(DISTINCT trim({_quote_ident(unique)}, ' '))" if unique in present else "count(*)"
        )
        latest = "".join(f", {x}" for x in latest_sql)
        rows, bad, distinct_count, *ends = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {bad_rows}), {distinct}{latest} FROM {relation}"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if bad or distinct_count != rows:
        return None
    return TableProfile(
        rows=int(rows),
        latest={
            name: None if end is None else _instant(end, kinds.get(name) != "date", timezone)
            for name, end in zip(time_columns, ends)
        },
    )
