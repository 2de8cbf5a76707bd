"""Event-scale benchmark: cvlib against DuckDB by hand and pandas, 1M to 100M events.

Run on demand, not by ``make test``::

    .venv/bin/python benchmarks/engine_bench.py --data /work/bench-data

and, to compare this checkout's cvlib with another checkout's in the same run (at 1M
events, a few minutes)::

    .venv/bin/python benchmarks/engine_bench.py --sizes 1M --runs 9 --against ../other-checkout

With ``--shapes`` it also measures workspaces unlike the sample
(``engine_shapes.py``: 1M to 10M users whose segment varies between their
events, unpartitioned or day- or month-partitioned events, 50k surveys and
100k accounts), written by DuckDB once and kept.

For each size it writes (once; kept for later runs) the large sample workspace
``cvlib sample DATA/events-N --events N`` and replaces its ``hypotheses.yaml``
with the benchmark's: release 2026.06 with ten adoption hypotheses (four
features, windows of 14 to 120 days), one NPS and one churn hypothesis. Then it
measures, each in a fresh process (the time after imports; peak RSS from
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` in that process):

cvlib
    ``load_workspace`` + ``evaluate_release(ws, "2026.06")``: validation of
    every source included, as a user runs it. The process imports only the
    top-level API (``from cvlib import load_workspace, evaluate_release``) and
    the libraries cvlib computes with (DuckDB, pandas, pyarrow, scipy.stats)
    before the clock starts, so it runs against any layout of cvlib's modules;
    the modules cvlib imports on first use are in the time.
    Every file is checked (``CVLIB_CACHE_DIR=off``): the first load of these files.
cvlib, files checked before (``cvlib-seen``)
    The same, on files whose checks an earlier load remembered
    (``cvlib.engine.checked``; one untimed run first, in a folder of the
    benchmark's own): a workspace loaded again, as every kernel of
    ``cvlib report`` and every re-run of a notebook loads it.
cvlib (against)
    With ``--against PATH``: the same process run by ``PATH/.venv/bin/python``, so
    with that checkout's cvlib, interleaved with the others.
duckdb
    The same aggregates written by hand, one DuckDB query per table: events
    (distinct users and adopters per window for the ten windows, overall and
    per segment, de-duplicated per window and user before counting), surveys
    (promoters, passives, detractors per window and segment, each user's latest
    response) and accounts (at risk and churned per cutoff and segment), the
    windows and cutoffs of cvlib's time series included. The floor.
pandas
    ``pandas.read_parquet`` of the four needed columns (row groups outside the
    windows skipped by a filter), then a groupby per window; surveys and
    accounts from their CSV.

Measurements are interleaved and repeated ``--runs`` times, in orders that put
every mode right after every other equally often (see ``_bench.balanced_orders``:
a run's time depends on the run before it); the table shows the median time and
the largest peak RSS, and a second table the wall time of the whole process
(interpreter start and imports included), as the parent sees it. Every mode must
agree with DuckDB by hand on every count, or the run fails. The files are read from
the page cache after the first round (warm runs). Ratios compare times of the same
invocation only; the per-round ratio is the median of the ratios of runs of the
same round.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from _bench import Side, balanced_orders, describe, header_lines, machine, paired_ratio
from engine_modes import (
    GLOB,
    cvlib_history,
    hypotheses_yaml,
    run_cvlib,
    run_duckdb,
    run_pandas,
)
from engine_shapes import SHAPES, SMALLER, write_shape

LABELS = {
    "cvlib": "cvlib",
    "cvlib-against": "cvlib (against)",
    "cvlib-seen": "cvlib, files checked before",
    "duckdb": "DuckDB by hand",
    "duckdb-join": "DuckDB range join",
    "pandas": "pandas per window",
    "pandas-user": "pandas per user",
}


# ------------------------------------------------------------------ child process
def child(mode: str, workspace: Path, memory_limit: str, glob: str, varies: bool) -> None:
    import resource

    import duckdb  # noqa: F401  (imports are not timed)
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import scipy.stats  # noqa: F401  (the statistics cvlib runs on the aggregates)

    if mode.startswith("cvlib"):
        from cvlib import evaluate_release, load_workspace  # noqa: F401  (the top-level API only)

    start = time.perf_counter()
    if mode in ("cvlib", "cvlib-seen"):
        result = run_cvlib(workspace)
    elif mode == "cvlib-history":
        result = cvlib_history(workspace)
    elif mode in ("duckdb", "duckdb-join"):
        result = run_duckdb(
            workspace, memory_limit, join=mode == "duckdb-join", glob=glob, varies=varies
        )
    elif mode in ("pandas", "pandas-user"):
        result = run_pandas(workspace, per_user=mode == "pandas-user", varies=varies)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "result": result}))


def measure(mode: str, work: Workload, memory_limit: str, python: Path, seen: Path) -> dict:
    """One fresh process of ``mode`` run by ``python``; its time, peak RSS, counts, wall time.

    cvlib checks every file (``CVLIB_CACHE_DIR=off``: nothing remembered), except in mode
    ``cvlib-seen``, which remembers in ``seen``, where an earlier run of it left the checks
    of these files (``cvlib.engine.checked``).
    """
    workspace = work.workspace
    command = [str(python), __file__, "--child", mode, str(workspace), "--glob", work.glob]
    command += ["--memory-limit", memory_limit] + (["--varies"] if work.varies else [])
    env = dict(
        os.environ,
        CVLIB_CACHE_DIR=str(seen) if mode == "cvlib-seen" else "off",
        CVLIB_DUCKDB_MEMORY_LIMIT=memory_limit,
    )
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"{mode} ({python}) on {workspace} failed:\n{proc.stderr}", file=sys.stderr)
        return {"failed": last}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]), wall=wall)


# ------------------------------------------------------------------ driver
def _agree(label: str, mode: str, result: dict | None, reference: dict | None) -> None:
    """Stop the run unless ``result`` has the floor's counts: the time series' (keys with
    ``@``) for cvlib-history, the others for cvlib, all of them for the other modes."""
    if reference is None:
        return
    if mode.startswith("cvlib"):
        history = mode == "cvlib-history"
        reference = {k: v for k, v in reference.items() if ("@" in k) == history}
    result = result or {}
    if result != reference:
        diff = {
            k: (result.get(k), reference.get(k))
            for k in sorted(set(result) | set(reference))
            if result.get(k) != reference.get(k)
        }
        raise SystemExit(f"{label}: {mode} disagrees with duckdb: {diff}")


@dataclass(frozen=True, slots=True)
class Workload:
    """A workspace to measure: its label in the tables, events, glob of the events' files,
    whether a user's segment varies between their events, and the label it grows from."""

    label: str
    events: int
    workspace: Path
    glob: str = GLOB
    varies: bool = False
    smaller: str | None = None


