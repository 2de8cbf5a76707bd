"""Report benchmark: the ``cvlib report`` command a user runs, each run a fresh process.

Run on demand, not by ``make test``::

    .venv/bin/python benchmarks/report_bench.py [--data data/sample] [--release 2026.02]
        [--runs 9] [--jobs-runs 4] [--only one-release,jobs,rerun] [--against ../other-checkout]

This side is the interpreter that runs the script and the ``cvlib`` console script
beside it. Every figure is the wall time of one fresh process, as the user's shell
sees it (interpreter start, imports, kernels, HTML, index):

floor
    ``python -c``: papermill runs a one-cell notebook (with the report's kernel
    settings: IPC sockets, 1 s to exit) and nbconvert exports it to HTML. The
    least a report can cost on this machine.
one release
    ``cvlib report WS --out DIR --release R --force``: the release's notebook, its
    HTML and the index; shown beside the floor of the same environment.
all releases, ``--jobs 1`` and ``--jobs 2``
    ``cvlib report WS --out DIR --jobs N`` into an empty ``DIR`` (``--jobs-runs`` runs).
re-run, nothing changed
    ``cvlib report WS --out DIR`` on a folder whose reports are current (built once
    before, untimed); a run that rewrote a release's files is flagged.

With ``--against PATH`` the same commands also run with ``PATH/.venv/bin/cvlib``
(and its python for the floor), interleaved with this side's runs in balanced
orders (ABAB... with BABA... for two commands; see ``_bench.balanced_orders``), so
that the machine's drift falls on both alike; the table shows both medians, the
ratio this/against of the medians and the median of the per-round ratios.

The workspace is copied into a temporary folder first (nothing edits it during the
run), both sides read that copy, and each side's cvlib package is byte-compiled
before each round, as an installed package is. The script uses nothing of cvlib's
but its console script and ``import cvlib`` (to name the code measured): it runs
against checkouts of any layout. It prints a Markdown table, every run's time and
the machine.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _bench import (
    Side,
    balanced_orders,
    compile_package,
    describe,
    header_lines,
    load,
    machine,
    paired_ratio,
)

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("one-release", "jobs", "rerun")

# one fresh process: papermill runs a notebook with the report's kernel settings
# (IPC sockets, 1 s to exit after the shutdown request), nbconvert renders it
FLOOR = """
import os, sys, tempfile
from pathlib import Path
import papermill
from nbconvert import HTMLExporter
from traitlets.config import Config
notebook, out = sys.argv[1], Path(sys.argv[2])
with tempfile.TemporaryDirectory(prefix="floor-kernel-") as sockets:
    kernel = {"transport": "ipc", "ip": os.path.join(sockets, "kernel"), "shutdown_wait_time": 1.0}
    papermill.execute_notebook(
        notebook, str(out / "floor.ipynb"), parameters={"x": 2}, kernel_name="python3",
        progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        config=Config({"KernelManager": kernel}),
    )
html, _ = HTMLExporter(embed_images=True).from_filename(str(out / "floor.ipynb"))
(out / "floor.html").write_text(html, encoding="utf-8")
"""


def floor_notebook() -> dict:
    """A notebook whose only cell is a ``parameters`` cell (nbformat 4.5)."""
    cell = {
        "cell_type": "code",
        "id": "parameters",
        "metadata": {"tags": ["parameters"]},
        "execution_count": None,
        "outputs": [],
        "source": ["x: int = 1  # parameter"],
    }
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {
        "cells": [cell],
        "metadata": {"kernelspec": kernelspec},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@dataclass
class Command:
    """One figure's command on one side: optional untimed setup, the timed process, a check."""

    figure: str
    side: Side
    argv: Callable[[], list[str]]
    setup: Callable[[], None] = lambda: None
    check: Callable[[], str | None] = lambda: None  # a flag to show, or None
    times: list[float] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def run_process(argv: list[str], cwd: Path) -> float:
    """Seconds of one process, which must exit 0."""
    started = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-30:])
        raise SystemExit(f"{shlex.join(argv)} exited {proc.returncode}:\n{tail}")
    return seconds


