r"""Arithmetic means of log-normal task times: generalized pivotal quantity intervals.

The time a release saves a customer per task is a difference of *arithmetic*
mean seconds, not of geometric means: it is what adds up over many tasks.
Task times are skewed and samples are small (24 to 36 attempts), so the
ordinary t interval of the mean is unreliable and the back-transformed
log-scale interval is an interval for the median. Under a log-normal model
the mean is :math:`\exp(\mu + \sigma^2/2)`, and Krishnamoorthy and Mathew
(2003) give its generalized confidence interval by simulating the
generalized pivotal quantities of :math:`\mu` and :math:`\sigma^2`.

The simulation uses ``numpy.random.default_rng(seed)`` with a fixed default
seed, so a report gives the same interval every night; ``draws`` sets its
precision. Samples are independent (no paired version).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Estimate, _ResultMixin
from cvlib.stats.tasktime import _exp, _times
from cvlib.stats.validation import check_confidence_level

__all__ = ["mean_difference_pivots", "MeanDifference", "mean_difference", "mean_interval"]

DRAWS = 100_000
SEED = 20030101
_MIN_DRAWS = 1_000


@dataclass(frozen=True, slots=True)
class MeanDifference(_ResultMixin):
    """Difference of arithmetic mean seconds, before - after, with its GPQ interval.

    Attributes
    ----------
    estimate : float
        :math:`\\hat m_{before} - \\hat m_{after}` with the log-normal maximum
        likelihood means :math:`\\hat m = \\exp(\\bar y + \\hat\\sigma^2/2)`,
        :math:`\\hat\\sigma^2 = \\sum (y_i - \\bar y)^2 / n` on
        :math:`y = \\ln(\\text{seconds})`. Positive: the release saves time.
    ci_low, ci_high : float
        Generalized confidence interval of the difference; ``nan`` when a
        sample has fewer than 2 times or no spread on the log scale.
    n_before, n_after : int
        Number of times in each sample.
    confidence_level : float
        Coverage of the interval.
    method : str
        The method.
    draws : int
        Simulated draws of the pivotal quantities.
    seed : int
        Seed of ``numpy.random.default_rng``.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n_before: int
    n_after: int
    confidence_level: float
    method: str
    draws: int
    seed: int


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _log_summary(values: np.ndarray) -> tuple[int, float, float]:
    """n, mean and sample standard deviation (n - 1) of ln(values)."""
    logs = np.log(values)
    n = logs.size
    sd = float(np.std(logs, ddof=1)) if n >= 2 else math.nan
    return n, float(np.mean(logs)), sd


def _ml_mean(n: int, mean: float, sd: float) -> float:
    """Log-normal maximum likelihood mean exp(ybar + sigma_ml**2 / 2)."""
    sigma2 = 0.0 if n < 2 else sd * sd * (n - 1) / n
    return _exp(mean + sigma2 / 2.0)


def _gpq_means(rng, n: int, mean: float, sd: float, draws: int) -> np.ndarray:
    """Draws of exp(T_mu + T_sigma2 / 2), Krishnamoorthy and Mathew's (2003) GPQ."""
    z = rng.standard_normal(draws)
    u2 = rng.chisquare(n - 1, draws)
    t_sigma2 = (n - 1) * sd * sd / u2
    t_mu = mean - z * np.sqrt(t_sigma2 / n)
    with np.errstate(over="ignore"):
        return np.exp(t_mu + t_sigma2 / 2.0)


def _undefined(name: str, n: int, sd: float, where: str) -> bool:
    if n < 2 or not sd > 0.0:
        why = "fewer than 2 times" if n < 2 else "identical times (no spread on the log scale)"
        warnings.warn(f"{where}: {name} has {why}; the interval is nan", CvlibWarning, stacklevel=3)
        return True
    return False


def _method(draws: int, seed: int, what: str) -> str:
    return (
        f"generalized pivotal quantity interval of {what} (Krishnamoorthy-Mathew 2003; "
        f"{draws} draws, seed {seed})"
    )


