"""Report performance figures (run on demand; not a timed test).

    .venv/bin/python benchmarks/report_bench.py [--data data/sample] [--release 2026.02] [--repeat 3] [--jobs-repeat 3]

Prints, as a Markdown table for the README:

1. floor: papermill + HTML export of a one-cell notebook in a fresh process;
2. one release report end to end (notebook run + HTML) in a fresh process, by the
   same harness, and its ratio to the floor (goal: within 2x); beside it, by the
   same harness, the floor notebook with one more cell that only imports what the
   report's cells import (pandas, DuckDB, scipy.special, matplotlib, cvlib): the part
   of the report that is imports, not work;
3. every release with ``--jobs 1`` and ``--jobs 2``, ``--jobs-repeat`` pairs (goal: 2 jobs
   at least 1.5x faster);
4. a re-run with nothing changed (goal: under 2 s).

Figures are medians of ``--repeat`` runs on this machine, in this run; every run's time
is printed below the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# one fresh process: run a notebook with the report machinery and render it
HARNESS = """
import json, sys
from pathlib import Path
from cvlib.report import _execute, export_html
notebook, out, params, cwd = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
_execute(Path(notebook), out / "nb.ipynb", params, cwd)
(out / "nb.html").write_text(export_html(out / "nb.ipynb", title="benchmark"), encoding="utf-8")
"""


def _timed(cmd, **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data" / "sample"))
    parser.add_argument("--release", default="2026.02")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs-repeat", type=int, default=3,
                        help="pairs of --jobs 1 and --jobs 2 runs (medians; each pair's ratio is shown)")
    args = parser.parse_args(argv)
    data = str(Path(args.data).resolve())
    python = sys.executable
    # cvlib compiled as an installed package is (make install does the same): with
    # PYTHONDONTWRITEBYTECODE set, an editable checkout would be compiled in every kernel
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "cvlib")], check=True)
    rows = []
    raw = {}
    with tempfile.TemporaryDirectory(prefix="cvlib-bench-") as tmp:
        tmp = Path(tmp)
        import nbformat

        floor_nb = tmp / "floor.ipynb"
        cell = nbformat.v4.new_code_cell('x: int = 1  # parameter')
        cell.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[cell])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, floor_nb)

        imports_nb = tmp / "imports.ipynb"
        nb.cells.append(nbformat.v4.new_code_cell(
            "import duckdb, matplotlib.backends.backend_agg, matplotlib.figure, "
            "pandas, scipy.special, yaml\n"
            "from IPython.display import display\n"
            "import cvlib, cvlib.aggregate, cvlib.evaluate, cvlib.plots, cvlib.present, cvlib.report"
        ))
        nbformat.write(nb, imports_nb)

        def run(notebook, params) -> float:
            """One fresh process of the harness on ``notebook``."""
            out = Path(tempfile.mkdtemp(dir=tmp))
            return _timed([python, "-c", HARNESS, str(notebook), str(out), json.dumps(params), str(NOTEBOOKS)])

        def release_params():
            return {"data_dir": data, "release_id": args.release, "out_dir": tempfile.mkdtemp(dir=tmp)}

        # interleaved, so that the machine's drift falls on all three alike
        times = {"floor": [], "imports": [], "one": []}
        for _ in range(args.repeat):
            times["floor"].append(run(floor_nb, {"x": 2}))
            times["imports"].append(run(imports_nb, {"x": 2}))
            times["one"].append(run(NOTEBOOKS / "release_report.ipynb", release_params()))
        t_floor, t_imports, t_one = (statistics.median(times[k]) for k in ("floor", "imports", "one"))
        raw.update(times)
        rows.append(("one-cell notebook, papermill + HTML (floor)", t_floor, ""))
        rows.append(("the floor plus a cell importing what the report imports", t_imports,
                     f"{t_imports / t_floor:.2f}x the floor"))
        rows.append((f"release {args.release} report, notebook + HTML", t_one,
                     f"{t_one / t_floor:.2f}x the floor (goal <= 2x)"))

        cvlib = [python, "-m", "cvlib", "report", data]

        def all_releases(jobs):
            out = tmp / f"jobs{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            started = time.perf_counter()
            subprocess.run([*cvlib, "--out", str(out), "--jobs", str(jobs)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)  # exit 1 (a failed release) still times the run
            return time.perf_counter() - started

        pairs = [(all_releases(1), all_releases(2)) for _ in range(args.jobs_repeat)]
        raw["jobs 1"], raw["jobs 2"] = [p[0] for p in pairs], [p[1] for p in pairs]
        t1 = statistics.median(p[0] for p in pairs)
        t2 = statistics.median(p[1] for p in pairs)
        each = ", ".join(f"{a / b:.2f}x" for a, b in pairs)
        rows.append(("all releases, --jobs 1", t1, ""))
        rows.append(("all releases, --jobs 2", t2, f"{t1 / t2:.2f}x faster (goal >= 1.5x); each pair: {each}"))

        def rerun():
            started = time.perf_counter()
            subprocess.run([*cvlib, "--out", str(tmp / "jobs2"), "--jobs", "2"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            return time.perf_counter() - started

        raw["re-run"] = [rerun() for _ in range(args.repeat)]
        t_rerun = statistics.median(raw["re-run"])
        rows.append(("re-run, nothing changed", t_rerun, "goal < 2 s"))

    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}\n")
    print("| run | seconds | note |\n|---|---:|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.1f} | {note} |")
    print("\nEvery run, in the order run (seconds):")
    for name, runs in raw.items():
        print(f"- {name}: {', '.join(f'{t:.2f}' for t in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
