"""Error rate: the share of all after-release attempts of a task with at least one error.

Needs the optional ``errors`` column of ``task_times.csv``. Every attempt
counts. Interval: adjusted Wald (Agresti & Coull 1998); change against
before: the N-1 two-proportion test (Campbell 2007) with Newcombe's hybrid
score interval (Newcombe 1998), as :mod:`cvlib.metrics.completion_rate`.
Lower is better.

References
----------
Agresti, A., & Coull, B. A. (1998). Approximate is better than "exact" for
interval estimation of binomial proportions. The American Statistician, 52(2), 119-126.

Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.),
ch. 4 (errors). Morgan Kaufmann.
"""

from __future__ import annotations

from cvlib.metrics import base
from cvlib.metrics.base import Measurement, MetricSpec, Shares, register
from cvlib.metrics.units import PROPORTION


def _counts(rows, phase: str) -> Shares:
    part = rows[rows["phase"] == phase]
    return Shares(int((part["errors"] >= 1).sum()), int(len(part)))


def _measure_rows(ctx, h, rows) -> Measurement:
    if rows is None or rows.empty:
        return Measurement(absent=f"No task attempts for task '{h.task}' in this release yet.")
    if "errors" not in rows.columns:
        return Measurement(
            absent="task_times.csv has no errors column, so the error rate cannot be measured."
        )
    return base.measure_shares(
        _counts(rows, "after"),
        _counts(rows, "before"),
        ctx.confidence_level,
        absent="No task attempts after the release yet.",
    )


SPEC = register(
    MetricSpec(
        name="error_rate",
        label="share of attempts with errors",
        unit=PROPORTION,
        counts="attempts",
        table="task_times",
        lower_is_better=True,
        min_n=5,
        method=(
            "Error rate: adjusted-Wald interval (Agresti & Coull 1998); change: N-1 two-proportion "
            "test (Campbell 2007) with Newcombe's hybrid score interval (Newcombe 1998)."
        ),
        measure=lambda ctx, h: _measure_rows(ctx, h, base.task_rows(ctx, h)),
        segments=lambda ctx, h: base.task_segments(ctx, h, _measure_rows),
        plan=base.plan_shares,
        needs_task=True,
        required_columns=("errors",),
        scope=base.task_scope,
    )
)
