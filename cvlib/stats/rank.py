"""Rank-based comparison of task times: the Wilcoxon tests with the Hodges-Lehmann shift.

:func:`rank_compare` is the distribution-free alternative to the log-scale
t methods of :mod:`cvlib.stats.tasktime`: Mann-Whitney (rank sum) for
independent samples, the signed-rank test for pairs, with exact null
distributions, tie and continuity corrections and the interval of the shift
computed as R's ``wilcox.test`` does.

Times must be positive and finite (seconds); anything else raises
``ValueError``. ``alternative="less"`` means *after is smaller than before*
(faster), ``"greater"`` means after is larger.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Literal, NamedTuple

import numpy as np

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison
from cvlib.stats.tasktime import _check_paired, _check_pairs, _times
from cvlib.stats.validation import check_alternative, check_confidence_level

__all__ = ["average_ranks", "rank_compare"]

Alternative = Literal["two-sided", "less", "greater"]

_EPS = float(np.finfo(float).eps)
_TOL_ROOT = 1e-4  # R's wilcox.test(tol.root = 1e-4)


# -- exact null distributions (as R's nmath signrank.c / wilcox.c) ---------------------------


@lru_cache(maxsize=64)
def _signrank_cumulative(n: int) -> tuple[int, ...]:
    """Cumulative counts of V = 0..n(n+1)/2 over the 2**n sign patterns (exact ints)."""
    size = n * (n + 1) // 2 + 1
    counts = [0] * size
    counts[0] = 1
    for i in range(1, n + 1):  # multiply by (1 + q**i)
        for k in range(size - 1, i - 1, -1):
            counts[k] += counts[k - i]
    cumulative, total = [], 0
    for c in counts:
        total += c
        cumulative.append(total)
    return tuple(cumulative)


@lru_cache(maxsize=256)
def _wilcox_cumulative(m: int, n: int) -> tuple[int, ...]:
    """Cumulative counts of the Mann-Whitney U = 0..m*n over the C(m+n, m) arrangements.

    The counts are the coefficients of the Gaussian binomial
    prod_{i=1..m} (1 - q**(n+i)) / (1 - q**i), computed exactly with integers.
    """
    size = m * n + 1
    counts = [0] * size
    counts[0] = 1
    for i in range(1, m + 1):
        shift = n + i
        for k in range(size - 1, shift - 1, -1):  # multiply by (1 - q**shift)
            counts[k] -= counts[k - shift]
        for k in range(i, size):  # divide by (1 - q**i)
            counts[k] += counts[k - i]
    cumulative, total = [], 0
    for c in counts:
        total += c
        cumulative.append(total)
    return tuple(cumulative)


def _exact_interval(cumulative, ordered, alpha: float, alternative: str):
    """Exact interval from the order statistics ``ordered`` (sorted differences or Walsh
    averages) and the statistic's cumulative counts, as R's ``wilcox.test``; returns the
    interval and the tail probability it achieves."""
    size = len(ordered)
    if alternative == "two-sided":
        qu = max(_q_discrete(cumulative, alpha / 2), 1)
        return (ordered[qu - 1], ordered[size - qu]), 2 * _p_discrete(cumulative, qu - 1)
    qu = max(_q_discrete(cumulative, alpha), 1)
    achieved = _p_discrete(cumulative, qu - 1)
    if alternative == "greater":
        return (ordered[qu - 1], math.inf), achieved
    return (-math.inf, ordered[size - qu]), achieved


def _p_discrete(cumulative, q, lower_tail=True) -> float:
    """P(X <= q) (or P(X > q)) for a count distribution, with R's floor(q + 1e-7)."""
    total = cumulative[-1]
    q = math.floor(q + 1e-7)
    if q < 0:
        below = 0
    elif q >= len(cumulative) - 1:
        below = total
    else:
        below = cumulative[q]
    return below / total if lower_tail else (total - below) / total


