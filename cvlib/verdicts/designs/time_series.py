"""Interrupted time series: the metric's periods before the release forecast the window after it.

For a metric with a history (``nps``: weekly periods; ``churn``: periods of the
hypothesis's window length), the periods before the release are fitted with
a level and a trend, other releases' dates as indicators, weighted by their
sample size, sparse periods merged (:func:`cvlib.stats.timeseries.merge_sparse`,
at least the metric's minimum n each), with Newey-West standard errors
(:func:`cvlib.stats.timeseries.interrupted`). The effect is the mean of
observed minus forecast over the window, its standard error combining the
forecast's and the window's own sampling error; it replaces after - before
in the change claim. It needs at least :data:`MIN_PRE` periods before the
release.

Placebo dates (:func:`cvlib.stats.timeseries.placebo`): the same estimate at
every earlier period that leaves 12 periods before it; with at least 19 of
them, p = (1 + #placebos at least as large) / (1 + #placebos). Flag
``placebo_effects`` when the real effect is significant but that p exceeds
0.05: effects that large are common in this series without a release.

References
----------
Wagner, A. K., Soumerai, S. B., Zhang, F., & Ross-Degnan, D. (2002).
Segmented regression analysis of interrupted time series studies in
medication use research. Journal of Clinical Pharmacy and Therapeutics,
27(4), 299-309.

Bernal, J. L., Cummins, S., & Gasparrini, A. (2017). Interrupted time series
regression for the evaluation of public health interventions: a tutorial.
International Journal of Epidemiology, 46(1), 348-355.

Abadie, A. (2021). Using synthetic controls: feasibility, data requirements,
and methodological aspects. Journal of Economic Literature, 59(2), 391-425.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

from cvlib.errors import CvlibWarning
from cvlib.verdicts.designs.base import DesignSpec, Effect, Evidence, register
from cvlib.verdicts.designs.before_after import overlapping
from cvlib.verdicts.designs.simple import measured_effect

__all__ = ["MIN_PRE", "PLACEBO_LEVEL", "TIME_SERIES"]

#: Whole periods before the release the design needs.
MIN_PRE = 12
#: A placebo p-value above this, for a significant real effect, gives flag placebo_effects.
PLACEBO_LEVEL = 0.05

CAVEAT = (
    "The time series assumes the trend before the release would have gone on: anything else "
    "that changed at the release is read as its effect."
)


def _periods(h, ctx) -> tuple:
    spec = h.spec
    if spec.history is None or spec.series_value is None:
        return ()
    pre, window = spec.history(h, ctx)
    return pre + window


def _series(ctx, h):
    """``(values, weights, variances, starts, n_pre)`` from the first period with data."""
    spec = h.spec
    pre, window = spec.history(h, ctx)
    found = [spec.series_value(ctx.aggregates.get(p)) for p in pre + window]
    first = next((i for i, v in enumerate(found) if v is not None), None)
    if first is None or first >= len(pre):
        return None
    periods = (pre + window)[first:]
    found = found[first:]
    values = [math.nan if v is None else v[0] for v in found]
    weights = [0.0 if v is None else v[1] for v in found]
    variances = [0.0 if v is None else v[2] for v in found]
    return values, weights, variances, [p.window.start for p in periods], len(pre) - first


def _merged(values, weights, variances, n_pre: int, min_weight: float):
    from cvlib.stats import timeseries

    merged = timeseries.merge_sparse(values, weights, min_weight=min_weight, boundaries=(n_pre,))
    groups = merged.groups
    merged_variances = []
    for group, total in zip(groups, merged.weights, strict=True):
        v = sum(weights[i] ** 2 * variances[i] for i in group)
        merged_variances.append(v / total**2 if total > 0 else math.nan)
    n_pre_merged = sum(1 for g in groups if g[0] < n_pre)
    return merged, merged_variances, n_pre_merged


def _indicators(ctx, groups, starts, n_pre: int):
    """A 0/1 column per other release inside the fitted periods: 1 from its date on."""
    releases = ctx.workspace.releases
    first, release = starts[0], ctx.released_at
    columns = []
    for rid, at in zip(releases["release_id"], releases["released_at"], strict=True):
        at = at.to_pydatetime()
        if rid == ctx.release_id or not first < at < release:
            continue
        columns.append([1.0 if starts[g[0]] >= at else 0.0 for g in groups])
    if not columns:
        return None
    return [list(row) for row in zip(*columns, strict=True)]


def _comparison(result, merged, n_pre: int, confidence_level: float):
    from cvlib.stats.results import Comparison

    se = result.standard_error
    statistic = result.estimate / se if se > 0 else math.nan
    return Comparison(
        estimate=result.estimate,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        p_value=result.p_value,
        statistic=statistic,
        df=result.df,
        n_before=int(sum(merged.weights[:n_pre])),
        n_after=int(sum(merged.weights[n_pre:])),
        confidence_level=confidence_level,
        method=result.method,
        alternative="two-sided",
    )


def _change_test(result):
    from scipy.special import stdtr

    def test(null: float, alternative: str) -> float:
        se = result.standard_error
        if not se > 0 or not math.isfinite(se):
            return math.nan
        t = (result.estimate - null) / se
        lower = float(stdtr(result.df, t))
        return 1.0 - lower if alternative == "greater" else lower

    return test


def _apply(ctx, h, measured):
    from cvlib.stats import timeseries

    spec = h.spec
    if spec.history is None or spec.series_value is None:
        return None
    found = _series(ctx, h)
    if found is None:
        return None
    values, weights, variances, starts, n_pre = found
    if any(w <= 0 for w in weights[n_pre:]):
        return None  # a window period without data
    with warnings.catch_warnings():  # a sparse series is merged: what remains is reported
        warnings.simplefilter("ignore", CvlibWarning)
        merged, merged_variances, pre = _merged(values, weights, variances, n_pre, spec.min_n)
    window = len(merged.weights) - pre
    if pre < MIN_PRE or window < 1:
        return None
    indicators = _indicators(ctx, merged.groups, starts, n_pre)
    options = {"indicators": indicators, "times": merged.times}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvlibWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            result = timeseries.interrupted(
                merged.values,
                merged.weights,
                pre_periods=pre,
                window_periods=window,
                confidence_level=ctx.confidence_level,
                window_variances=merged_variances[pre:],
                **options,
            )
        except ValueError:
            return None
        try:
            placebo = timeseries.placebo(
                merged.values,
                merged.weights,
                release_index=pre,
                window_periods=window,
                min_pre=MIN_PRE,
                **options,
            )
        except ValueError:
            placebo = None
    flags, diagnostics = (
        [],
        {
            "pre_periods": pre,
            "window_periods": window,
            "hac_lag": result.hac_lag,
            "forecast": list(result.forecast),
            "placebo_count": None if placebo is None else placebo.n_placebos,
            "placebo_p_value": None if placebo is None else placebo.p_value,
        },
    )
    before_after = measured_effect(measured)
    if before_after is not None:
        diagnostics["before_after"] = before_after.to_dict()
    significant = math.isfinite(result.p_value) and result.p_value <= 1 - ctx.confidence_level
    if (
        placebo is not None
        and significant
        and math.isfinite(placebo.p_value)
        and placebo.p_value > PLACEBO_LEVEL
    ):
        flags.append("placebo_effects")
    others = overlapping(ctx, h)
    if others:
        flags.append("overlapping_release")
        diagnostics["overlapping_releases"] = others
    effect = Effect(result.estimate, result.ci_low, result.ci_high, result.p_value, result.method)
    changed = dataclasses.replace(
        measured,
        comparison=_comparison(result, merged, pre, ctx.confidence_level),
        change_test=_change_test(result),
        change_undefined=None,
        baseline="the forecast",
    )
    evidence = Evidence(
        "interrupted_time_series", "time_series", effect, diagnostics, tuple(flags), CAVEAT
    )
    return changed, evidence


TIME_SERIES = register(DesignSpec("interrupted_time_series", "time_series", _periods, _apply))
