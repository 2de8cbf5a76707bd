"""A source ready for queries (:class:`Scan`), on the engine where its data lives.

Every query is written once, as DuckDB SQL naming the table ``scan.name``, and
runs where the data lives:

- CSV files: embedded DuckDB (text timestamps are parsed there: an offset or
  ``Z`` is honoured, a naive timestamp or a bare date is read in the
  workspace time zone);
- Parquet files (a file, a directory or a glob, hive-partitioned or not): the
  workspace engine, embedded DuckDB by default, or PySpark or another ibis
  backend (``Source.engine``);
- a table behind a connection (an ibis URL, ``ibis.connect``): that database.

The embedded engine runs the SQL itself, without ibis; a file source is a view
of the process's database (:mod:`cvlib.engine.database`), declared once while
its files keep their sizes and modification times. For the other engines
sqlglot translates the SQL into the engine's dialect and it is sent as one
plain ``SELECT`` through the backend's raw SQL (a cursor): no temporary view
or table is created, so read-only roles and replicas work. A connection
(other than a DuckDB file) is opened once per process and URL; a table's
columns are read once per :func:`cvlib.load_workspace`, which also has
:mod:`cvlib.engine.proof` check, before the first query on an engine other
than DuckDB, that the engine computes what DuckDB computes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from cvlib.contract.values import sql_is_date
from cvlib.engine import database as db
from cvlib.engine import sql
from cvlib.engine.backends import (
    SourceError,
    backend,
    fetch,
    forget_schemas,
    ibis_kind,
    is_duckdb,
    spark_backend,
    table_schema,
    table_sql,
)
from cvlib.engine.sources import Source

__all__ = [
    "Scan",
    "SourceError",
    "csv_header",
    "csv_relation",
    "forget_schemas",
    "remember",
    "scan",
    "scan_pair",
    "spark_backend",
    "time_meaning",
]


def redact(source: Source, text: str) -> str:
    """``text`` without the password of the source's URL (as written in it, and decoded)."""
    from urllib.parse import unquote, urlsplit

    if source.url:
        password = urlsplit(source.url).password
        if password:
            for form in sorted({password, unquote(password)}, key=len, reverse=True):
                text = text.replace(form, "***")
    return text


def first_line(exc: BaseException) -> str:
    """The first line of an engine's error message (or the error's name)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------- column kinds
# Column kinds, as the queries need them: text, timestamptz (instants), timestamp (naive),
# date, integer, number, boolean or other.
_DUCKDB_INTEGERS = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
# DuckDB's names of the common types as Arrow (and pandas) name them, for messages: the
# names a Parquet file's writer knows
_ARROW_NAMES = {
    "TINYINT": "int8", "SMALLINT": "int16", "INTEGER": "int32", "BIGINT": "int64",
    "UTINYINT": "uint8", "USMALLINT": "uint16", "UINTEGER": "uint32", "UBIGINT": "uint64",
    "FLOAT": "float32", "DOUBLE": "float64", "VARCHAR": "string", "BOOLEAN": "bool",
    "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
}  # fmt: skip


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


def _aware_in_parquet(source: Source, files=None) -> dict:
    """Column -> True where the Parquet files store instants (a time zone), False for naive
    (read from the first of ``files``, by default the files the source lists now)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = source.file_names() if files is None else files
    if not files:
        return {}

    def read() -> dict:
        schema = pq.read_schema(files[0])
        return {
            f.name: bool(pa.types.is_timestamp(f.type) and f.type.tz is not None)
            for f in schema
            if pa.types.is_timestamp(f.type)
        }

    try:  # read once while the first file keeps its size and modification time
        stat = os.stat(files[0])
    except OSError:
        return read()
    key = ("aware", os.getpid(), str(files[0]), stat.st_size, stat.st_mtime_ns)
    return dict(remember(key, read))


def time_meaning(source: Source, kinds: dict, files=None) -> tuple[dict, list[str]]:
    """The meaning of the source's instant columns: column -> True (instants) or False
    (wall-clock time in the workspace zone), and the instant columns held as text
    (``files``: those of a Parquet source just listed, if any)."""
    aware = _aware_in_parquet(source, files) if source.kind == "parquet" else {}
    text = []
    for column in source.spec.instant_columns:
        kind = kinds.get(column)
        if kind == "text":
            text.append(column)
            aware[column] = True
        elif kind in ("timestamp", "timestamptz"):
            aware.setdefault(column, kind == "timestamptz")
        elif kind == "date":
            aware[column] = False
    return aware, text


