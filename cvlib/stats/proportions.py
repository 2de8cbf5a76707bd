"""Proportions: completion rates, conversion rates, any "k of n" share.

Functions on counts (what a query engine returns):

- :func:`interval` -- a confidence interval for one share, with the
  small-sample methods usability research needs (adjusted-Wald by default).
- :func:`compare` -- the difference of two independent shares, after - before,
  with the N-1 two-proportion test and Newcombe's hybrid score interval.
- :func:`score_test` -- the Wilson score test of one share against a null
  value, the exact dual of ``interval(..., method="wilson")``.
- :func:`score_compare` -- the Miettinen-Nurminen score test of the
  difference after - before against any null difference (0, or ``-margin``
  for non-inferiority) with the score interval that inverts it exactly.

:func:`compare`'s test and interval are different methods and can disagree
at the margin; a verdict that must agree with the interval it draws uses
:func:`score_compare` (or :func:`score_test` with the Wilson interval). The
two score functions are defined in :mod:`cvlib.stats.score` and re-exported
here.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

from scipy import special

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison, Estimate
from cvlib.stats.score import check_counts as _check_counts
from cvlib.stats.score import score_compare, score_test
from cvlib.stats.validation import (
    check_alternative,
    check_choice,
    check_confidence_level,
    method_label,
)

__all__ = ["METHODS", "compare", "interval", "score_compare", "score_test"]

#: Interval methods accepted by :func:`interval`.
METHODS = ("adjusted-wald", "wilson", "clopper-pearson", "wald")

COMPARE_METHOD = "N-1 two-proportion test; Newcombe hybrid score interval"


def _tail(confidence_level: float, alternative: str) -> float:
    """Probability outside the interval on each bounded side."""
    alpha = 1.0 - confidence_level
    return alpha / 2.0 if alternative == "two-sided" else alpha


def _wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score bounds (both sides at the same z), exact at the ends."""
    p = successes / n
    z2 = z * z
    centre = (successes + z2 / 2.0) / (n + z2)
    half = z * math.sqrt(n * p * (1.0 - p) + z2 / 4.0) / (n + z2)
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def _bounds(successes: int, n: int, method: str, tail: float) -> tuple[float, float]:
    """Lower and upper bounds, each leaving ``tail`` probability outside."""
    z = float(special.ndtri(1.0 - tail))
    if method == "clopper-pearson":
        low = (
            0.0 if successes == 0 else float(special.betaincinv(successes, n - successes + 1, tail))
        )
        high = (
            1.0
            if successes == n
            else float(special.betaincinv(successes + 1, n - successes, 1.0 - tail))
        )
        return low, high
    if method == "wilson":
        return _wilson(successes, n, z)
    if method == "adjusted-wald":
        n_adj = n + z * z
        p_adj = (successes + z * z / 2.0) / n_adj
        half = z * math.sqrt(p_adj * (1.0 - p_adj) / n_adj)
        return max(0.0, p_adj - half), min(1.0, p_adj + half)
    # wald
    p = successes / n
    half = z * math.sqrt(p * (1.0 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


def interval(
    successes,
    n,
    *,
    method: Literal["adjusted-wald", "wilson", "clopper-pearson", "wald"] = "adjusted-wald",
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> Estimate:
    r"""Confidence interval for a proportion from its counts.

    Parameters
    ----------
    successes : int
        Number of successes (completed tasks, conversions), ``0 <= successes <= n``.
    n : int
        Number of trials, at least 1. ``n = 0`` raises ``ValueError``: there is
        no share to estimate, and a report should say "no data" rather than show
        an interval.
    method : {"adjusted-wald", "wilson", "clopper-pearson", "wald"}, optional
        Interval method (see Notes). The default, adjusted-Wald, is the one
        Sauro and Lewis recommend for the small samples of usability tests.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        ``"two-sided"`` (default) gives a two-sided interval. ``"greater"``
        gives a one-sided lower confidence bound (``ci_high`` is 1), ``"less"``
        a one-sided upper bound (``ci_low`` is 0), as R's ``binom.test`` does.

    Returns
    -------
    Estimate
        ``estimate``
            The raw share ``successes / n`` (never the adjusted centre).
        ``ci_low``, ``ci_high``
            Interval bounds, clipped to [0, 1].
        ``n``
            The raw number of trials.
        ``confidence_level``
            As given.
        ``method``
            The method used.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If ``n < 1``, ``successes > n``, or an option is not one of its choices.

    Warns
    -----
    CvlibWarning
        With ``method="wald"`` when ``successes`` is 0 or ``n``: the Wald
        interval then has zero width, which says nothing about the uncertainty.

    Notes
    -----
    With :math:`\hat p = x/n` and :math:`z = \Phi^{-1}(1 - \alpha/2)` for a
    two-sided interval (:math:`\Phi^{-1}(1 - \alpha)` for a one-sided bound),
    :math:`\alpha = 1 -` ``confidence_level``:

    * **adjusted-Wald** (Agresti and Coull, 1998): add :math:`z^2/2` successes
      and :math:`z^2` trials, :math:`\tilde n = n + z^2`,
      :math:`\tilde p = (x + z^2/2)/\tilde n`, then
      :math:`\tilde p \pm z\sqrt{\tilde p(1-\tilde p)/\tilde n}`.
    * **wilson** (Wilson, 1927), the score interval, the one R's
      ``prop.test(x, n, correct = FALSE)`` reports:
      :math:`\dfrac{x + z^2/2 \pm z\sqrt{n\hat p(1-\hat p) + z^2/4}}{n + z^2}`.
    * **clopper-pearson** (Clopper and Pearson, 1934), the "exact" interval of
      R's ``binom.test``: :math:`B^{-1}(\alpha/2;\, x,\, n-x+1)` to
      :math:`B^{-1}(1-\alpha/2;\, x+1,\, n-x)`, with :math:`B^{-1}` the beta
      quantile, and the bounds 0 at :math:`x = 0` and 1 at :math:`x = n`.
    * **wald**: :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}`. Shown for
      comparison only; its coverage is poor for small ``n`` or shares near 0
      or 1 (Brown, Cai and DasGupta, 2001).

    Every interval is clipped to [0, 1]. A one-sided bound at level
    :math:`1-\alpha` is the matching bound of the two-sided interval at level
    :math:`1-2\alpha`.

    References
    ----------
    .. [1] Agresti, A., & Coull, B. A. (1998). Approximate is better than
       "exact" for interval estimation of binomial proportions. *The American
       Statistician*, 52(2), 119-126.
    .. [2] Sauro, J., & Lewis, J. R. (2005). Estimating completion rates from
       small samples using binomial confidence intervals: comparisons and
       recommendations. *Proceedings of the Human Factors and Ergonomics
       Society Annual Meeting*, 49(24), 2100-2104.
    .. [3] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. *Journal of the American Statistical
       Association*, 22(158), 209-212.
    .. [4] Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or
       fiducial limits illustrated in the case of the binomial. *Biometrika*,
       26(4), 404-413.
    .. [5] Newcombe, R. G. (1998). Two-sided confidence intervals for the single
       proportion: comparison of seven methods. *Statistics in Medicine*,
       17(8), 857-872.
    .. [6] Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation
       for a binomial proportion. *Statistical Science*, 16(2), 101-133.

    Examples
    --------
    Four of five participants completed the task (Sauro and Lewis's example):

    >>> from cvlib.stats.proportions import interval
    >>> est = interval(4, 5)
    >>> est.estimate
    0.8
    >>> round(est.ci_low, 3), round(est.ci_high, 3)
    (0.36, 0.98)

    The exact interval R's ``binom.test(9, 24)`` prints:

    >>> est = interval(9, 24, method="clopper-pearson")
    >>> round(est.ci_low, 7), round(est.ci_high, 7)
    (0.1879929, 0.5940636)
    """
    successes, n = _check_counts(successes, n, "successes", "n")
    method = check_choice(method, "method", METHODS)
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)

    if method == "wald" and successes in (0, n):
        warnings.warn(
            f"the Wald interval has zero width when successes is 0 or n "
            f"(successes={successes}, n={n}); use method='adjusted-wald' or 'wilson'",
            CvlibWarning,
            stacklevel=2,
        )
    low, high = _bounds(successes, n, method, _tail(confidence_level, alternative))
    if alternative == "greater":
        high = 1.0
    elif alternative == "less":
        low = 0.0
    return Estimate(
        estimate=successes / n,
        ci_low=low,
        ci_high=high,
        n=n,
        confidence_level=confidence_level,
        method=method_label(method, alternative),
    )


def compare(
    successes_before,
    n_before,
    successes_after,
    n_after,
    *,
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> Comparison:
    r"""Compare two independent proportions: the difference after - before.

    The p-value comes from the N-1 two-proportion test (Campbell, 2007), the
    confidence interval from Newcombe's hybrid score method (method 10 of
    Newcombe, 1998).

    Parameters
    ----------
    successes_before, n_before : int
        Successes and trials before (for example the old design).
    successes_after, n_after : int
        Successes and trials after. Each ``n`` must be at least 1 and each
        ``successes`` between 0 and its ``n``.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Alternative hypothesis about the after share compared to the before
        share. ``"greater"`` (after is higher) gives a one-sided p-value and a
        one-sided lower bound (``ci_high`` is 1); ``"less"`` a one-sided upper
        bound (``ci_low`` is -1).

    Returns
    -------
    Comparison
        ``estimate``
            :math:`\hat p_{after} - \hat p_{before}` on the raw shares.
        ``ci_low``, ``ci_high``
            Newcombe hybrid score interval of the difference, within [-1, 1].
        ``p_value``
            N-1 two-proportion test p-value for ``alternative``; ``nan`` when
            the test is undefined (see Warns).
        ``statistic``
            The N-1 z statistic (positive when after is higher); ``nan`` when
            undefined.
        ``df``
            ``nan`` (a z test has no degrees of freedom).
        ``n_before``, ``n_after``
            The trials in each group.
        ``confidence_level``, ``alternative``
            As given.
        ``method``
            ``"N-1 two-proportion test; Newcombe hybrid score interval"``.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If a count is out of range or an option is not one of its choices.

    Warns
    -----
    CvlibWarning
        When every trial in both groups succeeded, or every one failed: the
        pooled share is 0 or 1, the test statistic is 0/0 and ``p_value`` and
        ``statistic`` are ``nan`` (the interval is still given). Also when the
        smallest expected cell count, :math:`\min(n_1, n_2)\min(P, 1-P)`, is
        below 1: Campbell (2007) then recommends the Fisher-Irwin test instead;
        the N-1 result is returned, not silently replaced.

    Notes
    -----
    With :math:`\hat p_1 = x_1/n_1` (before), :math:`\hat p_2 = x_2/n_2`
    (after), :math:`N = n_1 + n_2` and the pooled share
    :math:`P = (x_1 + x_2)/N`, the N-1 two-proportion test statistic is

    .. math::

        z = \frac{\hat p_2 - \hat p_1}{\sqrt{P(1-P)(1/n_1 + 1/n_2)}}
            \sqrt{\frac{N-1}{N}},

    referred to the standard normal distribution. :math:`z^2` is the 'N-1'
    chi-squared statistic of the 2x2 table, K. Pearson's statistic times
    :math:`(N-1)/N`, which Campbell (2007) found to keep the type I error
    close to nominal down to expected counts of 1 and which Sauro and Lewis
    (2016) recommend for comparing completion rates.

    The interval combines the Wilson score intervals :math:`[l_i, u_i]` of each
    share (Newcombe, 1998, method 10), with :math:`d = \hat p_2 - \hat p_1`:

    .. math::

        L = d - \sqrt{(\hat p_2 - l_2)^2 + (u_1 - \hat p_1)^2}, \qquad
        U = d + \sqrt{(u_2 - \hat p_2)^2 + (\hat p_1 - l_1)^2}.

    It has good coverage for small samples and shares near 0 or 1, never
    leaves [-1, 1], and needs no iteration. A one-sided bound uses Wilson
    bounds at :math:`z = \Phi^{-1}(1-\alpha)`.

    The test and the interval are different methods, so at the margin they
    can disagree: a p-value just below :math:`\alpha` with an interval that
    just includes 0, or the reverse. Neither is wrong; report both and do not
    read a verdict off a hair's breadth.

    References
    ----------
    .. [1] Campbell, I. (2007). Chi-squared and Fisher-Irwin tests of
       two-by-two tables with small sample recommendations. *Statistics in
       Medicine*, 26(19), 3661-3675.
    .. [2] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods.
       *Statistics in Medicine*, 17(8), 873-890.
    .. [3] Sauro, J., & Lewis, J. R. (2016). *Quantifying the User Experience:
       Practical Statistics for User Research* (2nd ed., chapter 5). Morgan
       Kaufmann.

    Examples
    --------
    Newcombe's (1998) first example, 56/70 compared to 48/80:

    >>> from cvlib.stats.proportions import compare
    >>> res = compare(48, 80, 56, 70)
    >>> round(res.estimate, 4)
    0.2
    >>> round(res.ci_low, 4), round(res.ci_high, 4)
    (0.0524, 0.3339)
    >>> round(res.p_value, 4)
    0.0083
    """
    x1, n1 = _check_counts(successes_before, n_before, "successes_before", "n_before")
    x2, n2 = _check_counts(successes_after, n_after, "successes_after", "n_after")
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)

    p1, p2 = x1 / n1, x2 / n2
    diff = p2 - p1
    big_n = n1 + n2
    pooled = (x1 + x2) / big_n

    if pooled in (0.0, 1.0):
        warnings.warn(
            "the N-1 two-proportion test is undefined when every trial in both groups "
            f"has the same outcome (successes_before={x1}, n_before={n1}, "
            f"successes_after={x2}, n_after={n2}); p_value is nan",
            CvlibWarning,
            stacklevel=2,
        )
        statistic = p_value = math.nan
    else:
        if min(n1, n2) * min(pooled, 1.0 - pooled) < 1.0:
            warnings.warn(
                "an expected cell count is below 1; Campbell (2007) recommends the "
                "Fisher-Irwin test for such tables (the N-1 test result is returned)",
                CvlibWarning,
                stacklevel=2,
            )
        se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        statistic = diff / se * math.sqrt((big_n - 1) / big_n)
        if alternative == "two-sided":
            p_value = 2.0 * float(special.ndtr(-abs(statistic)))
        elif alternative == "greater":
            p_value = float(special.ndtr(-statistic))
        else:
            p_value = float(special.ndtr(statistic))

    z = float(special.ndtri(1.0 - _tail(confidence_level, alternative)))
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    low = diff - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = diff + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    low, high = max(-1.0, low), min(1.0, high)
    if alternative == "greater":
        high = 1.0
    elif alternative == "less":
        low = -1.0

    return Comparison(
        estimate=diff,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        statistic=statistic,
        df=math.nan,
        n_before=n1,
        n_after=n2,
        confidence_level=confidence_level,
        method=COMPARE_METHOD,
        alternative=alternative,
    )
