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

Failed attempts have no time, so the times compare the attempts that
succeeded: when completion changes between the phases, that comparison is
biased (survivorship). When any attempt failed, the result carries flag
``failed_attempts`` and a sensitivity result: the worst-rank comparison
(Lachin 1999), each participant's time, or a failure ranked worse than every
time for a participant without a completed attempt, compared with the
Wilcoxon-Mann-Whitney test (:func:`cvlib.stats.worstrank.worst_rank_compare`;
for a paired design too, as independent samples).

Economic value: customer time saved per task is a difference of arithmetic
means of the participants' mean seconds, before - after (total time is mean x
volume; a geometric mean would understate it). Independent phases: the
log-normal estimate of each mean, exp(mean ln + variance/2) with the
maximum-likelihood variance, and the generalized pivotal quantity interval of
their difference (:func:`cvlib.stats.lognormal.mean_difference`). Paired
design: the plain mean of the paired differences with its BCa bootstrap
interval.

References
----------
Lachin, J. M. (1999). Worst-rank score analysis with informatively missing
observations in clinical trials. Controlled Clinical Trials, 20(5), 408-422.

Sauro, J., & Lewis, J. R. (2016). Quantifying the User Experience (2nd ed.).
Morgan Kaufmann.
"""

from __future__ import annotations

from cvlib.metrics import study
from cvlib.metrics.base import Before, Measurement, MetricSpec, Saving, quiet, register
from cvlib.metrics.units import SECONDS


def _measure_rows(ctx, h, rows) -> Measurement:
    import numpy as np

    from cvlib.stats import tasktime

    if rows is None or rows.empty:
        return Measurement(
            absent=f"No task-time measurements for task '{h.task}' in this release yet."
        )
    after_logs = study.participant_logs(rows, "after")
    before_logs = study.participant_logs(rows, "before")
    found = {
        "n": len(after_logs),
        "detail": (after_logs, before_logs, bool(not rows["completed"].all())),
        "sensitivity": _worst_rank(rows, ctx.confidence_level),
    }
    if len(after_logs) == 0:
        return Measurement(**found, absent="No completed task attempts after the release yet.")
    if len(after_logs) >= 2:
        after_times = np.exp(after_logs.to_numpy())
        found["after"] = quiet(
            tasktime.geometric_mean, after_times, confidence_level=ctx.confidence_level
        )
        found["target_test"] = lambda null, alternative: (
            quiet(tasktime.test_target, after_times, null=null, alternative=alternative).p_value
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
        return Measurement(
            **found,
            **_change(
                np.exp(before_logs[common].to_numpy()),
                np.exp(after_logs[common].to_numpy()),
                True,
                ctx.confidence_level,
            ),
        )
    if len(before_logs) < 2 or len(after_logs) < 2:
        found["change_undefined"] = (
            "Welch t-test on ln(seconds): at least 2 participants per phase are needed"
        )
        return Measurement(**found)
    return Measurement(
        **found,
        **_change(
            np.exp(before_logs.to_numpy()),
            np.exp(after_logs.to_numpy()),
            False,
            ctx.confidence_level,
        ),
    )


def _worst_rank(rows, confidence_level: float):
    """The worst-rank comparison (Lachin 1999) when any attempt failed: each participant's
    mean ln(seconds) of completed attempts, or, with none completed, a failure ranked worse
    than every time (:func:`cvlib.stats.worstrank.worst_rank_compare`); ``None`` when no
    attempt failed, or a phase has no participant."""
    import numpy as np

    from cvlib.stats import worstrank

    if rows["completed"].all():
        return None
    times, failed = [], []
    for phase in ("before", "after"):
        part = rows[rows["phase"] == phase]
        people = part["participant_id"].drop_duplicates()
        logs = study.participant_logs(part, phase)
        value = logs.reindex(people.to_numpy())
        # to the microsecond: a mean of logs taken back to seconds must not break a tie
        times.append(np.round(np.exp(value.to_numpy(dtype=float)), 6))
        failed.append(value.isna().to_numpy())
    if not (len(times[0]) and len(times[1])):
        return None
    return quiet(
        worstrank.worst_rank_compare,
        times[0],
        failed[0],
        times[1],
        failed[1],
        confidence_level=confidence_level,
    )


def _flags(h, m: Measurement) -> tuple[str, ...]:
    """``failed_attempts`` when any attempt failed in either phase."""
    return ("failed_attempts",) if m.detail is not None and m.detail[2] else ()


def _change(before, after, paired: bool, confidence_level: float) -> dict:
    """The ratio after / before with its interval, and its test at any null ratio."""
    from cvlib.stats import tasktime

    def change_test(null: float, alternative: str) -> float:
        return quiet(
            tasktime.compare,
            before,
            after,
            paired=paired,
            null=null,
            confidence_level=confidence_level,
            alternative=alternative,
        ).p_value

    comparison = quiet(
        tasktime.compare, before, after, paired=paired, confidence_level=confidence_level
    )
    return {"comparison": comparison, "change_test": change_test}


_measure = study.task_measure(_measure_rows)


def _segments(ctx, h) -> list:
    return study.task_segments(ctx, h, _measure_rows)


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


def _plan(h, m: Measurement, claim, confidence_level: float):
    """On ln(seconds) (:func:`cvlib.stats.planning.time_after_n`): against the target with
    the after SD; a change claim with the before sample fixed (independent design) or in
    pairs with the SD of the log differences (paired design)."""
    import math

    import numpy as np

    from cvlib.stats import planning

    if m.detail is None:
        return None
    after_logs, before_logs, _ = m.detail
    if len(after_logs) < 2:
        return None
    options = {"confidence_level": confidence_level, "alternative": claim.alternative}
    if claim.name == "target":
        sd = float(np.std(after_logs.to_numpy(), ddof=1))
        if not sd > 0:
            return None
        return planning.time_after_n(math.log(h.expected / claim.null), sd_log=sd, **options)
    if m.before is None or len(before_logs) < 2:
        return None
    effect = math.log(h.expected / m.before.estimate / claim.null)
    if h.design == "paired":
        sd = _change_sd_log(h, after_logs, before_logs)
        if not sd > 0:
            return None
        return planning.time_after_n(effect, sd_log=sd, paired=True, **options)
    sd = float(np.std(after_logs.to_numpy(), ddof=1))
    sd_before = float(np.std(before_logs.to_numpy(), ddof=1))
    if not (sd > 0 and sd_before > 0):
        return None
    return planning.time_after_n(
        effect, sd_log=sd, sd_log_before=sd_before, n_before=len(before_logs), **options
    )


def _participant_means(rows, phase):
    done = rows[(rows["phase"] == phase) & rows["completed"] & rows["seconds"].notna()]
    return done.groupby("participant_id")["seconds"].mean()


#: Resamples of the paired bootstrap of the time saved.
RESAMPLES = 9_999


def _seed(h) -> int:
    """A fixed seed per task, so that the draws of different tasks are independent."""
    import zlib

    from cvlib.stats import lognormal

    return lognormal.SEED + zlib.crc32(str(h.task).encode("utf-8")) % 1_000_000


def _saving(ctx, h) -> Saving | None:
    """Seconds saved per task (mean before - mean after of the participants' mean seconds):
    the generalized pivotal quantity interval of the difference of log-normal means
    (independent design), or the BCa bootstrap of the mean paired difference (paired)."""
    import math

    import numpy as np

    from cvlib.stats import lognormal

    rows = study.task_rows(ctx, h)
    before = _participant_means(rows, "before")
    after = _participant_means(rows, "after")
    cl = ctx.confidence_level
    if h.design == "paired":
        common = before.index.intersection(after.index)
        if len(common) < 2:
            return None
        return _paired_saving(before[common].to_numpy() - after[common].to_numpy(), cl, _seed(h))
    if len(before) < 2 or len(after) < 2:
        return None
    b, a = before.to_numpy(), after.to_numpy()
    found = quiet(lognormal.mean_difference, b, a, confidence_level=cl, seed=_seed(h))
    if not np.isfinite([found.ci_low, found.ci_high]).all():
        # the times of a phase do not vary: the estimate stands, its interval is undefined
        why = "; its interval is undefined: the times of a phase do not vary"
        return Saving(float(found.estimate), math.nan, math.nan, found.method + why, None)
    return Saving(
        float(found.estimate),
        float(found.ci_low),
        float(found.ci_high),
        found.method,
        lognormal.mean_difference_pivots(b, a, seed=_seed(h)),
    )


def _paired_saving(diff, confidence_level: float, seed: int) -> Saving | None:
    """The BCa bootstrap (Efron 1987) of the mean of paired differences, with scipy."""
    import numpy as np
    from scipy import stats

    if not np.ptp(diff) > 0:  # every resample has the same mean: the interval is that value
        d = float(diff[0])
        method = "every pair saved the same time: the bootstrap distribution is that one value"
        return Saving(d, d, d, method, np.full(RESAMPLES, d))
    found = stats.bootstrap(
        (diff,),
        np.mean,
        confidence_level=confidence_level,
        n_resamples=RESAMPLES,
        method="BCa",
        random_state=np.random.default_rng(seed),
    )
    low, high = found.confidence_interval
    return Saving(
        float(np.mean(diff)),
        float(low),
        float(high),
        f"BCa bootstrap of the mean paired difference (Efron 1987; {RESAMPLES} resamples, "
        f"seed {seed})",
        found.bootstrap_distribution,
    )


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
        scope=study.task_scope,
        saving=_saving,
        flags=_flags,
        flag_texts={
            "failed_attempts": "some attempts failed: the times compare completed attempts "
            "only, which is biased when completion changed between the phases; the worst-rank "
            "comparison beside it counts each participant without a completed attempt as slower "
            "than everyone who completed"
        },
        chart="attempts",
    )
)
