"""Write a folder all at once: into a temporary sibling folder, renamed into place at the end.

An interrupted run leaves no half-written folder behind, and an existing
folder is replaced only after the new one is complete.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Callable

__all__ = ["check_target", "write_folder"]


def check_target(out: pathlib.Path, *, overwrite: bool) -> None:
    """Refuse ``out`` if it is a symbolic link, a file, or (without ``overwrite``) not empty.

    Raises
    ------
    FileExistsError
        Naming ``out`` and what to do instead.
    """
    if out.is_symlink():
        raise FileExistsError(f"{out} is a symbolic link; give the folder it points to")
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a folder; choose another output folder")
        if any(out.iterdir()) and not overwrite:
            raise FileExistsError(
                f"{out} exists and is not empty; choose a new or empty folder, "
                "or pass overwrite=True to replace it"
            )


def write_folder(out: pathlib.Path, write: Callable[[pathlib.Path], None]) -> None:
    """Call ``write(folder)`` on a new temporary folder, then put that folder at ``out``.

    The temporary folder is a hidden sibling of ``out`` (``.NAME.tmp-PID``), so
    the final rename stays on one file system. If ``out`` is an existing empty
    folder (it may be the working directory), the files are moved into it;
    otherwise an existing ``out`` is renamed aside (``.NAME.old-PID``), the new
    folder renamed into place, and the old one removed. If ``write`` raises
    (even ``KeyboardInterrupt``), the temporary folder is removed, ``out`` is
    left as it was, and the exception propagates. Missing parent folders of
    ``out`` are created. Call :func:`check_target` first.
    """
    target = pathlib.Path(os.path.abspath(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    for leftover in (tmp, old):  # from an earlier run of this process that was killed
        if leftover.exists():
            shutil.rmtree(leftover)
    tmp.mkdir()
    try:
        write(tmp)
        if target.exists() and not any(target.iterdir()):
            # Keep an empty folder (it may be the working directory): move the files in.
            for path in sorted(tmp.iterdir()):
                path.replace(target / path.name)
            tmp.rmdir()
        else:
            if target.exists():
                target.rename(old)
            tmp.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)  # put the previous folder back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