# ---------------------------------------------------------------- the scan
@dataclass
class Scan:
    """A source ready for queries: its name in SQL, its columns' kinds, what its time columns mean.

    Queries are DuckDB SQL that name the table ``scan.name``. The embedded
    engine runs them on the process's database, where file sources are views.
    Elsewhere sqlglot translates them into the engine's dialect and they run
    as plain ``SELECT`` statements (:func:`fetch`). The methods build the
    pieces of SQL that depend on how the source holds its columns.
    """

    name: str  # the table in SQL (a quoted identifier)
    kinds: dict  # column -> kind (see _duckdb_kind)
    shown: dict  # column -> type name for messages
    aware: dict  # time column -> True (instants) or False (wall-clock in the workspace zone)
    timezone: str = "UTC"
    con: object = None  # the ibis backend; None: the embedded engine
    csv: bool = False  # text read as written: values are trimmed
    key: tuple | None = None  # the source's key among the kept views (embedded engine)
    files: tuple | None = None  # the files listed for the key (embedded engine)
    display: str = "source"  # how messages name the source
    redact: object = None  # text -> text without the source's secrets (None: nothing secret)

    @property
    def embedded(self) -> bool:
        """Whether the embedded engine runs the queries."""
        return self.con is None

    @property
    def duckdb(self) -> bool:
        """Whether DuckDB runs the queries (embedded or behind a connection)."""
        return self.con is None or is_duckdb(self.con)

    # -- pieces of SQL
    def has(self, column: str) -> bool:
        """Whether the source has ``column``."""
        return column in self.kinds

    def text(self, column: str, *, strip: bool = True) -> str:
        """A column as text, trimmed of white space unless ``strip`` is false."""
        col = sql.quote_ident(column)
        if self.kinds[column] != "text":
            col = f"CAST({col} AS VARCHAR)"
        return sql.trim(col) if strip else col

    def segment(self, *, strip: bool = True) -> str:
        """The segment column as text (``''`` when missing or null)."""
        if "segment" not in self.kinds:
            return "''"
        return f"coalesce({self.text('segment', strip=strip)}, '')"

    def date(self, column: str) -> str:
        """A date column; text is read as YYYY-MM-DD (empty or not a day of the calendar: null).

        Text is cast only where :func:`~cvlib.contract.values.sql_is_date`
        holds, so no engine fails the query on an impossible date.
        """
        kind = self.kinds[column]
        if kind == "text":
            text = sql.trim(sql.quote_ident(column))
            return f"CASE WHEN {sql_is_date(text)} THEN CAST({text} AS DATE) END"
        if kind == "timestamptz":
            return f"CAST({sql.utc(sql.quote_ident(column))} AS DATE)"
        if kind == "timestamp":
            return f"CAST({sql.quote_ident(column)} AS DATE)"
        return sql.quote_ident(column)

    def wall_clock(self, column: str) -> str:
        """A time column as a naive timestamp: the UTC reading of instants (converted
        explicitly, whatever the session's zone), the reading itself for naive
        timestamps, midnight for dates (text: YYYY-MM-DD)."""
        kind = self.kinds[column]
        if kind == "timestamptz":
            return sql.utc(sql.quote_ident(column))
        if kind == "timestamp":
            return sql.quote_ident(column)
        value = self.date(column) if kind == "text" else sql.quote_ident(column)
        return f"CAST({value} AS TIMESTAMP)"

    def at(self, column: str, value: dt.datetime) -> str:
        """``value`` as a literal comparable with the time column ``column`` itself (so
        engines can skip files and row groups outside a range)."""
        aware = self.aware.get(column, True)
        return sql.time_literal(value, aware, self.timezone, self.kinds[column])

    def instant(self, column: str, reading) -> dt.datetime:
        """A :meth:`wall_clock` value (or its epoch seconds) as an aware workspace-zone datetime."""
        return sql.instant(reading, self.aware.get(column, False), self.timezone)

    def one_per_user(self, rows: str, merged: list[str]) -> str:
        """SQL reducing ``rows`` (one row per user and segment: ``user_id``, ``seg``,
        ``first_ts``) to one row per user: ``user_id``, ``first_ts`` (the earliest),
        ``seg`` (that of the earliest row; of rows sharing it, the smallest
        segment name) and the aggregates ``merged`` (``"min(f0) AS f0"``, ...).

        DuckDB takes its ordered ``first``; elsewhere the segment comes from a
        join back to each user's first instant, plain SQL that every engine
        runs (no struct or ordered aggregate). Both break ties alike.
        """
        extra = "".join(f", {m}" for m in merged)
        if self.duckdb:
            return (
                "SELECT user_id, min(first_ts) AS first_ts, "
                f"first(seg ORDER BY first_ts, seg) AS seg{extra} FROM {rows} GROUP BY user_id"
            )
        names = "".join(f", u.{m.rsplit(' AS ', 1)[1]}" for m in merged)
        return (
            f"SELECT u.user_id, u.first_ts, s.seg{names} FROM "
            f"(SELECT user_id, min(first_ts) AS first_ts{extra} FROM {rows} GROUP BY user_id) AS u "
            f"JOIN (SELECT user_id, first_ts, min(seg) AS seg FROM {rows} "
            "GROUP BY user_id, first_ts) AS s "
            "ON s.user_id = u.user_id AND s.first_ts = u.first_ts"
        )

    # -- running queries
    def translated(self, query: str) -> str:
        """``query`` in the engine's dialect (sqlglot; DuckDB runs it as written)."""
        if self.duckdb:
            return query
        import sqlglot

        return sqlglot.transpile(
            query, read="duckdb", write=self.con.dialect, unsupported_level=sqlglot.ErrorLevel.RAISE
        )[0]

    def rows(self, query: str) -> list[dict]:
        """Run ``query`` (an aggregate: few rows) and return its rows as dicts.

        An engine's error is a :class:`SourceError` naming the source, with the
        first line of the engine's message (without secrets).
        """
        try:
            if self.con is None:
                return db.fetch(query)
            return fetch(self.con, self.translated(query))
        except Exception as exc:
            raise self.failed(exc) from None

    def failed(self, exc: BaseException) -> SourceError:
        """``exc`` (an engine's error) as the :class:`SourceError` of this source."""
        if isinstance(exc, SourceError):
            return exc
        reason = first_line(exc)
        return SourceError(self.redact(reason) if self.redact else reason, self.display)

    def start(self, query: str):
        """Start ``query`` and return a function that waits for its rows (as :meth:`rows`).

        On the embedded engine the query runs in a thread on a cursor of its
        own (DuckDB works outside Python's lock), so the caller can build and
        run other queries meanwhile. Elsewhere it runs now.
        """
        if self.con is not None:
            rows = self.rows(query)
            return lambda: rows
        import threading

        out: dict = {}

        def run():
            try:
                out["rows"] = db.fetch(query)
            except BaseException as exc:  # noqa: BLE001 - raised again by the waiting caller
                out["error"] = exc

        thread = threading.Thread(target=run, name="cvlib-query", daemon=True)
        thread.start()

        def wait():
            thread.join()
            if "error" in out:
                error = out["error"]
                raise (self.failed(error) if isinstance(error, Exception) else error) from None
            return out["rows"]

        return wait