def prepare(data: Path, n: int) -> Path:
    workspace = data / f"events-{n}"
    if not (workspace / "workspace.yaml").exists():
        print(f"writing {workspace} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cvlib", "sample", str(workspace), "--events", str(n)],
            stdout=sys.stderr,  # the Markdown on stdout stays clean
            check=True,
        )
        print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    (workspace / "hypotheses.yaml").write_text(hypotheses_yaml(), encoding="utf-8")
    return workspace


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def _size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("KMG")) * scale)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path("/work/bench-data"), help="where the workspaces go"
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="event counts of the sample, such as 1M or 1000000 (default 1M,10M,100M, "
        "none with --shapes)",
    )
    parser.add_argument(
        "--shapes",
        default="",
        help="workspaces unlike the sample (engine_shapes.py), of " + ", ".join(SHAPES),
    )
    parser.add_argument(
        "--runs", "--repeat", type=int, default=3, help="runs per measurement (median time)"
    )
    parser.add_argument("--pandas-up-to", default="100M", help="skip pandas above this many events")
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB's memory_limit, of every mode (cvlib: CVLIB_DUCKDB_MEMORY_LIMIT); "
        "default: cvlib's default on this machine (cvlib.engine.database.default_memory_limit)",
    )
    parser.add_argument(
        "--modes",
        default="cvlib,cvlib-seen,duckdb,pandas,pandas-user",
        help="what to measure, of "
        + ", ".join(m for m in LABELS if m != "cvlib-against")
        + " (default: all but duckdb-join; duckdb is always run, as the reference counts)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="PATH",
        help="another checkout: its cvlib (PATH/.venv/bin/python) runs too, interleaved",
    )
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "WORKSPACE"), help=argparse.SUPPRESS)
    parser.add_argument("--glob", default=GLOB, help=argparse.SUPPRESS)
    parser.add_argument("--varies", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_limit is None:
        from cvlib.engine.database import default_memory_limit

        args.memory_limit = default_memory_limit()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.memory_limit, args.glob, args.varies)
        return 0

    sizes = args.sizes if args.sizes is not None else "" if args.shapes else "1M,10M,100M"
    shapes = [s for s in args.shapes.split(",") if s]
    if set(shapes) - set(SHAPES):
        parser.error(f"--shapes: unknown {', '.join(sorted(set(shapes) - set(SHAPES)))}")
    counts = [_size(n) for n in sizes.split(",") if n]
    work = [Workload(_label(n), n, prepare(args.data, n)) for n in counts]
    for i, n in enumerate(work[1:]):
        work[i + 1] = replace(n, smaller=work[i].label)
    for name in shapes:
        shape = SHAPES[name]
        workspace = args.data / name
        write_shape(workspace, shape, sys.executable)
        (workspace / "hypotheses.yaml").write_text(hypotheses_yaml(), encoding="utf-8")
        work.append(Workload(name, shape.events, workspace, shape.glob, True, SMALLER.get(name)))
    modes = [m for m in args.modes.split(",") if m != "cvlib-against"]
    unknown = sorted(set(modes) - set(LABELS))
    if unknown:
        parser.error(f"--modes: unknown {', '.join(unknown)}")
    if "duckdb" not in modes:
        modes.append("duckdb")
    sides = [Side.of_python("this", Path(sys.executable))]
    if args.against:
        sides.append(Side.of_checkout("against", args.against.resolve()))
        modes.insert(modes.index("cvlib") + 1 if "cvlib" in modes else 0, "cvlib-against")
    python = {m: sides[-1].python if m == "cvlib-against" else sides[0].python for m in modes}
    before = [describe(side) for side in sides]
    pandas_max = _size(args.pandas_up_to)
    rows = []
    started = time.perf_counter()
    seen = Path(tempfile.mkdtemp(prefix="engine-bench-checked-"))
    for w in work:
        these = [m for m in modes if not (m.startswith("pandas") and w.events > pandas_max)]
        runs = {m: [] for m in these}
        if "cvlib-seen" in these:  # the checks of these files, remembered once, not timed
            measure("cvlib-seen", w, args.memory_limit, python["cvlib-seen"], seen)
        orders = balanced_orders(len(these))
        for r in range(args.runs):
            for mode in (these[i] for i in orders[r % len(orders)]):
                child_mode = "cvlib" if mode == "cvlib-against" else mode
                run = measure(child_mode, w, args.memory_limit, python[mode], seen)
                runs[mode].append(run)
                shown = run.get("failed") or (
                    f"{run['seconds']:.2f} s ({run['wall']:.2f} s process), {run['rss_mb']:.0f} MB"
                )
                print(f"{w.label} {mode} run {r + 1}: {shown}", file=sys.stderr, flush=True)
        reference = runs["duckdb"][0].get("result")
        if "cvlib" in these and reference is not None:  # the series' counts, once, not timed
            history = measure("cvlib-history", w, args.memory_limit, sides[0].python, seen)
            runs["cvlib-history"] = [history]
        row = {"label": w.label, "events": w.events, "smaller": w.smaller}
        for mode in these:
            ok = [run for run in runs[mode] if "failed" not in run]
            if len(ok) < len(runs[mode]):
                row[mode] = None
                row[mode + "_failed"] = next(run["failed"] for run in runs[mode] if "failed" in run)
                continue
            for run in ok:
                _agree(w.label, mode, run["result"], reference)
            if mode == "cvlib":
                _agree(w.label, "cvlib-history", runs["cvlib-history"][0].get("result"), reference)
            row[mode] = statistics.median(run["seconds"] for run in ok)
            row[mode + "_wall"] = statistics.median(run["wall"] for run in ok)
            row[mode + "_rss"] = max(run["rss_mb"] for run in ok)
            row[mode + "_runs"] = [run["seconds"] for run in ok]
            row[mode + "_walls"] = [run["wall"] for run in ok]
        rows.append(row)
    shutil.rmtree(seen, ignore_errors=True)
    after = [describe(side) for side in sides]
    lines = header_lines(before, after)
    lines += [
        f"- total time {(time.perf_counter() - started) / 60:.1f} min; DuckDB memory_limit of "
        f"every mode {args.memory_limit}",
        "",
    ]
    lines += machine(sides)
    if args.json:
        args.json.write_text(json.dumps({"machine": lines, "rows": rows}, indent=2) + "\n")
    print("\n".join(lines) + "\n")
    print(report(rows, modes, args.runs))
    return 0


