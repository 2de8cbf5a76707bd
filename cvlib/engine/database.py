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

__all__ = ["cursor", "database", "default_memory_limit", "duckdb_session", "fetch"]

_GIB = 1 << 30


def default_memory_limit(total: int | None = None) -> str:
    """The memory the process's DuckDB may use before it spills to a temporary folder: an
    eighth of the machine's memory, at least 2 GiB, in whole MiB (``CVLIB_DUCKDB_MEMORY_LIMIT``,
    e.g. ``8GB``, overrides it).

    An eighth, because several processes may each hold a database at once (the kernels of
    ``cvlib report --jobs N``, a notebook beside them) and DuckDB's own default, 80 % of
    the memory, is meant for a process that is alone. ``total`` is the machine's memory in
    bytes; by default the physical memory, or the control group's limit (``memory.max``)
    where that is lower, as in a container.

    Examples
    --------
    >>> default_memory_limit(24 << 30)
    '3072MiB'
    >>> default_memory_limit(8 << 30)
    '2048MiB'
    """
    if total is None:
        total = _machine_memory()
    return f"{max(2 * _GIB, (total or 0) // 8) >> 20}MiB"


def _machine_memory() -> int | None:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system
        total = None
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as f:
            limit = f.read().strip()
        if limit.isdigit():
            total = min(int(limit), total) if total else int(limit)
    except OSError:
        pass
    return total


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
        _set_memory_limit(con)
        spill = os.path.join(tempfile.gettempdir(), "cvlib-duckdb")
        for statement in (
            "SET TimeZone = 'UTC'",
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


def _set_memory_limit(con) -> None:
    """``CVLIB_DUCKDB_MEMORY_LIMIT`` if set and DuckDB reads it as a size, else (with a
    warning that says what was found) :func:`default_memory_limit`."""
    import duckdb

    chosen = os.environ.get("CVLIB_DUCKDB_MEMORY_LIMIT", "").strip()
    if chosen:
        try:
            con.execute(f"SET memory_limit = {sql_string(chosen)}")
            return
        except duckdb.Error:
            import warnings

            from cvlib.errors import CvlibWarning

            warnings.warn(
                f"CVLIB_DUCKDB_MEMORY_LIMIT: expected a size such as 8GB or 512MiB, found "
                f"{chosen!r}; using {default_memory_limit()}",
                CvlibWarning,
                stacklevel=2,
            )
    con.execute(f"SET memory_limit = {sql_string(default_memory_limit())}")


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
