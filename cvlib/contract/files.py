"""What an input path is, before anything reads it: only regular files (or links to them) are read.

A directory where a file is expected, a FIFO (reading one waits for ever), a
device (``/dev/zero`` never ends), a socket, a dangling or looping link: each is
refused with a message, and never opened.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from cvlib.contract.problems import Problems

__all__ = ["ABSENT", "REGULAR", "check_regular", "kind"]

REGULAR = "a regular file"
ABSENT = "nothing"


def kind(path: Path) -> str:
    """:data:`REGULAR`, :data:`ABSENT`, or what else ``path`` is, in words.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp)
    ...     _ = (folder / "a.csv").write_text("x")
    ...     (folder / "link.csv").symlink_to(folder / "gone.csv")
    ...     kind(folder / "a.csv"), kind(folder), kind(folder / "b.csv"), kind(folder / "link.csv")
    ('a regular file', 'a directory', 'nothing', 'a link to nothing (a dangling link)')
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a link to nothing (a dangling link)" if os.path.islink(path) else ABSENT
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link that loops"
        if exc.errno == errno.ENAMETOOLONG:
            return "a name too long for this system"
        return f"a path that cannot be examined ({exc.strerror})"
    if stat.S_ISREG(mode):
        return REGULAR
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_regular(path: Path, display: str, problems: Problems, *, folder: bool = False) -> str:
    """:func:`kind` of ``path``; anything but a regular file or nothing is also a problem.

    With ``folder``, a directory (of Parquet files) counts as :data:`REGULAR`.
    """
    found = kind(path)
    if folder and found == "a directory":
        return REGULAR
    if found not in (REGULAR, ABSENT):
        problems.add(display, None, None, f"expected a regular file, found {found}")
    return found