def _q_discrete(cumulative, p: float) -> int:
    """Quantile as R's qsignrank/qwilcox (lower tail, with the 10 * eps fuzz)."""
    total = cumulative[-1]
    top = len(cumulative) - 1
    if p <= 0:
        return 0
    if p >= 1:
        return top
    if p <= 0.5:
        target = p - 10 * _EPS
        for q, below in enumerate(cumulative):
            if below / total >= target:
                return q
        return top  # pragma: no cover - cumulative[-1] / total == 1
    target = 1 - p + 10 * _EPS
    for q, below in enumerate(cumulative):
        if below / total > target:
            return top - q
    return 0  # pragma: no cover


def _exact_p(cumulative, statistic: float, mean: float, alternative: str) -> float:
    upper = _p_discrete(cumulative, statistic - 1, lower_tail=False)
    lower = _p_discrete(cumulative, statistic)
    if alternative == "greater":
        return upper
    if alternative == "less":
        return lower
    return min(2 * (upper if statistic > mean else lower), 1.0)


# -- asymptotic helpers (as R's wilcox.test and uniroot) --------------------------------------


def _correction(z: float, alternative: str) -> float:
    if alternative == "two-sided":
        return float(np.sign(z)) * 0.5
    return 0.5 if alternative == "greater" else -0.5


def _normal_p(z: float, alternative: str) -> float:
    # the standard normal of scipy.special, as scipy.stats.norm computes it (cdf = ndtr(z),
    # sf = ndtr(-z)), without importing scipy.stats in a report's kernel
    from scipy.special import ndtr

    if alternative == "less":
        return float(ndtr(z))
    if alternative == "greater":
        return float(ndtr(-z))
    return float(2 * min(ndtr(z), ndtr(-z)))


def _tie_sum(ranks: np.ndarray) -> float:
    _, counts = np.unique(ranks, return_counts=True)
    counts = counts.astype(float)
    return float(np.sum(counts**3 - counts))


def _qnorm(p: float, upper: bool = False) -> float:
    from scipy.special import ndtri  # norm.ppf(p) = ndtri(p), norm.isf(p) = -ndtri(p)

    p = min(max(p, 0.0), 1.0)
    return float(-ndtri(p) if upper else ndtri(p))


def average_ranks(values) -> np.ndarray:
    """Ranks 1..n of ``values``, ties given the mean of their ranks (R's ``rank()``).

    What ``scipy.stats.rankdata`` computes by default, with pandas' ``rank``
    (already imported by a report, where scipy.stats would cost 0.3 s).

    >>> average_ranks([3.0, 1.0, 3.0, 2.0]).tolist()
    [3.5, 1.0, 3.5, 2.0]
    """
    import pandas as pd

    return pd.Series(np.asarray(values, dtype=float)).rank(method="average").to_numpy(float)


def _zeroin(f, ax: float, bx: float, fa: float, fb: float, tol: float, maxit: int = 1000):
    """Brent's zeroin (Forsythe, Malcolm and Moler 1977; netlib c/brent.shar).

    The algorithm behind R's ``uniroot`` (R_zeroin2), step for step, so that the
    roots R reports to within ``tol`` are reproduced to the last digit R prints.
    """
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b  # pragma: no cover - R returns the last iterate too


def _uniroot(f, lower: float, upper: float, f_lower: float, f_upper: float) -> float:
    """R's uniroot(f, lower, upper, f.lower, f.upper, tol = 1e-4); nan where R stops."""
    if not (math.isfinite(f_lower) and math.isfinite(f_upper)) or f_lower * f_upper > 0:
        warnings.warn(
            "rank_compare: no sign change for the root search of an interval end or of "
            "the shift (R's uniroot stops with an error here); that value is nan",
            CvlibWarning,
            stacklevel=2,
        )
        return math.nan
    return float(_zeroin(f, lower, upper, f_lower, f_upper, _TOL_ROOT))


# -- rank tests ---------------------------------------------------------------------------------


class _RankResult(NamedTuple):
    estimate: float
    ci: tuple[float, float]
    p_value: float
    statistic: float
    level: float
    method: str