def release_files(out: Path) -> dict[str, int]:
    """Modification times of every file in the release folders of a report folder."""
    return {
        str(path.relative_to(out)): path.stat().st_mtime_ns
        for folder in out.iterdir()
        if (folder / "run.json").is_file()
        for path in folder.rglob("*")
        if path.is_file()
    }


def rounds(commands: list[Command], runs: int, cwd: Path, packages: dict[Side, str]) -> None:
    """Run ``commands`` ``runs`` times each, in balanced orders, appending to their times.

    Each round starts by byte-compiling every side's package (untimed).
    """
    orders = balanced_orders(len(commands))
    for r in range(runs):
        for side, package in packages.items():
            compile_package(side, package)
        order = [commands[i] for i in orders[r % len(orders)]]
        for command in order:
            command.setup()
            seconds = run_process(command.argv(), cwd)
            flag = command.check()
            command.times.append(seconds)
            command.flags.append(flag or "")
            shown = f"{seconds:.2f} s" + (f" ({flag})" if flag else "")
            print(
                f"round {r + 1}/{runs}: {command.figure}, {command.side.name}: {shown}",
                file=sys.stderr,
                flush=True,
            )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "sample", help="workspace")
    parser.add_argument("--release", default="2026.02", help="the one-release figure's release")
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (default 9)")
    parser.add_argument(
        "--jobs-runs",
        type=int,
        default=4,
        help="runs of the all-releases commands (default 4: one balanced cycle of their 4 orders)",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="comma-separated parts to run, of " + ", ".join(PARTS) + " (default: all)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="PATH",
        help="another checkout, run with PATH/.venv/bin/cvlib, interleaved with this one",
    )
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(unknown)}; choose of {', '.join(PARTS)}")
    if args.runs < 1 or args.jobs_runs < 1:
        parser.error("--runs and --jobs-runs must be >= 1")

    sides = [Side.of_python("this", Path(sys.executable))]
    if args.against:
        sides.append(Side.of_checkout("against", args.against.resolve()))
    before = [describe(side) for side in sides]
    packages = {side: info["package"] for side, info in zip(sides, before, strict=True)}
    load_before = load()
    started = time.perf_counter()
    commands: list[Command] = []
    with tempfile.TemporaryDirectory(prefix="cvlib-report-bench-") as tmp_name:
        tmp = Path(tmp_name)
        ws = tmp / "workspace"
        shutil.copytree(args.data, ws)
        floor_nb = tmp / "floor.ipynb"
        floor_nb.write_text(json.dumps(floor_notebook(), indent=1), encoding="utf-8")

        def report(side: Side, out: Path, *extra: str) -> list[str]:
            return [str(side.cvlib), "report", str(ws), "--out", str(out), *extra]

        def floor_argv(side: Side) -> Callable[[], list[str]]:
            return lambda: [
                str(side.python),
                "-c",
                FLOOR,
                str(floor_nb),
                tempfile.mkdtemp(dir=tmp),
            ]

        if "one-release" in parts:
            one = []
            for side in sides:
                out = tmp / side.name / "one"
                argv = report(side, out, "--release", args.release, "--force")
                one.append(Command("floor", side, floor_argv(side)))
                one.append(Command("one release", side, lambda argv=argv: argv))
            print("warm-up: one untimed run of each command", file=sys.stderr, flush=True)
            rounds([Command(c.figure, c.side, c.argv) for c in one], 1, tmp, packages)
            rounds(one, args.runs, tmp, packages)
            commands += one

        if "jobs" in parts:
            jobs = []
            for n in (1, 2):
                for side in sides:
                    out = tmp / side.name / f"jobs{n}"
                    jobs.append(
                        Command(
                            f"all releases, --jobs {n}",
                            side,
                            lambda side=side, out=out, n=n: report(side, out, "--jobs", str(n)),
                            setup=lambda out=out: shutil.rmtree(out, ignore_errors=True),
                        )
                    )
            rounds(jobs, args.jobs_runs, tmp, packages)
            commands += jobs

        if "rerun" in parts:
            rerun = []
            for side in sides:
                out = tmp / side.name / "rerun"
                print(f"building {out} (untimed)", file=sys.stderr, flush=True)
                run_process(report(side, out, "--jobs", "2"), tmp)
                current = release_files(out)

                def unchanged(out=out, current=current) -> str | None:
                    now = release_files(out)
                    changed = sorted(
                        k for k in now.keys() | current.keys() if now.get(k) != current.get(k)
                    )
                    current.clear()
                    current.update(now)
                    return f"rewrote {len(changed)} release files" if changed else None

                rerun.append(
                    Command(
                        "re-run, nothing changed",
                        side,
                        lambda side=side, out=out: report(side, out),
                        check=unchanged,
                    )
                )
            rounds(rerun, args.runs, tmp, packages)
            commands += rerun

    after = [describe(side) for side in sides]
    print(
        table(commands, [s.name for s in sides], before, after, args, time.perf_counter() - started)
    )
    print("\n".join(machine(sides)))
    print(f"- load average: {load_before} at the start, {load()} at the end")
    return 0


