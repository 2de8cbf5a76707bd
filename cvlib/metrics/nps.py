"""Net Promoter Score of the survey responses in the window after the release, in points.

Responses submitted in ``[release, release + window_days)``: promoters score
9-10, passives 7-8, detractors 0-6; NPS = 100 x (promoters - detractors) / n.
Interval: adjusted Wald (Rocks 2016) through :func:`cvlib.stats.nps.from_counts`;
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
    """Promoters, passives and detractors, overall and per segment."""

    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    segments: Mapping[str, Responses] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Responses in all."""
        return self.promoters + self.passives + self.detractors

    @property
    def counts(self) -> tuple[int, int, int]:
        """(promoters, passives, detractors)."""
        return self.promoters, self.passives, self.detractors


def _query(scan, periods) -> str:
    """Promoters, passives and detractors per segment for each of ``periods``."""
    col = sql.quote_ident("submitted_at")
    metrics = []
    for i, p in enumerate(periods):
        inside = (
            f"ts >= {scan.at('submitted_at', p.window.start)} "
            f"AND ts < {scan.at('submitted_at', p.window.stop)}"
        )
        metrics.append(f"{sql.count_if(f'{inside} AND score >= 9')} AS p{i}")
        metrics.append(f"{sql.count_if(f'{inside} AND score >= 7 AND score <= 8')} AS pa{i}")
        metrics.append(f"{sql.count_if(f'{inside} AND score <= 6')} AS d{i}")
    low = scan.at("submitted_at", min(p.window.start for p in periods))
    high = scan.at("submitted_at", max(p.window.stop for p in periods))
    return (
        f"SELECT seg, {', '.join(metrics)} FROM (SELECT {col} AS ts, "
        f"CAST({sql.quote_ident('score')} AS BIGINT) AS score, {scan.segment()} AS seg "
        f"FROM {scan.name} WHERE {col} >= {low} AND {col} < {high}) AS s GROUP BY seg"
    )


def aggregate(source, periods, timezone: str):
    """Start the surveys query of ``periods``; return a function that waits for
    Period -> :class:`Responses`."""
    with open_scan(source, timezone) as scan:
        has_segment = scan.has("segment")
        rows = scan.start(_query(scan, periods))

    def finish() -> dict:
        totals = {p: [[0, 0, 0], {}] for p in periods}
        for row in rows():
            for i, p in enumerate(periods):
                counts = (int(row[f"p{i}"] or 0), int(row[f"pa{i}"] or 0), int(row[f"d{i}"] or 0))
                if sum(counts) == 0:
                    continue
                entry = totals[p]
                entry[0] = [a + b for a, b in zip(entry[0], counts, strict=True)]
                if has_segment and row["seg"]:
                    entry[1][row["seg"]] = Responses(*counts)
        return {p: Responses(*counts, segments) for p, (counts, segments) in totals.items()}

    return finish


def _measure_counts(ctx, after: Responses, before: Responses) -> Measurement:
    from cvlib.stats import nps

    if after.n == 0:
        return Measurement(absent="No survey responses in the measurement window.")
    cl = ctx.confidence_level
    estimate = quiet(nps.from_counts, *after.counts, confidence_level=cl)
    if before.n == 0:
        return Measurement(n=after.n, after=estimate)
    earlier = quiet(nps.from_counts, *before.counts, confidence_level=cl)
    return Measurement(
        n=after.n,
        after=estimate,
        before=Before(earlier.estimate, earlier.n),
        comparison=quiet(nps.compare, earlier, estimate, confidence_level=cl),
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


def _plan(h, m: Measurement, side: str, confidence_level: float):
    """Against the target only (:func:`cvlib.stats.power.nps_sample_size_vs_target`)."""
    from cvlib.stats import power

    if side != "neither":
        return None
    return power.nps_sample_size_vs_target(m.after, h.target, confidence_level=confidence_level)


SPEC = register(
    MetricSpec(
        name="nps",
        label="NPS",
        unit=NPS_POINTS,
        counts="responses",
        table="surveys",
        lower_is_better=False,
        min_n=20,
        method=(
            "NPS: adjusted-Wald interval (Rocks 2016); change: difference of two independent NPS "
            "with a z-test and adjusted-Wald interval (Rocks 2016, Sauro & Lewis 2016)."
        ),
        measure=_measure,
        segments=_segments,
        plan=_plan,
        windowed=True,
        has_history=True,
        periods=base.same_window_before,
        aggregate=aggregate,
        probe=base.probe_all(_query),
        scope=base.in_window,
    )
)
