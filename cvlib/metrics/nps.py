"""Net Promoter Score of the survey responses in the window after the release, in points.

Responses submitted in ``[release, release + window_days)``, one per user:
the latest response of each user in the window counts (its segment is that
response's; ties on the instant go to the greatest ``response_id`` in the
column's own type, so numeric ids compare as numbers), so a
customer who answers twice is not counted twice; the earlier responses left
out are reported. Promoters score 9-10, passives 7-8, detractors 0-6;
NPS = 100 x (promoters - detractors) / n.
Interval: adjusted Wald (Rocks 2016) through :func:`cvlib.stats.nps.from_counts`,
the dual of its z test against the target (:func:`cvlib.stats.nps.test_target`);
change: against the responses of the window of the same length before the
release, the difference of two independent NPS with a z-test and adjusted
Wald interval (:func:`cvlib.stats.nps.compare`). Higher is better.

One query, grouped by segment, with three filtered counts per window (a
release has a few windows, so no join is needed); responses outside every
window are filtered out first, comparing the time column itself with the
bounds so engines can skip files and row groups.

References
----------
Rocks, B. (2016). Interval estimation for the "net promoter score". The
American Statistician, 70(4), 365-372.

Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.).
Morgan Kaufmann.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cvlib.engine import sql
from cvlib.engine.scan import scan as open_scan
from cvlib.metrics import base
from cvlib.metrics.base import Before, Measurement, MetricSpec, quiet, register
from cvlib.metrics.units import NPS_POINTS


@dataclass(frozen=True, slots=True)
class Responses:
    """Promoters, passives and detractors (one per user: their latest response), overall and
    per segment, and ``dropped``: the earlier responses of users who answered again."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    segments: Mapping[str, Responses] = field(default_factory=dict)
    dropped: int = 0

    @property
    def n(self) -> int:
        """Responses in all."""
        return self.promoters + self.passives + self.detractors

    @property
    def counts(self) -> tuple[int, int, int]:
        """(promoters, passives, detractors)."""
        return self.promoters, self.passives, self.detractors


def _query(scan, periods) -> str:
    """Promoters, passives and detractors per segment for each of ``periods``, counting each
    user's latest response in the period (ties on the instant: the greatest ``response_id`` in
    its own type),
    and the responses in the period in all (``r{i}``)."""
    col = sql.quote_ident("submitted_at")
    latest, metrics = [], []
    for i, p in enumerate(periods):
        inside = (
            f"ts >= {scan.at('submitted_at', p.window.start)} "
            f"AND ts < {scan.at('submitted_at', p.window.stop)}"
        )
        latest.append(
            f"CASE WHEN {inside} AND ROW_NUMBER() OVER (PARTITION BY uid, "
            f"CASE WHEN {inside} THEN 1 ELSE 0 END ORDER BY ts DESC, rid DESC) = 1 "
            f"THEN 1 ELSE 0 END AS k{i}"
        )
        metrics.append(f"{sql.count_if(f'k{i} = 1 AND score >= 9')} AS p{i}")
        metrics.append(f"{sql.count_if(f'k{i} = 1 AND score >= 7 AND score <= 8')} AS pa{i}")
        metrics.append(f"{sql.count_if(f'k{i} = 1 AND score <= 6')} AS d{i}")
        metrics.append(f"{sql.count_if(inside)} AS r{i}")
    low = scan.at("submitted_at", min(p.window.start for p in periods))
    high = scan.at("submitted_at", max(p.window.stop for p in periods))
    return (
        f"SELECT seg, {', '.join(metrics)} FROM (SELECT ts, score, seg, {', '.join(latest)} "
        f"FROM (SELECT {col} AS ts, CAST({sql.quote_ident('score')} AS BIGINT) AS score, "
        f"{scan.segment()} AS seg, {scan.text('user_id')} AS uid, "
        f"{sql.quote_ident('response_id')} AS rid "
        f"FROM {scan.name} WHERE {col} >= {low} AND {col} < {high}) AS s) AS k GROUP BY seg"
    )


def _grid_query(scan, windows) -> str:
    """Promoters, passives and detractors per segment of each of ``windows`` (sorted, not
    overlapping: a time series), counting each user's latest response in each, in one pass:
    column ``k`` is the window's index."""
    col = sql.quote_ident("submitted_at")
    cases = " ".join(
        f"WHEN ts >= {scan.at('submitted_at', w.start)} AND ts < {scan.at('submitted_at', w.stop)} "
        f"THEN {k}"
        for k, w in enumerate(windows)
    )
    low = scan.at("submitted_at", windows[0].start)
    high = scan.at("submitted_at", windows[-1].stop)
    return (
        f"SELECT seg, k, {sql.count_if('score >= 9')} AS p, "
        f"{sql.count_if('score >= 7 AND score <= 8')} AS pa, {sql.count_if('score <= 6')} AS d "
        "FROM (SELECT seg, k, score, ROW_NUMBER() OVER (PARTITION BY uid, k "
        "ORDER BY ts DESC, rid DESC) AS rn FROM (SELECT ts, score, seg, uid, rid, "
        f"CASE {cases} END AS k FROM (SELECT {col} AS ts, "
        f"CAST({sql.quote_ident('score')} AS BIGINT) AS score, {scan.segment()} AS seg, "
        f"{scan.text('user_id')} AS uid, {sql.quote_ident('response_id')} AS rid "
        f"FROM {scan.name} WHERE {col} >= {low} AND {col} < {high}) AS s) AS g) AS r "
        # rows between the windows have k null and are skipped by the caller: a filter on k
        # here is pushed into the CASE by DuckDB and makes the query 20 times slower
        "WHERE rn = 1 GROUP BY seg, k"
    )