def _rank_sum(x, y, confidence_level, alternative) -> _RankResult:
    """R's wilcox.test(x, y, conf.int = TRUE) with its defaults (R before 4.6.0)."""
    nx, ny = x.size, y.size
    ranks = average_ranks(np.concatenate([x, y]))
    statistic = float(np.sum(ranks[:nx]) - nx * (nx + 1) / 2)
    ties = np.unique(ranks).size != ranks.size
    alpha = 1 - confidence_level
    level = confidence_level
    if nx < 50 and ny < 50 and not ties:
        cumulative = _wilcox_cumulative(nx, ny)
        p_value = _exact_p(cumulative, statistic, nx * ny / 2, alternative)
        diffs = np.sort(np.subtract.outer(x, y).ravel())
        ci, achieved = _exact_interval(cumulative, diffs, alpha, alternative)
        if achieved - alpha > alpha / 2:
            ci, level = _reduced_level(
                confidence_level, 1 - achieved, ci, f"n_before={ny}, n_after={nx}"
            )
        method = "Wilcoxon rank sum exact test; Hodges-Lehmann shift after - before"
        return _RankResult(
            estimate=float(np.median(diffs)),
            ci=ci,
            p_value=p_value,
            statistic=statistic,
            level=level,
            method=method,
        )

    method = (
        "Wilcoxon rank sum test with continuity correction; Hodges-Lehmann shift after - before"
    )
    n_total = nx + ny

    def sigma_of(r):
        variance = (nx * ny / 12) * ((n_total + 1) - _tie_sum(r) / (n_total * (n_total - 1)))
        return math.sqrt(max(variance, 0.0))

    sigma = sigma_of(ranks)
    if sigma == 0:
        warnings.warn(
            "rank_compare: every time is the same; the test, shift and interval are nan",
            CvlibWarning,
            stacklevel=3,
        )
        return _RankResult(
            estimate=math.nan,
            ci=(math.nan, math.nan),
            p_value=math.nan,
            statistic=statistic,
            level=level,
            method=method,
        )
    z = statistic - nx * ny / 2
    p_value = _normal_p((z - _correction(z, alternative)) / sigma, alternative)

    def w(d, correct=True):
        r = average_ranks(np.concatenate([x - d, y]))
        dz = float(np.sum(r[:nx]) - nx * (nx + 1) / 2 - nx * ny / 2)
        s = sigma_of(r)
        if s == 0:
            return math.nan
        return (dz - (_correction(dz, alternative) if correct else 0.0)) / s

    mumin = float(np.min(x) - np.max(y))
    mumax = float(np.max(x) - np.min(y))
    w_min, w_max = w(mumin), w(mumax)

    def root(zq):
        f_lower = w_min - zq
        if f_lower <= 0:
            return mumin
        f_upper = w_max - zq
        if f_upper >= 0:
            return mumax
        return _uniroot(lambda d: w(d) - zq, mumin, mumax, f_lower, f_upper)

    if not (math.isfinite(w_min) and math.isfinite(w_max)):
        warnings.warn(
            "rank_compare: the interval is nan (all values tie at the ends of the search "
            "range); the shift is the median of the pairwise differences",
            CvlibWarning,
            stacklevel=3,
        )
        ci = (math.nan, math.nan)
        estimate = float(np.median(np.subtract.outer(x, y)))
    else:
        if alternative == "two-sided":
            ci = (root(_qnorm(alpha / 2, upper=True)), root(_qnorm(alpha / 2)))
        elif alternative == "greater":
            ci = (root(_qnorm(alpha, upper=True)), math.inf)
        else:
            ci = (-math.inf, root(_qnorm(alpha)))
        estimate = _uniroot(
            lambda d: w(d, correct=False),
            mumin,
            mumax,
            w(mumin, correct=False),
            w(mumax, correct=False),
        )
    return _RankResult(
        estimate=estimate, ci=ci, p_value=p_value, statistic=statistic, level=level, method=method
    )


