"""What the two benchmark scripts share: the checkouts they run, the machine, the run orders.

Standard library only, and nothing of cvlib's but its console script and the
top-level package run in subprocesses: the benchmarks run against other
checkouts, whose layout of modules may differ from this one's.
"""

from __future__ import annotations

import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Packages whose versions the machine description shows for each environment.
PACKAGES = (
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "jupyter_client",
    "duckdb",
    "pandas",
    "pyarrow",
    "scipy",
    "matplotlib",
)


@dataclass(frozen=True, slots=True)
class Side:
    """One checkout's environment: the interpreter and ``cvlib`` console script that run it."""

    name: str  # "this" or "against"
    python: Path
    cvlib: Path

    @classmethod
    def of_python(cls, name: str, python: Path) -> Side:
        """The side whose interpreter is ``python`` (its ``cvlib`` script beside it)."""
        script = python.parent / "cvlib"
        if not script.is_file():
            raise SystemExit(f"{name}: no cvlib console script beside {python}")
        return cls(name, python, script)

    @classmethod
    def of_checkout(cls, name: str, checkout: Path) -> Side:
        """The side of ``checkout``: ``checkout/.venv/bin/python`` and its ``cvlib``."""
        python = checkout / ".venv" / "bin" / "python"
        if not python.is_file():
            raise SystemExit(f"{name}: {python} is missing (make install in {checkout})")
        return cls.of_python(name, python)


def describe(side: Side) -> dict:
    """Where ``side``'s cvlib comes from: its package folder, version and git state.

    Runs ``import cvlib`` (the top-level package only) in ``side.python``.
    """
    code = "import cvlib, pathlib; print(pathlib.Path(cvlib.__file__).parent, cvlib.__version__)"
    # from a neutral folder: ``python -c`` puts the working directory first on sys.path, so
    # run from a checkout it would name that checkout's cvlib, not the side's
    out = subprocess.run(
        [str(side.python), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    ).stdout.rsplit(maxsplit=1)
    package = Path(out[0])
    git = ["git", "-C", str(package)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no", "--", "."],
        capture_output=True,
        text=True,
    )
    changed = len(dirty.stdout.splitlines()) if dirty.returncode == 0 else None
    return {
        "side": side.name,
        "python": str(side.python),
        "package": str(package),
        "version": out[1],
        "commit": head.stdout.strip() if head.returncode == 0 else "no git",
        "modified_files": changed,
    }


def state_line(info: dict) -> str:
    """One line naming a side's code: package folder, commit, modified files."""
    modified = info["modified_files"]
    dirty = "" if not modified else f", {modified} modified tracked files under the package"
    return (
        f"{info['side']}: {info['python']} -> cvlib {info['version']} from {info['package']} "
        f"(commit {info['commit']}{dirty})"
    )


def header_lines(before: list[dict], after: list[dict]) -> list[str]:
    """The report's first lines: the command, the code each side measured, and a warning
    for a side whose code changed during the run."""
    lines = [f"Command: `{shlex.join([sys.executable, *sys.argv])}`", ""]
    lines += [f"- {state_line(info)}" for info in before]
    for old, new in zip(before, after, strict=True):
        if old != new:
            lines.append(
                f"- WARNING, {new['side']}'s code changed during the run: {state_line(new)}"
            )
    return lines


def compile_package(side: Side, package: str) -> None:
    """Byte-compile ``package`` (a folder) with ``side.python``, as an installed package is.

    With ``PYTHONDONTWRITEBYTECODE`` set, an editable checkout would otherwise be
    compiled again in every process (each report kernel); compileall skips files
    whose cache is current, so calling this before every run is cheap.
    """
    subprocess.run([str(side.python), "-m", "compileall", "-q", package], check=True)


def _versions(python: Path) -> str:
    code = (
        "import importlib.metadata as m, platform\n"
        "out = ['Python ' + platform.python_version()]\n"
        f"for name in {PACKAGES!r}:\n"
        "    try:\n"
        "        out.append(f'{name} {m.version(name)}')\n"
        "    except m.PackageNotFoundError:\n"
        "        pass\n"
        "print(', '.join(out))"
    )
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def machine(sides: list[Side]) -> list[str]:
    """Markdown lines describing the machine and each side's interpreter and packages."""
    cpu, mem_kib = "unknown CPU", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        f"- machine: {platform.platform()}; nproc {usable} ({os.cpu_count()} CPUs), {cpu}; "
        f"{mem_kib / 1024**2:.1f} GiB RAM; load average {load()}",
    ]
    lines += [f"- {side.name}: {_versions(side.python)}" for side in sides]
    return lines


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def balanced_orders(k: int) -> list[list[int]]:
    """Orders of ``k`` modes in which each mode runs right after every other equally often.

    A run's time can depend on the run before it (after a big run the machine has
    just freed memory and worked its cores hard), so the modes are not always run in
    one order: this is a Williams design, whose ``k`` orders (``2k`` for odd ``k``) put
    every mode once after every other. Runs that are a multiple of its length are
    fully balanced; for two modes it is ABAB... alternating with BABA...

    >>> balanced_orders(4)
    [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]
    >>> balanced_orders(2)
    [[0, 1], [1, 0]]
    """
    first, low, high = [0], 1, k - 1
    while len(first) < k:
        first.append(low)
        low += 1
        if len(first) < k:
            first.append(high)
            high -= 1
    rows = [[(x + i) % k for x in first] for i in range(k)]
    if k % 2:
        rows += [list(reversed(row)) for row in rows]
    return rows


def paired_ratio(top: list[float], bottom: list[float]) -> float:
    """Median of the round-by-round ratios ``top[i] / bottom[i]`` (runs of the same round).

    >>> paired_ratio([2.0, 3.0, 4.0], [1.0, 2.0, 2.0])
    2.0
    """
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))