def table(commands, names, before, after, args, wall) -> str:
    """The Markdown report: the code measured, the table of medians, every run."""
    lines = header_lines(before, after)
    lines += [f"- workspace: a copy of {args.data.resolve()}; total time {wall / 60:.1f} min", ""]

    figures = list(dict.fromkeys(c.figure for c in commands))
    by = {(c.figure, c.side.name): c for c in commands}
    median = {key: statistics.median(c.times) for key, c in by.items()}
    header = ["figure", "runs", *(f"{name} (s)" for name in names)]
    if len(names) == 2:
        header += ["this / against", "per-round ratio (median)"]
    header.append("note")
    lines += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 2) + "---|"]
    for figure in figures:
        cells = [figure, str(len(by[figure, names[0]].times))]
        cells += [f"{median[figure, name]:.2f}" for name in names]
        if len(names) == 2:
            this, against = by[figure, "this"].times, by[figure, "against"].times
            cells += [
                f"{median[figure, 'this'] / median[figure, 'against']:.3f}",
                f"{paired_ratio(this, against):.3f}",
            ]
        cells.append(_note(figure, names, median, by))
        lines.append("| " + " | ".join(cells) + " |")

    lines += ["", "Every run, in the order run within its figure (seconds):", ""]
    for c in commands:
        shown = ", ".join(
            f"{t:.2f}" + (f" ({f})" if f else "") for t, f in zip(c.times, c.flags, strict=True)
        )
        lines.append(f"- {c.figure}, {c.side.name}: {shown}")
    return "\n".join(lines) + "\n"


def _note(figure: str, names: list[str], median: dict, by: dict) -> str:
    if figure == "one release" and all(("floor", n) in median for n in names):
        return "; ".join(
            f"{n}: {median[figure, n] / median['floor', n]:.2f}x its floor" for n in names
        )
    if figure == "all releases, --jobs 2" and all(
        ("all releases, --jobs 1", n) in median for n in names
    ):
        return "; ".join(
            f"{n}: --jobs 2 {median['all releases, --jobs 1', n] / median[figure, n]:.2f}x "
            "faster than --jobs 1"
            for n in names
        )
    if figure.startswith("re-run"):
        flagged = {n: sum(bool(f) for f in by[figure, n].flags) for n in names}
        rebuilt = [f"{n}: {k} runs rewrote files" for n, k in flagged.items() if k]
        return "; ".join(rebuilt) or "no run rewrote a release's files"
    return ""


if __name__ == "__main__":
    sys.exit(main())