def _signed_rank(differences, confidence_level, alternative) -> _RankResult:
    """R's wilcox.test(after, before, paired = TRUE, conf.int = TRUE) (R before 4.6.0)."""
    zeroes = bool(np.any(differences == 0))
    x = differences[differences != 0]
    n = x.size
    alpha = 1 - confidence_level
    level = confidence_level
    if n == 0:
        warnings.warn(
            "rank_compare: every paired difference is zero; the test, shift and interval are nan",
            CvlibWarning,
            stacklevel=3,
        )
        return _RankResult(
            estimate=math.nan,
            ci=(math.nan, math.nan),
            p_value=math.nan,
            statistic=0.0,
            level=level,
            method="Wilcoxon signed rank test with continuity correction; "
            "Hodges-Lehmann pseudomedian of after - before",
        )
    ranks = average_ranks(np.abs(x))
    statistic = float(np.sum(ranks[x > 0]))
    ties = np.unique(ranks).size != ranks.size
    if n < 50 and not ties and not zeroes:
        cumulative = _signrank_cumulative(n)
        p_value = _exact_p(cumulative, statistic, n * (n + 1) / 4, alternative)
        sums = np.add.outer(x, x)
        walsh = np.sort(sums[np.triu_indices(n)]) / 2
        ci, achieved = _exact_interval(cumulative, walsh, alpha, alternative)
        if achieved - alpha > alpha / 2:
            achieved_level = 1 - float(f"{achieved:.2g}")  # R: 1 - signif(achieved.alpha, 2)
            ci, level = _reduced_level(
                confidence_level, achieved_level, ci, f"{n} non-zero paired difference(s)"
            )
        method = "Wilcoxon signed rank exact test; Hodges-Lehmann pseudomedian of after - before"
        return _RankResult(
            estimate=float(np.median(walsh)),
            ci=ci,
            p_value=p_value,
            statistic=statistic,
            level=level,
            method=method,
        )

    method = (
        "Wilcoxon signed rank test with continuity correction; "
        "Hodges-Lehmann pseudomedian of after - before"
    )
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - _tie_sum(ranks) / 48)
    z = statistic - n * (n + 1) / 4
    p_value = _normal_p((z - _correction(z, alternative)) / sigma, alternative)

    def w(d, correct=True):
        xd = x - d
        xd = xd[xd != 0]
        nd = xd.size
        r = average_ranks(np.abs(xd))
        zd = float(np.sum(r[xd > 0]) - nd * (nd + 1) / 4)
        s = math.sqrt(nd * (nd + 1) * (2 * nd + 1) / 24 - _tie_sum(r) / 48) if nd else 0.0
        if s == 0:
            return math.nan
        return (zd - (_correction(zd, alternative) if correct else 0.0)) / s

    mumin, mumax = float(np.min(x)), float(np.max(x))
    w_min = w(mumin)
    w_max = w(mumax) if math.isfinite(w_min) else math.nan
    if not math.isfinite(w_max):
        warnings.warn(
            "rank_compare: all non-zero paired differences are equal; the interval is nan "
            "and the shift is that common difference",
            CvlibWarning,
            stacklevel=3,
        )
        return _RankResult(
            estimate=(mumin + mumax) / 2,
            ci=(math.nan, math.nan),
            p_value=p_value,
            statistic=statistic,
            level=level,
            method=method,
        )

    def root(zq):
        return _uniroot(lambda d: w(d) - zq, mumin, mumax, w_min - zq, w_max - zq)

    # R widens alpha (doubling it) until the data can reach the interval's ends.
    if alternative == "two-sided":
        while w_min - _qnorm(alpha / 2, upper=True) < 0 or w_max - _qnorm(alpha / 2) > 0:
            alpha *= 2
    elif alternative == "greater":
        while w_min - _qnorm(alpha, upper=True) < 0:
            alpha *= 2
    else:
        while w_max - _qnorm(alpha / 2) > 0:  # sic: R checks alpha / 2 here
            alpha *= 2
    if alpha < 1:
        if alternative == "two-sided":
            ci = (root(_qnorm(alpha / 2, upper=True)), root(_qnorm(alpha / 2)))
        elif alternative == "greater":
            ci = (root(_qnorm(alpha, upper=True)), math.inf)
        else:
            ci = (-math.inf, root(_qnorm(alpha)))
    else:
        ci = (math.nan, math.nan)  # R: the median, at confidence level 0
    if alpha >= 1 or 1 - confidence_level < alpha * 0.75:
        ci, level = _reduced_level(
            confidence_level, 1 - min(1.0, alpha), ci, f"{n} non-zero paired difference(s)"
        )
    estimate = _uniroot(
        lambda d: w(d, correct=False),
        mumin,
        mumax,
        w(mumin, correct=False),
        w(mumax, correct=False),
    )
    return _RankResult(
        estimate=estimate, ci=ci, p_value=p_value, statistic=statistic, level=level, method=method
    )


