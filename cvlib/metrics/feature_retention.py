"""Feature retention: the share of a feature's adopters who come back to it in the next window.

With *w* = ``window_days``, the adopters are the users with an event equal to
the feature's ``feature_id`` in ``[release, release + w)`` (adoption's
adopters); they are retained when they have such an event again in
``[release + w, release + 2w)``. Adoption counts one click as success;
retention says whether the feature stuck. The measurement needs ``2w`` days
after the release, so the window is complete when ``release + 2w - 1`` is on
or before ``data_through``. Interval: Wilson score (Wilson 1927) through
:func:`cvlib.stats.proportions.interval`. No before: the feature did not
exist. A segment is the adopter's segment as adoption assigns it: that of
their first event in ``[release, release + w)`` (ties of that instant go to
the smallest segment name, in every engine).

The query (one per distinct window start, that is one per release) reduces
the events in [start, latest stop) to one row per user with the instant and
segment of their first event and, per hypothesis, two flags: used the
feature in the first window, and used it in the second. Only counts leave
the engine, and memory grows with users, not events. The flags are ``CASE``
expressions (no ``FILTER``), which every SQL engine takes; only the segment's
tie-break is written per engine (:meth:`cvlib.engine.scan.Scan.one_per_user`).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. Journal of the American Statistical Association,
22(158), 209-212.
"""

from __future__ import annotations

from cvlib.engine import sql
from cvlib.metrics import base
from cvlib.metrics.base import MetricSpec, Period, register
from cvlib.metrics.units import PROPORTION


def _periods(h, ctx) -> tuple[Period, ...]:
    return (Period(h.id, "after", ctx.window(h.window_days), h.feature_id),)


def _measured_days(h) -> int:
    return 2 * h.window_days


def _query(scan, start, periods) -> str:
    """Adopters and retained adopters per segment, for the periods sharing ``start``."""
    col = sql.quote_ident("timestamp")
    strip = scan.csv
    seg = scan.text("segment", strip=strip) if scan.has("segment") else "''"
    latest = scan.at("timestamp", max(p.window.following().stop for p in periods))
    flags, merged, counts = [], [], []
    for i, p in enumerate(periods):
        used = f"event = {sql.sql_string(str(p.feature_id))}"
        first = f"ts < {scan.at('timestamp', p.window.stop)}"
        again = scan.at("timestamp", p.window.following().stop)
        second = f"ts >= {scan.at('timestamp', p.window.stop)} AND ts < {again}"
        flags.append(f"max(CASE WHEN {used} AND {first} THEN 1 ELSE 0 END) AS a{i}")
        flags.append(f"max(CASE WHEN {used} AND {second} THEN 1 ELSE 0 END) AS r{i}")
        merged += [f"max(a{i}) AS a{i}", f"max(r{i}) AS r{i}"]
        counts.append(
            f"{sql.count_if(f'a{i} = 1')} AS n{i}, {sql.count_if(f'a{i} = 1 AND r{i} = 1')} AS k{i}"
        )
    return f"""
        WITH ev AS (
            SELECT {col} AS ts, {scan.text("user_id", strip=strip)} AS user_id,
                   {scan.text("event", strip=strip)} AS event, coalesce({seg}, '') AS seg
            FROM {scan.name}
            WHERE {col} >= {scan.at("timestamp", start)} AND {col} < {latest}
        ), per_seg AS (
            SELECT user_id, seg, min(ts) AS first_ts, {", ".join(flags)}
            FROM ev GROUP BY user_id, seg
        ), per_user AS ({scan.one_per_user("per_seg", merged)})
        SELECT seg, {", ".join(counts)} FROM per_user GROUP BY seg"""


def aggregate(source, periods, timezone: str):
    """Start the events query of ``periods``; return a function that waits for
    Period -> :class:`Shares` (``hits``: retained adopters, ``n``: adopters), overall and
    per segment."""
    return base.start_share_queries(source, periods, timezone, _query, hits="k", n="n")


_measure, _segments = base.share_measures(
    _periods,
    no_table="There are no usage events in this workspace.",
    no_one="No user adopted the feature in the first window.",
)


def _scope(h) -> str:
    w = h.window_days
    return f"of the users who adopted it in the first {w} days (back in the {w} days after)"


SPEC = register(
    MetricSpec(
        name="feature_retention",
        label="feature retention",
        unit=PROPORTION,
        counts="adopters",
        table="events",
        lower_is_better=False,
        min_n=20,
        method=(
            "Feature retention: share of the first window's adopters who use the feature "
            "again in the next window; Wilson score interval (Wilson 1927)."
        ),
        measure=_measure,
        segments=_segments,
        plan=base.plan_shares,
        windowed=True,
        measured_days=_measured_days,
        has_before=False,
        periods=_periods,
        aggregate=aggregate,
        probe=base.probe_by_start(_query),
        scope=_scope,
    )
)
