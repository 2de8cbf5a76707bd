"""Event-scale files that passed their checks, remembered across processes by fingerprint.

Checking an event-scale CSV or Parquet source (:func:`cvlib.engine.checks.
csv_profile_if_clean`, :func:`cvlib.engine.checks.check_table`) reads it. A
workspace loaded again with the same files (each kernel of ``cvlib report``,
an analyst re-running a notebook, a nightly run on data that did not move)
need not read them again: what the checks found (the row count, the latest
instants, how the engine must read a CSV file) is kept in a small JSON file
under :func:`folder`, and used only while every file is the one checked.

A file is the one checked when its path, device, inode, size, modification
and status-change times (nanoseconds) are those it had when it was checked;
status-change time cannot be set back by a program, so a file rewritten in
place, even to the same size and with its modification time restored, is
checked again. A file modified (or its status changed) less than
:data:`SETTLE_SECONDS` before its check is not remembered: a write within the
file system's clock tick after the check would keep its times (git calls such
an entry "racily clean").
What the checks depend on besides the files is in the key too: the versions
of cvlib, DuckDB and pyarrow, the module files of :mod:`cvlib.contract` and
:mod:`cvlib.engine` (an edited checkout checks again), the table's
declaration, the keys of the tables it refers to and the workspace time zone.
An entry is kept only if the files after the checks are those before them.

Only the embedded engine's files are remembered (not connections, whose
rows change without a file changing, nor Spark). The folder is
``$CVLIB_CACHE_DIR`` if set (``off``: nothing is remembered), else
``$XDG_CACHE_HOME/cvlib`` or ``~/.cache/cvlib``; an unreadable or unwritable
folder, a folder of another user's or that others may write into, or a
damaged entry, only means the files are checked again. Off outside POSIX
systems, whose status-change time may be a creation time; on file systems
without one (FAT), a file rewritten in place to the same size with its
modification time set back would not be checked again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from cvlib.engine.sources import Source, TableProfile

__all__ = ["SETTLE_SECONDS", "Checked", "folder", "key", "recall", "remember"]

#: A file modified this many seconds or less before its check is not remembered.
SETTLE_SECONDS = 2.0
#: The layout of an entry (its name is the SHA-256 of the key: no paths or names are stored).
_FORMAT = 1
#: Entries kept; the least recently written beyond it are removed when one is written.
MOST_ENTRIES = 2000
#: The subpackages whose code decides what the checks find: every module file of them
#: (size and modification time) is in every key, so an edited checkout checks again.
_CHECKING_PACKAGES = ("contract", "engine")
#: The libraries that read and check the files: their versions are in every key.
_LIBRARIES = ("duckdb", "pyarrow")
_CODE: list = []  # the code part of the keys, computed once per process


@dataclass(frozen=True, slots=True)
class Checked:
    """What the checks of one source found: its rows, its profile and how to read it.

    Attributes
    ----------
    rows : int
    profile : TableProfile
    max_line, blank_records
        As :class:`~cvlib.engine.sources.Source` (how the engine reads a CSV file).
    """

    rows: int
    profile: TableProfile
    max_line: int = 0
    blank_records: bool = False


def folder() -> Path | None:
    """Where entries are kept, or ``None`` when ``CVLIB_CACHE_DIR`` is ``off`` or this is not
    a POSIX system (where status-change times can be trusted not to be set back)."""
    chosen = os.environ.get("CVLIB_CACHE_DIR")
    if (chosen is not None and chosen.strip().lower() == "off") or os.name != "posix":
        return None
    if chosen:
        return Path(chosen) / "checks"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cvlib" / "checks"


def _stat(path) -> tuple:
    s = os.stat(path)
    return (s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)


def _code() -> tuple:
    """The versions of cvlib and of :data:`_LIBRARIES`, and the size and modification time
    of every module of :data:`_CHECKING_PACKAGES` (once per process: modules are loaded)."""
    if not _CODE:
        from importlib.metadata import PackageNotFoundError, version

        import cvlib

        out: list = [cvlib.__version__]
        for library in _LIBRARIES:
            try:
                out.append((library, version(library)))
            except PackageNotFoundError:
                out.append((library, None))
        package = Path(__file__).resolve().parents[1]
        for sub in _CHECKING_PACKAGES:
            for path in sorted((package / sub).glob("*.py")):
                try:
                    out.append((f"{sub}/{path.name}", _stat(path)[2:4]))
                except OSError:  # not installed as files: the versions alone
                    pass
        _CODE.append(tuple(out))
    return _CODE[0]


def key(source: Source, *, known: dict, timezone: str) -> tuple | None:
    """The key of ``source``'s checks: its files' fingerprints and what the checks depend on.

    ``None`` when ``source`` is not files read by the embedded engine, or a file cannot be
    read (the checks then say what is wrong).
    """
    if source.engine_key != ("embedded",) or source.path is None:
        return None
    try:
        files = tuple((name, _stat(name)) for name in source.file_names())
    except OSError:
        return None
    if not files:
        return None
    refs = sorted(
        (ref.table, sorted(map(str, known[ref.table])))
        for ref in source.spec.references
        if known.get(ref.table) is not None
    )
    refs_digest = hashlib.sha256(repr(refs).encode()).hexdigest()
    spec = re.sub(r" at 0x[0-9a-f]+", "", repr(source.spec))  # functions: their code is in _code
    return (_code(), spec, source.kind, str(source.path), timezone, refs_digest, files)


def _entry(folder_: Path, found_key: tuple) -> Path:
    return folder_ / (hashlib.sha256(repr(found_key).encode()).hexdigest() + ".json")


def _trusted(where: Path) -> bool:
    """Whether entries in ``where`` can be trusted: a folder of this user's that no one
    else may write into (an entry planted there would make a check be skipped)."""
    try:
        s = os.stat(where)
    except OSError:
        return False
    return s.st_uid == os.getuid() and not s.st_mode & 0o022


def recall(found_key: tuple | None, timezone: str) -> Checked | None:
    """What the checks found under ``found_key``, or ``None`` (never checked, or it changed)."""
    where = folder()
    if found_key is None or where is None or not _trusted(where):
        return None
    try:
        data = json.loads(_entry(where, found_key).read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return None
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(timezone)
        latest = {  # wall times of the zone with their fold: exact even in a DST gap
            column: None
            if value is None
            else dt.datetime.fromisoformat(value[0]).replace(tzinfo=zone, fold=int(value[1]))
            for column, value in data["latest"].items()
        }
        return Checked(
            rows=int(data["rows"]),
            profile=TableProfile(rows=int(data["profile_rows"]), latest=latest),
            max_line=int(data["max_line"]),
            blank_records=bool(data["blank_records"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None


def remember(found_key: tuple | None, checked: Checked, *, started: float) -> bool:
    """Keep ``checked`` under ``found_key``, unless a file was modified (or its status
    changed) within :data:`SETTLE_SECONDS` of ``started``, the wall time the checks began;
    whether it was kept.

    Written to a temporary file and renamed, so a reader sees a whole entry or none.
    """
    where = folder()
    if found_key is None or where is None:
        return False
    settled = (started - SETTLE_SECONDS) * 1e9
    if any(max(stat[3], stat[4]) >= settled for _, stat in found_key[-1]):
        return False
    data = {
        "format": _FORMAT,
        "rows": checked.rows,
        "profile_rows": checked.profile.rows,
        "latest": {
            column: None if value is None else [value.replace(tzinfo=None).isoformat(), value.fold]
            for column, value in checked.profile.latest.items()
        },
        "max_line": checked.max_line,
        "blank_records": checked.blank_records,
    }
    path = _entry(where, found_key)
    temporary = None
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _trusted(where):
            return False
        import tempfile

        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=where)
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(json.dumps(data))
        os.replace(temporary, path)
        _prune(where)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False
    return True


def _prune(where: Path) -> None:
    """Remove the least recently written entries beyond :data:`MOST_ENTRIES`."""
    for stale in where.glob(".*.tmp"):  # left by a process that died while writing
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
    entries = list(where.glob("*.json"))
    if len(entries) <= MOST_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime_ns)
    for old in entries[: len(entries) - MOST_ENTRIES]:
        old.unlink(missing_ok=True)