#: How queries name a table of another engine (``Table.alias``).
_ALIAS = "cvlib_source"


def text_instants_problem(column: str) -> str:
    """The message for instants held as text on an engine other than DuckDB."""
    return (
        f"{column}: expected a timestamp column, found text (only DuckDB reads text timestamps; "
        "store them as timestamp with time zone, or point table: at a view that casts them, "
        f"such as CAST({column} AS TIMESTAMPTZ))"
    )


def _ibis_scan(con, source: Source, timezone: str | None) -> Scan:
    """A source of another engine (PySpark, a connection): its columns from the catalog;
    text timestamps parsed (DuckDB only) when ``timezone`` is given."""
    if source.kind == "parquet":
        if not source.file_names():
            raise SourceError(f"expected Parquet files at {source.display}, found none")
        table = con.read_parquet(str(Path(source.path)))
        columns = {n: (ibis_kind(t), str(t)) for n, t in table.schema().items()}
        name = sql.quote_ident(table.get_name())
    else:
        columns, name = table_schema(con, source), table_sql(source.table)
    kinds = {column: kind for column, (kind, _) in columns.items()}
    aware = {}
    if timezone is not None:
        aware, text = time_meaning(source, kinds)
        if text:
            if not is_duckdb(con):
                raise SourceError(text_instants_problem(text[0]), whole=True)
            name = f"({sql.parsed(text, timezone, name)}) AS {sql.quote_ident(_ALIAS)}"
            kinds.update({c: "timestamptz" for c in text})
    shown = {column: typ for column, (_, typ) in columns.items()}
    return Scan(name, kinds, shown, aware, con=con)


