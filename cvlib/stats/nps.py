"""Net Promoter Score (NPS): the share of promoters minus the share of detractors.

Scores are answers 0-10 to "How likely is it that you would recommend ...?":
9-10 are promoters, 7-8 passives, 0-6 detractors. The NPS is reported in points,
from -100 (all detractors) to 100 (all promoters).

- :func:`from_counts` -- NPS and interval from the three counts (what a query
  engine returns); :func:`score` is the thin raw-data wrapper over it.
- :func:`compare` -- difference after - before of two independent NPS, in
  points, tested against any null difference (``null``, default 0).
- :func:`test_target` -- the z test of one NPS against a target, the exact
  dual of the :func:`from_counts` interval.

Each test uses the centre and variance its interval uses, so a one-sided
p-value is below :math:`\\alpha/2` exactly when the two-sided interval at
level :math:`1-\\alpha` excludes the null on that side. The intervals are
clipped to the range of the NPS (-100 to 100; -200 to 200 for a difference);
a clipped bound is not a rejection boundary, but every null inside the range
keeps the duality.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Literal

import numpy as np
from scipy import special

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison, NPSEstimate, Test
from cvlib.stats.validation import (
    as_float_array,
    check_alternative,
    check_choice,
    check_confidence_level,
    check_count,
    method_label,
)

__all__ = ["METHODS", "compare", "from_counts", "score", "test_target"]

#: Interval methods accepted by :func:`score`, :func:`from_counts` and :func:`compare`.
METHODS = ("adjusted-wald", "trinomial")

_ADJ_N = 3.0  # added to n by the adjusted-Wald method
_ADJ_EACH = 0.75  # added to the promoters and to the detractors


def _z(confidence_level: float, alternative: str) -> float:
    alpha = 1.0 - confidence_level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    return float(special.ndtri(1.0 - tail))


def _check_null(value, limit: float) -> float:
    """Return ``null`` (NPS points) as a float in [-limit, limit]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"null must be a number (NPS points), got {type(value).__name__}")
    value = float(value)
    if not (-limit <= value <= limit):
        raise ValueError(f"null must be in [{-limit:g}, {limit:g}] (NPS points), got {value!r}")
    return value


def _p_value(statistic: float, alternative: str) -> float:
    if alternative == "two-sided":
        return 2.0 * float(special.ndtr(-abs(statistic)))
    if alternative == "greater":
        return float(special.ndtr(-statistic))
    return float(special.ndtr(statistic))


def _check_counts(promoters, passives, detractors) -> tuple[int, int, int]:
    counts = (
        check_count(promoters, "promoters"),
        check_count(passives, "passives"),
        check_count(detractors, "detractors"),
    )
    if sum(counts) == 0:
        raise ValueError("promoters + passives + detractors must be at least 1, got 0 responses")
    return counts


def _counts_from_scores(scores, name: str) -> tuple[int, int, int]:
    array = as_float_array(scores, name)
    if array.size == 0:
        raise ValueError(f"{name} must contain at least one score, got none")
    bad = ~np.isfinite(array) | (array < 0) | (array > 10) | (array != np.round(array))
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        hint = " (drop missing answers first)" if np.isnan(array[index]) else ""
        raise ValueError(
            f"{name} must be integers from 0 to 10, got {float(array[index])!r} "
            f"at position {index}{hint}"
        )
    promoters = int(np.count_nonzero(array >= 9))
    detractors = int(np.count_nonzero(array <= 6))
    return promoters, array.size - promoters - detractors, detractors


def _moments(promoters: int, passives: int, detractors: int, method: str):
    """Centre (as a share difference) and variance of the estimator."""
    n = promoters + passives + detractors
    if method == "adjusted-wald":
        n_eff = n + _ADJ_N
        p = (promoters + _ADJ_EACH) / n_eff
        d = (detractors + _ADJ_EACH) / n_eff
    else:
        n_eff = float(n)
        p = promoters / n
        d = detractors / n
    centre = p - d
    variance = max(0.0, p + d - centre * centre) / n_eff
    return centre, variance