def mean_interval(
    times,
    *,
    confidence_level: float = 0.95,
    draws: int = DRAWS,
    seed: int = SEED,
) -> Estimate:
    r"""Arithmetic mean of log-normal task times with its generalized confidence interval.

    Parameters
    ----------
    times : array_like of float
        Task times in seconds, positive and finite, at least one.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    draws : int, optional
        Simulated draws, at least 1,000. Default 100,000.
    seed : int, optional
        Seed of ``numpy.random.default_rng``, at least 0. Default 20030101.

    Returns
    -------
    Estimate
        ``estimate``: the maximum likelihood mean
        :math:`\exp(\bar y + \hat\sigma^2/2)` in seconds; ``ci_low``,
        ``ci_high``; ``n``; ``confidence_level``; ``method`` (naming the
        draws and seed).

    Raises
    ------
    TypeError
        If ``times`` is not a sequence of numbers, or ``draws`` or ``seed``
        is not an integer.
    ValueError
        If ``times`` is empty or holds a non-positive or non-finite value, or
        an option is out of range.

    Warns
    -----
    CvlibWarning
        With fewer than 2 times or identical times: the interval is ``nan``.

    Notes
    -----
    With :math:`y = \ln t`, mean :math:`\bar y`, standard deviation :math:`s`
    (divisor :math:`n - 1`), :math:`Z \sim N(0, 1)` and
    :math:`U^2 \sim \chi^2_{n-1}` independent, the generalized pivotal
    quantities are

    .. math::

        T_{\sigma^2} = \frac{(n-1)s^2}{U^2}, \qquad
        T_\mu = \bar y - Z\sqrt{T_{\sigma^2}/n}, \qquad
        T = \exp(T_\mu + T_{\sigma^2}/2),

    and the interval runs between the :math:`\alpha/2` and :math:`1-\alpha/2`
    quantiles of :math:`T` over the draws (``numpy.quantile``, linear).
    :math:`T_\mu` alone is the t pivot, so :math:`\exp(T_\mu)` gives the
    t interval of the geometric mean (:func:`cvlib.stats.tasktime.geometric_mean`).

    References
    ----------
    .. [1] Krishnamoorthy, K. and Mathew, T. (2003). Inferences on the means
       of lognormal distributions using generalized p-values and generalized
       confidence intervals. *Journal of Statistical Planning and Inference*,
       115(1), 103-121.
    .. [2] Weerahandi, S. (1993). Generalized confidence intervals. *Journal
       of the American Statistical Association*, 88(423), 899-905.

    Examples
    --------
    >>> from cvlib.stats.lognormal import mean_interval
    >>> r = mean_interval([55, 65, 75, 62, 45, 135, 48, 90, 71, 60])
    >>> round(r.estimate, 1), round(r.ci_low, 1), round(r.ci_high, 1)
    (70.3, 57.8, 93.9)
    """
    values = _times(times, "times")
    confidence_level = check_confidence_level(confidence_level)
    draws = _check_int(draws, "draws", _MIN_DRAWS)
    seed = _check_int(seed, "seed", 0)
    n, mean, sd = _log_summary(values)
    estimate = _ml_mean(n, mean, sd)
    method = _method(draws, seed, "a log-normal mean")
    if _undefined("times", n, sd, "mean_interval"):
        return Estimate(estimate, math.nan, math.nan, n, confidence_level, method)
    alpha = 1.0 - confidence_level
    t = _gpq_means(np.random.default_rng(seed), n, mean, sd, draws)
    low, high = np.quantile(t, [alpha / 2.0, 1.0 - alpha / 2.0])
    return Estimate(estimate, float(low), float(high), n, confidence_level, method)