def _split_query(scan, units: str, window) -> str:
    """:attr:`MetricSpec.split`: promoters, passives and detractors per holdout group and
    segment in ``window``, each user's latest response counting (``p0``, ``pa0``, ``d0``), and
    the responses of those users in the window in all (``r0``). ``units`` is the subquery of
    the assigned units (``uid``, ``grp``)."""
    col = sql.quote_ident("submitted_at")
    low, high = scan.at("submitted_at", window.start), scan.at("submitted_at", window.stop)
    return (
        f"SELECT u.grp AS grp, r.seg AS seg, {sql.count_if('r.score >= 9')} AS p0, "
        f"{sql.count_if('r.score >= 7 AND r.score <= 8')} AS pa0, "
        f"{sql.count_if('r.score <= 6')} AS d0, sum(r.answers) AS r0 "
        "FROM (SELECT uid, seg, score, ROW_NUMBER() OVER (PARTITION BY uid "
        "ORDER BY ts DESC, rid DESC) AS rn, COUNT(*) OVER (PARTITION BY uid) AS answers "
        f"FROM (SELECT {col} AS ts, CAST({sql.quote_ident('score')} AS BIGINT) AS score, "
        f"{scan.segment()} AS seg, {scan.text('user_id')} AS uid, "
        f"{sql.quote_ident('response_id')} AS rid "
        f"FROM {scan.name} WHERE {col} >= {low} AND {col} < {high}) AS s) AS r "
        f"JOIN ({units}) AS u ON u.uid = r.uid WHERE r.rn = 1 GROUP BY u.grp, r.seg"
    )


def _split_counts(rows, has_segment: bool) -> Responses:
    """:attr:`MetricSpec.split_counts`: one group's rows of :func:`_split_query`."""
    return _single(lambda: rows, [0], has_segment)[0]


def _series_windows(periods) -> list:
    """The distinct windows of the history periods when they do not overlap (else none)."""
    windows = sorted({p.window for p in periods if p.phase == "history"}, key=lambda w: w.start)
    if any(a.stop > b.start for a, b in zip(windows, windows[1:], strict=False)):
        return []
    return windows


def aggregate(source, periods, timezone: str):
    """Start the surveys queries of ``periods``; return a function that waits for
    Period -> :class:`Responses`. The periods of a time series (phase ``history``) are
    counted by one query over their grid of windows."""
    windows = _series_windows(periods)
    grid = set(windows)
    single = [p for p in periods if p.window not in grid or p.phase != "history"]
    with open_scan(source, timezone) as scan:
        has_segment = scan.has("segment")
        rows = scan.start(_query(scan, single)) if single else (lambda: [])
        series = scan.start(_grid_query(scan, windows)) if windows else (lambda: [])

    def finish() -> dict:
        out = _single(rows, single, has_segment)
        by_window: dict = {}
        for row in series():
            if row["k"] is None:
                continue
            counts = (int(row["p"] or 0), int(row["pa"] or 0), int(row["d"] or 0))
            entry = by_window.setdefault(windows[int(row["k"])], [[0, 0, 0], {}])
            entry[0] = [a + b for a, b in zip(entry[0], counts, strict=True)]
            if has_segment and row["seg"]:
                entry[1][row["seg"]] = Responses(*counts)
        for p in periods:
            if p not in out:
                counts, segments = by_window.get(p.window, [[0, 0, 0], {}])
                out[p] = Responses(*counts, segments)
        return out

    return finish


def _single(rows, periods, has_segment: bool) -> dict:
    """Wait for the query of ``periods`` (one column set per period) and sum its rows."""
    if not periods:
        return {}

    def finish() -> dict:
        totals = {p: [[0, 0, 0], {}, 0] for p in periods}
        for row in rows():
            for i, p in enumerate(periods):
                counts = (int(row[f"p{i}"] or 0), int(row[f"pa{i}"] or 0), int(row[f"d{i}"] or 0))
                entry = totals[p]
                entry[2] += int(row[f"r{i}"] or 0) - sum(counts)
                if sum(counts) == 0:
                    continue
                entry[0] = [a + b for a, b in zip(entry[0], counts, strict=True)]
                if has_segment and row["seg"]:
                    entry[1][row["seg"]] = Responses(*counts)
        return {
            p: Responses(*counts, segments, dropped)
            for p, (counts, segments, dropped) in totals.items()
        }

    return finish()