def report(rows: list[dict], modes: list[str], runs: int) -> str:
    """The Markdown tables: times and peak RSS, ratios of the same invocation, growth, every run."""

    def cell(row, mode, fmt="{:.2f}"):
        if row.get(mode) is None:
            return "failed" if mode + "_failed" in row else "not run"
        return fmt.format(row[mode])

    def ratio(row, top, bottom, suffix=""):
        if row.get(top) is None or row.get(bottom) is None:
            return ""
        return f"{row[top + suffix] / row[bottom + suffix]:.3f}"

    def paired(row, suffix):
        if row.get("cvlib") is None or row.get("cvlib-against") is None:
            return ""
        return f"{paired_ratio(row['cvlib' + suffix], row['cvlib-against' + suffix]):.3f}"

    against = "cvlib-against" in modes
    seen = "cvlib-seen" in modes
    pandas_modes = [m for m in modes if m.startswith("pandas")]
    lines = [
        (
            f"Median time of {runs} runs, each in a fresh process (after imports); "
            "peak RSS is the largest of the runs."
        ),
        "",
        "| events | "
        + " | ".join(f"{LABELS[m]} (s) | peak RSS (MB)" for m in modes)
        + " | cvlib / DuckDB"
        + (" | cvlib, files checked before / DuckDB" if seen else "")
        + (" | cvlib / cvlib (against) | per-round ratio (median)" if against else "")
        + "".join(f" | {LABELS[m]} / cvlib" for m in pandas_modes)
        + " |",
        "|---:|"
        + "---:|---:|" * len(modes)
        + "---:|" * (1 + seen + 2 * against + len(pandas_modes)),
    ]
    for row in rows:
        cells = [row["label"]]
        for m in modes:
            cells += [
                cell(row, m),
                cell(row, m + "_rss", "{:.0f}") if row.get(m) is not None else "",
            ]
        cells.append(ratio(row, "cvlib", "duckdb"))
        if seen:
            cells.append(ratio(row, "cvlib-seen", "duckdb"))
        if against:
            cells += [ratio(row, "cvlib", "cvlib-against"), paired(row, "_runs")]
        cells += [ratio(row, m, "cvlib") for m in pandas_modes]
        lines.append("| " + " | ".join(cells) + " |")

    lines += [
        "",
        "Whole process (interpreter start and imports included), median wall time in seconds:",
        "",
        "| events | "
        + " | ".join(LABELS[m] for m in modes)
        + " | cvlib / DuckDB"
        + (" | cvlib, files checked before / DuckDB" if seen else "")
        + (" | cvlib / cvlib (against) | per-round ratio (median)" if against else "")
        + " |",
        "|---:|" + "---:|" * (len(modes) + 1 + seen + 2 * against),
    ]
    for row in rows:
        cells = [row["label"]]
        cells += [cell(row, m + "_wall") if row.get(m) is not None else cell(row, m) for m in modes]
        cells.append(ratio(row, "cvlib", "duckdb", "_wall"))
        if seen:
            cells.append(ratio(row, "cvlib-seen", "duckdb", "_wall"))
        if against:
            cells += [ratio(row, "cvlib", "cvlib-against", "_wall"), paired(row, "_walls")]
        lines.append("| " + " | ".join(cells) + " |")

    by_label = {row["label"]: row for row in rows}
    grown = [(by_label[row["smaller"]], row) for row in rows if row.get("smaller") in by_label]
    if grown:
        lines += [
            "",
            "Growth: time of this workload divided by that of the smaller one (the previous size, "
            "or the 10M shape of the same layout).",
            "",
            "| events | from | × events | " + " | ".join(LABELS[m] for m in modes) + " |",
            "|---:|---:|---:|" + "---:|" * len(modes),
        ]
        for prev, row in grown:
            cells = [row["label"], prev["label"], f"{row['events'] / prev['events']:.0f}×"]
            cells += [_growth(prev, row, m) for m in modes]
            lines.append("| " + " | ".join(cells) + " |")

    lines += ["", "Every run in the order run, seconds after imports (whole process):", ""]
    for row in rows:
        for m in modes:
            if row.get(m) is not None:
                shown = ", ".join(
                    f"{t:.2f} ({w:.2f})"
                    for t, w in zip(row[m + "_runs"], row[m + "_walls"], strict=True)
                )
                lines.append(f"- {row['label']} {LABELS[m]}: {shown}")
    return "\n".join(lines)


def _growth(prev: dict, row: dict, mode: str) -> str:
    if prev.get(mode) is None or row.get(mode) is None:
        return ""
    return f"{row[mode] / prev[mode]:.1f}×"


if __name__ == "__main__":
    sys.exit(main())
