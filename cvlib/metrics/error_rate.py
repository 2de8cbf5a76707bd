"""Error rate: the share of participants whose first after-release attempt of a task had an error.

Needs the optional ``errors`` column of ``task_times.csv``. Each
participant's first attempt in each phase counts (in ``attempted_at`` order
when given, file order otherwise), as :mod:`cvlib.metrics.completion_rate`.
Interval: Wilson's score interval with its score test against the target;
change against before: the Miettinen-Nurminen score interval and test.
Lower is better.

References
----------
Miettinen, O., & Nurminen, M. (1985). Comparative analysis of two rates.
Statistics in Medicine, 4(2), 213-226.

Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.),
ch. 4 (errors). Morgan Kaufmann.
"""

from __future__ import annotations

from dataclasses import replace

from cvlib.metrics import base, study
from cvlib.metrics.base import Measurement, MetricSpec, register
from cvlib.metrics.units import PROPORTION


def _measure_rows(ctx, h, rows) -> Measurement:
    if rows is None or rows.empty:
        return Measurement(absent=f"No task attempts for task '{h.task}' in this release yet.")
    if "errors" not in rows.columns:
        return Measurement(
            absent="task_times.csv has no errors column, so the error rate cannot be measured."
        )
    after, before, dropped = study.first_attempt_shares(rows, lambda part: part["errors"] >= 1)
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
        name="error_rate",
        label="share of first attempts with errors",
        unit=PROPORTION,
        counts="participants",
        table="task_times",
        lower_is_better=True,
        min_n=5,
        method=(
            "Error rate (each participant's first attempt): Wilson score interval and test "
            "(Wilson 1927); change: Miettinen-Nurminen score interval and test (Miettinen & "
            "Nurminen 1985)."
        ),
        measure=study.task_measure(_measure_rows),
        segments=lambda ctx, h: study.task_segments(ctx, h, _measure_rows),
        plan=base.plan_shares,
        needs_task=True,
        required_columns=("errors",),
        scope=study.task_scope,
    )
)
