r"""Worst-rank comparison of task times when some attempts fail.

A failed attempt has no time, and dropping it flatters the group that fails
more. The worst-rank analysis (Lachin 1999) keeps every participant: a
completed attempt counts as its time, a failed one as a value worse than
every completed time, failures tied among themselves. The groups are then
compared with the Wilcoxon-Mann-Whitney test, and the effect is the
probabilistic index: the chance that a random after-release attempt beats a
random before-release attempt (lower time is better, failure is worst), ties
counting one half.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.rank import _correction, _normal_p, _tie_sum, average_ranks
from cvlib.stats.results import _ResultMixin
from cvlib.stats.validation import as_float_array, check_confidence_level

__all__ = ["WorstRank", "hanley_mcneil_variance", "worst_rank_compare"]


@dataclass(frozen=True, slots=True)
class WorstRank(_ResultMixin):
    """The worst-rank comparison of two groups of task attempts.

    Attributes
    ----------
    probability : float
        :math:`P(\\text{after better}) + \\tfrac12 P(\\text{tie})` over all
        before/after pairs of attempts: 0.5 is no difference, above 0.5 means
        the release helped (faster, or fewer failures).
    ci_low, ci_high : float
        Interval of ``probability`` (Newcombe's method 5), within [0, 1].
    p_value : float
        Two-sided Wilcoxon-Mann-Whitney test (normal approximation, tie and
        continuity corrections); ``nan`` when every outcome ties.
    statistic : float
        The Mann-Whitney :math:`W` of the after group: pairs in which the after
        attempt is worse, ties counting one half (R's ``wilcox.test(after,
        before)$statistic``), so ``probability = 1 - W / (n_before n_after)``.
    n_before, n_after : int
        Attempts in each group, failed ones included.
    failed_before, failed_after : int
        Failed attempts in each group.
    confidence_level : float
        Coverage of the interval.
    method : str
        The test and the interval.
    """

    probability: float
    ci_low: float
    ci_high: float
    p_value: float
    statistic: float
    n_before: int
    n_after: int
    failed_before: int
    failed_after: int
    confidence_level: float
    method: str


def _outcomes(times, failed, name: str) -> tuple[np.ndarray, int]:
    """Times with failures as +inf; checks that completed times are positive and finite."""
    values = as_float_array(times, f"{name}_times")
    flags = np.asarray(failed)
    if flags.ndim != 1:
        raise ValueError(f"{name}_failed must be one-dimensional, got shape {flags.shape}")
    if flags.dtype != bool:
        if flags.size and not (
            np.issubdtype(flags.dtype, np.integer) and np.isin(flags, (0, 1)).all()
        ):
            raise TypeError(f"{name}_failed must hold True/False flags, got {flags.dtype} values")
        flags = flags.astype(bool)
    if flags.size != values.size:
        raise ValueError(
            f"{name}_times and {name}_failed must have equal length (one flag per attempt), "
            f"got {values.size} and {flags.size}"
        )
    if values.size == 0:
        raise ValueError(f"{name}_times must contain at least one attempt, got none")
    done = values[~flags]
    bad = ~np.isfinite(done) | (done <= 0)
    if bad.any():
        index = int(np.flatnonzero(~flags)[np.flatnonzero(bad)[0]])
        raise ValueError(
            f"{name}_times must be positive and finite for completed attempts "
            f"(failed ones may be nan), got {float(values[index])!r} at position {index}"
        )
    return np.where(flags, math.inf, values), int(flags.sum())


def hanley_mcneil_variance(theta: float, n_x: float, n_y: float) -> float:
    r"""Hanley and McNeil's (1982) variance of the probabilistic index :math:`\hat\theta`.

    Parameters
    ----------
    theta : float
        The index, in [0, 1].
    n_x, n_y : float
        The sizes of the samples of :math:`X` and :math:`Y` for
        :math:`\theta = P(X \text{ beats } Y)` (Newcombe's method 5 passes
        :math:`(m+n)/2` for both).

    Returns
    -------
    float
        :math:`[\theta(1-\theta) + (n_x-1)(Q_1-\theta^2) + (n_y-1)(Q_2-\theta^2)] / (n_x n_y)`
        with :math:`Q_1 = \theta/(2-\theta)`, :math:`Q_2 = 2\theta^2/(1+\theta)`
        (the exponential approximation).

    Examples
    --------
    Hanley and McNeil (1982), Table 1 (51 abnormal and 58 normal images rated
    1-5): area 0.893, standard error 0.032 there, with :math:`Q_1` and
    :math:`Q_2` counted from the ratings; the exponential approximation gives:

    >>> from cvlib.stats.worstrank import hanley_mcneil_variance
    >>> round(hanley_mcneil_variance(0.893, 51, 58) ** 0.5, 4)
    0.0325
    """
    q1 = theta / (2.0 - theta)
    q2 = 2.0 * theta * theta / (1.0 + theta)
    spread = theta * (1.0 - theta) + (n_x - 1) * (q1 - theta**2) + (n_y - 1) * (q2 - theta**2)
    return spread / (n_x * n_y)


def _newcombe_interval(theta: float, m: int, n: int, z: float) -> tuple[float, float]:
    """Newcombe's (2006) method 5: the theta with (theta_hat - theta)**2 = z**2 V(theta).

    V(t) = t (1 - t) B(t); at theta_hat = 1 (or 0) the root at the end point is
    divided out, leaving (1 - t) = z**2 t B(t) (or t = z**2 (1 - t) B(t)).
    """
    from scipy.optimize import brentq

    half = (m + n) / 2.0

    def bracket(t):  # V(t) / (t (1 - t))
        return (1 + (half - 1) * ((1 - t) / (2 - t) + t / (1 + t))) / (m * n)

    def gap(t):
        return (theta - t) ** 2 - z * z * t * (1 - t) * bracket(t)

    if theta == 1.0:
        low = brentq(lambda t: (1 - t) - z * z * t * bracket(t), 0.0, 1.0, xtol=1e-14)
    else:
        low = 0.0 if theta == 0.0 else brentq(gap, 0.0, theta, xtol=1e-14)
    if theta == 0.0:
        high = brentq(lambda t: t - z * z * (1 - t) * bracket(t), 0.0, 1.0, xtol=1e-14)
    else:
        high = 1.0 if theta == 1.0 else brentq(gap, theta, 1.0, xtol=1e-14)
    return float(low), float(high)


def worst_rank_compare(
    before_times,
    before_failed,
    after_times,
    after_failed,
    *,
    confidence_level: float = 0.95,
) -> WorstRank:
    r"""Compare task attempts before and after a release, failed attempts ranked worst.

    Parameters
    ----------
    before_times, after_times : array_like of float
        Seconds per attempt, positive and finite where the attempt was
        completed; ignored (``nan`` is fine) where it failed. At least one
        attempt per group.
    before_failed, after_failed : array_like of bool
        One flag per attempt, ``True`` where the attempt failed (also 0/1).
    confidence_level : float, optional
        Coverage of the interval of ``probability``, in (0, 1). Default 0.95.

    Returns
    -------
    WorstRank
        ``probability`` (after better + half the ties), ``ci_low``,
        ``ci_high``, ``p_value`` (two-sided), ``statistic`` (W), ``n_before``,
        ``n_after``, ``failed_before``, ``failed_after``,
        ``confidence_level``, ``method``.

    Raises
    ------
    TypeError
        If times are not numbers or flags are not booleans.
    ValueError
        If a group is empty, times and flags differ in length, a completed
        time is not positive and finite, or ``confidence_level`` is outside
        (0, 1).

    Warns
    -----
    CvlibWarning
        When every outcome ties (the test is undefined): ``p_value`` is ``nan``.

    Notes
    -----
    Each attempt's outcome is its time if completed and :math:`+\infty` if it
    failed (worse than any time; failures tie). With :math:`m` attempts
    before, :math:`n` after and midranks of all :math:`N = m + n` outcomes,
    :math:`W = R_{after} - n(n+1)/2` counts the pairs in which the after
    attempt is worse, ties one half, and

    .. math::

        \hat\theta = 1 - \frac{W}{mn}, \qquad
        z = \frac{W - mn/2 - \tfrac12\operatorname{sign}(W - mn/2)}
                 {\sqrt{\frac{mn}{12}\bigl(N + 1 - \frac{\sum_j (t_j^3 - t_j)}{N(N-1)}\bigr)}},

    :math:`t_j` the sizes of the groups of ties, :math:`p = 2\Phi(-|z|)` (R's
    ``wilcox.test(..., exact = FALSE)``). With no failure this is the
    ordinary Wilcoxon-Mann-Whitney test of the times.

    The interval is Newcombe's (2006) method 5, a score-type interval: the
    :math:`\theta` with :math:`(\hat\theta - \theta)^2 \le z_{1-\alpha/2}^2 V(\theta)`,

    .. math::

        V(\theta) = \frac{\theta(1-\theta)}{mn}\Bigl[1 + (N^* - 1)\frac{1-\theta}{2-\theta}
                    + (N^* - 1)\frac{\theta}{1+\theta}\Bigr], \qquad N^* = \frac{m+n}{2},

    Hanley and McNeil's variance with both sizes replaced by :math:`N^*`. It
    stays within [0, 1] and is defined at :math:`\hat\theta = 0` or 1 (every
    after attempt better than every before attempt). The variance assumes
    continuous outcomes, so with many ties (many failures) the interval is
    somewhat conservative.

    References
    ----------
    .. [1] Lachin, J. M. (1999). Worst-rank score analysis with informatively
       missing observations in clinical trials. *Controlled Clinical Trials*,
       20(5), 408-422.
    .. [2] Newcombe, R. G. (2006). Confidence intervals for an effect size
       measure based on the Mann-Whitney statistic. Part 2: Asymptotic
       methods and evaluation. *Statistics in Medicine*, 25(4), 559-573.
    .. [3] Hanley, J. A. and McNeil, B. J. (1982). The meaning and use of the
       area under a receiver operating characteristic (ROC) curve.
       *Radiology*, 143(1), 29-36.
    .. [4] Hollander, M. and Wolfe, D. A. (1999). *Nonparametric Statistical
       Methods* (2nd ed.), ch. 4. Wiley.

    Examples
    --------
    Eight attempts before (two failed) and eight after (one failed):

    >>> from cvlib.stats.worstrank import worst_rank_compare
    >>> nan = float("nan")
    >>> before = [62, 75, 58, 90, 81, nan, 70, nan]
    >>> after = [50, 61, 44, 72, 55, 66, nan, 49]
    >>> r = worst_rank_compare(before, [t != t for t in before],
    ...                        after, [t != t for t in after])
    >>> round(r.probability, 4), round(r.ci_low, 3), round(r.ci_high, 3)
    (0.7969, 0.505, 0.932)
    >>> round(r.p_value, 4), r.statistic, r.failed_before, r.failed_after
    (0.0513, 13.0, 2, 1)
    """
    from scipy.special import ndtri

    before, failed_before = _outcomes(before_times, before_failed, "before")
    after, failed_after = _outcomes(after_times, after_failed, "after")
    confidence_level = check_confidence_level(confidence_level)
    m, n = before.size, after.size
    total = m + n
    ranks = average_ranks(np.concatenate([after, before]))
    statistic = float(np.sum(ranks[:n]) - n * (n + 1) / 2)
    theta = 1.0 - statistic / (m * n)
    variance = (m * n / 12) * ((total + 1) - _tie_sum(ranks) / (total * (total - 1)))
    shift = statistic - m * n / 2
    if variance <= 0.0:
        warnings.warn(
            "worst_rank_compare: every outcome ties (all failed, or all the same time); "
            "the p-value is nan",
            CvlibWarning,
            stacklevel=2,
        )
        p_value = math.nan
    else:
        p_value = _normal_p(
            (shift - _correction(shift, "two-sided")) / math.sqrt(variance), "two-sided"
        )
    z = float(ndtri(1.0 - (1.0 - confidence_level) / 2.0))
    ci_low, ci_high = _newcombe_interval(theta, m, n, z)
    return WorstRank(
        probability=float(theta),
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=float(p_value),
        statistic=statistic,
        n_before=int(m),
        n_after=int(n),
        failed_before=failed_before,
        failed_after=failed_after,
        confidence_level=confidence_level,
        method=(
            "worst-rank Wilcoxon-Mann-Whitney test (failures worse than every time; normal "
            "approximation, tie and continuity corrections); Newcombe method 5 interval"
        ),
    )
