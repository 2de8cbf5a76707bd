"""Completion rate: the share of all after-release attempts of a task that were completed.

Every attempt counts (a participant may have several). Interval: adjusted
Wald (Agresti & Coull 1998) through :func:`cvlib.stats.proportions.interval`;
change against before: the difference of the two shares with the N-1
two-proportion test (Campbell 2007) and Newcombe's hybrid score interval
(Newcombe 1998), :func:`cvlib.stats.proportions.compare`. Higher is better.

References
----------
Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for
interval estimation of binomial proportions. The American Statistician, 52(2), 119-126.

Campbell, I. (2007). Chi-squared and Fisher-Irwin tests of two-by-two tables
with small sample recommendations. Statistics in Medicine, 26(19), 3661-3675.

Newcombe, R. G. (1998). Interval estimation for the difference between
independent proportions. Statistics in Medicine, 17(8), 873-890.
"""

from __future__ import annotations

from cvlib.metrics import base
from cvlib.metrics.base import Measurement, MetricSpec, Shares, register
from cvlib.metrics.units import PROPORTION


def _counts(rows, phase: str) -> Shares:
    part = rows[rows["phase"] == phase]
    return Shares(int(part["completed"].sum()), int(len(part)))


def _measure_rows(ctx, h, rows) -> Measurement:
    if rows is None or rows.empty:
        return Measurement(absent=f"No task attempts for task '{h.task}' in this release yet.")
    return base.measure_shares(
        _counts(rows, "after"),
        _counts(rows, "before"),
        ctx.confidence_level,
        absent="No task attempts after the release yet.",
    )


SPEC = register(
    MetricSpec(
        name="completion_rate",
        label="completion rate",
        unit=PROPORTION,
        counts="attempts",
        table="task_times",
        lower_is_better=False,
        min_n=5,
        method=(
            "Completion rate: adjusted-Wald interval (Agresti & Coull 1998); change: N-1 "
            "two-proportion test (Campbell 2007) with Newcombe's hybrid score interval "
            "(Newcombe 1998)."
        ),
        measure=lambda ctx, h: _measure_rows(ctx, h, base.task_rows(ctx, h)),
        segments=lambda ctx, h: base.task_segments(ctx, h, _measure_rows),
        plan=base.plan_shares,
        needs_task=True,
        scope=base.task_scope,
    )
)
