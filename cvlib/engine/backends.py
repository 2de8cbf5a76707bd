"""The engines other than the embedded DuckDB: connections, PySpark, and how a query reaches them.

A connection (other than a DuckDB file) is opened once per process and URL
(``ibis.connect``) and closed at exit; a table's columns are read from the
catalog once per :func:`cvlib.load_workspace`. A query is one plain
``SELECT`` in the engine's dialect, sent through the backend's raw SQL (a
cursor) or, for PySpark, the session: no temporary view or table is created.
"""

from __future__ import annotations

import atexit
import os
from contextlib import contextmanager

from cvlib.engine import database as db
from cvlib.engine.sql import quote_ident
from cvlib.errors import DataError, Problem

__all__ = [
    "SourceError",
    "backend",
    "is_duckdb",
    "is_duckdb_url",
    "fetch",
    "forget_schemas",
    "spark_backend",
    "table_schema",
    "table_sql",
]


class SourceError(DataError):
    """A source could not be read: one problem naming the source, without secrets.

    Parameters
    ----------
    reason : str
        What went wrong (an engine's message: its first line).
    where : str, optional
        How the source is named (:attr:`Source.display`); added by
        :func:`scan` when missing.
    whole : bool
        ``reason`` is a whole message of the contract's kind (expected ...,
        found ...), not an engine's message to quote.
    """

    def __init__(self, reason: str, where: str | None = None, *, whole: bool = False):
        self.reason = reason
        self.where = where
        self.whole = whole
        super().__init__([Problem(where or "source", None, None, reason)])


# ---------------------------------------------------------------- engines
def is_duckdb_url(url: str) -> bool:
    """Whether the connection URL names a DuckDB database (``duckdb://...``)."""
    return url.split(":", 1)[0] == "duckdb"


def is_duckdb(backend) -> bool:
    """Whether ``backend`` is an ibis DuckDB backend."""
    return getattr(backend, "name", None) == "duckdb"


def _set_utc(backend) -> None:
    if is_duckdb(backend):
        db.duckdb_session(backend.raw_sql)
    elif getattr(backend, "name", None) == "pyspark":
        backend._session.conf.set("spark.sql.session.timeZone", "UTC")


def spark_backend(session=None):
    """An ibis PySpark backend on ``session`` (default: the active one, or a new local one), UTC."""
    import ibis
    from pyspark.sql import SparkSession

    if session is None:
        session = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
    con = ibis.pyspark.connect(session)
    _set_utc(con)
    return con


#: Connections kept open for the process: (process id, URL) -> ibis backend.
_CONNECTIONS: dict = {}


def _close_connections() -> None:
    for key in [k for k in _CONNECTIONS if k[0] == os.getpid()]:
        try:
            _CONNECTIONS.pop(key).disconnect()
        except Exception:  # noqa: BLE001, S110 - the process is ending
            pass


def _connection(url: str):
    """The backend of ``url`` and whether the caller closes it after use.

    A DuckDB file is opened for each use (so that another process may write
    it between runs); any other database once per process and URL.
    """
    import ibis

    if is_duckdb_url(url):
        return ibis.connect(url), True
    key = (os.getpid(), url)
    if key not in _CONNECTIONS:
        if not _CONNECTIONS:
            atexit.register(_close_connections)
        _CONNECTIONS[key] = ibis.connect(url)
    return _CONNECTIONS[key], False


@contextmanager
def backend(source):
    """The ibis backend that aggregates ``source``, or ``None`` for the embedded engine.

    A DuckDB file behind a connection is closed afterwards. The embedded engine needs no ibis.
    """
    if source.kind == "csv" or (source.kind == "parquet" and source.engine in (None, "duckdb")):
        yield None
        return
    owned = False
    if source.kind == "connection":
        con, owned = _connection(source.url)
    elif source.engine == "pyspark":
        con = spark_backend()
    else:  # an ibis backend object given by the caller
        con = source.engine
    try:
        _set_utc(con)
        yield con
    finally:
        if owned:
            con.disconnect()


def fetch(con, text: str) -> list[dict]:
    """Run the SQL ``text`` (the engine's dialect) as one statement on ``con``; its rows as dicts.

    PySpark through its session; every other backend through its raw SQL
    (a cursor), so nothing but the ``SELECT`` itself reaches the database.
    """
    if getattr(con, "name", None) == "pyspark":
        return con._session.sql(text).toArrow().to_pylist()
    cursor = con.raw_sql(text)
    try:
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        if not is_duckdb(con):  # DuckDB's raw_sql returns the connection itself
            cursor.close()


#: A table's columns behind a connection, read once per :func:`cvlib.load_workspace`:
#: (process id, URL, table) -> ibis schema.
_SCHEMAS: dict = {}


def forget_schemas() -> None:
    """Read the columns of connection tables afresh (:func:`cvlib.load_workspace` calls it)."""
    _SCHEMAS.clear()


def ibis_kind(dtype) -> str:
    """The column kind (see :mod:`cvlib.engine.scan`) of an ibis data type."""
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


def table_sql(table: str) -> str:
    """The connection table ``schema.table`` (or ``table``) as quoted SQL.

    Examples
    --------
    >>> print(table_sql("analytics.app_events"))
    "analytics"."app_events"
    """
    database, _, name = table.rpartition(".")
    return ".".join(quote_ident(part) for part in (database, name) if part)


#: PostgreSQL's type names (``pg_type.typname``) -> column kinds.
_POSTGRES_KINDS = {
    **dict.fromkeys(("text", "varchar", "bpchar", "name", "citext"), "text"),
    **dict.fromkeys(("int2", "int4", "int8"), "integer"),
    **dict.fromkeys(("float4", "float8", "numeric"), "number"),
    "timestamptz": "timestamptz",
    "timestamp": "timestamp",
    "date": "date",
    "bool": "boolean",
}


def _postgres_columns(con, source) -> dict:
    """The columns of a PostgreSQL table from one ``SELECT ... LIMIT 0`` (its cursor's types)."""
    import psycopg

    try:
        cursor = con.raw_sql(f"SELECT * FROM {table_sql(source.table)} LIMIT 0")
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
        raise _not_found(source) from None
    try:
        types = con.con.adapters.types
        out = {}
        for column in cursor.description:
            info = types.get(column.type_code)
            name = info.name if info is not None else str(column.type_code)
            out[column.name] = (_POSTGRES_KINDS.get(name, "other"), name)
        return out
    finally:
        cursor.close()


def _not_found(source) -> SourceError:
    return SourceError(
        f"expected a table {source.table!r}, found none: table not found", whole=True
    )


def table_schema(con, source) -> dict:
    """The columns of the connection table ``source.table`` (``schema.table`` or ``table``):
    name -> (kind, type name), read once per :func:`cvlib.load_workspace`.

    PostgreSQL: the types of one ``SELECT * ... LIMIT 0`` (one statement; the
    table is found as a query finds it, through ``search_path``); other
    databases: ibis's catalog reader.
    """
    key = (os.getpid(), source.url, source.table)
    if key not in _SCHEMAS:
        if getattr(con, "name", None) == "postgres":
            _SCHEMAS[key] = _postgres_columns(con, source)
        else:
            import ibis.common.exceptions as com

            database, _, name = source.table.rpartition(".")
            try:
                schema = con.get_schema(name, database=database or None)
            except com.TableNotFound:
                raise _not_found(source) from None
            _SCHEMAS[key] = {n: (ibis_kind(t), str(t)) for n, t in schema.items()}
    return _SCHEMAS[key]
