"""Completion rate: the share of participants whose first after-release attempt of a task succeeded.

Each participant's first attempt in each phase counts (in ``attempted_at``
order when the column is given, file order otherwise): repeated attempts by
one participant are not independent trials, and a second try measures
learning as much as the design. Interval: Wilson's score interval (Wilson
1927), the dual of the score test against the target
(:func:`cvlib.stats.proportions.score_test`); change against before: the
difference of the two shares with the Miettinen-Nurminen score interval and
test (:func:`cvlib.stats.proportions.score_compare`; at no change its test is
the N-1 chi-square of Campbell 2007). Higher is better.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and
statistical inference. Journal of the American Statistical Association, 22, 209-212.

Miettinen, O., & Nurminen, M. (1985). Comparative analysis of two rates.
Statistics in Medicine, 4(2), 213-226.

Campbell, I. (2007). Chi-squared and Fisher-Irwin tests of two-by-two tables
with small sample recommendations. Statistics in Medicine, 26(19), 3661-3675.
"""

from __future__ import annotations

from dataclasses import replace

from cvlib.metrics import base, study
from cvlib.metrics.base import Measurement, MetricSpec, register
from cvlib.metrics.units import PROPORTION


def _measure_rows(ctx, h, rows) -> Measurement:
    if rows is None or rows.empty:
        return Measurement(absent=f"No task attempts for task '{h.task}' in this release yet.")
    after, before, dropped = study.first_attempt_shares(rows, lambda part: part["completed"])
    found = base.measure_shares(
        after,
        before,
        ctx.confidence_level,
        absent="No task attempts after the release yet.",
    )
    if dropped == 0:
        return found
    return replace(found, dropped=dropped, dropped_what="later attempts by the same participants")


SPEC = register(
    MetricSpec(
        name="completion_rate",
        label="completion rate",
        unit=PROPORTION,
        counts="participants",
        table="task_times",
        lower_is_better=False,
        min_n=5,
        method=(
            "Completion rate (each participant's first attempt): Wilson score interval and test "
            "(Wilson 1927); change: Miettinen-Nurminen score interval and test (Miettinen & "
            "Nurminen 1985)."
        ),
        measure=study.task_measure(_measure_rows),
        segments=lambda ctx, h: study.task_segments(ctx, h, _measure_rows),
        plan=base.plan_shares,
        needs_task=True,
        scope=study.task_scope,
    )
)