def _measure_counts(ctx, after: Responses, before: Responses) -> Measurement:
    from cvlib.stats import nps

    if after.n == 0:
        return Measurement(absent="No survey responses in the measurement window.")
    cl = ctx.confidence_level
    estimate = quiet(nps.from_counts, *after.counts, confidence_level=cl)
    found = {
        "n": after.n,
        "after": estimate,
        "detail": (after.counts, before.counts if before.n else None),
        "target_test": lambda null, alternative: (
            quiet(nps.test_target, after.counts, null=null, alternative=alternative).p_value
        ),
    }
    if after.dropped:
        found["dropped"] = after.dropped
        found["dropped_what"] = "earlier responses by users who answered again in the window"
    if before.n == 0:
        return Measurement(**found)
    earlier = quiet(nps.from_counts, *before.counts, confidence_level=cl)

    def change_test(null: float, alternative: str) -> float:
        return quiet(
            nps.compare,
            before.counts,
            after.counts,
            null=null,
            confidence_level=cl,
            alternative=alternative,
        ).p_value

    return Measurement(
        **found,
        before=Before(earlier.estimate, earlier.n),
        comparison=quiet(nps.compare, earlier, estimate, confidence_level=cl),
        change_test=change_test,
    )


def _counts(ctx, h):
    after, before = base.same_window_before(h, ctx)
    return ctx.aggregates.get(after), ctx.aggregates.get(before, Responses())


def _measure(ctx, h) -> Measurement:
    after, before = _counts(ctx, h)
    if after is None:
        return Measurement(absent="There are no survey responses in this workspace.")
    return _measure_counts(ctx, after, before)


def _segments(ctx, h) -> list:
    after, before = _counts(ctx, h)
    if after is None:
        return []
    return [
        (s, _measure_counts(ctx, counts, before.segments.get(s, Responses())))
        for s, counts in sorted(after.segments.items())
    ]


def _variance(counts) -> float:
    """Per-response variance of the +1/0/-1 score of ``(promoters, passives, detractors)``."""
    n = sum(counts)
    p, d = counts[0] / n, counts[2] / n
    return p + d - (p - d) ** 2


def _plan(h, m: Measurement, claim, confidence_level: float):
    """With the after sample's per-response variance (:func:`cvlib.stats.planning.nps_after_n`);
    a change claim with the before sample fixed."""
    from cvlib.stats import planning

    if m.detail is None:
        return None
    after_counts, before_counts = m.detail
    variance = _variance(after_counts)
    if not variance > 0:
        return None
    options = {
        "null": claim.null,
        "variance": variance,
        "confidence_level": confidence_level,
        "alternative": claim.alternative,
    }
    if claim.name == "target":
        return planning.nps_after_n(h.expected, **options)
    if before_counts is None or not _variance(before_counts) > 0:
        return None
    return planning.nps_after_n(
        h.expected,
        nps_before=m.before.estimate,
        variance_before=_variance(before_counts),
        n_before=sum(before_counts),
        **options,
    )


def _probe(scan, plan) -> list:
    """:attr:`MetricSpec.probe`: the windows query over the proof's periods, and the series
    query over the grid their bounds make."""
    periods = base.proof_periods(plan)
    bounds = sorted({p.window.start for p in periods} | {p.window.stop for p in periods})
    grid = [base.Window(a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [scan.rows(_query(scan, periods)), scan.rows(_grid_query(scan, grid))]


def _series_value(c: Responses):
    """NPS points of one period, its respondents, and the sampling variance in points²."""
    if c is None or c.n == 0:
        return None
    return 100.0 * (c.promoters - c.detractors) / c.n, float(c.n), 1e4 * _variance(c.counts) / c.n


def _history(h, ctx):
    """Weekly periods before the release, and the window's whole weeks."""
    return base.history_windows(h, ctx, 7)


SPEC = register(
    MetricSpec(
        name="nps",
        label="NPS",
        unit=NPS_POINTS,
        counts="respondents",
        table="surveys",
        lower_is_better=False,
        min_n=20,
        method=(
            "NPS (each user's latest response in the window): adjusted-Wald interval with its z "
            "test (Rocks 2016); change: difference of two independent NPS with a z-test and "
            "adjusted-Wald interval (Rocks 2016, Sauro & Lewis 2016)."
        ),
        measure=_measure,
        segments=_segments,
        plan=_plan,
        windowed=True,
        has_history=True,
        periods=base.same_window_before,
        aggregate=aggregate,
        probe=_probe,
        scope=base.in_window,
        compare_counts=_measure_counts,
        history=_history,
        series_value=_series_value,
        split=_split_query,
        split_counts=_split_counts,
    )
)
