"""The report folder: its lock, atomic writes, and swapping a finished release into place."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

__all__ = ["LOCK_NAME", "TMP_PREFIX", "LockedError", "write_summary"]

TMP_PREFIX = ".tmp-"
LOCK_NAME = ".lock"


class LockedError(RuntimeError):
    """Another run holds the lock of the report folder."""


def write_summary(evaluation, out_dir) -> Path:
    """Write ``evaluation.to_dict()`` as ``out_dir/summary.json`` (strict JSON); return the path.

    The release notebook calls this once, so the command line never evaluates
    a release a second time. The file is replaced atomically: a reader sees
    the old summary or the new one, never part of one.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.json"
    text = json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_atomic(path, text)
    return path


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@contextlib.contextmanager
def lock(out_dir: Path):
    """Hold the folder's lock (``fcntl.flock``) or raise :class:`LockedError` naming its holder."""
    path = out_dir / LOCK_NAME
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LockedError(
                f"another cvlib report run ({holder}) is writing {out_dir}; "
                f"nothing was changed: try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {now()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def clean_stale(out_dir: Path, log) -> None:
    for entry in sorted(out_dir.glob(TMP_PREFIX + "*")):
        shutil.rmtree(entry, ignore_errors=True)
        log(f"removed {entry.name}: a temporary folder left by an interrupted run")


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux ``renameat2(RENAME_EXCHANGE)``); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def swap_into_place(tmp: Path, final: Path) -> None:
    """Put the completed ``tmp`` folder at ``final``; the old one is removed afterwards."""
    if not final.exists():
        os.rename(tmp, final)
        return
    if exchange(tmp, final):  # tmp now holds the old report
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = final.with_name(f"{TMP_PREFIX}old-{final.name}-{os.getpid()}")
    os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