def _reduced_level(requested: float, achieved: float, ci, sizes: str):
    """R's "requested conf.level not achievable": warn; return the interval and its level.

    Where R would report a zero-confidence interval (a single point), the interval
    is ``nan`` and the requested level is kept.
    """
    if achieved <= 0:
        warnings.warn(
            f"rank_compare: no interval with positive confidence exists with {sizes}; "
            "the interval is nan",
            CvlibWarning,
            stacklevel=4,
        )
        return (math.nan, math.nan), requested
    warnings.warn(
        f"rank_compare: confidence_level={requested!r} is not achievable with {sizes}; "
        f"the interval has confidence level {achieved:.4g} (reported in confidence_level)",
        CvlibWarning,
        stacklevel=4,
    )
    return ci, achieved


def rank_compare(
    before,
    after,
    *,
    paired: bool = False,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> Comparison:
    """Wilcoxon rank test with the Hodges-Lehmann shift after - before, as R computes it.

    Mann-Whitney (Wilcoxon rank sum) for independent samples, Wilcoxon signed
    rank on the differences ``after - before`` when ``paired=True``; the result
    is R's ``wilcox.test(after, before, paired = paired, conf.int = TRUE,
    conf.level = confidence_level, alternative = ...)`` with the other
    arguments at their defaults.

    Parameters
    ----------
    before, after : array_like of float
        Task times in seconds, positive and finite, at least one each.
    paired : bool, default False
        ``True`` for matched times; the sequences must then have equal length
        (pairs aligned by position), otherwise ``ValueError`` - the test is
        never switched silently.
    confidence_level : float, default 0.95
        Requested coverage of the interval, in (0, 1).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: after is shifted below before (faster); ``"greater"``:
        above. One-sided alternatives give one-sided intervals.

    Returns
    -------
    Comparison
        ``estimate`` = Hodges-Lehmann shift after - before in seconds (the
        pseudomedian of the differences when paired); ``ci_low``, ``ci_high``;
        ``p_value``; ``statistic`` = R's W (rank sum of ``after`` minus
        ``n_after (n_after + 1) / 2``) or V (rank sum of the positive
        differences); ``df`` = ``nan``; ``n_before``, ``n_after`` (pairs when
        paired, zero differences included); ``confidence_level`` = the level
        the interval actually has (see Warns); ``method`` names the exact or
        normal-approximation variant used; ``alternative``.

    Raises
    ------
    TypeError
        If a sample is not a sequence of numbers or ``paired`` is not a bool.
    ValueError
        For empty samples, non-positive or non-finite times, unequal lengths
        with ``paired=True``, a ``confidence_level`` outside (0, 1) or an
        unknown ``alternative``.

    Warns
    -----
    CvlibWarning
        When the requested level cannot be reached with so few observations
        (R's "requested conf.level not achievable"): the interval is R's and
        ``confidence_level`` holds its actual level; where R's interval would
        have confidence level 0 (one observation per group, say) the interval
        is ``nan`` instead and ``confidence_level`` stays as requested. When
        every time (or every paired difference) is equal: ``nan`` test, shift and interval (for
        paired differences all equal to one non-zero value, the shift is that
        value and only the interval is ``nan``).

    Notes
    -----
    *Which variant.* The classic rule of R's ``wilcox.test`` (before R 4.6.0)
    with ``exact = NULL, correct = TRUE``: the exact null distribution is used
    when every sample has fewer than 50 observations and there are no ties
    (paired: fewer than 50 non-zero differences, no tied absolute differences
    and no zero difference); otherwise the normal approximation with
    continuity correction and the tie correction of the variance. The switch
    is part of the method and shows in ``method``. Zero differences are
    dropped (Wilcoxon's convention). R 4.6.0 replaces the normal approximation
    under ties by exact conditional inference; cvlib keeps the classic rule, so
    with ties its results match R up to 4.5.

    *Unpaired.* :math:`W = \\sum_{i \\le n_a} R_i - n_a(n_a+1)/2` where
    :math:`R_i` are the mid-ranks of the after times in the pooled sample. The
    shift estimate is the median of the :math:`n_a n_b` differences
    :math:`a_i - b_j` (Hodges and Lehmann 1963). Exact interval: with
    :math:`k` = ``qwilcox(alpha/2, n_a, n_b)`` (at least 1), the :math:`k`-th
    smallest and :math:`k`-th largest differences; one-sided intervals use
    :math:`\\alpha`. Normal approximation:
    :math:`z = (W - n_a n_b/2 - c) / \\sigma` with
    :math:`\\sigma^2 = \\frac{n_a n_b}{12}\\left(n + 1 - \\frac{\\sum (t^3 - t)}{n(n-1)}\\right)`,
    :math:`c = \\pm 1/2` the continuity correction and :math:`t` the tie sizes;
    the interval ends are the shifts :math:`d` at which the statistic of
    ``after - d`` against ``before`` equals :math:`z_{1-\\alpha/2}` and
    :math:`z_{\\alpha/2}`, found as R does with Brent's method (``uniroot``,
    tolerance 1e-4), and the estimate is the shift at which the uncorrected
    statistic is 0.

    *Paired.* :math:`V = \\sum_{d_i > 0} R_i` with :math:`R_i` the ranks of
    :math:`|d_i|`. The estimate is the median of the Walsh averages
    :math:`(d_i + d_j)/2, i \\le j`; the exact interval takes the
    :math:`k`-th smallest and largest Walsh averages with :math:`k` =
    ``qsignrank(alpha/2, n)``; the normal approximation uses
    :math:`\\sigma^2 = n(n+1)(2n+1)/24 - \\sum(t^3 - t)/48` and the same root
    finding (R widens alpha when the data cannot reach the requested level).

    References
    ----------
    .. [1] Hollander, M. and Wolfe, D. A. (1973). *Nonparametric Statistical
       Methods*. Wiley. (The examples of R's ``?wilcox.test``: pp. 29f and 69f.)
    .. [2] Hodges, J. L. and Lehmann, E. L. (1963). "Estimates of location
       based on rank tests". *Annals of Mathematical Statistics* 34(2),
       598-611.
    .. [3] Bauer, D. F. (1972). "Constructing confidence sets using rank
       statistics". *Journal of the American Statistical Association* 67,
       687-690.
    .. [4] R Core Team. ``wilcox.test`` in package stats,
       src/library/stats/R/wilcox.test.R.

    Examples
    --------
    R's ``?wilcox.test`` permeability data (Hollander and Wolfe 1973, p. 69):
    R's ``x`` is ``after`` here, since the shift is after - before.

    >>> from cvlib.stats.rank import rank_compare
    >>> x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    >>> y = [1.15, 0.88, 0.90, 0.74, 1.21]
    >>> r = rank_compare(y, x, alternative="greater")
    >>> r.statistic, round(r.p_value, 4)
    (35.0, 0.1272)
    >>> r = rank_compare(x, y)
    >>> round(r.estimate, 3), round(r.ci_low, 2), round(r.ci_high, 2)
    (-0.305, -0.76, 0.15)
    """
    before_times = _times(before, "before")
    after_times = _times(after, "after")
    paired = _check_paired(paired)
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    if paired:
        _check_pairs(before_times, after_times)
        out = _signed_rank(after_times - before_times, confidence_level, alternative)
    else:
        out = _rank_sum(after_times, before_times, confidence_level, alternative)
    ci_low, ci_high = out.ci
    return Comparison(
        estimate=float(out.estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        p_value=float(out.p_value),
        statistic=float(out.statistic),
        df=math.nan,
        n_before=int(before_times.size),
        n_after=int(after_times.size),
        confidence_level=float(out.level),
        method=out.method,
        alternative=alternative,
    )