def mean_difference(
    before,
    after,
    *,
    confidence_level: float = 0.95,
    draws: int = DRAWS,
    seed: int = SEED,
) -> MeanDifference:
    r"""Difference of arithmetic mean seconds (before - after) of two log-normal samples.

    Parameters
    ----------
    before, after : array_like of float
        Task times in seconds of two independent samples, positive and
        finite, at least one each.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    draws : int, optional
        Simulated draws, at least 1,000. Default 100,000.
    seed : int, optional
        Seed of ``numpy.random.default_rng``, at least 0. Default 20030101.

    Returns
    -------
    MeanDifference
        ``estimate`` (difference of maximum likelihood means, seconds saved
        per task), ``ci_low``, ``ci_high``, ``n_before``, ``n_after``,
        ``confidence_level``, ``method``, ``draws``, ``seed``.

    Raises
    ------
    TypeError
        If a sample is not a sequence of numbers, or ``draws`` or ``seed`` is
        not an integer.
    ValueError
        If a sample is empty or holds a non-positive or non-finite time, or an
        option is out of range.

    Warns
    -----
    CvlibWarning
        When a sample has fewer than 2 times or identical times: the interval
        is ``nan`` (the estimate is still given).

    Notes
    -----
    Each sample gives its own pivotal quantity of the mean,
    :math:`T = \exp(T_\mu + T_{\sigma^2}/2)` as in :func:`mean_interval`,
    from independent draws (before first, then after, from one generator);
    the interval runs between the :math:`\alpha/2` and :math:`1-\alpha/2`
    quantiles of :math:`T_{before} - T_{after}` (Krishnamoorthy and Mathew
    2003, section 3). The variances of the log times need not be equal.
    Scaling every time by a constant scales the estimate and the interval by
    it exactly (the draws do not depend on the data). The samples must be
    independent: the same participants before and after need a paired
    method, which this is not.

    References
    ----------
    .. [1] Krishnamoorthy, K. and Mathew, T. (2003). Inferences on the means
       of lognormal distributions using generalized p-values and generalized
       confidence intervals. *Journal of Statistical Planning and Inference*,
       115(1), 103-121.
    .. [2] Krishnamoorthy, K. (2006). *Handbook of Statistical Distributions
       with Applications*, ch. 30 (lognormal). Chapman & Hall/CRC.

    Examples
    --------
    >>> from cvlib.stats.lognormal import mean_difference
    >>> before = [55, 65, 75, 62, 45, 135, 48, 90, 71, 60]
    >>> after = [40, 52, 61, 47, 38, 90, 44, 70, 55, 49]
    >>> r = mean_difference(before, after)
    >>> round(r.estimate, 1), round(r.ci_low, 1), round(r.ci_high, 1)
    (15.8, -2.5, 40.1)
    """
    before_times = _times(before, "before")
    after_times = _times(after, "after")
    confidence_level = check_confidence_level(confidence_level)
    draws = _check_int(draws, "draws", _MIN_DRAWS)
    seed = _check_int(seed, "seed", 0)
    nb, mb, sb = _log_summary(before_times)
    na, ma, sa = _log_summary(after_times)
    estimate = _ml_mean(nb, mb, sb) - _ml_mean(na, ma, sa)
    method = _method(draws, seed, "the difference of log-normal means before - after")
    undefined = _undefined("before", nb, sb, "mean_difference")
    undefined = _undefined("after", na, sa, "mean_difference") or undefined
    low = high = math.nan
    if not undefined:
        difference = _difference(nb, mb, sb, na, ma, sa, draws, seed)
        alpha = 1.0 - confidence_level
        low, high = (float(q) for q in np.quantile(difference, [alpha / 2, 1 - alpha / 2]))
    return MeanDifference(
        estimate=float(estimate),
        ci_low=low,
        ci_high=high,
        n_before=int(nb),
        n_after=int(na),
        confidence_level=confidence_level,
        method=method,
        draws=draws,
        seed=seed,
    )


def _difference(nb, mb, sb, na, ma, sa, draws: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return _gpq_means(rng, nb, mb, sb, draws) - _gpq_means(rng, na, ma, sa, draws)


def mean_difference_pivots(before, after, *, draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """The draws of the generalized pivotal quantity of :func:`mean_difference` (seconds,
    before - after), for sums over independent studies: the pivot of a sum of independent
    differences is the sum of their pivots, drawn with different seeds.

    Returns ``nan`` draws where :func:`mean_difference`'s interval is undefined.

    Examples
    --------
    >>> from cvlib.stats.lognormal import mean_difference, mean_difference_pivots
    >>> before = [55, 65, 75, 62, 45, 135, 48, 90, 71, 60]
    >>> after = [40, 52, 61, 47, 38, 90, 44, 70, 55, 49]
    >>> pivots = mean_difference_pivots(before, after)
    >>> r = mean_difference(before, after)
    >>> import numpy as np
    >>> bool(np.isclose(np.quantile(pivots, 0.025), r.ci_low))
    True
    """
    draws = _check_int(draws, "draws", _MIN_DRAWS)
    seed = _check_int(seed, "seed", 0)
    nb, mb, sb = _log_summary(_times(before, "before"))
    na, ma, sa = _log_summary(_times(after, "after"))
    if nb < 2 or na < 2 or not (sb > 0.0 and sa > 0.0):
        return np.full(draws, math.nan)
    return _difference(nb, mb, sb, na, ma, sa, draws, seed)
