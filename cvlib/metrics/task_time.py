"""Time on task: the geometric mean of completed attempts after the release vs. a target in seconds.

Task times are positively skewed, so they are analysed on the log scale
(Sauro & Lewis 2016, ch. 3 and 5). A participant with several completed
attempts in a phase contributes the mean of their ln(seconds). The
after-release estimate is the geometric mean with its t-interval on
ln(seconds) (:func:`cvlib.stats.tasktime.geometric_mean`); the change is the
ratio of geometric means after / before (:func:`cvlib.stats.tasktime.compare`),
paired on ``participant_id`` exactly when ``design: paired`` (participants
without a completed attempt in both phases are dropped and counted), Welch's
t-test otherwise. Lower is better.

Economic value: customer time saved per task is the difference of the
arithmetic means of the participants' mean seconds before and after (total
time is mean x volume; a geometric mean would understate it), with the Welch
(or paired t) interval of that difference.

References
----------
Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.).
Morgan Kaufmann.
"""

from __future__ import annotations

from cvlib.metrics import base
from cvlib.metrics.base import Before, Measurement, MetricSpec, Saving, quiet, register
from cvlib.metrics.units import SECONDS


def _measure_rows(ctx, h, rows) -> Measurement:
    import numpy as np

    from cvlib.stats import tasktime

    if rows is None or rows.empty:
        return Measurement(
            absent=f"No task-time measurements for task '{h.task}' in this release yet."
        )
    after_logs = base.participant_logs(rows, "after")
    before_logs = base.participant_logs(rows, "before")
    found = {"n": len(after_logs), "detail": (after_logs, before_logs)}
    if len(after_logs) == 0:
        return Measurement(**found, absent="No completed task attempts after the release yet.")
    if len(after_logs) >= 2:
        found["after"] = quiet(
            tasktime.geometric_mean,
            np.exp(after_logs.to_numpy()),
            confidence_level=ctx.confidence_level,
        )
    else:
        found["why"] = "a single participant"
    if len(before_logs) == 0:
        return Measurement(**found)
    found["before"] = Before(float(np.exp(before_logs.mean())), int(len(before_logs)))
    if h.design == "paired":
        common = before_logs.index.intersection(after_logs.index)
        found["pairs_dropped"] = int(len(before_logs.index.union(after_logs.index)) - len(common))
        if len(common) < 2:
            found["change_undefined"] = (
                f"paired t-test on ln(seconds): {len(common)} complete pair(s), "
                "at least 2 are needed"
            )
            return Measurement(**found)
        found["comparison"] = quiet(
            tasktime.compare,
            np.exp(before_logs[common].to_numpy()),
            np.exp(after_logs[common].to_numpy()),
            paired=True,
            confidence_level=ctx.confidence_level,
        )
        return Measurement(**found)
    if len(before_logs) < 2 or len(after_logs) < 2:
        found["change_undefined"] = (
            "Welch t-test on ln(seconds): at least 2 participants per phase are needed"
        )
        return Measurement(**found)
    found["comparison"] = quiet(
        tasktime.compare,
        np.exp(before_logs.to_numpy()),
        np.exp(after_logs.to_numpy()),
        confidence_level=ctx.confidence_level,
    )
    return Measurement(**found)


def _measure(ctx, h) -> Measurement:
    return _measure_rows(ctx, h, base.task_rows(ctx, h))


def _segments(ctx, h) -> list:
    return base.task_segments(ctx, h, _measure_rows)


def _change_sd_log(h, after, before) -> float:
    """SD for planning the before/after comparison: of the log differences when paired,
    otherwise the pooled within-phase SD of the participants' log times."""
    import numpy as np

    if h.design == "paired":
        common = before.index.intersection(after.index)
        return float(np.std(after[common].to_numpy() - before[common].to_numpy(), ddof=1))
    na, nb = len(after), len(before)
    pooled = (
        (na - 1) * np.var(after.to_numpy(), ddof=1) + (nb - 1) * np.var(before.to_numpy(), ddof=1)
    ) / (na + nb - 2)
    return float(np.sqrt(pooled))


def _plan(h, m: Measurement, side: str, confidence_level: float):
    """Against the target: a one-sample t test on ln(seconds) with the after SD; against
    before: the study's design with the SD of :func:`_change_sd_log`
    (:func:`cvlib.stats.power.task_time_sample_size`)."""
    import numpy as np

    from cvlib.stats import power

    after_logs, before_logs = m.detail
    if side == "neither":
        sd = float(np.std(after_logs.to_numpy(), ddof=1))
        ratio = m.after.estimate / h.target
        if ratio == 1 or not sd > 0:
            return None
        return power.task_time_sample_size(
            ratio, sd, paired=True, confidence_level=confidence_level
        )
    if m.before is None or m.comparison is None:
        return None
    ratio = m.comparison.estimate
    sd = _change_sd_log(h, after_logs, before_logs)
    if ratio == 1 or not sd > 0:
        return None
    return power.task_time_sample_size(
        ratio, sd, paired=h.design == "paired", confidence_level=confidence_level
    )


def _participant_means(rows, phase):
    done = rows[(rows["phase"] == phase) & rows["completed"] & rows["seconds"].notna()]
    return done.groupby("participant_id")["seconds"].mean()


def _saving(ctx, h) -> Saving | None:
    """Seconds saved per task: mean before - mean after of the participants' mean seconds."""
    from cvlib.stats.summary import SampleSummary, one_sample_test, welch_test

    rows = base.task_rows(ctx, h)
    before = _participant_means(rows, "before")
    after = _participant_means(rows, "after")
    cl = ctx.confidence_level
    if h.design == "paired":
        common = before.index.intersection(after.index)
        if len(common) < 2:
            return None
        diff = before[common].to_numpy() - after[common].to_numpy()
        test = quiet(one_sample_test, SampleSummary.from_values(diff), confidence_level=cl)
        return Saving(float(test.estimate), float(test.ci_low), float(test.ci_high), float(test.df))
    if len(before) < 2 or len(after) < 2:
        return None
    test = quiet(
        welch_test,
        SampleSummary.from_values(before.to_numpy()),
        SampleSummary.from_values(after.to_numpy()),
        confidence_level=cl,
    )
    # welch_test(before, after) estimates mean(after) - mean(before); time saved is its negative
    return Saving(float(-test.estimate), float(-test.ci_high), float(-test.ci_low), float(test.df))


SPEC = register(
    MetricSpec(
        name="task_time",
        label="time on task",
        unit=SECONDS,
        counts="participants",
        table="task_times",
        lower_is_better=True,
        min_n=5,
        method=(
            "Task time: geometric mean with a t-interval on ln(seconds); change: ratio of "
            "geometric means, Welch or paired t-test on ln(seconds) (Sauro & Lewis 2016, "
            "Quantifying the User Experience, 2nd ed.)."
        ),
        measure=_measure,
        segments=_segments,
        plan=_plan,
        needs_task=True,
        designs=("independent", "paired"),
        options=("tasks_per_month",),
        scope=base.task_scope,
        saving=_saving,
        chart="attempts",
    )
)