# ---------------------------------------------------------------- views of file sources
def csv_header(path: Path) -> list[str] | None:
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
    if not header:  # a blank first line: the engine finds the header below it
        return None
    if any(name != name.strip() or not name for name in header) or len(set(header)) != len(header):
        return None
    return header


_DUCKDB_MAX_LINE = 2_000_000  # bytes: DuckDB's default max_line_size


def csv_relation(
    path: Path,
    *,
    strict: bool,
    header: list[str] | None = None,
    buffer_size: int | None = None,
    max_line: int = 0,
    skip_blank: bool = False,
) -> str:
    """DuckDB ``read_csv`` of ``path``, every column as text (the contract's CSV dialect).

    With a plain header the columns are declared, so DuckDB does not sniff
    the file (sniffing costs more than reading a small file); otherwise
    DuckDB detects the header itself. DuckDB reads a file in parallel by
    buffers of ``buffer_size`` bytes (by default 32 MB, so a smaller file is
    read by one thread); a line longer than the buffer is an error.
    ``max_line``: characters of the longest record, when it is longer than
    DuckDB's default limit of a line (2 MB; a larger limit costs speed, so
    it is raised only for a file that needs it). ``skip_blank``: the file has
    lines of nothing but spaces, which the contract skips as blank (a file
    checked line by line; any other line the engine cannot read was reported).
    """
    header = header if header is not None else csv_header(path)
    options = (
        "header = true, delim = ',', quote = '\"', escape = '\"', "
        f"strict_mode = {'true' if strict else 'false'}"
    )
    if buffer_size is not None:
        options += f", buffer_size = {int(buffer_size)}, max_line_size = {int(buffer_size)}"
    elif max_line > _DUCKDB_MAX_LINE // 4:  # characters: up to 4 bytes each in UTF-8
        options += f", max_line_size = {4 * int(max_line) + 1024}"
    if skip_blank:
        options += ", ignore_errors = true"
    if header is None:
        return f"read_csv({sql.sql_string(str(path))}, {options}, all_varchar = true)"
    columns = ", ".join(f"{sql.sql_string(name)}: 'VARCHAR'" for name in header)
    return (
        f"read_csv({sql.sql_string(str(path))}, {options}, auto_detect = false, "
        f"null_padding = false, columns = {{{columns}}})"
    )


@dataclass(frozen=True, slots=True)
class _Relation:
    """A view of the process's database: its name, column kinds, type names and time meaning."""

    name: str
    kinds: dict
    shown: dict
    aware: dict


def _embedded_relation(
    source: Source,
    timezone: str | None,
    view: str,
    base: _Relation | None = None,
    files: tuple | None = None,
) -> _Relation:
    """The source as a view of the process's database.

    The view lives in the database itself (not as a temporary view, which only
    the connection that made it could see), so every cursor sees it. With
    ``timezone``, text timestamps are parsed (:func:`sql.timestamp_sql`) by a
    view over ``base``, the file's view as read. ``files``: the source's files, as just
    listed.
    """
    con = db.database()

    def make(query: str, name: str) -> _Relation:
        con.execute(f"CREATE OR REPLACE VIEW {sql.quote_ident(name)} AS {query}")
        described = con.execute(f"DESCRIBE {sql.quote_ident(name)}").fetchall()
        types = {row[0]: str(row[1]) for row in described}
        kinds = {c: _duckdb_kind(t) for c, t in types.items()}
        shown = {c: _ARROW_NAMES.get(t, t.lower()) for c, t in types.items()}
        return _Relation(name, kinds, shown, {})

    if base is not None:
        relation = base
    elif source.kind == "csv":
        relation = make(
            "SELECT * FROM "
            + csv_relation(
                Path(source.path),
                strict=False,
                max_line=source.max_line,
                skip_blank=source.blank_records,
            ),
            view + "_file",
        )
    else:
        if not (source.file_names() if files is None else files):
            raise SourceError(f"expected Parquet files at {source.display}, found none")
        pattern = sql.sql_string(source.parquet_pattern())
        relation = make(f"SELECT * FROM read_parquet({pattern})", view + "_file")
    if timezone is None:
        return relation
    aware, text = time_meaning(source, relation.kinds, files)
    if text:
        relation = make(sql.parsed(text, timezone, sql.quote_ident(relation.name)), view)
    return _Relation(relation.name, relation.kinds, relation.shown, aware)


