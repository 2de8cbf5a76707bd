"""The implementations ``engine_bench.py`` times: cvlib, DuckDB by hand (the floor) and pandas.

Each computes, from a workspace, the counts of release 2026.06's hypotheses
(ten adoption windows, one NPS and one churn hypothesis), overall and per
segment, as a dict of lists that must be equal across implementations. The
floor and pandas also count what cvlib's time series of NPS and churn need
(keys with ``@``: 52 weekly NPS windows before the release and 4 after it,
53 churn cutoffs 30 days apart); cvlib's own counts of those come from
:func:`cvlib_history`, run once per workload outside the timed runs (the
public result holds the series' statistics, not its counts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

RELEASE = "2026.06"
RELEASED_ON = dt.date(2026, 6, 23)
TIMEZONE = "Europe/Berlin"  # the sample's
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


#: Periods of a time series before the release (cvlib.metrics.base.HISTORY_PERIODS).
HISTORY = 52


def nps_windows():
    """The window after the release, the one before, and the weekly windows of the time
    series (keys ``id@first day``: 52 before the release, the whole weeks of the window after)."""
    start = _released_at()
    days = dt.timedelta(days=NPS[2])
    week = dt.timedelta(days=7)
    series = [(start + k * week, start + (k + 1) * week) for k in range(-HISTORY, NPS[2] // 7)]
    return [(NPS[0], start, start + days), (NPS[0] + " before", start - days, start)] + [
        (f"{NPS[0]}@{a.date()}", a, b) for a, b in series
    ]


def churn_cutoffs():
    """The cutoff at the release, the one a window before, and those of the time series
    (keys ``id@cutoff``: every 30 days back to 52 windows before the release)."""
    days = dt.timedelta(days=CHURN[2])
    cuts = [RELEASED_ON - k * days for k in range(HISTORY + 1)]
    return [
        (CHURN[0], RELEASED_ON, RELEASED_ON + days),
        (CHURN[0] + " before", RELEASED_ON - days, RELEASED_ON),
    ] + [(f"{CHURN[0]}@{cut}", cut, cut + days) for cut in cuts]


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


def cvlib_history(workspace: Path) -> dict:
    """cvlib's counts of the time series' windows (the ``@`` keys), by the aggregate functions
    of its metrics ``nps`` and ``churn``: not timed, they check the floor's history counts."""
    from zoneinfo import ZoneInfo

    from cvlib import load_workspace
    from cvlib.metrics import churn, nps
    from cvlib.metrics.base import Period, Window

    ws = load_workspace(workspace)
    zone, out = ws.settings.timezone, {}

    def midnight(day):
        return dt.datetime.combine(day, dt.time(0), ZoneInfo(zone))

    tables = (
        (nps, "surveys", nps_windows(), NPS[0], lambda a: a, lambda c: list(c.counts)),
        (churn, "accounts", churn_cutoffs(), CHURN[0], midnight, lambda c: [c.n, c.hits]),
    )
    for metric, table, windows, hid, instant, counts in tables:
        periods = {
            key: Period(hid, "history", Window(instant(a), instant(b)))
            for key, a, b in windows
            if "@" in key
        }
        found = metric.aggregate(ws.sources[table], list(periods.values()), zone)()
        for key, period in periods.items():
            c = found[period]
            if c.n:
                out[key] = counts(c)
            out.update({f"{key}/{seg}": counts(x) for seg, x in c.segments.items()})
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
        elif "@" in key:
            out[key if overall else f"{key}/{seg}"] = [p, pa, d]

    cut = ", ".join(f"('{k}', DATE '{a}', DATE '{b}')" for k, a, b in churn_cutoffs())
    rows = con.execute(
        f"""
        WITH c(key, cut_on, stop_on) AS (VALUES {cut}),
        a AS (  -- accounts counted by (start, churn, segment) before the join with the cutoffs
            SELECT CAST(started_on AS DATE) AS started, CAST(churned_on AS DATE) AS churned,
                   segment, count(*) AS n
            FROM read_csv('{workspace / "accounts.csv"}', header = true) GROUP BY ALL
        )
        SELECT key, segment, sum(n), coalesce(sum(n) FILTER (WHERE churned < stop_on), 0),
               grouping(segment)
        FROM a JOIN c ON a.started < c.cut_on AND (a.churned IS NULL OR a.churned >= c.cut_on)
        GROUP BY GROUPING SETS ((key), (key, segment))
        """
    ).fetchall()
    for key, seg, n, churned, overall in rows:
        if key == CHURN[0]:
            out[key if overall else f"{key}/{seg}"] = [n, churned] if overall else [n]
        elif "@" in key:
            out[key if overall else f"{key}/{seg}"] = [n, churned]
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
    surveys = surveys.sort_values(["ts", "response_id"])
    for hid, start, stop in nps_windows():
        if hid != NPS[0] and "@" not in hid:
            continue
        inside = surveys[
            (surveys["ts"] >= pd.Timestamp(start)) & (surveys["ts"] < pd.Timestamp(stop))
        ]
        # each user's latest response (ties: the greatest response_id)
        inside = inside.drop_duplicates("user_id", keep="last")
        if hid == NPS[0]:
            out[hid] = [len(inside)]
            for seg, n in inside.groupby("segment").size().items():
                out[f"{hid}/{seg}"] = [int(n)]
            continue
        kinds = pd.cut(inside["score"], [-1, 6, 8, 10], labels=["d", "pa", "p"])
        for seg, part in [(None, kinds), *kinds.groupby(inside["segment"])]:
            counts = part.value_counts()
            if len(part):
                key = hid if seg is None else f"{hid}/{seg}"
                out[key] = [int(counts["p"]), int(counts["pa"]), int(counts["d"])]

    accounts = pd.read_csv(
        workspace / "accounts.csv", usecols=["started_on", "churned_on", "segment"]
    )
    started = pd.to_datetime(accounts["started_on"])
    churned = pd.to_datetime(accounts["churned_on"])
    for hid, cut, stop in churn_cutoffs():
        if hid != CHURN[0] and "@" not in hid:
            continue
        cut, stop = pd.Timestamp(cut), pd.Timestamp(stop)
        at_risk = (started < cut) & (churned.isna() | (churned >= cut))
        left = at_risk & churned.notna() & (churned < stop)
        if not at_risk.any():
            continue
        out[hid] = [int(at_risk.sum()), int(left.sum())]
        for seg, part in left[at_risk].groupby(accounts["segment"][at_risk]):
            out[f"{hid}/{seg}"] = [len(part)] if hid == CHURN[0] else [len(part), int(part.sum())]
    return out
