"""What each part of a fast ``cvlib report`` buys: the whole command with one part turned off.

Run on demand, not by ``make test``::

    .venv/bin/python benchmarks/report_ablate.py [--data data/sample] [--release 2026.02]
        [--runs 9] [--jobs-runs 5] [--only one-release,jobs]

Each variant runs this checkout's ``cvlib report`` whole, as a fresh process, with
one part of what makes it fast turned off in every process of the run (the
command, its workers and their kernels): a ``sitecustomize`` module on
``PYTHONPATH`` replaces one name of cvlib right after its module is imported.
cvlib itself has no switch for any of them. The variants:

as shipped
    Nothing replaced (the same ``PYTHONPATH`` route, to an empty module).
a forker per worker
    The run starts no shared kernel forker: each worker starts one of its own
    (``cvlib.report.pool.Forker`` does nothing).
no forker
    No forker at all: every kernel is an interpreter of its own that imports
    ``cvlib.report.kernel.WARM_MODULES`` as it starts (a warm kernel).
no later imports
    ``cvlib.report.kernel.LATER_MODULES`` is empty: every kernel imports
    scipy.stats itself (matters from two releases on).
no kernel ahead
    A worker starts the next release's kernel only when that release arrives,
    not as soon as the previous notebook has run (matters from two releases on).
exporter and index imports inline
    The command's process builds its nbconvert exporter and imports what the
    index needs when the first page is rendered, not while the releases build.

Figures: one release (``--release R --force``) for "as shipped", "no forker" and
"exporter and index imports inline", and all releases into an empty folder with
``--jobs 1`` and ``--jobs 2`` for all but the last. Runs are interleaved in
balanced orders; the table shows medians and each variant's per-round ratio to
"as shipped".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _bench import Side, describe, header_lines, load, machine, paired_ratio
from report_bench import Command, rounds

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("one-release", "jobs")

#: The sitecustomize module of every variant: ``PATCHES`` maps a module name to code run in
#: that module's namespace right after the module is executed.
SITECUSTOMIZE = """
import importlib.abc, importlib.util, sys

PATCHES = {patches!r}


class _Patcher(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            exec(PATCHES[name], module.__dict__)

        spec.loader.exec_module = exec_module
        return spec


if PATCHES:
    sys.meta_path.insert(0, _Patcher())
"""

#: A stand-in for the kernel forker: no forker process, nothing to fork from.
_NO_FORKER = """
class _NoForker:
    address = None
    alive = True
    def __init__(self, *args, **kwargs): pass
    def prepare_later(self): pass
    def close(self): pass
"""

VARIANTS = {
    "as shipped": {},
    "a forker per worker": {"cvlib.report.pool": _NO_FORKER + "Forker = _NoForker"},
    "no forker": {
        "cvlib.report.pool": _NO_FORKER + "Forker = _NoForker",
        "cvlib.report.worker": (
            _NO_FORKER + "Forker = ForkerClient = _NoForker\n"
            "_Kernel = Kernel\n"
            "def Kernel(cwd, *, warm=True, forker=None):\n"
            "    return _Kernel(cwd, warm=warm)"
        ),
    },
    "no later imports": {"cvlib.report.kernel": "LATER_MODULES = ()"},
    "no kernel ahead": {
        "cvlib.report.worker": (
            "_build = Worker.build\n"
            "def _no_ahead(self, spec):\n"
            "    return _build(self, dict(spec, next=False))\n"
            "Worker.build = _no_ahead"
        )
    },
    "exporter and index imports inline": {"cvlib.report.runner": "def _prepare_index(): pass"},
}
ONE_RELEASE = ["as shipped", "no forker", "exporter and index imports inline"]
JOBS = ["as shipped", "a forker per worker", "no forker", "no later imports", "no kernel ahead"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample", help="workspace")
    parser.add_argument("--release", default="2026.02", help="the one-release figure's release")
    parser.add_argument("--runs", type=int, default=9, help="runs of each one-release variant")
    parser.add_argument("--jobs-runs", type=int, default=5, help="runs of each all-releases one")
    parser.add_argument("--only", default=",".join(PARTS), help="of " + ", ".join(PARTS))
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    if set(parts) - set(PARTS):
        parser.error(f"--only: choose of {', '.join(PARTS)}")

    side = Side.of_python("this", Path(sys.executable))
    before = [describe(side)]
    packages = {side: before[0]["package"]}
    load_before, started = load(), time.perf_counter()
    commands: list[Command] = []
    with tempfile.TemporaryDirectory(prefix="cvlib-report-ablate-") as tmp_name:
        tmp = Path(tmp_name)
        ws = tmp / "workspace"
        shutil.copytree(args.data, ws)
        paths = {}
        for i, (name, patches) in enumerate(VARIANTS.items()):
            paths[name] = tmp / f"site-{i}"
            paths[name].mkdir()
            text = SITECUSTOMIZE.format(patches=patches)
            (paths[name] / "sitecustomize.py").write_text(text, encoding="utf-8")

        def command(figure, variant, out, *extra, fresh=False):
            argv = ["env", f"PYTHONPATH={paths[variant]}", str(side.cvlib), "report", str(ws)]
            argv += ["--out", str(out), *extra]
            setup = (lambda: shutil.rmtree(out, ignore_errors=True)) if fresh else (lambda: None)
            return Command(f"{figure} | {variant}", side, lambda: argv, setup=setup)

        if "one-release" in parts:
            one = [
                command("one release", v, tmp / f"one-{i}", "--release", args.release, "--force")
                for i, v in enumerate(ONE_RELEASE)
            ]
            rounds([Command(c.figure, side, c.argv) for c in one], 1, tmp, packages)  # warm-up
            rounds(one, args.runs, tmp, packages)
            commands += one
        if "jobs" in parts:
            jobs = [
                command(
                    f"all releases, --jobs {n}",
                    v,
                    tmp / f"jobs{n}-{i}",
                    "--jobs",
                    str(n),
                    fresh=True,
                )
                for n in (1, 2)
                for i, v in enumerate(JOBS)
            ]
            rounds(jobs, args.jobs_runs, tmp, packages)
            commands += jobs
    print(table(commands, before, args, time.perf_counter() - started))
    print("\n".join(machine([side])))
    print(f"- load average: {load_before} at the start, {load()} at the end")
    return 0


def table(commands: list[Command], before, args, wall) -> str:
    lines = header_lines(before, before)
    lines += [f"- workspace: a copy of {args.data.resolve()}; total time {wall / 60:.1f} min", ""]
    lines += [
        "| figure | variant | runs | median (s) | per-round ratio to as shipped (median) |",
        "|---|---|---:|---:|---:|",
    ]
    shipped = {c.figure.split(" | ")[0]: c for c in commands if c.figure.endswith("as shipped")}
    for c in commands:
        figure, variant = c.figure.split(" | ")
        base = shipped[figure]
        ratio = "" if c is base else f"{paired_ratio(c.times, base.times):.3f}"
        median = statistics.median(c.times)
        lines.append(f"| {figure} | {variant} | {len(c.times)} | {median:.2f} | {ratio} |")
    lines += ["", "Every run (seconds):", ""]
    lines += [f"- {c.figure}: " + ", ".join(f"{t:.2f}" for t in c.times) for c in commands]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
