"""The process's embedded DuckDB database: made once, read on cursors of its own.

A process keeps one in-memory DuckDB database for the embedded engine and the
CSV checks. Queries run on cursors of it (:func:`cursor`), each a session
with the time zone UTC and no progress bar; cursors see the same views and
may run queries at the same time, each outside Python's lock. File sources
are declared there as views (:mod:`cvlib.engine.scan`).
"""

from __future__ import annotations

import atexit
import os

from cvlib.engine.sql import sql_string

__all__ = ["DUCKDB_MEMORY_LIMIT", "cursor", "database", "duckdb_session", "fetch"]

#: Memory DuckDB may use for one query before it spills to a temporary folder; override
#: with the environment variable CVLIB_DUCKDB_MEMORY_LIMIT (e.g. "8GB").
DUCKDB_MEMORY_LIMIT = "2GB"

_DATABASES: dict = {}


def duckdb_session(execute) -> None:
    """Set a DuckDB session (``execute`` runs a statement) to time zone UTC, no progress bars."""
    execute("SET TimeZone = 'UTC'")
    try:  # no progress bars in logs; in Jupyter DuckDB shows none without ipywidgets and
        # refuses to change the setting
        execute("SET enable_progress_bar = false")
    except Exception:  # noqa: BLE001, S110 - duckdb.InvalidInputException, imported lazily
        pass


def database():
    """The process's in-memory DuckDB, the embedded engine (made once; it only reads files)."""
    con = _DATABASES.get(os.getpid())
    if con is None:
        import tempfile

        import duckdb

        con = _DATABASES[os.getpid()] = duckdb.connect(":memory:")
        limit = os.environ.get("CVLIB_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT)
        spill = os.path.join(tempfile.gettempdir(), "cvlib-duckdb")
        for statement in (
            "SET TimeZone = 'UTC'",
            f"SET memory_limit = {sql_string(limit)}",
            f"SET temp_directory = {sql_string(spill)}",
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
        atexit.register(close_database, os.getpid())
    return con


def close_database(pid: int) -> None:
    """Close the database made by process ``pid``, when this is that process."""
    con = _DATABASES.pop(pid, None) if os.getpid() == pid else None
    if con is not None:
        con.close()


def cursor():
    """A session of its own on the process's database (UTC, no progress bar); caller closes it."""
    cur = database().cursor()
    duckdb_session(cur.execute)
    return cur


def fetch(sql: str) -> list[dict]:
    """Run ``sql`` on the embedded engine (a cursor of its own) and return its rows as dicts."""
    cur = cursor()
    try:
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        cur.close()
