"""Where an event-scale table lives: a CSV file, Parquet files, or a table behind a connection."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from cvlib.contract.tables import TableSpec

__all__ = ["ENGINES", "Source", "TableProfile", "resolve_url", "safe_url"]

#: The engines that aggregate Parquet sources (an ibis backend object is accepted too).
ENGINES = ("duckdb", "pyspark")


@dataclass(frozen=True, slots=True)
class Source:
    """Where an event-scale table lives.

    Attributes
    ----------
    spec : cvlib.contract.tables.TableSpec
        The table's declaration: its name, columns and rules.
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
    max_line : int
        For a CSV file: the characters of its longest record when the
        engine needs to be told (records over DuckDB's default 2 MB), else 0.
    blank_records : bool
        For a CSV file: it has lines of nothing but spaces (or commas), which
        the contract skips as blank and the engine must be told to skip.
    engine : str or ibis backend
        What aggregates Parquet files: ``duckdb`` (embedded, the default),
        ``pyspark`` (the active SparkSession) or an ibis backend object.
        CSV files are always aggregated by embedded DuckDB, connection tables
        by their own database.
    """

    spec: TableSpec = field(repr=False)
    kind: str
    path: Path | None
    display: str
    url: str | None = field(default=None, repr=False)
    table: str | None = None
    engine: object = field(default="duckdb", compare=False)
    max_line: int = 0
    blank_records: bool = False

    @property
    def name(self) -> str:
        """The table's name (``events``, ...)."""
        return self.spec.name

    def file_names(self) -> list[str]:
        """The files the source reads, sorted (none for a connection).

        A folder is walked with :func:`os.scandir` (every ``*.parquet`` file
        below it that DuckDB's ``**/*.parquet`` reads); a layout of thousands
        of files (a partition a day) is listed in a few milliseconds, so every
        query may list it afresh.
        """
        if self.kind == "csv":
            return [str(self.path)]
        if self.kind != "parquet":
            return []
        path = str(self.path)
        if os.path.isdir(path):
            return _parquet_below(path)
        if os.path.isfile(path):
            return [path]
        found = glob.glob(path, recursive=True, include_hidden=True)  # as DuckDB's glob
        return sorted(p for p in found if os.path.isfile(p))

    @property
    def engine_key(self) -> tuple:
        """What runs the source's queries: two sources with one key can be joined in one query
        (the embedded engine; one connection URL; one ibis backend).

        Examples
        --------
        >>> from cvlib.contract.tables import TABLES
        >>> a = Source(TABLES["surveys"], "csv", None, "surveys.csv")
        >>> b = Source(TABLES["exposures"], "parquet", None, "exposures.parquet")
        >>> a.engine_key == b.engine_key
        True
        """
        if self.kind == "csv" or (self.kind == "parquet" and self.engine in (None, "duckdb")):
            return ("embedded",)
        if self.kind == "connection":
            return ("connection", self.url)
        engine = self.engine
        return ("engine", engine if isinstance(engine, str) else id(engine))

    def parquet_pattern(self) -> str:
        """The file or glob for ``read_parquet`` (a directory: every Parquet file below it)."""
        path = Path(self.path)
        if path.is_dir():
            return str(path / "**" / "*.parquet")
        return str(path)

    def signature(self) -> tuple:
        """Path, size and modification time of every file (``OSError`` if one vanished)."""
        out = []
        for path in self.file_names():
            stat = os.stat(path)
            out.append((path, stat.st_size, stat.st_mtime_ns))
        return tuple(out)


def _parquet_below(top: str) -> list[str]:
    """The ``*.parquet`` files at any depth below the folder ``top``, sorted: what DuckDB's
    ``top/**/*.parquet`` reads (hidden names included, links to folders not followed)."""
    found, folders = [], [top]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:  # vanished or unreadable: listed without it, as glob does
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".parquet") and entry.is_file():
                        found.append(entry.path)
                except OSError:
                    continue
    return sorted(found)


@dataclass(frozen=True, slots=True)
class TableProfile:
    """Row count and the latest instant of each time column of a table.

    Attributes
    ----------
    rows : int
    latest : dict
        Column -> aware :class:`datetime.datetime` in the workspace time
        zone, or ``None`` for an empty column.
    """

    rows: int
    latest: dict


def resolve_url(url: str, root: Path) -> str:
    """An ibis URL with a relative database file (duckdb, sqlite) resolved against ``root``.

    Examples
    --------
    >>> resolve_url("duckdb://data/w.duckdb", Path("/ws"))
    'duckdb:///ws/data/w.duckdb'
    >>> resolve_url("postgres://u@db/x", Path("/ws"))
    'postgres://u@db/x'
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme or "file"
    if scheme not in ("duckdb", "sqlite", "file"):
        return url
    path = parts.netloc + parts.path
    if not path or path == ":memory:" or Path(path).is_absolute():
        return url
    resolved = (root / path).resolve()
    query = f"?{parts.query}" if parts.query else ""
    if scheme == "file":
        return str(resolved) + query
    return f"{scheme}://{resolved}{query}"


_SECRET_PARAMS = re.compile(
    r"(?i)^(password|passwd|pwd|token|secret|access_token|api_key|private_key.*)$"
)


def safe_url(url: str) -> str:
    """The URL as messages and ``summary.json`` show it: without a password or secret parameters.

    Examples
    --------
    >>> safe_url("postgres://analyst:s3cret@db.example/prod?sslmode=require&token=abc")
    'postgres://analyst@db.example/prod?sslmode=require'
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        host = netloc.rsplit("@", 1)[1]
        netloc = f"{user}@{host}" if user else host
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _SECRET_PARAMS.match(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
