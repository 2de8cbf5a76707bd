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
import threading

from cvlib.engine.sql import sql_string

__all__ = [
    "cursor",
    "database",
    "default_memory_limit",
    "duckdb_session",
    "fetch",
    "start_database",
]

_GIB = 1 << 30


def default_memory_limit(total: int | None = None) -> str:
    """The memory the process's DuckDB may use before it spills to a temporary folder: an
    eighth of the machine's memory, at least 2 GiB but at most half of it, in whole MiB
    (``CVLIB_DUCKDB_MEMORY_LIMIT``, e.g. ``8GB``, overrides it).

    An eighth, because several processes may each hold a database at once (the kernels of
    ``cvlib report --jobs N``, a notebook beside them) and DuckDB's own default, 80 % of
    the memory, is meant for a process that is alone. ``total`` is the machine's memory in
    bytes; by default the physical memory, or the memory limit of the process's control
    group or of a group above it (cgroup v2 ``memory.max``, v1
    ``memory.limit_in_bytes``) where that is lower, as in a container.

    Examples
    --------
    >>> default_memory_limit(24 << 30)
    '3072MiB'
    >>> default_memory_limit(8 << 30)
    '2048MiB'
    >>> default_memory_limit(1 << 30)  # a small container: half of it
    '512MiB'
    """
    if total is None:
        total = _machine_memory()
    if not total:
        return f"{(2 * _GIB) >> 20}MiB"
    return f"{min(max(2 * _GIB, total // 8), total // 2) >> 20}MiB"


def _machine_memory() -> int | None:
    """Physical memory, or the control group's limit where lower (``None``: unknown)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system
        total = None
    limit = _cgroup_limit()
    if limit is not None and (total is None or limit < total):
        total = limit
    return total


def _cgroup_limit(proc: str = "/proc/self/cgroup", root: str = "/sys/fs/cgroup") -> int | None:
    """The lowest memory limit of this process's control group and the groups above it."""
    try:
        with open(proc, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    limits = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, path = parts[1], parts[2]
        if controllers == "":  # cgroup v2: one hierarchy
            base, name = root, "memory.max"
        elif "memory" in controllers.split(","):  # cgroup v1: the memory controller's
            base, name = os.path.join(root, "memory"), "memory.limit_in_bytes"
        else:
            continue
        here = os.path.normpath(os.path.join(base, path.lstrip("/")))
        while True:
            try:
                with open(os.path.join(here, name), encoding="ascii") as f:
                    value = f.read().strip()
                if value.isdigit():
                    limits.append(int(value))
            except OSError:
                pass
            if len(here) <= len(base) or not here.startswith(base):
                break
            here = os.path.dirname(here)
    return min(limits) if limits else None


_DATABASES: dict = {}
_MAKING = threading.Lock()  # one thread makes the database; another asking waits for it


def _fresh_lock() -> None:
    global _MAKING
    _MAKING = threading.Lock()  # a forked child: no thread of the parent holds its copy


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock)


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
    if con is not None:
        return con
    with _MAKING:
        return _DATABASES.get(os.getpid()) or _make()


def _make():
    """Make, set up and keep the process's database (under ``_MAKING``)."""
    import tempfile

    import duckdb

    con = duckdb.connect(":memory:")
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
    _DATABASES[os.getpid()] = con  # seen by other threads only once set up
    # closed at exit, so spill files go even if the process skips its last garbage
    # collection; only by the process that made it (a forked child has a copy)
    atexit.register(close_database, os.getpid())
    return con


def start_database() -> None:
    """Make the process's database in a thread of its own, if it is not made yet.

    Making it takes about 20 ms (more with DuckDB's import), which a loader
    spends reading its small files meanwhile; :func:`database` waits for it.
    Not with ``CVLIB_DUCKDB_MEMORY_LIMIT`` set, whose warning (a size DuckDB
    does not read) belongs to the caller's thread. A failure here only means
    :func:`database` makes it later, and says why.
    """
    if os.getpid() in _DATABASES or os.environ.get("CVLIB_DUCKDB_MEMORY_LIMIT", "").strip():
        return

    def make() -> None:
        try:
            database()
        except Exception:  # noqa: BLE001, S110 - made (or reported) by the next caller
            pass

    threading.Thread(target=make, name="cvlib-database", daemon=True).start()


def _set_memory_limit(con) -> None:
    """``CVLIB_DUCKDB_MEMORY_LIMIT`` if set and DuckDB reads it as a size, else (with a
    warning that says what was found) :func:`default_memory_limit`."""
    import duckdb

    chosen = os.environ.get("CVLIB_DUCKDB_MEMORY_LIMIT", "").strip()
    default = default_memory_limit()
    if chosen:
        try:
            con.execute(f"SET memory_limit = {sql_string(chosen)}")
            return
        except duckdb.Error:
            import warnings

            from cvlib.errors import CvlibWarning

            warnings.warn(
                f"CVLIB_DUCKDB_MEMORY_LIMIT: expected a size such as 8GB or 512MiB, found "
                f"{chosen!r}; using {default}",
                CvlibWarning,
                stacklevel=2,
            )
    con.execute(f"SET memory_limit = {sql_string(default)}")


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
