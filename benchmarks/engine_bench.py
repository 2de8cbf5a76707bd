"""Event-scale benchmark: cvlib against DuckDB by hand and pandas, 1M to 100M events.

Run on demand, not by ``make test``::

    .venv/bin/python benchmarks/engine_bench.py --data /work/bench-data

and, to compare this checkout's cvlib with another checkout's in the same run (at 1M
events, a few minutes)::

    .venv/bin/python benchmarks/engine_bench.py --sizes 1M --runs 9 --against ../other-checkout

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
cvlib (against)
    With ``--against PATH``: the same process run by ``PATH/.venv/bin/python``, so
    with that checkout's cvlib, interleaved with the others.
duckdb
    The same aggregates written by hand, one DuckDB query per table: events
    (distinct users and adopters per window for the ten windows, overall and
    per segment, de-duplicated per window and user before counting), surveys
    (promoters, passives, detractors per window and segment) and accounts (at
    risk and churned per cutoff and segment). The floor.
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
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from _bench import Side, balanced_orders, describe, header_lines, machine, paired_ratio
from engine_shapes import SHAPES, SMALLER, write_shape

RELEASE = "2026.06"
RELEASED_ON = dt.date(2026, 6, 23)
TIMEZONE = "Europe/Berlin"  # the sample's
#: DuckDB's memory_limit for the hand-written queries (and cvlib's, where it takes one).
MEMORY_LIMIT = "2GB"
#: The sample's events (``cvlib sample DIR --events N``), relative to the workspace.
GLOB = "events/*/*.parquet"

# (id, feature, window days, target): ten adoption windows of release 2026.06.
ADOPTION = [
    ("B-categorize-14", "F-smart-categorize", 14, 0.30),
    ("B-categorize-30", "F-smart-categorize", 30, 0.30),
    ("B-categorize-90", "F-smart-categorize", 90, 0.30),
    ("B-shared-14", "F-shared-dashboards", 14, 0.25),
    ("B-shared-30", "F-shared-dashboards", 30, 0.25),
    ("B-shared-120", "F-shared-dashboards", 120, 0.25),
    ("B-vat-30", "F-vat-rules", 30, 0.10),
    ("B-vat-90", "F-vat-rules", 90, 0.10),
    ("B-audit-30", "F-audit-log", 30, 0.05),
    ("B-audit-90", "F-audit-log", 90, 0.05),
]
LABELS = {
    "cvlib": "cvlib",
    "cvlib-against": "cvlib (against)",
    "duckdb": "DuckDB by hand",
    "duckdb-join": "DuckDB range join",
    "pandas": "pandas per window",
    "pandas-user": "pandas per user",
}
NPS = ("B-shared-nps", "F-shared-dashboards", 30, 20)
CHURN = ("B-categorize-churn", "F-smart-categorize", 30, 0.03)


def hypotheses_yaml() -> str:
    lines = [
        "# Benchmark hypotheses (benchmarks/engine_bench.py): 10 adoption, 1 nps, 1 churn.",
        "hypotheses:",
    ]
    for hid, feature, days, target in ADOPTION:
        lines += [
            f"  - id: {hid}",
            f"    feature_id: {feature}",
            f"    statement: At least {target:.0%} of active users use {feature}"
            f" within {days} days.",
            "    metric: adoption",
            f"    target: {target}",
            f"    window_days: {days}",
        ]
    for (hid, feature, days, target), metric, text in (
        (NPS, "nps", f"NPS reaches {NPS[3]} in the {NPS[2]} days after the release."),
        (CHURN, "churn", f"{CHURN[2]}-day churn stays below {CHURN[3]:.0%}."),
    ):
        lines += [
            f"  - id: {hid}",
            f"    feature_id: {feature}",
            f"    statement: {text}",
            f"    metric: {metric}",
            f"    target: {target}",
            f"    window_days: {days}",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ windows (as cvlib.evaluate)
def _released_at():
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(RELEASED_ON, dt.time(0), ZoneInfo(TIMEZONE))


def adoption_windows():
    start = _released_at()
    return [
        (hid, start, start + dt.timedelta(days=days), feature) for hid, feature, days, _ in ADOPTION
    ]


def nps_windows():
    start = _released_at()
    days = dt.timedelta(days=NPS[2])
    return [(NPS[0], start, start + days), (NPS[0] + " before", start - days, start)]


def churn_cutoffs():
    days = CHURN[2]
    return [
        (CHURN[0], RELEASED_ON, RELEASED_ON + dt.timedelta(days=days)),
        (CHURN[0] + " before", RELEASED_ON - dt.timedelta(days=days), RELEASED_ON),
    ]


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00")


# ------------------------------------------------------------------ the three implementations
def run_cvlib(workspace: Path) -> dict:
    from cvlib import evaluate_release, load_workspace

    ws = load_workspace(workspace)
    evaluation = evaluate_release(ws, RELEASE)
    out = {}
    for h in evaluation.to_dict()["hypotheses"]:
        if h["metric"] == "adoption" or h["metric"] == "churn":
            n = h["n"]
            out[h["id"]] = [n, round(h["estimate"] * n)]
        elif h["metric"] == "nps":
            out[h["id"]] = [h["n"]]
        for s in h["segments"]:
            out[f"{h['id']}/{s['segment']}"] = [s["n"]]
    return out


def _events_per_user_sql(events: str, *, varies: bool = False) -> tuple[str, list]:
    """The events query: one row per user, then one count per window (all share the release start).

    Every adoption window of a release starts at the release, so a user is
    active in window k when their first event after the release is before its
    end, and an adopter when their first use of the feature is: one GROUP BY
    user (each user de-duplicated once) instead of one per window. A user's
    segment is that of their first event in the window; where the segment
    ``varies`` between a user's events, events sharing that first instant go
    to the smallest segment (cvlib's rule), else any event's segment is it.
    """
    windows = adoption_windows()
    if len({w[1] for w in windows}) != 1:
        raise ValueError("the per-user query needs windows that share their start")
    low = min(w[1] for w in windows)
    high = max(w[2] for w in windows)
    features = sorted({w[3] for w in windows})
    segment = "first(segment ORDER BY ts, segment)" if varies else "arg_min(segment, ts)"
    firsts = ", ".join(
        f"min(ts) FILTER (WHERE event = '{f}') AS f{i}" for i, f in enumerate(features)
    )
    counts = ", ".join(
        f"count(*) FILTER (WHERE first_ts < TIMESTAMPTZ '{_utc(stop)}'), "
        f"count(*) FILTER (WHERE f{features.index(f)} < TIMESTAMPTZ '{_utc(stop)}')"
        for _, _, stop, f in windows
    )
    sql = f"""
        WITH ev AS (
            SELECT "timestamp" AS ts, user_id, event, segment
            FROM read_parquet('{events}')
            WHERE "timestamp" >= TIMESTAMPTZ '{_utc(low)}'
              AND "timestamp" < TIMESTAMPTZ '{_utc(high)}'
        ),
        per_user AS (
            SELECT user_id, min(ts) AS first_ts, {segment} AS seg, {firsts}
            FROM ev GROUP BY user_id
        )
        SELECT seg, grouping(seg), {counts} FROM per_user GROUP BY ROLLUP (seg)
    """
    return sql, windows


def _events_join_sql(events: str, *, varies: bool = False) -> str:
    """The events query as a range join of events and windows, grouped by window and user."""
    windows = adoption_windows()
    segment = (
        "first(ev.segment ORDER BY ev.ts, ev.segment)" if varies else "arg_min(ev.segment, ev.ts)"
    )
    values = ", ".join(
        f"('{hid}', TIMESTAMPTZ '{_utc(a)}', TIMESTAMPTZ '{_utc(b)}', '{feature}')"
        for hid, a, b, feature in windows
    )
    low = min(w[1] for w in windows)
    high = max(w[2] for w in windows)
    return f"""
        WITH w(key, start_at, stop_at, feature) AS (VALUES {values}),
        ev AS (
            SELECT "timestamp" AS ts, user_id, event, segment
            FROM read_parquet('{events}')
            WHERE "timestamp" >= TIMESTAMPTZ '{_utc(low)}'
              AND "timestamp" < TIMESTAMPTZ '{_utc(high)}'
        ),
        per_user AS (  -- one row per window and user: de-duplicate before counting
            SELECT w.key, ev.user_id, {segment} AS seg,
                   bool_or(ev.event = w.feature) AS adopted
            FROM ev JOIN w ON ev.ts >= w.start_at AND ev.ts < w.stop_at
            GROUP BY w.key, ev.user_id
        )
        SELECT key, seg, count(*), count(*) FILTER (WHERE adopted), grouping(seg)
        FROM per_user GROUP BY GROUPING SETS ((key), (key, seg))
    """


def run_duckdb(
    workspace: Path, memory_limit: str, *, join: bool = False, glob: str = GLOB, varies=False
) -> dict:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    events = str(workspace / glob)
    out = {}
    if join:
        query = _events_join_sql(events, varies=varies)
        for key, seg, users, adopters, overall in con.execute(query).fetchall():
            out[key if overall else f"{key}/{seg}"] = [users, adopters] if overall else [users]
    else:
        sql, windows = _events_per_user_sql(events, varies=varies)
        for seg, overall, *counts in con.execute(sql).fetchall():
            for k, (hid, *_) in enumerate(windows):
                users, adopters = counts[2 * k], counts[2 * k + 1]
                if overall:
                    out[hid] = [users, adopters]
                elif users:
                    out[f"{hid}/{seg}"] = [users]

    nps = ", ".join(
        f"('{k}', TIMESTAMPTZ '{_utc(a)}', TIMESTAMPTZ '{_utc(b)}')" for k, a, b in nps_windows()
    )
    rows = con.execute(
        f"""
        WITH w(key, start_at, stop_at) AS (VALUES {nps}),
        s AS (SELECT CAST(submitted_at AS TIMESTAMPTZ) AS ts, score, segment, user_id, response_id
              FROM read_csv('{workspace / "surveys.csv"}', header = true)),
        latest AS (  -- each user's latest response in the window (ties: the greatest id)
            SELECT key, segment, score FROM s JOIN w ON s.ts >= w.start_at AND s.ts < w.stop_at
            QUALIFY row_number() OVER (PARTITION BY key, user_id
                                       ORDER BY ts DESC, response_id DESC) = 1
        )
        SELECT key, segment, count(*) FILTER (WHERE score >= 9),
               count(*) FILTER (WHERE score BETWEEN 7 AND 8), count(*) FILTER (WHERE score <= 6),
               grouping(segment)
        FROM latest GROUP BY GROUPING SETS ((key), (key, segment))
        """
    ).fetchall()
    for key, seg, p, pa, d, overall in rows:
        if key == NPS[0]:
            out[key if overall else f"{key}/{seg}"] = [p + pa + d]

    cut = ", ".join(f"('{k}', DATE '{a}', DATE '{b}')" for k, a, b in churn_cutoffs())
    rows = con.execute(
        f"""
        WITH c(key, cut_on, stop_on) AS (VALUES {cut}),
        a AS (SELECT CAST(started_on AS DATE) AS started, CAST(churned_on AS DATE) AS churned,
                     segment
              FROM read_csv('{workspace / "accounts.csv"}', header = true))
        SELECT key, segment, count(*), count(*) FILTER (WHERE churned < stop_on), grouping(segment)
        FROM a JOIN c ON a.started < c.cut_on AND (a.churned IS NULL OR a.churned >= c.cut_on)
        GROUP BY GROUPING SETS ((key), (key, segment))
        """
    ).fetchall()
    for key, seg, n, churned, overall in rows:
        if key == CHURN[0]:
            out[key if overall else f"{key}/{seg}"] = [n, churned] if overall else [n]
    return out


def run_pandas(workspace: Path, *, per_user: bool = False, varies: bool = False) -> dict:
    import pandas as pd

    windows = adoption_windows()
    low = pd.Timestamp(min(w[1] for w in windows)).tz_convert("UTC")
    high = pd.Timestamp(max(w[2] for w in windows)).tz_convert("UTC")
    ev = pd.read_parquet(
        workspace / "events",
        columns=["timestamp", "user_id", "event", "segment"],
        filters=[("timestamp", ">=", low), ("timestamp", "<", high)],
    )
    # "first" segment after the sort: that of the first event (of those sharing its instant, the
    # smallest segment, where the segment varies between a user's events)
    order = ["timestamp", "segment"] if varies else "timestamp"
    ev = ev.sort_values(order, kind="stable", ignore_index=True)
    out = {}
    if per_user:
        # the shape of the hand-written DuckDB query: one groupby per user, then counts
        users = ev.groupby("user_id", observed=True, sort=False).agg(
            first_ts=("timestamp", "min"), seg=("segment", "first")
        )
        for feature in sorted({w[3] for w in windows}):
            used = ev[ev["event"] == feature]
            users[feature] = used.groupby("user_id", observed=True, sort=False)["timestamp"].min()
        for hid, _, stop, feature in windows:
            active = users["first_ts"] < pd.Timestamp(stop)
            out[hid] = [int(active.sum()), int((users[feature] < pd.Timestamp(stop)).sum())]
            for seg, n in users.loc[active, "seg"].value_counts().items():
                out[f"{hid}/{seg}"] = [int(n)]
    else:
        # as an analyst writes it: for each hypothesis, its window's events grouped by user
        for hid, start, stop, feature in windows:
            sub = ev[
                (ev["timestamp"] >= pd.Timestamp(start)) & (ev["timestamp"] < pd.Timestamp(stop))
            ]
            users = (
                sub.assign(adopted=sub["event"] == feature)
                .groupby("user_id", observed=True, sort=False)
                .agg(seg=("segment", "first"), adopted=("adopted", "any"))
            )
            out[hid] = [len(users), int(users["adopted"].sum())]
            for seg, n in users.groupby("seg", observed=True).size().items():
                out[f"{hid}/{seg}"] = [int(n)]

    surveys = pd.read_csv(
        workspace / "surveys.csv",
        usecols=["response_id", "user_id", "submitted_at", "score", "segment"],
    )
    surveys["ts"] = pd.to_datetime(surveys["submitted_at"], utc=True)
    hid, start, stop = nps_windows()[0]
    inside = surveys[(surveys["ts"] >= pd.Timestamp(start)) & (surveys["ts"] < pd.Timestamp(stop))]
    # each user's latest response (ties: the greatest response_id)
    inside = inside.sort_values(["ts", "response_id"]).drop_duplicates("user_id", keep="last")
    out[hid] = [len(inside)]
    for seg, n in inside.groupby("segment").size().items():
        out[f"{hid}/{seg}"] = [int(n)]

    accounts = pd.read_csv(
        workspace / "accounts.csv", usecols=["started_on", "churned_on", "segment"]
    )
    started = pd.to_datetime(accounts["started_on"]).dt.date
    churned = pd.to_datetime(accounts["churned_on"]).dt.date
    hid, cut, stop = churn_cutoffs()[0]
    at_risk = (started < cut) & (churned.isna() | (churned >= cut))
    left = at_risk & churned.notna() & (churned < stop)
    out[hid] = [int(at_risk.sum()), int(left.sum())]
    for seg, n in accounts[at_risk].groupby("segment").size().items():
        out[f"{hid}/{seg}"] = [int(n)]
    return out


# ------------------------------------------------------------------ child process
def child(mode: str, workspace: Path, memory_limit: str, glob: str, varies: bool) -> None:
    import resource

    import duckdb  # noqa: F401  (imports are not timed)
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import scipy.stats  # noqa: F401  (the statistics cvlib runs on the aggregates)

    if mode == "cvlib":
        from cvlib import evaluate_release, load_workspace  # noqa: F401  (the top-level API only)

    start = time.perf_counter()
    if mode == "cvlib":
        result = run_cvlib(workspace)
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


def measure(mode: str, work: Workload, memory_limit: str, python: Path) -> dict:
    """One fresh process of ``mode`` run by ``python``; its time, peak RSS, counts, wall time."""
    workspace = work.workspace
    command = [str(python), __file__, "--child", mode, str(workspace), "--glob", work.glob]
    command += ["--memory-limit", memory_limit] + (["--varies"] if work.varies else [])
    started = time.perf_counter()
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
        print(f"{mode} ({python}) on {workspace} failed:\n{proc.stderr}", file=sys.stderr)
        return {"failed": last}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]), wall=wall)


# ------------------------------------------------------------------ driver
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
        default=MEMORY_LIMIT,
        help="DuckDB memory_limit of the hand-written queries",
    )
    parser.add_argument(
        "--modes",
        default="cvlib,duckdb,pandas,pandas-user",
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
    for w in work:
        these = [m for m in modes if not (m.startswith("pandas") and w.events > pandas_max)]
        runs = {m: [] for m in these}
        orders = balanced_orders(len(these))
        for r in range(args.runs):
            for mode in (these[i] for i in orders[r % len(orders)]):
                child_mode = "cvlib" if mode == "cvlib-against" else mode
                run = measure(child_mode, w, args.memory_limit, python[mode])
                runs[mode].append(run)
                shown = run.get("failed") or (
                    f"{run['seconds']:.2f} s ({run['wall']:.2f} s process), {run['rss_mb']:.0f} MB"
                )
                print(f"{w.label} {mode} run {r + 1}: {shown}", file=sys.stderr, flush=True)
        reference = runs["duckdb"][0].get("result")
        row = {"label": w.label, "events": w.events, "smaller": w.smaller}
        for mode in these:
            ok = [run for run in runs[mode] if "failed" not in run]
            if len(ok) < len(runs[mode]):
                row[mode] = None
                row[mode + "_failed"] = next(run["failed"] for run in runs[mode] if "failed" in run)
                continue
            for run in ok:
                if reference is not None and run["result"] != reference:
                    diff = {
                        k: (run["result"].get(k), reference.get(k))
                        for k in sorted(set(run["result"]) | set(reference))
                        if run["result"].get(k) != reference.get(k)
                    }
                    raise SystemExit(f"{w.label}: {mode} disagrees with duckdb: {diff}")
            row[mode] = statistics.median(run["seconds"] for run in ok)
            row[mode + "_wall"] = statistics.median(run["wall"] for run in ok)
            row[mode + "_rss"] = max(run["rss_mb"] for run in ok)
            row[mode + "_runs"] = [run["seconds"] for run in ok]
            row[mode + "_walls"] = [run["wall"] for run in ok]
        rows.append(row)
    after = [describe(side) for side in sides]
    lines = header_lines(before, after)
    lines += [f"- total time {(time.perf_counter() - started) / 60:.1f} min", ""]
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
        + (" | cvlib / cvlib (against) | per-round ratio (median)" if against else "")
        + "".join(f" | {LABELS[m]} / cvlib" for m in pandas_modes)
        + " |",
        "|---:|" + "---:|---:|" * len(modes) + "---:|" * (1 + 2 * against + len(pandas_modes)),
    ]
    for row in rows:
        cells = [row["label"]]
        for m in modes:
            cells += [
                cell(row, m),
                cell(row, m + "_rss", "{:.0f}") if row.get(m) is not None else "",
            ]
        cells.append(ratio(row, "cvlib", "duckdb"))
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
        + (" | cvlib / cvlib (against) | per-round ratio (median)" if against else "")
        + " |",
        "|---:|" + "---:|" * (len(modes) + 2 * against),
    ]
    for row in rows:
        cells = [row["label"]]
        cells += [cell(row, m + "_wall") if row.get(m) is not None else cell(row, m) for m in modes]
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
