"""Adoption: the share of the users active in the window after the release who used the feature.

A user is active in ``[release, release + window_days)`` when they have any
event there, and an adopter when one of their events there equals the
feature's ``feature_id``. Interval: Wilson score (Wilson 1927) through
:func:`cvlib.stats.proportions.interval`. No before: the feature did not
exist. A result below half its target is flagged ``low_adoption``.

The query (one per distinct window start, that is one per release) reduces
the events in [start, latest stop) to one row per user with the instant of
their first event, the segment of that event, and their first use of each
feature; a user is active in a window when their first event falls before
its stop, and an adopter when their first use of its feature does. A user's
segment is that of their first event in the window; where events of
different segments share that first instant, the smallest segment name
wins, so every engine breaks the tie alike. Overall counts are sums over
segments (each user has exactly one). Distinct users are counted after this
reduction, so memory grows with users, not events. Bounds are compared with
the time column itself, so engines skip files and row groups outside the windows.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. Journal of the American Statistical Association, 22(158), 209-212.
"""

from __future__ import annotations

import datetime as dt
import math

from cvlib.engine import sql
from cvlib.metrics import base
from cvlib.metrics.base import Measurement, MetricSpec, Period, Window, register
from cvlib.metrics.units import PROPORTION


def _periods(h, ctx) -> tuple[Period, ...]:
    return (Period(h.id, "after", ctx.window(h.window_days), h.feature_id),)


def _query(scan, start, periods) -> str:
    """The per-user reduction and the per-window counts for periods sharing ``start``."""
    col = sql.quote_ident("timestamp")
    low = scan.at("timestamp", start)
    highs = [scan.at("timestamp", p.window.stop) for p in periods]
    latest = scan.at("timestamp", max(p.window.stop for p in periods))
    strip = scan.csv
    # missing segments become "" after the reduction, on one row per user and segment
    seg = scan.text("segment", strip=strip) if scan.has("segment") else "''"
    features = sorted({str(p.feature_id) for p in periods})
    uses = [f"f{i}" for i in range(len(features))]  # each user's first use of each feature
    firsts = "".join(
        f", {sql.min_if('ts', f'event = {sql.sql_string(f)}')} AS {u}"
        for f, u in zip(features, uses, strict=True)
    )
    metrics = []
    for i, (p, high) in enumerate(zip(periods, highs, strict=True)):
        used = uses[features.index(str(p.feature_id))]
        metrics.append(f"{sql.count_if(f'first_ts < {high}')} AS u{i}")
        metrics.append(f"{sql.count_if(f'{used} < {high}')} AS a{i}")
    kept = "".join(f", {u}" for u in uses)
    per_user = scan.one_per_user("per_seg", [f"min({u}) AS {u}" for u in uses])
    return f"""
        WITH ev AS (
            SELECT {col} AS ts, {scan.text("user_id", strip=strip)} AS user_id,
                   {scan.text("event", strip=strip)} AS event, {seg} AS seg
            FROM {scan.name} WHERE {col} >= {low} AND {col} < {latest}
        ), per_seg AS (
            SELECT user_id, coalesce(seg, '') AS seg, first_ts{kept}
            FROM (
                SELECT user_id, seg, min(ts) AS first_ts{firsts} FROM ev GROUP BY user_id, seg
            ) AS s
        ), per_user AS ({per_user})
        SELECT seg, {", ".join(metrics)} FROM per_user GROUP BY seg"""


def aggregate(source, periods, timezone: str):
    """Start the events query of ``periods``; return a function that waits for
    Period -> :class:`Shares` (``hits``: adopters, ``n``: active users), overall and per segment."""
    return base.start_share_queries(source, periods, timezone, _query, hits="a", n="u")


def by_day(workspace, release_id: str, feature_id: str, days: int = 30):
    """Adoption as the window grows: one row per day ``d`` = 1 ... ``days`` after the release.

    Row ``d`` counts, as the metric does for ``window_days = d``, the users
    active in ``[release, release + d days)`` and those of them who used the
    feature there; so the row of a hypothesis's ``window_days`` is its
    estimate. Computed by the same query as the metric, in the engine that
    holds the events (counts only).

    Returns
    -------
    pandas.DataFrame
        Columns ``day``, ``date`` (the last day counted), ``active_users``,
        ``adopters`` and ``share`` (adopters per active user; ``nan`` before any user is active).
    """
    import pandas as pd

    if not 1 <= days <= 365:
        raise ValueError(f"days must be from 1 to 365, got {days!r}")
    source = workspace.sources.get("events")
    if source is None:
        raise ValueError("the workspace has no events (events.csv or sources.events)")
    release = workspace.release(release_id)
    start = release["released_at"].to_pydatetime()
    periods = [
        Period(f"day {d}", "after", Window(start, start + dt.timedelta(days=d)), feature_id)
        for d in range(1, days + 1)
    ]
    counts = aggregate(source, periods, workspace.settings.timezone)()
    rows = [
        {
            "day": d,
            "date": release["released_on"] + dt.timedelta(days=d - 1),
            "active_users": counts[p].n,
            "adopters": counts[p].hits,
            "share": counts[p].hits / counts[p].n if counts[p].n else math.nan,
        }
        for d, p in enumerate(periods, start=1)
    ]
    return pd.DataFrame(rows)


_measure, _segments = base.share_measures(
    _periods,
    no_table="There are no usage events in this workspace.",
    no_one="No users were active in the measurement window.",
)


def _flags(h, m: Measurement) -> tuple[str, ...]:
    after = m.after
    if after is not None and not math.isnan(after.estimate) and after.estimate < h.target / 2:
        return ("low_adoption",)
    return ()


SPEC = register(
    MetricSpec(
        name="adoption",
        label="adoption",
        unit=PROPORTION,
        counts="users",
        table="events",
        lower_is_better=False,
        min_n=20,
        method="Adoption: Wilson score interval (Wilson 1927).",
        measure=_measure,
        segments=_segments,
        plan=base.plan_shares,
        windowed=True,
        has_before=False,
        periods=_periods,
        aggregate=aggregate,
        probe=base.probe_by_start(_query),
        scope=base.in_window,
        flags=_flags,
        flag_texts={
            "low_adoption": (
                "low adoption: below half its target, so the need was probably misunderstood"
            )
        },
    )
)
