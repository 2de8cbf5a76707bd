"""Net Promoter Score (NPS): the share of promoters minus the share of detractors.

Scores are answers 0-10 to "How likely is it that you would recommend ...?":
9-10 are promoters, 7-8 passives, 0-6 detractors. The NPS is reported in points,
from -100 (all detractors) to 100 (all promoters).

- :func:`from_counts` -- NPS and interval from the three counts (what a query
  engine returns); :func:`score` is the thin raw-data wrapper over it.
- :func:`compare` -- difference after - before of two independent NPS, in points.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np
from scipy import special

from cvlib.errors import CvlibWarning
from cvlib.stats.results import Comparison, NPSEstimate
from cvlib.stats.validation import (
    as_float_array,
    check_alternative,
    check_choice,
    check_confidence_level,
    check_count,
    method_label,
)

__all__ = ["METHODS", "compare", "from_counts", "score"]

#: Interval methods accepted by :func:`score`, :func:`from_counts` and :func:`compare`.
METHODS = ("adjusted-wald", "trinomial")

_ADJ_N = 3.0  # added to n by the adjusted-Wald method
_ADJ_EACH = 0.75  # added to the promoters and to the detractors


def _z(confidence_level: float, alternative: str) -> float:
    alpha = 1.0 - confidence_level
    tail = alpha / 2.0 if alternative == "two-sided" else alpha
    return float(special.ndtri(1.0 - tail))


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
            z-test p-value for ``alternative``; ``nan`` when undefined (see Warns).
        ``statistic``
            The z statistic (positive when after is higher); ``nan`` when undefined.
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
        ``before`` or ``after``.

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

        z = \frac{c_{after} - c_{before}}{\sqrt{v_{before} + v_{after}}},
        \qquad
        \text{CI} = 100\,\bigl(c_{after} - c_{before}
            \pm z_{crit}\sqrt{v_{before} + v_{after}}\bigr).

    This is the adjusted-Wald test of Lewis and Sauro (2021), built on the
    adjusted-Wald interval Rocks (2016) found to have the best coverage. The
    test and the interval use the same centre and standard error, so they
    agree: the two-sided p-value is below :math:`\alpha` exactly when the
    interval excludes 0. ``estimate`` is the raw difference; for very small
    groups with extreme answers it can lie outside the adjusted interval,
    which is then the better statement of what the data support.

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
    """
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
        statistic = diff / se
        if alternative == "two-sided":
            p_value = 2.0 * float(special.ndtr(-abs(statistic)))
        elif alternative == "greater":
            p_value = float(special.ndtr(-statistic))
        else:
            p_value = float(special.ndtr(statistic))

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
