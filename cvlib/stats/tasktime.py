"""Task times: geometric means and before/after ratios on the log scale.

Task times are positively skewed, so they are analysed on the log scale
(Sauro and Lewis 2016, ch. 3 and 5): the geometric mean and its t-interval on
``ln(seconds)``, and before/after comparisons as a *ratio* of geometric means.
:func:`compare` goes through the aggregate layer (:mod:`cvlib.stats.summary`), so
summaries of ``ln(seconds)`` computed by a query engine give the same result.
:func:`cvlib.stats.rank.rank_compare` is the distribution-free alternative.

:func:`test_target` tests the geometric mean against a target time and
``compare(..., null=ratio)`` tests the ratio against any null ratio; each is
the t test whose inversion is the matching interval, so a one-sided p-value
is below :math:`\\alpha/2` exactly when the two-sided interval at level
:math:`1-\\alpha` excludes the null on that side.

Times must be positive and finite (seconds); anything else raises
``ValueError``. In every function ``alternative="less"`` means *after is
smaller than before* (faster), ``"greater"`` means after is larger.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np

from cvlib.stats.results import Comparison, Estimate, Test
from cvlib.stats.summary import SampleSummary, one_sample_test, welch_test
from cvlib.stats.validation import (
    check_alternative,
    check_confidence_level,
    check_positive_finite,
    check_positive_times,
    method_label,
)

__all__ = ["compare", "geometric_mean", "test_target"]

Alternative = Literal["two-sided", "less", "greater"]


# -- shared checks -------------------------------------------------------------------


def _times(values, name: str) -> np.ndarray:
    array = check_positive_times(values, name)
    if array.size == 0:
        raise ValueError(f"{name} must contain at least one time, got an empty sequence")
    return array


def _check_paired(paired) -> bool:
    if not isinstance(paired, (bool, np.bool_)):
        raise TypeError(f"paired must be True or False, got {paired!r}")
    return bool(paired)


def _check_pairs(before: np.ndarray, after: np.ndarray) -> None:
    if before.size != after.size:
        raise ValueError(
            "paired=True needs before and after of equal length (pairs aligned by "
            f"position), got {before.size} and {after.size}"
        )


def _exp(value: float) -> float:
    """``exp`` that returns inf past the float range (very wide log-scale intervals)."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _call_aggregate(context: str, func, *args, **kwargs):
    """Call a function of cvlib.stats.summary; re-emit its warnings under ``context``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    for item in caught:
        warnings.warn(f"{context}: {item.message}", item.category, stacklevel=3)
    return result


# -- log-scale t methods -------------------------------------------------------------------


def geometric_mean(
    times, *, confidence_level: float = 0.95, alternative: Alternative = "two-sided"
) -> Estimate:
    """Geometric mean of task times with a t-interval on ``ln(seconds)``.

    Parameters
    ----------
    times : array_like of float
        Task times in seconds, positive and finite, at least one.
    confidence_level : float, default 0.95
        Coverage of the interval, in (0, 1).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``less`` gives the one-sided interval (0, upper], ``greater`` gives
        [lower, inf); ``method`` then says "one-sided".

    Returns
    -------
    Estimate
        ``estimate`` = geometric mean in seconds; ``ci_low``, ``ci_high`` the
        back-transformed interval; ``n`` = number of times;
        ``confidence_level``; ``method`` = ``"t-interval on ln(seconds),
        back-transformed"``.

    Raises
    ------
    TypeError
        If ``times`` is not a sequence of numbers.
    ValueError
        If ``times`` is empty, holds a non-positive or non-finite value, or
        ``confidence_level`` is outside (0, 1).

    Warns
    -----
    CvlibWarning
        With a single time or identical times (zero variance on the log
        scale): the interval is ``nan``; the estimate is still the geometric
        mean.

    Notes
    -----
    With :math:`y_i = \\ln t_i`, mean :math:`\\bar y` and standard deviation
    :math:`s_y`,

    .. math::

        \\mathrm{GM} = e^{\\bar y}, \\qquad
        \\left[ e^{\\bar y - t_{n-1, 1-\\alpha/2}\\, s_y / \\sqrt n},\\;
                e^{\\bar y + t_{n-1, 1-\\alpha/2}\\, s_y / \\sqrt n} \\right],

    :math:`\\alpha = 1 -` ``confidence_level``. The interval is not symmetric
    around the estimate. The log-scale interval is
    :func:`cvlib.stats.summary.one_sample_test` on the summary of :math:`y`.

    References
    ----------
    .. [1] Sauro, J. and Lewis, J. R. (2016). *Quantifying the User Experience:
       Practical Statistics for User Research*, 2nd ed., ch. 3. Morgan Kaufmann.
    .. [2] Sauro, J. (2006). "Graph and calculator for confidence intervals for
       task times". MeasuringU, http://www.measuringu.com/time_intervals.php

    Examples
    --------
    MeasuringU's example: "68 seconds, 95% CI (46, 101)".

    >>> from cvlib.stats.tasktime import geometric_mean
    >>> r = geometric_mean([55, 65, 75, 62, 45, 135])
    >>> round(r.estimate), round(r.ci_low), round(r.ci_high)
    (68, 46, 101)
    """
    values = _times(times, "times")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    logs = SampleSummary.from_values(np.log(values))
    result = _call_aggregate(
        "geometric_mean",
        one_sample_test,
        logs,
        value=0.0,
        confidence_level=confidence_level,
        alternative=alternative,
    )
    return Estimate(
        estimate=_exp(logs.mean),
        ci_low=_exp(result.ci_low),
        ci_high=_exp(result.ci_high),
        n=logs.n,
        confidence_level=confidence_level,
        method=method_label("t-interval on ln(seconds), back-transformed", alternative),
    )


def compare(
    before,
    after,
    *,
    paired: bool = False,
    null: float = 1.0,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> Comparison:
    """Ratio of geometric mean task times after/before, tested on ``ln(seconds)``.

    Parameters
    ----------
    before, after : array_like of float
        Task times in seconds, positive and finite, at least one each.
    paired : bool, default False
        ``True`` when ``before[i]`` and ``after[i]`` come from the same
        participant: a paired t-test on the log differences. The two sequences
        must then have equal length (pairs are aligned by position); otherwise
        ``ValueError`` is raised - the function never falls back to the
        unpaired test.
    null : float, default 1.0
        The ratio after/before under the null hypothesis, positive and finite
        (tested as ``ln(null)`` on the log scale). 1 is no change; ``null=1.1``
        with ``alternative="less"`` tests that after is less than 10% slower
        (non-inferiority); ``null=0.8`` with ``"less"`` that it is more than
        20% faster.
    confidence_level : float, default 0.95
        Coverage of the interval, in (0, 1).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: after is faster (ratio < 1); ``"greater"``: slower.

    Returns
    -------
    Comparison
        ``estimate`` = ratio of geometric means after/before (0.8 = 20% less
        time); ``ci_low``, ``ci_high`` its interval (``exp`` of the log-scale
        interval; one-sided ``(0, x]`` or ``[x, inf)`` for ``"less"`` and
        ``"greater"``); ``p_value`` of ratio = ``null``; ``statistic`` = t on
        the log scale (positive when the ratio is above ``null``); ``df``
        (Welch-Satterthwaite, or pairs - 1); ``n_before``, ``n_after``;
        ``confidence_level``; ``method``; ``alternative``.

    Raises
    ------
    TypeError
        If a sample is not a sequence of numbers or ``paired`` is not a bool.
    ValueError
        For empty samples, non-positive or non-finite times, unequal lengths
        with ``paired=True``, a ``null`` that is not positive and finite, a
        ``confidence_level`` outside (0, 1) or an unknown ``alternative``.

    Warns
    -----
    CvlibWarning
        When the test is undefined (fewer than 2 times or pairs, zero variance
        on the log scale): p-value, statistic, df and interval are ``nan``.

    Notes
    -----
    Unpaired, with :math:`y = \\ln t`: Welch's test
    (:func:`cvlib.stats.summary.welch_test`) on the summaries of :math:`y`,

    .. math::

        \\hat\\rho = e^{\\bar y_a - \\bar y_b}, \\qquad
        t = \\frac{\\bar y_a - \\bar y_b - \\ln\\rho_0}{\\sqrt{s_a^2/n_a + s_b^2/n_b}},

    with Welch-Satterthwaite degrees of freedom. Paired: the one-sample test
    (:func:`cvlib.stats.summary.one_sample_test`) on :math:`d_i = \\ln a_i - \\ln b_i`,
    :math:`\\hat\\rho = e^{\\bar d}` (the geometric mean of the per-participant
    ratios, which equals the ratio of the geometric means), :math:`t = (\\bar d
    - \\ln\\rho_0) / (s_d / \\sqrt n)` on :math:`n - 1` df; :math:`\\rho_0` =
    ``null``. The interval of the ratio is ``exp`` of the interval of the log
    difference, so the p-value is below :math:`1 -` ``confidence_level``
    exactly when the interval excludes ``null``, and a one-sided p-value is
    below :math:`(1 -` ``confidence_level``:math:`)/2` exactly when the
    two-sided interval excludes ``null`` on that side.
    Multiplying every time by the same constant (seconds to minutes) changes
    neither the ratio nor the p-value.

    References
    ----------
    .. [1] Sauro, J. and Lewis, J. R. (2016). *Quantifying the User Experience*,
       2nd ed., ch. 5 (comparing task times on the log scale). Morgan Kaufmann.
    .. [2] Welch, B. L. (1947). "The generalization of 'Student's' problem when
       several different population variances are involved". *Biometrika*
       34(1-2), 28-35.

    Examples
    --------
    >>> from cvlib.stats.tasktime import compare
    >>> before = [55, 65, 75, 62, 45, 135]
    >>> after = [40, 52, 61, 47, 38, 90]
    >>> r = compare(before, after)
    >>> round(r.estimate, 3), round(r.ci_low, 3), round(r.ci_high, 3), round(r.p_value, 3)
    (0.766, 0.489, 1.2, 0.215)

    Paired (the same six participants), the ratio is the same but far more
    precise:

    >>> r = compare(before, after, paired=True)
    >>> round(r.estimate, 3), round(r.ci_low, 3), round(r.ci_high, 3), round(r.p_value, 4)
    (0.766, 0.7, 0.838, 0.0006)

    Is after more than 10% faster (ratio below 0.9)?

    >>> r = compare(before, after, paired=True, null=0.9, alternative="less")
    >>> round(r.statistic, 3), round(r.p_value, 4)
    (-4.587, 0.003)
    """
    before_times = _times(before, "before")
    after_times = _times(after, "after")
    paired = _check_paired(paired)
    log_null = math.log(check_positive_finite(null, "null"))
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    if paired:
        _check_pairs(before_times, after_times)
        differences = SampleSummary.from_values(np.log(after_times) - np.log(before_times))
        result = _call_aggregate(
            "compare",
            one_sample_test,
            differences,
            value=log_null,
            confidence_level=confidence_level,
            alternative=alternative,
        )
        method = "paired t-test on ln(seconds); ratio of geometric means after/before"
    else:
        result = _call_aggregate(
            "compare",
            welch_test,
            SampleSummary.from_values(np.log(before_times)),
            SampleSummary.from_values(np.log(after_times)),
            null=log_null,
            confidence_level=confidence_level,
            alternative=alternative,
        )
        method = "Welch t-test on ln(seconds); ratio of geometric means after/before"
    return Comparison(
        estimate=_exp(result.estimate),
        ci_low=_exp(result.ci_low),
        ci_high=_exp(result.ci_high),
        p_value=result.p_value,
        statistic=result.statistic,
        df=result.df,
        n_before=int(before_times.size),
        n_after=int(after_times.size),
        confidence_level=confidence_level,
        method=method,
        alternative=alternative,
    )


def test_target(times, *, null: float, alternative: Alternative = "two-sided") -> Test:
    """One-sample t test of the geometric mean time against a target, on ``ln(seconds)``.

    Parameters
    ----------
    times : array_like of float
        Task times in seconds, positive and finite, at least one.
    null : float
        The geometric mean under the null hypothesis, in seconds, positive and
        finite (keyword only, no default).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: the geometric mean is below ``null`` (faster than the
        target); ``"greater"``: above.

    Returns
    -------
    Test
        ``statistic`` = t on the log scale (negative when faster than
        ``null``); ``p_value`` for ``alternative``; ``df`` = n - 1; ``null``
        (seconds) and ``alternative`` as given; ``method`` = ``"one-sample
        t-test on ln(seconds)"``.

    Raises
    ------
    TypeError
        If ``times`` is not a sequence of numbers or ``null`` not a number.
    ValueError
        If ``times`` is empty or holds a non-positive or non-finite value, if
        ``null`` is not positive and finite, or for an unknown ``alternative``.

    Warns
    -----
    CvlibWarning
        With a single time or identical times (zero variance on the log
        scale): ``statistic``, ``p_value`` and ``df`` are ``nan``.

    Notes
    -----
    With :math:`y_i = \\ln t_i`, mean :math:`\\bar y`, standard deviation
    :math:`s_y` and the target :math:`T` in seconds,

    .. math::

        t = \\frac{\\bar y - \\ln T}{s_y / \\sqrt n}, \\qquad \\nu = n - 1,

    :func:`cvlib.stats.summary.one_sample_test` on the summary of :math:`y`.
    The interval of :func:`geometric_mean` is
    :math:`\\exp(\\bar y \\pm t_{\\nu, 1-\\alpha/2}\\, s_y/\\sqrt n)`, so :math:`T` is
    above its upper bound exactly when the ``"less"`` p-value is below
    :math:`\\alpha/2`, and below its lower bound exactly when the
    ``"greater"`` p-value is. Changing units (seconds to minutes, target
    included) changes nothing.

    References
    ----------
    .. [1] Sauro, J. and Lewis, J. R. (2016). *Quantifying the User Experience:
       Practical Statistics for User Research*, 2nd ed., ch. 4 (comparing a
       task time with a benchmark on the log scale). Morgan Kaufmann.
    .. [2] Student (1908). "The probable error of a mean". *Biometrika* 6(1),
       1-25.

    Examples
    --------
    Is the geometric mean of these six times below a 100-second target?

    >>> from cvlib.stats.tasktime import geometric_mean, test_target
    >>> times = [55, 65, 75, 62, 45, 135]
    >>> t = test_target(times, null=100, alternative="less")
    >>> round(t.statistic, 3), t.df, round(t.p_value, 4)
    (-2.491, 5.0, 0.0275)

    At the upper bound of the 95% interval the one-sided p-value is 0.025:

    >>> high = geometric_mean(times).ci_high
    >>> round(test_target(times, null=high, alternative="less").p_value, 6)
    0.025
    """
    values = _times(times, "times")
    null = check_positive_finite(null, "null")
    alternative = check_alternative(alternative)
    result = _call_aggregate(
        "test_target",
        one_sample_test,
        SampleSummary.from_values(np.log(values)),
        value=math.log(null),
        alternative=alternative,
    )
    return Test(
        statistic=result.statistic,
        p_value=result.p_value,
        df=result.df,
        null=null,
        alternative=alternative,
        method="one-sample t-test on ln(seconds)",
    )


# pytest would collect a function named test_* imported into a test module as a test.
test_target.__test__ = False
