"""Churn: the share of the accounts at risk at the release date that churned within the window.

At risk at a cutoff date: ``started_on`` before it, and no ``churned_on`` or
one on or after it; churned: ``churned_on`` before cutoff + ``window_days``.
The cutoff is the release date; the change compares the same rule at the
release date - ``window_days``. Interval: Wilson's score interval, the dual
of the score test against the target; change: the Miettinen-Nurminen score
interval and test (at no change its test is the N-1 chi-square of Campbell
2007). Lower is better.

One query grouped by segment with two filtered counts per cutoff.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. Journal of the American Statistical Association, 22, 209-212.

Miettinen, O., & Nurminen, M. (1985). Comparative analysis of two rates.
Statistics in Medicine, 4(2), 213-226.
"""

from __future__ import annotations

from cvlib.engine import sql
from cvlib.engine.scan import scan as open_scan
from cvlib.metrics import base
from cvlib.metrics.base import Measurement, MetricSpec, Shares, register
from cvlib.metrics.units import PROPORTION


def _query(scan, periods) -> str:
    """Accounts at risk and churned per segment for each of ``periods``.

    The accounts are first counted by their (start, churn, segment) as stored
    (``rows_n``), so the dates are read and every cutoff's conditions are
    tested once per distinct combination rather than once per account: a
    history of 50 cutoffs costs one pass over the table plus a pass over the
    combinations.
    """
    metrics = []
    for i, p in enumerate(periods):
        cut_on = sql.date_literal(p.window.start.date())
        stop_on = sql.date_literal(p.window.stop.date())
        at_risk = f"started < {cut_on} AND (churned IS NULL OR churned >= {cut_on})"
        metrics.append(f"{sql.sum_if(at_risk, 'rows_n')} AS n{i}")
        metrics.append(f"{sql.sum_if(f'{at_risk} AND churned < {stop_on}', 'rows_n')} AS c{i}")
    stored = [sql.quote_ident(c) for c in ("started_on", "churned_on", "segment") if scan.has(c)]
    columns = ", ".join(stored)
    return (
        f"SELECT seg, {', '.join(metrics)} FROM (SELECT {scan.date('started_on')} AS started, "
        f"{scan.date('churned_on')} AS churned, {scan.segment()} AS seg, rows_n "
        f"FROM (SELECT {columns}, count(*) AS rows_n FROM {scan.name} GROUP BY {columns}) AS g"
        ") AS a GROUP BY seg"
    )


def _split_query(scan, units: str, window) -> str:
    """:attr:`MetricSpec.split`: accounts at risk (``n0``) and churned (``c0``) per holdout
    group and segment, at the cutoff ``window.start``. ``units`` is the subquery of the
    assigned accounts (``uid``, ``grp``)."""
    cut_on = sql.date_literal(window.start.date())
    stop_on = sql.date_literal(window.stop.date())
    at_risk = f"a.started < {cut_on} AND (a.churned IS NULL OR a.churned >= {cut_on})"
    return (
        f"SELECT u.grp AS grp, a.seg AS seg, {sql.count_if(at_risk)} AS n0, "
        f"{sql.count_if(f'{at_risk} AND a.churned < {stop_on}')} AS c0 "
        f"FROM (SELECT {scan.date('started_on')} AS started, {scan.date('churned_on')} AS churned, "
        f"{scan.segment()} AS seg, {scan.text('account_id')} AS uid FROM {scan.name}) AS a "
        f"JOIN ({units}) AS u ON u.uid = a.uid GROUP BY u.grp, a.seg"
    )


def _split_counts(rows, has_segment: bool) -> Shares:
    """:attr:`MetricSpec.split_counts`: one group's rows of :func:`_split_query`."""
    return base.sum_shares([((0,), lambda: rows)], (0,), has_segment, hits="c", n="n")[0]


def aggregate(source, periods, timezone: str):
    """Start the accounts query of ``periods``; return a function that waits for
    Period -> :class:`Shares` (``hits``: churned, ``n``: accounts at risk), overall and
    per segment."""
    with open_scan(source) as scan:
        has_segment = scan.has("segment")
        rows = scan.start(_query(scan, periods))

    return lambda: base.sum_shares([(periods, rows)], periods, has_segment, hits="c", n="n")


_ABSENT = "No customer accounts were active at the release date."


def _counts(ctx, h):
    after, before = base.same_window_before(h, ctx)
    return ctx.aggregates.get(after), ctx.aggregates.get(before, Shares())


def _measure(ctx, h) -> Measurement:
    after, before = _counts(ctx, h)
    if after is None:
        return Measurement(absent="There are no accounts in this workspace.")
    return base.measure_shares(after, before, ctx.confidence_level, absent=_ABSENT)


def _segments(ctx, h) -> list:
    after, before = _counts(ctx, h)
    if after is None:
        return []
    return [
        (
            s,
            base.measure_shares(
                c, before.segments.get(s, Shares()), ctx.confidence_level, absent=_ABSENT
            ),
        )
        for s, c in sorted(after.segments.items())
    ]


def _compare(ctx, later: Shares, earlier: Shares) -> Measurement:
    return base.measure_shares(later, earlier, ctx.confidence_level, absent=_ABSENT)


def _history(h, ctx):
    """Churn at cutoffs every ``window_days`` back from the release, and at the release."""
    pre, _ = base.history_windows(h, ctx, h.window_days)
    return pre, (base.Period(h.id, "history", ctx.window(h.window_days)),)


SPEC = register(
    MetricSpec(
        name="churn",
        label="churn",
        unit=PROPORTION,
        counts="accounts",
        table="accounts",
        lower_is_better=True,
        min_n=20,
        method=(
            "Churn: Wilson score interval and test (Wilson 1927); change: Miettinen-Nurminen "
            "score interval and test (Miettinen & Nurminen 1985)."
        ),
        measure=_measure,
        segments=_segments,
        plan=base.plan_shares,
        windowed=True,
        has_history=True,
        data_after_release=False,  # the population is the accounts at risk at the release date
        periods=base.same_window_before,
        aggregate=aggregate,
        probe=base.probe_all(_query),
        scope=base.in_window,
        compare_counts=_compare,
        history=_history,
        series_value=base.share_value,
        split=_split_query,
        split_counts=_split_counts,
    )
)