#: The embedded engine's views of file sources (and facts read once, such as Parquet
#: footers), by source, time zone and the files' sizes and modification times (a changed
#: file is read afresh): reusing them spares declaring and describing the view for every
#: aggregate.
_KEPT: dict = {}
_KEPT_MOST = 32


def remember(key, make):
    """``make()``, kept under ``key`` (at most :data:`_KEPT_MOST` entries; the oldest make room)."""
    if key not in _KEPT:
        value = make()
        while len(_KEPT) >= _KEPT_MOST:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = value
    return _KEPT[key]


def _embedded_scan(source: Source, timezone: str | None) -> Scan:
    """A file source on the embedded engine: its views, reused while the files are unchanged."""
    try:
        signature = source.signature()
        # the pid: a forked process has its own database (see database.database), not these views
        key = (os.getpid(), source.name, source.kind, str(source.path), signature)
        files = tuple(path for path, *_ in signature)
    except OSError:  # a file vanished: nothing is kept, and the engine says what is missing
        key = files = None
    digest = hashlib.sha256(repr(key or (source.path, os.getpid())).encode()).hexdigest()[:16]
    view = "cvlib_" + digest
    if key is None:
        relation = _embedded_relation(source, timezone, view + "_unkept")
    else:
        relation = remember(key, lambda: _embedded_relation(source, None, view, files=files))
        if timezone is not None:
            zone = hashlib.sha256(timezone.encode()).hexdigest()[:8]
            base = relation
            relation = remember(
                key + (timezone,),
                lambda: _embedded_relation(source, timezone, f"{view}_{zone}", base, files),
            )
    return Scan(
        sql.quote_ident(relation.name),
        relation.kinds,
        relation.shown,
        dict(relation.aware),
        key=key,
        files=files,
    )


@contextmanager
def scan(source: Source, timezone: str | None = None):
    """The source as a :class:`Scan` on its engine.

    With ``timezone``, instants held as text are parsed and naive times read in
    that zone; without, the columns are as stored (for the checks). Any
    failure is a :class:`SourceError` naming the source.
    """
    with ExitStack() as stack:
        try:
            con = stack.enter_context(backend(source))
            if con is None:
                found = _embedded_scan(source, timezone)
            else:
                found = _ibis_scan(con, source, timezone)
        except SourceError as exc:
            if exc.where is None:
                raise SourceError(exc.reason, source.display, whole=exc.whole) from None
            raise
        except Exception as exc:  # the engine's own error: keep its first line, without secrets
            raise SourceError(redact(source, first_line(exc)), source.display) from None
        found.csv = source.kind == "csv"  # text read as written: values are trimmed
        found.timezone = timezone or "UTC"
        found.display = source.display
        found.redact = lambda text: redact(source, text)
        yield found


@contextmanager
def scan_pair(source: Source, other: Source, timezone: str | None = None):
    """``(Scan, Scan)`` of two sources on one engine (``source.engine_key == other.engine_key``),
    so that one query can join them; the queries run through the first.

    A DuckDB file behind a connection is opened once for both.
    """
    if source.engine_key != other.engine_key:
        raise SourceError(
            f"{other.display} and {source.display} are on different engines, so one query "
            "cannot join them; declare both in one engine under sources:"
        )
    with scan(source, timezone) as first:
        if first.con is None:
            with scan(other, timezone) as second:
                yield first, second
            return
        try:
            second = _ibis_scan(first.con, other, timezone)
        except SourceError as exc:
            if exc.where is None:
                raise SourceError(exc.reason, other.display, whole=exc.whole) from None
            raise
        except Exception as exc:
            raise SourceError(redact(other, first_line(exc)), other.display) from None
        second.csv = other.kind == "csv"
        second.timezone = timezone or "UTC"
        second.display = other.display
        second.redact = lambda text: redact(other, text)
        yield first, second
