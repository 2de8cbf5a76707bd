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
from cvlib.errors import DataError, Problem

__all__ = [
    "SourceError",
    "backend",
    "is_duckdb",
    "fetch",
    "forget_schemas",
    "spark_backend",
    "table_schema",
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

    if url.split(":", 1)[0] == "duckdb":
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


def table_schema(con, source):
    """The ibis schema of the connection table ``source.table`` (``schema.table`` or ``table``)."""
    key = (os.getpid(), source.url, source.table)
    if key not in _SCHEMAS:
        import ibis.common.exceptions as com

        database, _, name = source.table.rpartition(".")
        try:
            _SCHEMAS[key] = con.get_schema(name, database=database or None)
        except com.TableNotFound:
            raise SourceError(
                f"expected a table {source.table!r}, found none: table not found", whole=True
            ) from None
    return _SCHEMAS[key]