def from_counts(
    promoters,
    passives,
    detractors,
    *,
    method: Literal["adjusted-wald", "trinomial"] = "adjusted-wald",
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> NPSEstimate:
    r"""NPS and its confidence interval from the counts of each category.

    Parameters
    ----------
    promoters, passives, detractors : int
        Numbers of respondents who answered 9-10, 7-8 and 0-6. Their sum, the
        number of respondents, must be at least 1 (``ValueError`` otherwise).
    method : {"adjusted-wald", "trinomial"}, optional
        Interval method (see Notes). Default ``"adjusted-wald"``.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        ``"two-sided"`` (default); ``"greater"`` gives a one-sided lower bound
        (``ci_high`` is 100), ``"less"`` a one-sided upper bound (``ci_low`` is
        -100).

    Returns
    -------
    NPSEstimate
        ``estimate``
            The raw NPS in points, :math:`100(x_{pro} - x_{det})/n`.
        ``ci_low``, ``ci_high``
            Interval bounds in points, clipped to [-100, 100].
        ``n``
            The raw number of respondents.
        ``confidence_level``
            As given.
        ``method``
            The interval method.
        ``promoters``, ``passives``, ``detractors``
            The counts.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If a count is negative, all are 0, or an option is not one of its choices.

    Warns
    -----
    CvlibWarning
        With ``method="trinomial"`` when all respondents are in one category:
        the estimated variance is 0 and the interval has zero width.

    Notes
    -----
    With :math:`n` respondents, :math:`z = \Phi^{-1}(1-\alpha/2)` (or
    :math:`\Phi^{-1}(1-\alpha)` for a one-sided bound):

    * **adjusted-Wald** (Rocks, 2016; computed as Lewis and Sauro describe it):
      :math:`\tilde n = n + 3`, :math:`\tilde p = (x_{pro} + 3/4)/\tilde n`,
      :math:`\tilde d = (x_{det} + 3/4)/\tilde n`,
      :math:`\widetilde{NPS} = \tilde p - \tilde d`,

      .. math::

          \widehat{Var} = \frac{\tilde p + \tilde d - (\tilde p - \tilde d)^2}{\tilde n},
          \qquad \text{CI} = 100\,(\widetilde{NPS} \pm z\sqrt{\widehat{Var}}).

      The constants 3 and 3/4 are fixed, as published; they do not change
      with ``confidence_level``.
    * **trinomial** (Wald): the same formula on the raw shares
      :math:`\hat p = x_{pro}/n`, :math:`\hat d = x_{det}/n` and :math:`n`. The
      variance is that of the mean of the scores -1 (detractor), 0 (passive)
      and +1 (promoter).

    The interval is centred on the adjusted NPS, but ``estimate`` is the raw
    NPS, so the interval is not symmetric around ``estimate``.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Lewis, J. R., & Sauro, J. (2020). Confidence intervals for Net
       Promoter Scores. MeasuringU, https://measuringu.com/nps-confidence-intervals/
    .. [3] Reichheld, F. F. (2003). The one number you need to grow. *Harvard
       Business Review*, 81(12), 46-54.

    Examples
    --------
    >>> from cvlib.stats.nps import from_counts
    >>> est = from_counts(20, 10, 10)
    >>> est.estimate
    25.0
    >>> round(est.ci_low, 1), round(est.ci_high, 1)
    (-1.4, 47.9)
    """
    promoters, passives, detractors = _check_counts(promoters, passives, detractors)
    method = check_choice(method, "method", METHODS)
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)

    n = promoters + passives + detractors
    centre, variance = _moments(promoters, passives, detractors, method)
    if variance == 0.0:
        warnings.warn(
            f"all {n} respondents are in one category, so the {method} variance is 0 "
            "and the interval has zero width; use method='adjusted-wald'",
            CvlibWarning,
            stacklevel=2,
        )
    half = _z(confidence_level, alternative) * math.sqrt(variance)
    low = max(-100.0, 100.0 * (centre - half))
    high = min(100.0, 100.0 * (centre + half))
    if alternative == "greater":
        high = 100.0
    elif alternative == "less":
        low = -100.0
    return NPSEstimate(
        estimate=100.0 * (promoters - detractors) / n,
        ci_low=low,
        ci_high=high,
        n=n,
        confidence_level=confidence_level,
        method=method_label(method, alternative),
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


def score(
    scores,
    *,
    method: Literal["adjusted-wald", "trinomial"] = "adjusted-wald",
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> NPSEstimate:
    r"""NPS and its confidence interval from raw 0-10 answers.

    Counts promoters (9-10), passives (7-8) and detractors (0-6) and calls
    :func:`from_counts`; see there for the formulas.

    Parameters
    ----------
    scores : array_like of int
        One answer per respondent, integers from 0 to 10. Missing answers
        (``nan``), fractions and values outside 0-10 raise ``ValueError``:
        drop non-responses before calling.
    method : {"adjusted-wald", "trinomial"}, optional
        Interval method. Default ``"adjusted-wald"``.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Two-sided interval (default) or a one-sided bound, as in
        :func:`from_counts`.

    Returns
    -------
    NPSEstimate
        ``estimate`` (raw NPS in points), ``ci_low``, ``ci_high`` (clipped to
        [-100, 100]), ``n`` (respondents), ``confidence_level``, ``method``,
        ``promoters``, ``passives``, ``detractors``; as in :func:`from_counts`.

    Raises
    ------
    TypeError
        If ``scores`` is not a sequence of numbers.
    ValueError
        If ``scores`` is empty, not one-dimensional, or holds a value that is
        not an integer from 0 to 10.

    Notes
    -----
    :math:`NPS = 100\,(x_{pro} - x_{det})/n`, with the interval of
    :func:`from_counts` (adjusted-Wald: :math:`n + 3` respondents, 3/4 added to
    promoters and to detractors).

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Lewis, J. R., & Sauro, J. (2020). Confidence intervals for Net
       Promoter Scores. MeasuringU, https://measuringu.com/nps-confidence-intervals/

    Examples
    --------
    >>> from cvlib.stats.nps import score
    >>> est = score([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])
    >>> est.promoters, est.passives, est.detractors
    (5, 2, 3)
    >>> est.estimate
    20.0
    >>> round(est.ci_low, 1), round(est.ci_high, 1)
    (-30.3, 61.1)
    """
    counts = _counts_from_scores(scores, "scores")
    return from_counts(
        *counts, method=method, confidence_level=confidence_level, alternative=alternative
    )


def _as_counts(value, name: str) -> tuple[int, int, int]:
    if isinstance(value, NPSEstimate):
        return value.promoters, value.passives, value.detractors
    if isinstance(value, tuple):
        if len(value) != 3:
            raise ValueError(
                f"{name} as a tuple must be (promoters, passives, detractors), "
                f"got {len(value)} values"
            )
        counts = tuple(
            check_count(v, f"{name}[{label}]")
            for v, label in zip(value, ("promoters", "passives", "detractors"), strict=True)
        )
        if sum(counts) == 0:
            raise ValueError(f"{name} must hold at least 1 response, got 0")
        return counts
    return _counts_from_scores(value, name)


def compare(
    before,
    after,
    *,
    null: float = 0.0,
    method: Literal["adjusted-wald", "trinomial"] = "adjusted-wald",
    confidence_level: float = 0.95,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> Comparison:
    r"""Compare two independent NPS: the difference after - before, in points.

    Parameters
    ----------
    before, after : array_like of int, NPSEstimate, or tuple of 3 int
        Each group as raw 0-10 answers (a list or array), as an
        :class:`~cvlib.stats.results.NPSEstimate` (its counts are used; its interval
        settings are ignored), or as a ``tuple``
        ``(promoters, passives, detractors)``. A tuple is always read as counts:
        pass raw answers as a list or an array.
    null : float, optional
        The difference after - before under the null hypothesis, in NPS
        points, in [-200, 200]. Default 0 (no change); ``null=-5`` with
        ``alternative="greater"`` tests that after is at worst 5 points below.
    method : {"adjusted-wald", "trinomial"}, optional
        Variance of each NPS (see Notes). Default ``"adjusted-wald"``.
    confidence_level : float, optional
        Coverage of the interval, in (0, 1). Default 0.95.
    alternative : {"two-sided", "less", "greater"}, optional
        Alternative about the after NPS compared to the before NPS;
        ``"greater"`` gives a one-sided p-value and lower bound (``ci_high`` is
        200), ``"less"`` a one-sided upper bound (``ci_low`` is -200).

    Returns
    -------
    Comparison
        ``estimate``
            Raw NPS after minus raw NPS before, in points.
        ``ci_low``, ``ci_high``
            Interval of the difference in points, clipped to [-200, 200].
        ``p_value``
            z-test p-value of difference = ``null`` for ``alternative``; ``nan``
            when undefined (see Warns).
        ``statistic``
            The z statistic (positive when the difference is above ``null``);
            ``nan`` when undefined.
        ``df``
            ``nan``.
        ``n_before``, ``n_after``
            Respondents in each group.
        ``confidence_level``, ``alternative``
            As given.
        ``method``
            ``"adjusted-wald z test"`` or ``"trinomial z test"``.

    Raises
    ------
    TypeError, ValueError
        As :func:`score` and :func:`from_counts` for each group, naming
        ``before`` or ``after``; for a ``null`` that is not a number or not in
        [-200, 200].

    Warns
    -----
    CvlibWarning
        With ``method="trinomial"`` when both groups have zero estimated
        variance (each has all respondents in one category): ``statistic``
        and ``p_value`` are ``nan``.

    Notes
    -----
    Each group gives a centre :math:`c_i` and a variance :math:`v_i` as in
    :func:`from_counts` (adjusted-Wald: :math:`\tilde n = n + 3`, 3/4 added to
    promoters and detractors, :math:`c = \tilde p - \tilde d`,
    :math:`v = (\tilde p + \tilde d - c^2)/\tilde n`; trinomial: the same on
    the raw shares). For independent groups

    .. math::

        z = \frac{c_{after} - c_{before} - \Delta_0/100}{\sqrt{v_{before} + v_{after}}},
        \qquad
        \text{CI} = 100\,\bigl(c_{after} - c_{before}
            \pm z_{crit}\sqrt{v_{before} + v_{after}}\bigr).

    with :math:`\Delta_0` = ``null`` in points. This is the adjusted-Wald test
    of Lewis and Sauro (2021), built on the adjusted-Wald interval Rocks
    (2016) found to have the best coverage. The test and the interval use the
    same centre and standard error, so they agree: the two-sided p-value is
    below :math:`\alpha` exactly when the interval excludes ``null``, and a
    one-sided p-value below :math:`\alpha/2` exactly when the two-sided
    interval excludes it on that side. The interval is clipped to [-200, 200];
    that moves no bound a null inside the range could cross. ``estimate`` is
    the raw difference; for very small groups with extreme answers it can lie
    outside the adjusted interval, which is then the better statement of what
    the data support.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Lewis, J. R., & Sauro, J. (2021). How to statistically compare two
       Net Promoter Scores. MeasuringU, https://measuringu.com/nps-significance-test/
    .. [3] Lewis, J. R., & Sauro, J. (2021). Evaluating NPS significance tests
       with real-world data. MeasuringU,
       https://measuringu.com/nps-three-significance-tests/

    Examples
    --------
    >>> from cvlib.stats.nps import compare
    >>> res = compare((10, 10, 20), (20, 10, 10))
    >>> res.estimate
    50.0
    >>> round(res.ci_low, 1), round(res.ci_high, 1)
    (11.7, 81.3)
    >>> round(res.p_value, 4)
    0.0088

    The p-value of a null difference at the lower bound is the interval's tail:

    >>> t = compare((10, 10, 20), (20, 10, 10), null=res.ci_low, alternative="greater")
    >>> round(t.p_value, 4)
    0.025
    """
    null = _check_null(null, 200.0)
    method = check_choice(method, "method", METHODS)
    confidence_level = check_confidence_level(confidence_level)
    alternative = check_alternative(alternative)
    counts_before = _as_counts(before, "before")
    counts_after = _as_counts(after, "after")
    n_before, n_after = sum(counts_before), sum(counts_after)

    c1, v1 = _moments(*counts_before, method)
    c2, v2 = _moments(*counts_after, method)
    raw = 100.0 * (
        (counts_after[0] - counts_after[2]) / n_after
        - (counts_before[0] - counts_before[2]) / n_before
    )
    diff = c2 - c1
    se = math.sqrt(v1 + v2)
    if se == 0.0:
        warnings.warn(
            f"both groups have all respondents in one category, so the {method} "
            "standard error is 0 and the z test is undefined; p_value is nan",
            CvlibWarning,
            stacklevel=2,
        )
        statistic = p_value = math.nan
    else:
        statistic = (diff - null / 100.0) / se
        p_value = _p_value(statistic, alternative)

    half = _z(confidence_level, alternative) * se
    low = max(-200.0, 100.0 * (diff - half))
    high = min(200.0, 100.0 * (diff + half))
    if alternative == "greater":
        high = 200.0
    elif alternative == "less":
        low = -200.0
    return Comparison(
        estimate=raw,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        statistic=statistic,
        df=math.nan,
        n_before=n_before,
        n_after=n_after,
        confidence_level=confidence_level,
        method=f"{method} z test",
        alternative=alternative,
    )


def test_target(
    counts,
    *,
    null: float,
    method: Literal["adjusted-wald", "trinomial"] = "adjusted-wald",
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
) -> Test:
    r"""z test of one NPS against a target, the dual of :func:`from_counts`' interval.

    Parameters
    ----------
    counts : array_like of int, NPSEstimate, or tuple of 3 int
        The group, as in :func:`compare`: raw 0-10 answers (a list or array),
        an :class:`~cvlib.stats.results.NPSEstimate` (its counts are used), or
        a ``tuple`` ``(promoters, passives, detractors)``.
    null : float
        The NPS under the null hypothesis, in points, in [-100, 100] (keyword
        only, no default).
    method : {"adjusted-wald", "trinomial"}, optional
        Centre and variance, as in :func:`from_counts`. Default
        ``"adjusted-wald"``.
    alternative : {"two-sided", "less", "greater"}, optional
        ``"greater"``: the NPS is above ``null``; ``"less"``: below.

    Returns
    -------
    Test
        ``statistic``
            z, positive when the (adjusted) NPS is above ``null``; ``nan``
            when undefined.
        ``p_value``
            For ``alternative``; ``nan`` when undefined.
        ``df``
            ``nan``.
        ``null``, ``alternative``
            As given (``null`` in points).
        ``method``
            ``"adjusted-wald z test"`` or ``"trinomial z test"``.

    Raises
    ------
    TypeError, ValueError
        As :func:`compare` for ``counts`` (naming ``counts``); for a ``null``
        that is not a number or not in [-100, 100]; for an unknown ``method``
        or ``alternative``.

    Warns
    -----
    CvlibWarning
        With ``method="trinomial"`` when all respondents are in one category:
        the variance is 0, and ``statistic`` and ``p_value`` are ``nan``.

    Notes
    -----
    With the centre :math:`c` and variance :math:`v` of :func:`from_counts`
    (adjusted-Wald: :math:`\tilde n = n + 3`, 3/4 added to promoters and to
    detractors, :math:`c = \tilde p - \tilde d`,
    :math:`v = (\tilde p + \tilde d - c^2)/\tilde n`; trinomial: the same on the
    raw shares) and the target :math:`T` in points,

    .. math::

        z = \frac{c - T/100}{\sqrt{v}},

    referred to the standard normal. The interval of :func:`from_counts` is
    :math:`100(c \pm z_{1-\alpha/2}\sqrt v)`, so :math:`T` is below its lower
    bound exactly when the ``"greater"`` p-value is below :math:`\alpha/2`,
    and above its upper bound exactly when the ``"less"`` p-value is. The
    interval is clipped to [-100, 100]; a clipped bound is the end of the
    range, not a rejection boundary, and the duality holds for every target
    inside the range.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "net promoter score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Lewis, J. R., & Sauro, J. (2020). Confidence intervals for Net
       Promoter Scores. MeasuringU, https://measuringu.com/nps-confidence-intervals/

    Examples
    --------
    20 promoters, 10 passives and 10 detractors: is the NPS above 0?

    >>> from cvlib.stats.nps import from_counts, test_target
    >>> t = test_target((20, 10, 10), null=0, alternative="greater")
    >>> round(t.statistic, 3), round(t.p_value, 4)
    (1.851, 0.0321)

    At the lower bound of the 95% interval the one-sided p-value is 0.025:

    >>> est = from_counts(20, 10, 10)
    >>> round(test_target((20, 10, 10), null=est.ci_low, alternative="greater").p_value, 6)
    0.025
    """
    null = _check_null(null, 100.0)
    method = check_choice(method, "method", METHODS)
    alternative = check_alternative(alternative)
    centre, variance = _moments(*_as_counts(counts, "counts"), method)
    if variance == 0.0:
        warnings.warn(
            f"all respondents are in one category, so the {method} variance is 0 and the "
            "z test is undefined; p_value is nan",
            CvlibWarning,
            stacklevel=2,
        )
        statistic = p_value = math.nan
    else:
        statistic = (centre - null / 100.0) / math.sqrt(variance)
        p_value = _p_value(statistic, alternative)
    return Test(
        statistic=statistic,
        p_value=p_value,
        df=math.nan,
        null=null,
        alternative=alternative,
        method=f"{method} z test",
    )


# pytest would collect a function named test_* imported into a test module as a test.
test_target.__test__ = False
